"""Concurrent requests against a real server: the gate's promise holds under races.

Never an approved article with an unwaived blocker on its current version,
whichever of two concurrent requests commits first. Each race runs on a real
uvicorn server (requests from several threads over TCP) on SQLite and on
PostgreSQL.
"""

from __future__ import annotations

import random
import threading

import httpx
import pytest
from sqlalchemy import text

from review import workflow as wf

from .conftest import CORRECTED, ORACLE, LiveServer, People

ROUNDS = 10

VIOLATIONS = """
SELECT a.id FROM articles a
JOIN versions v ON v.article_id = a.id AND v.number = a.current_version
JOIN findings f ON f.version_id = v.id
WHERE a.status = 'approved' AND f.severity = 'blocker' AND f.suppressed = :no AND f.waived = :no
"""


@pytest.fixture
def live(db, people):
    from review.api import Settings, create_app

    app = create_app(Settings(warm=True, deliver_webhooks=False), db)
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


def race(*calls):
    """Start every call at the same moment, each in its own thread; return their responses in order."""
    barrier = threading.Barrier(len(calls))
    out: list = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        out[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return out


def no_violations(db) -> None:
    with db.session() as s:
        assert s.execute(text(VIOLATIONS), {"no": False}).all() == []
    assert wf.audit_status_cache(db) == []


def submit(c, token, external_id, body):
    return c.post("/api/v1/articles", json={"external_id": external_id, "title": "t", "body": body},
                  headers=People.auth(token))


def move(c, token, article_id, to):
    return c.post(f"/api/v1/articles/{article_id}/transitions", json={"to": to}, headers=People.auth(token))


def test_approve_racing_a_blocked_new_version(live, db, people):
    for i in range(ROUNDS):
        a = submit(live, people.alice, f"race-{i}", CORRECTED).json()
        assert move(live, people.rob, a["id"], "in_review").status_code == 200
        jitter = random.uniform(0, 0.05)

        def approve(aid=a["id"], jitter=jitter):
            threading.Event().wait(jitter)
            return move(live, people.rita, aid, "approved")

        approved, new = race(approve, lambda i=i: submit(live, people.alice, f"race-{i}",
                                                         ORACLE + f"\nRound {i}.\n"))
        assert new.status_code == 201 and approved.status_code in (200, 409), approved.text
        art = live.get(f"/api/v1/articles/{a['id']}", headers=People.auth(people.alice)).json()
        assert art["verdict"] == "blocked" and art["version"] == 2
        # approved first: the new version sent it back; new version first: the gate refused
        assert art["status"] == ("submitted" if approved.status_code == 200 else "in_review")
    no_violations(db)


def test_approve_racing_a_waiver(live, db, people):
    for i in range(ROUNDS):
        a = submit(live, people.alice, f"waive-{i}", ORACLE + f"\nRound {i}.\n").json()
        move(live, people.rob, a["id"], "in_review")
        report = live.get(f"/api/v1/articles/{a['id']}/report", headers=People.auth(people.alice)).json()
        blockers = [f["id"] for f in report["findings"] if f["severity"] == "blocker"]
        for fid in blockers[:-1]:
            live.post(f"/api/v1/articles/{a['id']}/findings/{fid}/waive", json={"reason": "r"},
                      headers=People.auth(people.rob))
        approved, waived = race(
            lambda aid=a["id"]: move(live, people.rita, aid, "approved"),
            lambda aid=a["id"], fid=blockers[-1]: live.post(
                f"/api/v1/articles/{aid}/findings/{fid}/waive", json={"reason": "r"},
                headers=People.auth(people.rob)))
        assert waived.status_code == 200 and approved.status_code in (200, 409)
        art = live.get(f"/api/v1/articles/{a['id']}", headers=People.auth(people.alice)).json()
        assert art["verdict"] == "pass"
        assert art["status"] == ("approved" if approved.status_code == 200 else "in_review")
    no_violations(db)


def test_identical_submissions_at_once_make_one_version(live, db, people):
    responses = race(*[lambda: submit(live, people.alice, "twin", ORACLE)] * 4)
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 201]
    assert len({(r.json()["id"], r.json()["version"]) for r in responses}) == 1
    events = live.get(f"/api/v1/articles/{responses[0].json()['id']}/events",
                      headers=People.auth(people.alice)).json()["events"]
    assert [e["kind"] for e in events] == ["submitted"]
