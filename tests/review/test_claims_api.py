"""Claim decisions and group waivers over HTTP: roles, four eyes, errors, history and webhooks."""

from __future__ import annotations

import json

from review.webhooks import DeliveryWorker, verify

from .conftest import CORRECTED, ORACLE, People
from .test_webhooks import SECRET, Receiver, register

TITLE = "Which nerve root is responsible for dorsal extension of the foot?"


def submit(client, token, external_id="cms-1", body=ORACLE):
    r = client.post("/api/v1/articles", json={"external_id": external_id, "title": TITLE, "body": body},
                    headers=People.auth(token))
    assert r.status_code == 201, r.text
    return r.json()["id"]


def review(client, people, article_id, who=None):
    r = client.post(f"/api/v1/articles/{article_id}/transitions", json={"to": "in_review"},
                    headers=People.auth(who or people.rob))
    assert r.status_code == 200, r.text


def decide(client, token, article_id, claim_id, **body):
    return client.post(f"/api/v1/articles/{article_id}/claims/{claim_id}/decisions", json=body,
                       headers=People.auth(token))


def test_mark_correct_add_and_retract_over_the_api(client, people):
    aid = submit(client, people.alice)
    review(client, people, aid)
    claims = client.get(f"/api/v1/articles/{aid}/claims", headers=People.auth(people.alice)).json()
    target = next(a for a in claims["assertions"] if a["root"] == "L5" and a["target"] == "ankle_plantarflexion")
    r = decide(client, people.rob, aid, target["id"], decision="wrong", reason="the text denies it",
               expect={"root": "L5", "target": "ankle_plantarflexion", "polarity": "affirmed"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["decision"]["kind"] == "wrong" and body["decision"]["reviewer"] == "rob"
    assert body["withdrawn"] and set(body) >= {"verdict", "counts", "raised", "restored"}
    report = client.get(f"/api/v1/articles/{aid}/report", headers=People.auth(people.alice)).json()
    withdrawn = [f for f in report["findings"] if f.get("withdrawn")]
    assert [f["id"] for f in withdrawn] == body["withdrawn"] and all(f["suppressed"] for f in withdrawn)
    r = decide(client, people.rita, aid, "a1", decision="correct", root="L4", reason="misread")
    assert r.status_code == 200 and r.json()["decision"]["correction"]["root"] == "L4"
    r = client.post(f"/api/v1/articles/{aid}/claims", headers=People.auth(people.rob),
                    json={"root": "L2", "target": "ankle_dorsiflexion",
                          "sentence": "The L3 and L4 nerve roots are associated with dorsiflexion torque"})
    assert r.status_code == 201, r.text
    added = r.json()["decision"]["claim"]
    assert decide(client, people.rob, aid, target["id"], decision="retract").status_code == 200
    claims = client.get(f"/api/v1/articles/{aid}/claims", headers=People.auth(people.alice)).json()
    assert [d["kind"] for d in claims["decisions"]] == ["wrong", "corrected", "added", "retracted"]
    assert any(a["id"] == added and a["review"]["added"] for a in claims["assertions"])
    assert not claims["withdrawn_assertions"]
    kinds = [e["kind"] for e in client.get(f"/api/v1/articles/{aid}/events",
                                           headers=People.auth(people.alice)).json()["events"]]
    assert kinds.count("claim_decided") == 4


def test_refusals_are_json_with_the_right_status(client, people):
    aid = submit(client, people.alice)
    review(client, people, aid)
    cases = [
        (people.alice, "a1", {"decision": "confirm"}, 403, "forbidden"),  # an author may not decide
        (people.rob, "a999", {"decision": "confirm"}, 404, "not_found"),
        (people.rob, "f1", {"decision": "confirm"}, 422, "invalid"),
        (people.rob, "a1", {"decision": "wrong"}, 422, "invalid"),  # no reason
        (people.rob, "a1", {"decision": "correct", "root": "L9"}, 422, "invalid"),
        (people.rob, "a1", {"decision": "maybe"}, 422, "invalid"),
        (people.rob, "a1", {"decision": "retract"}, 409, "already_decided"),
        (people.rob, "a1", {"decision": "confirm", "expect": {"root": "C5"}}, 409, "conflict"),
    ]
    for token, claim_id, body, status, code in cases:
        r = decide(client, token, aid, claim_id, **body)
        assert (r.status_code, r.json()["error"]) == (status, code), (body, r.text)
        assert r.json()["message"] and "Traceback" not in r.text
    own = submit(client, people.rob, "cms-own")
    review(client, people, own, people.rita)
    r = decide(client, people.rob, own, "a1", decision="wrong", reason="mine")
    assert (r.status_code, r.json()["error"]) == (403, "own_submission")
    r = client.post(f"/api/v1/articles/{own}/claims", headers=People.auth(people.rob),
                    json={"root": "L4", "target": "ankle_dorsiflexion", "sentence": "dorsiflexion torque"})
    assert (r.status_code, r.json()["error"]) == (403, "own_submission")
    passing = submit(client, people.alice, "cms-pass", CORRECTED)
    review(client, people, passing)
    client.post(f"/api/v1/articles/{passing}/transitions", json={"to": "approved"}, headers=People.auth(people.rita))
    r = decide(client, people.rob, passing, "a1", decision="confirm")
    assert (r.status_code, r.json()["error"]) == (409, "closed")
    r = client.post(f"/api/v1/articles/{aid}/claims", headers=People.auth(people.rob),
                    json={"root": "L4", "target": "ankle_dorsiflexion", "start": 10, "end": 5})
    assert (r.status_code, r.json()["field"]) == (422, "start")


def test_one_waiver_decision_for_a_group_of_repeated_blockers(client, people):
    aid = submit(client, people.alice)
    review(client, people, aid)
    report = client.get(f"/api/v1/articles/{aid}/report", headers=People.auth(people.rob)).json()
    terms = [f["id"] for f in report["findings"] if f["rule"] == "terminology.contradictory-direction"]
    r = client.post(f"/api/v1/articles/{aid}/findings/{terms[0]}/waive-group", json={"reason": "quoted title"},
                    headers=People.auth(people.rob))
    assert r.status_code == 200, r.text
    assert [w["finding"] for w in r.json()["waivers"]] == terms
    assert r.json()["counts"]["blocker"] == report["counts"]["blocker"] - len(terms)
    again = client.post(f"/api/v1/articles/{aid}/findings/{terms[0]}/waive-group", json={"reason": "again"},
                        headers=People.auth(people.rob))
    assert (again.status_code, again.json()["error"]) == (409, "already_waived")
    assert client.post(f"/api/v1/articles/{aid}/findings/{terms[0]}/waive-group", json={"reason": ""},
                       headers=People.auth(people.rob)).status_code == 422


def test_claim_decisions_are_announced_to_webhooks(client, db, people):
    with Receiver() as rx:
        register(client, people, rx.url)
        aid = submit(client, people.alice)
        review(client, people, aid)
        r = decide(client, people.rob, aid, "a1", decision="confirm", reason="the page says so")
        assert r.status_code == 200
        DeliveryWorker(db).run_once()
        DeliveryWorker(db).run_once()
        payloads = [json.loads(body) for _h, body, _t in rx.requests]
        assert all(verify(SECRET, body, h["X-Artgate-Signature"]) for h, body, _t in rx.requests)
        [decided] = [p for p in payloads if p["event"] == "claim_decided"]
        assert decided["decision"]["claim"] == "a1" and decided["decision"]["kind"] == "confirmed"
        assert decided["article_id"] == aid and decided["verdict"] == "blocked" and "withdrawn" in decided


def test_the_openapi_document_lists_the_claim_routes(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/v1/articles/{article_id}/claims", "/api/v1/articles/{article_id}/claims/{claim_id}/decisions",
            "/api/v1/articles/{article_id}/findings/{finding_id}/waive-group"} <= set(paths)
