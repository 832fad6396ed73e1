"""The status machine, the gate, waivers, history and re-checks as plain functions, on both databases."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from review import workflow as wf
from review.checking import Content, check_content
from review.models import Finding, Version, Waiver
from review.tokens import Actor, create_token

from .conftest import CORRECTED, ORACLE


def actors(db):
    made = {n: create_token(db, n, r) for n, r in (("alice", "author"), ("rob", "reviewer"), ("rita", "reviewer"))}
    return {n: Actor(t.id, t.name, t.role) for n, t in made.items()}


@pytest.fixture
def cast(db):
    return actors(db)


def open_blockers(db, article_id):
    return wf.report(db, article_id)["counts"]["blocker"]


def submit(db, who, external_id, body, title="Which nerve root is responsible for dorsal extension of the foot?"):
    return wf.submit(db, who, Content(external_id, title, body))


def to_status(db, cast, external_id, status):
    """An article brought to ``status`` by the shortest valid path (the corrected seed passes the gate)."""
    a = submit(db, cast["alice"], external_id, CORRECTED).article
    path = {"submitted": [], "in_review": ["in_review"], "approved": ["in_review", "approved"],
            "changes_requested": ["in_review", "changes_requested"], "rejected": ["rejected"]}[status]
    for step in path:
        wf.transition(db, cast["rob"], a["id"], step, "because")
    return a["id"]


def test_seeds_blocked_and_passed(db, cast):
    oracle = submit(db, cast["alice"], "oracle", ORACLE)
    corrected = submit(db, cast["alice"], "corrected", CORRECTED)
    assert oracle.outcome == corrected.outcome == "created"
    assert oracle.article["verdict"] == "blocked" and oracle.article["counts"]["blocker"] > 0
    assert corrected.article["verdict"] == "pass" and corrected.article["counts"]["blocker"] == 0
    assert oracle.article["status"] == corrected.article["status"] == "submitted"
    assert oracle.article["version"] == 1


def test_stored_report_is_the_check_functions_report(db, cast):
    from reports.contract import report_dict

    a = submit(db, cast["alice"], "oracle", ORACLE).article
    direct = report_dict(check_content(Content("oracle", "Which nerve root is responsible for dorsal extension of "
                                               "the foot?", ORACLE)))
    stored = wf.report(db, a["id"])
    assert [f["rule"] for f in stored["findings"]] == [f["rule"] for f in direct["findings"]]
    assert stored["verdict"] == direct["verdict"] and stored["schema"] == "artgate.report/1"


def test_resubmitting_the_same_content_changes_nothing(db, cast):
    first = submit(db, cast["alice"], "oracle", ORACLE)
    again = submit(db, cast["alice"], "oracle", ORACLE)
    assert again.outcome == "unchanged" and again.article["version"] == first.article["version"] == 1
    assert [e["kind"] for e in wf.events(db, first.article["id"])] == ["submitted"]


def test_two_identical_first_submissions_at_once_make_one_article_and_one_version(db, cast):
    content = Content("twin", "Twin", ORACLE)
    report = check_content(content)
    barrier, results, errors = threading.Barrier(4), [], []

    def go():
        barrier.wait()
        try:
            results.append(wf.store_submission(db, cast["alice"], content, report).outcome)
        except Exception as exc:  # collected and asserted below: any failure fails the test
            errors.append(exc)

    threads = [threading.Thread(target=go) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(results) == ["created", "unchanged", "unchanged", "unchanged"]
    with db.session() as s:
        assert s.scalar(text("SELECT count(*) FROM versions")) == 1
        assert s.scalar(text("SELECT count(*) FROM articles")) == 1


def test_gate_refuses_approval_while_a_blocker_stands_and_lists_them(db, cast):
    a = submit(db, cast["alice"], "oracle", ORACLE).article
    wf.transition(db, cast["rob"], a["id"], "in_review")
    with pytest.raises(wf.Blocked) as err:
        wf.transition(db, cast["rob"], a["id"], "approved")
    blocking = err.value.extra["blocking"]
    assert blocking and all(f["severity"] == "blocker" for f in blocking)
    assert len(blocking) == a["counts"]["blocker"]
    assert wf.get_article(db, a["id"])["status"] == "in_review"


def test_waiving_every_blocker_lets_the_article_through(db, cast):
    a = submit(db, cast["alice"], "oracle", ORACLE).article
    wf.transition(db, cast["rob"], a["id"], "in_review")
    blockers = [f["id"] for f in wf.report(db, a["id"])["findings"] if f["severity"] == "blocker"]
    for fid in blockers:
        wf.waive(db, cast["rob"], a["id"], fid, "the source's own wording, quoted on purpose")
    assert wf.get_article(db, a["id"])["verdict"] == "pass"
    approved = wf.transition(db, cast["rita"], a["id"], "approved")
    assert approved["status"] == "approved"
    rep = wf.report(db, a["id"])
    waived = [f for f in rep["findings"] if f["id"] in blockers]
    assert all(f["suppressed"] and f["suppression_reason"] and f["waiver"]["reviewer"] == "rob" for f in waived)
    assert rep["verdict"] == "pass" and rep["counts"]["blocker"] == 0


def test_a_waiver_needs_a_reason_and_a_real_finding(db, cast):
    a = submit(db, cast["alice"], "oracle", ORACLE).article
    fid = wf.report(db, a["id"])["findings"][0]["id"]
    with pytest.raises(wf.InvalidInput) as err:
        wf.waive(db, cast["rob"], a["id"], fid, "   ")
    assert err.value.field == "reason"
    with pytest.raises(wf.NotFound) as err:
        wf.waive(db, cast["rob"], a["id"], "f999", "why")
    assert err.value.field == "finding_id"
    wf.waive(db, cast["rob"], a["id"], fid, "why")
    with pytest.raises(wf.AlreadyWaived):
        wf.waive(db, cast["rob"], a["id"], fid, "again")


def test_a_reviewer_cannot_approve_their_own_submission(db, cast):
    a = submit(db, cast["rob"], "own", CORRECTED).article
    wf.transition(db, cast["rob"], a["id"], "in_review")
    with pytest.raises(wf.OwnSubmission):
        wf.transition(db, cast["rob"], a["id"], "approved")
    # a second token of the same person is the same person
    other = create_token(db, "rob", "reviewer")
    with pytest.raises(wf.OwnSubmission):
        wf.transition(db, Actor(other.id, other.name, other.role), a["id"], "approved")
    assert wf.transition(db, cast["rita"], a["id"], "approved")["status"] == "approved"


@pytest.mark.parametrize("start", ["approved", "changes_requested"])
def test_a_new_version_resets_approval_and_requested_changes(db, cast, start):
    aid = to_status(db, cast, "art", start)
    result = submit(db, cast["alice"], "art", CORRECTED + "\nA sentence added by the author.\n")
    assert result.outcome == "new_version" and result.article["version"] == 2
    assert result.article["status"] == "submitted"
    last = wf.events(db, aid)[-1]
    assert (last["kind"], last["from_status"], last["to_status"]) == ("submitted", start, "submitted")


def test_a_new_version_during_review_stays_in_review(db, cast):
    aid = to_status(db, cast, "art", "in_review")
    assert submit(db, cast["alice"], "art", ORACLE).article["status"] == "in_review"
    assert wf.get_article(db, aid)["verdict"] == "blocked"


INVALID = [(frm, to) for frm in wf.STATUSES for to in wf.STATUSES[1:] if to not in wf.TRANSITIONS[frm]]


@pytest.mark.parametrize(("frm", "to"), INVALID, ids=[f"{a}->{b}" for a, b in INVALID])
def test_every_invalid_transition_is_refused(db, cast, frm, to):
    aid = to_status(db, cast, "art", frm)
    before = len(wf.events(db, aid))
    with pytest.raises(wf.InvalidTransition) as err:
        wf.transition(db, cast["rita"], aid, to, "a reason")
    assert err.value.extra["from_status"] == frm and to not in err.value.extra["allowed"]
    assert wf.get_article(db, aid)["status"] == frm and len(wf.events(db, aid)) == before


def test_invalid_transitions_cover_the_contract():
    assert ("approved", "rejected") in INVALID and ("submitted", "approved") in INVALID
    assert all(("approved", to) in INVALID for to in wf.STATUSES[1:])
    assert {to for frm, to in INVALID if frm == "in_review"} == {"in_review"}


@pytest.mark.parametrize("to", ["changes_requested", "rejected"])
def test_sending_back_or_rejecting_needs_a_reason(db, cast, to):
    aid = to_status(db, cast, "art", "in_review")
    with pytest.raises(wf.InvalidInput) as err:
        wf.transition(db, cast["rob"], aid, to, "")
    assert err.value.field == "reason"
    assert wf.transition(db, cast["rob"], aid, to, "the roots disagree")["status"] == to


def _findings(db, article_id, number):
    with db.session() as s:
        vid = s.scalar(select(Version.id).where(Version.article_id == article_id, Version.number == number))
        return {f.fid: f for f in s.scalars(select(Finding).where(Finding.version_id == vid))}


def test_waivers_carry_to_a_new_version_only_for_the_same_rule_on_the_same_evidence(db, cast):
    v1_text = "Plantar dorsiflexion is served by L4 and L5.\n\nDorsal plantarflexion comes from S1.\n"
    a = submit(db, cast["alice"], "carry", v1_text, title="Roots").article
    terms = [f for f in wf.report(db, a["id"])["findings"] if f["rule"] == "terminology.contradictory-direction"]
    assert {f["evidence"][0]["text"] for f in terms} == {"Plantar dorsiflexion", "Dorsal plantarflexion"}
    for f in terms:
        wf.waive(db, cast["rob"], a["id"], f["id"], "quoted from the source's title")
    # v2 keeps the first wording and changes the second: only the first waiver may carry
    v2_text = "Plantar dorsiflexion is served by L4 and L5.\n\nDorsi-plantarflexion comes from S1.\n" \
              "\nA new closing line.\n"
    v2 = submit(db, cast["alice"], "carry", v2_text, title="Roots").article
    rep = wf.report(db, a["id"])
    by_text = {f["evidence"][0]["text"]: f for f in rep["findings"]
               if f["rule"] == "terminology.contradictory-direction"}
    assert by_text["Plantar dorsiflexion"]["suppressed"] and by_text["Plantar dorsiflexion"]["waiver"]["carried"]
    assert not by_text["Dorsi-plantarflexion"]["suppressed"]
    assert v2["verdict"] == "blocked"
    v1f, v2f = _findings(db, a["id"], 1), _findings(db, a["id"], 2)
    waived_keys = {(f.evidence_key, f.ordinal) for f in v1f.values() if f.waived}
    for f in v2f.values():
        assert f.waived == ((f.evidence_key, f.ordinal) in waived_keys)
    kinds = [e["kind"] for e in wf.events(db, a["id"])]
    assert kinds.count("waiver_carried") == 1


def test_resubmitting_an_earlier_content_makes_that_version_current_again(db, cast):
    a = submit(db, cast["alice"], "rev", ORACLE).article
    submit(db, cast["alice"], "rev", CORRECTED)
    back = submit(db, cast["alice"], "rev", ORACLE)
    assert back.outcome == "reverted" and back.article["version"] == 1
    assert [v["version"] for v in back.article["versions"]] == [1, 2]
    assert wf.get_article(db, a["id"])["verdict"] == "blocked"


def test_history_is_append_only_and_rebuilds_the_status(db, cast):
    aid = to_status(db, cast, "h1", "changes_requested")
    submit(db, cast["alice"], "h1", ORACLE)
    wf.transition(db, cast["rob"], aid, "in_review")
    wf.transition(db, cast["rob"], aid, "rejected", "not salvageable")
    to_status(db, cast, "h2", "approved")
    history = wf.events(db, aid)
    assert [e["id"] for e in history] == sorted(e["id"] for e in history)
    assert wf.status_from_history(history) == wf.get_article(db, aid)["status"] == "rejected"
    assert history[-1]["reason"] == "not salvageable" and history[-1]["actor"] == "rob"
    assert wf.audit_status_cache(db) == []
    for statement in ("UPDATE events SET reason = 'rewritten'", "DELETE FROM events"):
        with pytest.raises(DBAPIError, match="append-only"), db.transaction() as s:
            s.execute(text(statement))
    assert wf.events(db, aid) == history


def test_a_corrupted_status_cache_is_detected(db, cast):
    aid = to_status(db, cast, "c1", "in_review")
    with db.transaction() as s:
        s.execute(text("UPDATE articles SET status = 'approved' WHERE id = :i"), {"i": aid})
    assert wf.audit_status_cache(db) == [(aid, "approved", "in_review")]


def _age_ruleset(db):
    with db.transaction() as s:
        s.execute(text("UPDATE versions SET ruleset = 'an-older-ruleset'"))


def test_recheck_refreshes_stale_versions_and_keeps_their_waivers(db, cast):
    a = submit(db, cast["alice"], "old", ORACLE).article
    fid = next(f["id"] for f in wf.report(db, a["id"])["findings"] if f["severity"] == "blocker")
    wf.waive(db, cast["rob"], a["id"], fid, "kept")
    submit(db, cast["alice"], "fresh", CORRECTED)
    _age_ruleset(db)
    summary = wf.recheck(db)
    assert summary.considered == summary.rechecked == 2 and summary.verdict_changed == 0
    assert not wf.stale_versions(db, summary.ruleset)
    rep = wf.report(db, a["id"])
    assert next(f for f in rep["findings"] if f["id"] == fid)["suppressed"]
    last = wf.events(db, a["id"])[-1]
    assert last["kind"] == "rechecked" and last["data"]["ruleset_before"] == "an-older-ruleset"
    assert wf.recheck(db).considered == 0  # nothing stale any more


def test_recheck_sends_an_approved_article_with_a_new_blocker_back(db, cast):
    aid = to_status(db, cast, "appr", "approved")
    _age_ruleset(db)
    oracle_report = check_content(Content("appr", "t", ORACLE))  # as if new rules now found blockers in it
    summary = wf.recheck(db, check=lambda _content: oracle_report)
    assert summary.reopened == [aid]
    art = wf.get_article(db, aid)
    assert (art["status"], art["verdict"]) == ("submitted", "blocked")
    assert "open blocker" in wf.events(db, aid)[-1]["reason"]


def test_recheck_lapses_a_waiver_whose_finding_is_gone(db, cast):
    a = submit(db, cast["alice"], "lapse", ORACLE).article
    fid = next(f["id"] for f in wf.report(db, a["id"])["findings"] if f["severity"] == "blocker")
    wf.waive(db, cast["rob"], a["id"], fid, "kept")
    _age_ruleset(db)
    clean = check_content(Content("lapse", "t", CORRECTED))
    wf.recheck(db, check=lambda _content: clean)
    with db.session() as s:
        assert s.scalars(select(Waiver.fid)).all() == [None]
    assert wf.events(db, a["id"])[-1]["data"]["lapsed_waivers"][0]["finding"] == fid
