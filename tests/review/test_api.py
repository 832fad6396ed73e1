"""The HTTP API through the ASGI client, on SQLite and PostgreSQL: the contract's paths and its errors."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from .conftest import CORRECTED, ORACLE, People

API = "/api/v1"
TITLE = "Which nerve root is responsible for dorsal extension of the foot?"


def post_article(client, token, external_id="cms-1", body=ORACLE, **extra):
    return client.post(f"{API}/articles", json={"external_id": external_id, "title": TITLE, "body": body, **extra},
                       headers=People.auth(token))


def move(client, token, article_id, to, reason=""):
    return client.post(f"{API}/articles/{article_id}/transitions", json={"to": to, "reason": reason},
                       headers=People.auth(token))


def assert_error(response, status, code, field=None):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == code and body["message"]
    if field is not None:
        assert body["field"] == field, body
    assert "Traceback" not in response.text and 'File "' not in response.text
    return body


def test_healthz_answers_without_a_token(client, db):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok" and r.json()["database"] == db.dialect


def test_openapi_document_is_served(client):
    doc = client.get("/openapi.json").json()
    assert f"{API}/articles/{{article_id}}/transitions" in doc["paths"]
    assert doc["components"]["securitySchemes"]


def test_submit_blocked_and_passing_seeds(client, people):
    blocked = post_article(client, people.alice, "oracle", ORACLE)
    passed = post_article(client, people.alice, "corrected", CORRECTED)
    assert blocked.status_code == passed.status_code == 201
    b, p = blocked.json(), passed.json()
    assert set(b) >= {"id", "external_id", "version", "status", "verdict", "counts"}
    assert (b["verdict"], p["verdict"]) == ("blocked", "pass")
    assert b["counts"]["blocker"] > 0 and p["counts"]["blocker"] == 0
    assert b["status"] == "submitted" and b["version"] == 1


def test_idempotent_resubmission_returns_the_same_version(client, people):
    first = post_article(client, people.alice).json()
    again = post_article(client, people.alice)
    assert again.status_code == 200
    assert {k: again.json()[k] for k in ("id", "version", "verdict")} == \
           {k: first[k] for k in ("id", "version", "verdict")}
    assert again.json()["outcome"] == "unchanged"
    events = client.get(f"{API}/articles/{first['id']}/events", headers=People.auth(people.alice)).json()["events"]
    assert len(events) == 1


def test_gate_409_lists_the_blockers_then_waive_and_approve(client, people):
    a = post_article(client, people.alice).json()
    assert move(client, people.rob, a["id"], "in_review").status_code == 200
    refused = move(client, people.rob, a["id"], "approved")
    body = assert_error(refused, 409, "blocked")
    assert body["blocking"] and all(f["severity"] == "blocker" and f["evidence"] for f in body["blocking"])
    for f in body["blocking"]:
        w = client.post(f"{API}/articles/{a['id']}/findings/{f['id']}/waive",
                        json={"reason": "quoting the source verbatim"}, headers=People.auth(people.rob))
        assert w.status_code == 200 and w.json()["waiver"]["reviewer"] == "rob"
    assert w.json()["verdict"] == "pass"
    ok = move(client, people.rita, a["id"], "approved")
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    report = client.get(f"{API}/articles/{a['id']}/report", headers=People.auth(people.alice)).json()
    assert report["schema"] == "artgate.report/1" and report["verdict"] == "pass"
    waived = [f for f in report["findings"] if f["id"] in {b["id"] for b in body["blocking"]}]
    assert all(f["suppressed"] and f["suppression_reason"] == "quoting the source verbatim" for f in waived)


def test_a_reviewer_approving_their_own_submission_is_403(client, people):
    a = post_article(client, people.rob, "own", CORRECTED).json()
    move(client, people.rob, a["id"], "in_review")
    assert_error(move(client, people.rob, a["id"], "approved"), 403, "own_submission")
    assert move(client, people.rita, a["id"], "approved").json()["status"] == "approved"


def test_a_reviewer_cannot_waive_the_blockers_of_their_own_submission(client, people):
    a = post_article(client, people.rob, "own-blockers", ORACLE).json()
    report = client.get(f"{API}/articles/{a['id']}/report", headers=People.auth(people.rob)).json()
    blocker = next(f for f in report["findings"] if f["severity"] == "blocker")
    warning = next(f for f in report["findings"] if f["severity"] == "warning")
    url = f"{API}/articles/{a['id']}/findings/{{}}/waive"
    body = assert_error(client.post(url.format(blocker["id"]), json={"reason": "mine, but fine"},
                                    headers=People.auth(people.rob)), 403, "own_submission", "finding_id")
    assert "another reviewer" in body["message"]
    assert client.post(url.format(warning["id"]), json={"reason": "a warning is the author's call"},
                       headers=People.auth(people.rob)).status_code == 200
    w = client.post(url.format(blocker["id"]), json={"reason": "checked by a second reviewer"},
                    headers=People.auth(people.rita))
    assert w.status_code == 200 and w.json()["waiver"]["reviewer"] == "rita"


def test_a_new_version_resets_approval(client, people):
    a = post_article(client, people.alice, "v", CORRECTED).json()
    move(client, people.rob, a["id"], "in_review")
    move(client, people.rob, a["id"], "approved")
    v2 = post_article(client, people.alice, "v", ORACLE)
    assert v2.status_code == 201
    assert (v2.json()["version"], v2.json()["status"], v2.json()["verdict"]) == (2, "submitted", "blocked")
    art = client.get(f"{API}/articles/{a['id']}", headers=People.auth(people.alice)).json()
    assert [v["version"] for v in art["versions"]] == [1, 2] and art["versions"][1]["current"]
    old = client.get(f"{API}/articles/{a['id']}/versions/1/report", headers=People.auth(people.alice)).json()
    assert old["verdict"] == "pass" and not old["review"]["current"]


def test_invalid_transition_is_409_naming_the_allowed_moves(client, people):
    a = post_article(client, people.alice).json()
    body = assert_error(move(client, people.rob, a["id"], "approved"), 409, "invalid_transition", "to")
    assert body["allowed"] == ["in_review", "rejected"]


def test_events_are_the_history_oldest_first(client, people):
    a = post_article(client, people.alice, "h", CORRECTED).json()
    move(client, people.rob, a["id"], "in_review")
    move(client, people.rob, a["id"], "changes_requested", "cite the key muscles")
    events = client.get(f"{API}/articles/{a['id']}/events", headers=People.auth(people.alice)).json()["events"]
    assert [(e["kind"], e["from_status"], e["to_status"], e["actor"]) for e in events] == [
        ("submitted", None, "submitted", "alice"), ("status_changed", "submitted", "in_review", "rob"),
        ("status_changed", "in_review", "changes_requested", "rob")]
    assert events[-1]["reason"] == "cite the key muscles" and events[0]["at"] <= events[-1]["at"]


# --- who may do what -----------------------------------------------------------------------------------------


def test_401_without_or_with_an_unknown_or_revoked_token(client, people):
    assert_error(client.get(f"{API}/articles"), 401, "unauthorized", "Authorization")
    assert_error(client.get(f"{API}/articles", headers={"Authorization": "Basic eDp5"}), 401, "unauthorized")
    assert_error(client.get(f"{API}/articles", headers=People.auth("ag_not-a-token")), 401, "unauthorized")
    r = client.get(f"{API}/articles")
    assert r.headers["www-authenticate"] == "Bearer"
    made = client.post(f"{API}/tokens", json={"name": "temp", "role": "author"}, headers=People.auth(people.ada))
    token = made.json()["token"]
    assert client.get(f"{API}/articles", headers=People.auth(token)).status_code == 200
    client.delete(f"{API}/tokens/{made.json()['id']}", headers=People.auth(people.ada))
    assert_error(client.get(f"{API}/articles", headers=People.auth(token)), 401, "unauthorized")


ROLE_CASES = [
    ("post", f"{API}/articles/1/transitions", {"to": "in_review"}, "alice"),
    ("post", f"{API}/articles/1/findings/f1/waive", {"reason": "x"}, "alice"),
    ("get", f"{API}/tokens", None, "rob"),
    ("post", f"{API}/tokens", {"name": "x", "role": "admin"}, "rob"),
    ("post", f"{API}/webhooks", {"url": "http://127.0.0.1:9/h", "secret": "s" * 16}, "rita"),
    ("get", f"{API}/webhooks", None, "alice"),
]


@pytest.mark.parametrize(("method", "path", "body", "who"), ROLE_CASES,
                         ids=[f"{m} {p} as {w}" for m, p, _, w in ROLE_CASES])
def test_403_for_a_role_that_may_not(client, people, method, path, body, who):
    post_article(client, people.alice, "x", CORRECTED)
    r = client.request(method.upper(), path, json=body, headers=People.auth(getattr(people, who)))
    assert_error(r, 403, "forbidden", "Authorization")


def test_admin_and_reviewer_may_do_what_an_author_may(client, people):
    for who in (people.rob, people.ada):
        assert post_article(client, who, f"by-{who[:8]}", CORRECTED).status_code == 201


def test_tokens_are_shown_once_and_stored_hashed(client, db, people):
    made = client.post(f"{API}/tokens", json={"name": "cms", "role": "author"}, headers=People.auth(people.ada))
    assert made.status_code == 201
    secret = made.json()["token"]
    assert secret.startswith("ag_") and len(secret) > 40
    listed = client.get(f"{API}/tokens", headers=People.auth(people.ada)).text
    assert secret not in listed and "token_hash" not in listed and '"cms"' in listed
    with db.session() as s:
        stored = " ".join(str(v) for row in s.execute(text("SELECT * FROM tokens")) for v in row)
    assert secret not in stored and secret[3:] not in stored


# --- errors ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("payload", "field"), [
    ({"title": "t", "body": "b"}, "external_id"),
    ({"external_id": "x", "title": "t"}, "body"),
    ({"external_id": "x", "title": 5, "body": "b"}, "title"),
    ({"external_id": "x", "body": "b", "format": "pdf"}, "format"),
    ({"external_id": "x", "body": "b", "fromat": "text"}, "fromat"),
    ({"external_id": "", "body": "b"}, "external_id"),
    ({"external_id": "x", "body": "nul \x00 inside"}, "body"),
    ({"external_id": "x", "body": "a lone \ud800 surrogate"}, "body"),
])
def test_422_names_the_field(client, people, payload, field):
    # sent as ASCII JSON, so a lone surrogate travels as the escape a CMS might send
    r = client.post(f"{API}/articles", content=json.dumps(payload),
                    headers={**People.auth(people.alice), "Content-Type": "application/json"})
    body = assert_error(r, 422, "invalid", field)
    assert field in body["message"]


def test_422_for_bad_json_bad_queries_and_empty_reasons(client, people):
    h = {**People.auth(people.alice), "Content-Type": "application/json"}
    assert_error(client.post(f"{API}/articles", content=b'{"external_id": ', headers=h), 422, "invalid", None)
    assert_error(client.get(f"{API}/articles?limit=0", headers=h), 422, "invalid", "limit")
    assert_error(client.get(f"{API}/articles?status=done", headers=h), 422, "invalid", "status")
    assert_error(client.get(f"{API}/articles?cursor=zzz", headers=h), 422, "invalid", "cursor")
    assert_error(client.get(f"{API}/articles/abc", headers=h), 422, "invalid", "article_id")
    a = post_article(client, people.alice).json()
    r = client.post(f"{API}/articles/{a['id']}/findings/f1/waive", json={"reason": "  "},
                    headers=People.auth(people.rob))
    assert_error(r, 422, "invalid", "reason")
    assert_error(move(client, people.rob, a["id"], "published"), 422, "invalid", "to")
    move(client, people.rob, a["id"], "in_review")
    assert_error(move(client, people.rob, a["id"], "rejected"), 422, "invalid", "reason")


def test_404s_are_json(client, people):
    h = People.auth(people.alice)
    assert_error(client.get(f"{API}/articles/999", headers=h), 404, "not_found", "id")
    assert_error(client.get(f"{API}/articles/999/report", headers=h), 404, "not_found")
    assert_error(client.get("/no/such/page"), 404, "not_found")
    a = post_article(client, people.alice).json()
    r = client.post(f"{API}/articles/{a['id']}/findings/f999/waive", json={"reason": "r"},
                    headers=People.auth(people.rob))
    assert_error(r, 404, "not_found", "finding_id")


def test_413_for_a_body_over_the_limit(client, people):
    big = "Plantar dorsiflexion is L5. " * 40_000  # about 1.1 MB, over the default 1 MiB limit
    r = post_article(client, people.alice, "big", big)
    assert_error(r, 413, "too_large", "body")

    def chunks():  # no Content-Length: the limit still holds
        for _ in range(20):
            yield b"x" * 100_000

    r = client.post(f"{API}/articles", content=chunks(), headers={**People.auth(people.alice),
                                                                     "Content-Type": "application/json"})
    assert_error(r, 413, "too_large")


def test_a_server_failure_is_a_json_500_without_a_stack_trace(client, people, monkeypatch):
    from review import workflow

    def broken(*_args, **_kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(workflow, "get_article", broken)
    a = post_article(client, people.alice).json()
    r = client.get(f"{API}/articles/{a['id']}", headers=People.auth(people.alice))
    body = assert_error(r, 500, "internal")
    assert "secret internal detail" not in r.text and "RuntimeError" not in r.text
    assert body["field"] is None


# --- the list ------------------------------------------------------------------------------------------------


def test_list_filters_counts_and_pages(client, people):
    h = People.auth(people.alice)
    ids = {}
    for i in range(5):
        ids[f"b{i}"] = post_article(client, people.alice, f"b{i}", ORACLE + f"\nVariant {i}.\n").json()["id"]
    for i in range(3):
        ids[f"p{i}"] = post_article(client, people.alice, f"p{i}", CORRECTED + f"\nVariant {i}.\n").json()["id"]
    move(client, people.rob, ids["p0"], "in_review")
    page = client.get(f"{API}/articles?status=submitted&verdict=blocked&limit=2", headers=h).json()
    seen = [a["id"] for a in page["items"]]
    while page["next_cursor"]:
        page = client.get(f"{API}/articles", params={"status": "submitted", "verdict": "blocked", "limit": 2,
                                                     "cursor": page["next_cursor"]}, headers=h).json()
        seen += [a["id"] for a in page["items"]]
    assert seen == sorted((ids[f"b{i}"] for i in range(5)), reverse=True)  # newest first, each once
    assert page["counts"]["submitted"] == 5 and page["counts"]["in_review"] == 0 and page["total"] == 5
    every = client.get(f"{API}/articles", headers=h).json()
    assert every["counts"]["submitted"] == 7 and every["counts"]["in_review"] == 1 and every["total"] == 8
    assert every["items"][0]["id"] == ids["p0"]  # most recently changed first
    by_rule = client.get(f"{API}/articles?rule=consistency.conflicting-roots", headers=h).json()
    assert {a["id"] for a in by_rule["items"]} == {ids[f"b{i}"] for i in range(5)}
    blockers = client.get(f"{API}/articles?severity=blocker", headers=h).json()
    assert blockers["total"] == 5
    one = client.get(f"{API}/articles?external_id=p2", headers=h).json()
    assert [a["id"] for a in one["items"]] == [ids["p2"]]


def test_waived_findings_leave_the_severity_filter(client, people):
    a = post_article(client, people.alice).json()
    report = client.get(f"{API}/articles/{a['id']}/report", headers=People.auth(people.alice)).json()
    for f in report["findings"]:
        if f["severity"] == "blocker":
            client.post(f"{API}/articles/{a['id']}/findings/{f['id']}/waive", json={"reason": "r"},
                        headers=People.auth(people.rob))
    listed = client.get(f"{API}/articles?severity=blocker", headers=People.auth(people.alice)).json()
    assert listed["total"] == 0


def test_audit_runs_are_listed(client, people):
    assert client.get(f"{API}/audits", headers=People.auth(people.alice)).json() == {"runs": []}
