"""The gate fails closed and stays responsive: checks with a deadline in worker processes, in-text
suppressions of blockers as waiver requests, and errors in plain words."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from review.checking import Content
from review.checkpool import CheckPool

from .conftest import LiveServer, People

API = "/api/v1"
# A line that opens with thousands of blanks held the interpreter in one regular-expression match for
# minutes, and a megabyte of prose takes seconds: either way, more than the budget given below.
HOSTILE = "Roots\n\n" + " " * 3000 + "L5 supplies ankle dorsiflexion.\n\n" + \
          "The L5 root supplies ankle dorsiflexion and great toe extension. " * 8000


@pytest.fixture
def live(db, people):
    from review.api import Settings, create_app

    app = create_app(Settings(warm=True, deliver_webhooks=False, check_timeout_s=1.0), db)
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=120) as c:
        yield c


def test_a_hostile_submission_is_stopped_at_the_deadline_blocked_and_the_service_stays_responsive(live, people):
    result: dict = {}

    def submit() -> None:
        t = time.monotonic()
        result["response"] = live.post(f"{API}/articles", headers=People.auth(people.alice),
                                       json={"external_id": "hostile", "title": "Roots", "body": HOSTILE})
        result["seconds"] = time.monotonic() - t

    worker = threading.Thread(target=submit, daemon=True)
    worker.start()
    time.sleep(0.3)  # the check is running
    health = []
    while worker.is_alive() and len(health) < 20:
        t = time.monotonic()
        assert live.get("/healthz", timeout=10).status_code == 200
        health.append(time.monotonic() - t)
    worker.join(60)
    assert not worker.is_alive()
    assert health and max(health) < 0.5, health  # answered while the check ran, not after it
    r = result["response"]
    assert r.status_code == 201, r.text
    assert r.json()["verdict"] == "blocked"
    assert result["seconds"] < 15
    report = live.get(f"{API}/articles/{r.json()['id']}/report", headers=People.auth(people.alice)).json()
    (f,) = [f for f in report["findings"] if f["rule"] == "ingest.timeout"]
    assert f["severity"] == "blocker" and "1 s" in f["message"]
    # the pool replaced the worker it stopped: the next article is checked normally
    ok = live.post(f"{API}/articles", headers=People.auth(people.alice),
                   json={"external_id": "fine", "title": "Roots", "body": "L5 supplies ankle dorsiflexion."})
    assert ok.status_code == 201 and ok.json()["verdict"] == "pass"


def test_the_pool_blocks_what_it_could_not_check_and_recovers():
    pool = CheckPool(1)
    try:
        fine = pool.check(Content("a", "Roots", "L5 supplies ankle dorsiflexion."), 60)
        assert fine["verdict"] == "pass" and fine["assertions"]
        stopped = pool.check(Content("b", "Roots", HOSTILE), 0.2)
        assert stopped["verdict"] == "blocked"
        assert [f["rule"] for f in stopped["findings"]] == ["ingest.timeout"]
        assert stopped["article"]["title"] == "Roots"
        again = pool.check(Content("c", "Roots", "L5 supplies ankle dorsiflexion."), 60)
        assert again["verdict"] == "pass"
    finally:
        pool.close()


def test_a_worker_that_ended_while_idle_is_replaced_and_blocks_nothing():
    pool = CheckPool(1)
    try:
        assert pool.check(Content("a", "Roots", "L5 supplies ankle dorsiflexion."), 60)["verdict"] == "pass"
        (w,) = pool._all
        w.process.kill()
        w.process.wait(10)
        again = pool.check(Content("b", "Roots", "L5 supplies ankle dorsiflexion."), 60)
        assert again["verdict"] == "pass" and again["assertions"]
    finally:
        pool.close()


def test_check_workers_end_with_their_pool_owner(tmp_path):
    """A server killed with SIGKILL leaves no check worker behind."""
    import os
    import signal
    import subprocess
    import sys

    from tests.conftest import ROOT

    script = ("from review.checkpool import CheckPool; import time, sys\n"
              "p = CheckPool(1)\n"
              "while not p._all: time.sleep(0.05)\n"
              "print(next(iter(p._all)).process.pid, flush=True)\n"
              "time.sleep(600)\n")
    owner = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    worker_pid = int(owner.stdout.readline())
    os.kill(owner.pid, signal.SIGKILL)
    owner.wait(10)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(worker_pid, 0)
        except ProcessLookupError:
            return
        with open(f"/proc/{worker_pid}/stat") as f:
            if f.read().split(") ")[1].startswith("Z"):
                return  # a zombie waiting for init to reap it: ended
        time.sleep(0.2)
    os.kill(worker_pid, signal.SIGKILL)
    pytest.fail("the check worker outlived the process that started it")


REQUESTED = ("Ankle\n\n<!-- artgate-disable terminology.contradictory-direction: quoting the source's title -->\n"
             "The study was titled \"Plantar dorsiflexion after L5 decompression\".\n")


def test_an_in_text_suppression_of_a_blocker_is_a_waiver_request(client, people):
    h = People.auth
    r = client.post(f"{API}/articles", headers=h(people.rob),
                    json={"external_id": "req", "title": "Ankle", "body": REQUESTED, "format": "markdown"})
    assert r.status_code == 201 and r.json()["verdict"] == "blocked"  # the comment alone clears nothing
    aid = r.json()["id"]
    report = client.get(f"{API}/articles/{aid}/report", headers=h(people.alice)).json()
    (f,) = [f for f in report["findings"] if f["rule"] == "terminology.contradictory-direction"]
    assert not f["suppressed"] and f["waiver_request"] == {"reason": "quoting the source's title", "by": "rob"}
    assert client.post(f"{API}/articles/{aid}/transitions", json={"to": "in_review"},
                       headers=h(people.rita)).status_code == 200
    refused = client.post(f"{API}/articles/{aid}/transitions", json={"to": "approved"}, headers=h(people.rita))
    assert refused.status_code == 409 and refused.json()["error"] == "blocked"
    # the submitter cannot accept their own request
    own = client.post(f"{API}/articles/{aid}/findings/{f['id']}/waive", json={"reason": "as the text says"},
                      headers=h(people.rob))
    assert own.status_code == 403
    accepted = client.post(f"{API}/articles/{aid}/findings/{f['id']}/waive",
                           json={"reason": "accepted: the title is quoted"}, headers=h(people.rita))
    assert accepted.status_code == 200 and accepted.json()["verdict"] == "pass"
    assert client.post(f"{API}/articles/{aid}/transitions", json={"to": "approved"},
                       headers=h(people.rita)).status_code == 200
    events = client.get(f"{API}/articles/{aid}/events", headers=h(people.alice)).json()["events"]
    kinds = [(e["kind"], e["actor"], e["reason"]) for e in events]
    assert ("waiver_requested", "rob", "quoting the source's title") in kinds
    assert ("waived", "rita", "accepted: the title is quoted") in kinds


def test_an_in_text_suppression_of_a_warning_still_suppresses(client, people):
    body = ("Ankle\n\n<!-- artgate-disable terminology.plantarflexion-spelling: the source's spelling -->\n"
            "The S1 root supplies plantar flexion.\n")
    r = client.post(f"{API}/articles", headers=People.auth(people.alice),
                    json={"external_id": "warn", "title": "Ankle", "body": body, "format": "markdown"})
    report = client.get(f"{API}/articles/{r.json()['id']}/report", headers=People.auth(people.alice)).json()
    for f in report["findings"]:
        if f["severity"] != "blocker" and f["suppression_reason"]:
            assert f["suppressed"] and "waiver_request" not in f


@pytest.mark.parametrize(("kwargs", "status", "message", "field"), [
    ({"json": {"external_id": "a", "body": ""}}, 422, "body must not be empty", "body"),
    ({"json": {"body": "L5"}}, 422, "external_id is required", "external_id"),
    ({"content": b"L5 supplies", "headers": {"Content-Type": "text/plain"}}, 415,
     "send JSON with Content-Type: application/json", None),
    ({"content": b"{bad json", "headers": {"Content-Type": "application/json"}}, 422,
     "the request body is not valid JSON", None),
    ({"content": b"", "headers": {"Content-Type": "application/json"}}, 422, "the request has no body", None),
    ({"content": b"[]", "headers": {"Content-Type": "application/json"}}, 422,
     "the request body must be a JSON object", None),
])
def test_api_errors_in_plain_words(client, people, kwargs, status, message, field):
    kwargs = dict(kwargs)
    headers = {**People.auth(people.alice), **kwargs.pop("headers", {})}
    r = client.post(f"{API}/articles", headers=headers, **kwargs)
    assert r.status_code == status, r.text
    body = r.json()
    assert body["message"].startswith(message) and body["field"] == field
    assert "validation" not in body["message"] and "dictionary" not in body["message"]


def test_a_missing_title_is_the_same_in_the_api_and_the_report(client, people):
    r = client.post(f"{API}/articles", headers=People.auth(people.alice),
                    json={"external_id": "untitled", "body": "Dorsiflexion roots\n\nL5 supplies ankle dorsiflexion."})
    assert r.status_code == 201 and r.json()["title"] == "Dorsiflexion roots"
    aid = r.json()["id"]
    article = client.get(f"{API}/articles/{aid}", headers=People.auth(people.alice)).json()
    report = client.get(f"{API}/articles/{aid}/report", headers=People.auth(people.alice)).json()
    assert article["title"] == report["article"]["title"] == "Dorsiflexion roots"


def test_the_audit_of_the_store_treats_in_text_directives_on_blockers_as_the_service_does(client, people, db,
                                                                                          tmp_path):
    from flows.audit import run_audit

    r = client.post(f"{API}/articles", headers=People.auth(people.alice),
                    json={"external_id": "req", "title": "Ankle", "body": REQUESTED, "format": "markdown"})
    assert r.json()["verdict"] == "blocked"
    summary = run_audit("", tmp_path / "runs", progress=False, validate=False, database_url=db.url).summary
    assert summary["articles"] == 1 and summary["blocked"] == 1
