"""Claim decisions and the findings that follow them, as plain functions, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from review import decisions as dc
from review import groups
from review import workflow as wf
from review.checking import Content, check_content
from review.models import Claim, ClaimDecision, Version, Waiver
from review.tokens import Actor, create_token

from .conftest import CORRECTED, ORACLE

TITLE = "Which nerve root is responsible for dorsal extension of the foot?"


@pytest.fixture
def cast(db):
    made = {n: create_token(db, n, r) for n, r in (("alice", "author"), ("rob", "reviewer"), ("rita", "reviewer"))}
    return {n: Actor(t.id, t.name, t.role) for n, t in made.items()}


def submit(db, who, external_id, body, title=TITLE):
    return wf.submit(db, who, Content(external_id, title, body)).article


def in_review(db, cast, external_id, body=ORACLE, who="alice"):
    a = submit(db, cast[who], external_id, body)
    wf.transition(db, cast["rob"] if who != "rob" else cast["rita"], a["id"], "in_review")
    return a["id"]


def claim(rep, root, target, *, says=""):
    """The id of the claim root → target whose sentence contains ``says``."""
    return next(a["id"] for a in rep["assertions"] if (a["root"], a["target"]) == (root, target)
                and says in a["sentence"])


def finding(rep, rule, fid=None):
    return next(f for f in rep["findings"] if f["rule"] == rule and (fid is None or f["id"] == fid))


def test_a_claim_marked_wrong_withdraws_the_findings_that_rest_only_on_it(db, cast):
    aid = in_review(db, cast, "oracle")
    before = wf.report(db, aid)
    wrong = claim(before, "L5", "ankle_plantarflexion", says="The L5 roots are primarily")
    antagonist = finding(before, "consistency.antagonist-root")
    assert wrong in antagonist["assertions"] and not antagonist["suppressed"]
    table = next(f for f in before["findings"] if f["rule"] == "reference.contradicts-table"
                 and wrong in f["assertions"])
    assert len(table["assertions"]) > 1  # it also rests on another L5 → plantar flexion sentence

    out = dc.decide(db, cast["rob"], aid, wrong, "wrong", reason="the page denies L5 as the main root here")
    after = wf.report(db, aid)
    gone = finding(after, "consistency.antagonist-root", antagonist["id"])
    assert gone["suppressed"] and gone["withdrawn"]["claims"] == [wrong]
    assert gone["withdrawn"]["decisions"] == [out["decision"]["id"]]
    assert "marked wrong by rob: the page denies L5" in gone["suppression_reason"]
    assert antagonist["id"] in out["withdrawn"]
    kept = finding(after, "reference.contradicts-table", table["id"])  # still stands on the other claim
    assert not kept["suppressed"] and wrong not in kept["assertions"] and len(kept["evidence"]) < len(table["evidence"])
    assert after["counts"]["blocker"] == before["counts"]["blocker"] - 1
    assert [a["id"] for a in after["withdrawn_assertions"]] == [wrong]
    assert after["withdrawn_assertions"][0]["review"]["kind"] == "wrong"
    assert wrong not in {a["id"] for a in after["assertions"]}
    with db.session() as s:  # the claims index (queue filters, corpus view) follows too
        version = s.scalar(select(Version.id).where(Version.article_id == aid))
        assert wrong not in set(s.scalars(select(Claim.aid).where(Claim.version_id == version)))
    event = wf.events(db, aid)[-1]
    assert event["kind"] == "claim_decided" and event["actor"] == "rob"
    assert event["data"]["decision"]["kind"] == "wrong" and event["data"]["withdrawn"] == out["withdrawn"]
    assert wf.get_article(db, aid)["counts"] == after["counts"]


def test_wrong_needs_a_reason_and_a_version_s_submitter_decides_nothing_about_its_claims(db, cast):
    aid = in_review(db, cast, "oracle")
    with pytest.raises(wf.InvalidInput, match="needs a reason"):
        dc.decide(db, cast["rob"], aid, "a1", "wrong", reason="  ")
    with pytest.raises(wf.OwnSubmission, match="another reviewer must decide"):
        dc.decide(db, cast["alice"], aid, "a1", "confirm")
    own = in_review(db, cast, "own", who="rob")
    for call in (lambda: dc.decide(db, cast["rob"], own, "a1", "wrong", reason="mine"),
                 lambda: dc.add_claim(db, cast["rob"], own, root="L4", target="ankle_dorsiflexion",
                                      sentence="The nerve root primarily responsible")):
        with pytest.raises(wf.OwnSubmission):
            call()
    assert dc.decide(db, cast["rita"], own, "a1", "confirm")["decision"]["reviewer"] == "rita"
    with pytest.raises(wf.NotFound, match="no claim 'a999'"):
        dc.decide(db, cast["rob"], aid, "a999", "confirm")
    with pytest.raises(wf.InvalidInput, match="spinal root"):
        dc.decide(db, cast["rob"], aid, "a1", "correct", root="L9")
    with pytest.raises(wf.InvalidInput, match="vocabulary"):
        dc.decide(db, cast["rob"], aid, "a1", "correct", target="elbow wiggling")
    with pytest.raises(dc.AlreadyDecided, match="no decision to retract"):
        dc.decide(db, cast["rob"], aid, "a1", "retract")
    with pytest.raises(dc.Stale, match="reload"):
        dc.decide(db, cast["rob"], aid, "a1", "confirm", expect={"root": "S1"})
    wf.transition(db, cast["rob"], aid, "rejected", "off topic")
    with pytest.raises(dc.Closed, match="rejected"):
        dc.decide(db, cast["rita"], aid, "a1", "confirm")
    assert [e["kind"] for e in wf.events(db, own)].count("claim_decided") == 1


def test_a_correction_is_checked_like_any_claim_and_can_raise_a_blocker(db, cast):
    aid = in_review(db, cast, "corrected", CORRECTED)
    rep = wf.report(db, aid)
    assert rep["verdict"] == "pass"
    denied = claim(rep, "S1", "ankle_dorsiflexion", says="The S1 root is not responsible")
    out = dc.decide(db, cast["rob"], aid, denied, "correct", polarity="affirmed", reason="misread: no 'not'")
    rep = wf.report(db, aid)
    raised = [f for f in rep["findings"] if f["id"] in out["raised"]]
    assert any(f["rule"] == "reference.contradicts-table" and f["assertions"] == [denied] for f in raised)
    assert all(f["raised"]["decisions"] == [out["decision"]["id"]] for f in raised if denied in f["assertions"])
    first_numbers = [int(f["id"][1:]) for f in raised]
    assert min(first_numbers) > max(int(f["id"][1:]) for f in rep["findings"] if not f.get("raised"))
    corrected = next(a for a in rep["assertions"] if a["id"] == denied)
    assert corrected["polarity"] == "affirmed" and corrected["confidence"] == 1.0
    assert corrected["review"]["extracted"] == {"root": "S1", "target": "ankle_dorsiflexion", "polarity": "negated"}
    for root in ("L5", "L4"):  # the Research section now names only S1
        dc.decide(db, cast["rob"], aid, claim(rep, root, "ankle_dorsiflexion", says="(foot drop)"), "correct",
                  root="S1")
    rep = wf.report(db, aid)
    assert rep["verdict"] == "blocked" and wf.get_article(db, aid)["verdict"] == "blocked"
    with pytest.raises(wf.Blocked):
        wf.transition(db, cast["rita"], aid, "approved")


def test_an_added_claim_is_found_by_its_sentence_and_checked(db, cast):
    aid = in_review(db, cast, "corrected", CORRECTED)
    says = "Weakness of ankle dorsiflexion (foot drop) is most often caused by an L5 radiculopathy"
    out = dc.add_claim(db, cast["rob"], aid, root="l3", target="ankle dorsiflexion", sentence=says,
                       reason="the figure caption says L3")
    rep = wf.report(db, aid)
    added = next(a for a in rep["assertions"] if a["id"] == out["decision"]["claim"])
    assert (added["root"], added["target"], added["polarity"], added["sentence"]) == (
        "L3", "ankle_dorsiflexion", "affirmed", says)
    assert added["section"] == "From the Research" and added["review"]["added"] is True
    assert CORRECTED[added["start"]:added["end"]] == says
    raised = {f["rule"]: f for f in rep["findings"] if f["id"] in out["raised"]}
    assert raised["reference.contradicts-table"]["assertions"] == [added["id"]]
    start = CORRECTED.index("The S1 root is not")
    by_offsets = dc.add_claim(db, cast["rita"], aid, root="S2", target="ankle_plantarflexion", start=start - 1,
                              end=start + 20)
    assert by_offsets["decision"]["start"] == start  # white space at the ends left out
    with pytest.raises(dc.AlreadyDecided, match="already says"):
        dc.add_claim(db, cast["rob"], aid, root="L3", target="ankle_dorsiflexion", sentence=says)
    with pytest.raises(wf.InvalidInput, match="within one line"):
        dc.add_claim(db, cast["rob"], aid, root="L4", target="ankle_dorsiflexion",
                     start=start - 30, end=start + 10)
    with pytest.raises(wf.InvalidInput, match="does not occur"):
        dc.add_claim(db, cast["rob"], aid, root="L4", target="ankle_dorsiflexion", sentence="no such words here")
    with pytest.raises(wf.InvalidInput, match="occurs 3 times"):
        dc.add_claim(db, cast["rob"], aid, root="L4", target="ankle_dorsiflexion", sentence="nerve root function")
    meant = CORRECTED.index("nerve root function", CORRECTED.index("Assessment of great toe"))
    assert dc.add_claim(db, cast["rob"], aid, root="L4", target="ankle_dorsiflexion", sentence="nerve root function",
                        near=meant + 3)["decision"]["start"] == meant  # a browser's offset can be a little off
    # a wrong mark removes an added claim, a retraction brings it back
    dc.decide(db, cast["rita"], aid, added["id"], "wrong", reason="the caption is about another figure")
    assert added["id"] not in {a["id"] for a in wf.report(db, aid)["assertions"]}
    dc.decide(db, cast["rita"], aid, added["id"], "retract", reason="it is this figure after all")
    assert added["id"] in {a["id"] for a in wf.report(db, aid)["assertions"]}


def test_retracting_brings_the_findings_back_with_their_waivers(db, cast):
    aid = in_review(db, cast, "oracle")
    rep = wf.report(db, aid)
    first = claim(rep, "L5", "ankle_plantarflexion", says="The L5 roots are primarily")
    second = claim(rep, "L5", "ankle_plantarflexion", says="while the L5 roots are associated")
    table = next(f for f in rep["findings"] if f["rule"] == "reference.contradicts-table"
                 and first in f["assertions"])
    wf.waive(db, cast["rita"], aid, table["id"], "the table is older than the sources")
    dc.decide(db, cast["rob"], aid, first, "wrong", reason="denied in the text")
    kept = finding(wf.report(db, aid), "reference.contradicts-table", table["id"])
    assert kept["suppressed"] and kept["waiver"]["reason"] == "the table is older than the sources"
    dc.decide(db, cast["rob"], aid, second, "wrong", reason="denied too")
    withdrawn = finding(wf.report(db, aid), "reference.contradicts-table", table["id"])
    assert withdrawn["withdrawn"]["claims"] == [first, second] and withdrawn["waiver"]
    for c in (first, second):
        dc.decide(db, cast["rob"], aid, c, "retract", reason="I misread it")
    back = wf.report(db, aid)
    assert back["counts"] == wf.report(db, aid)["counts"]
    again = finding(back, "reference.contradicts-table", table["id"])
    assert not again.get("withdrawn") and again["waiver"]["reason"] == "the table is older than the sources"
    assert back["counts"]["blocker"] == rep["counts"]["blocker"]
    assert not back["withdrawn_assertions"]
    assert [d["kind"] for d in dc.claims(db, aid)["decisions"]] == ["wrong", "wrong", "retracted", "retracted"]


def test_a_new_version_keeps_decisions_where_the_same_sentence_carries_the_same_claim(db, cast):
    aid = in_review(db, cast, "oracle")
    rep = wf.report(db, aid)
    wrong = claim(rep, "L5", "ankle_plantarflexion", says="The L5 roots are primarily")
    dc.decide(db, cast["rob"], aid, wrong, "wrong", reason="denied")
    says = "The nerve root primarily responsible for plantar dorsiflexion is L5"
    dc.add_claim(db, cast["rob"], aid, root="L4", target="ankle_dorsiflexion", sentence=says)
    v1 = wf.report(db, aid)
    v2 = submit(db, cast["alice"], "oracle", ORACLE.replace("Professional Medical Disclaimer", "Disclaimer"))
    assert v2["version"] == 2
    carried = wf.events(db, aid)[-1]["data"]["carried_claim_decisions"]
    assert [c["kind"] for c in carried] == ["wrong", "added"] and carried[0]["from_version"] == 1
    rep2 = wf.report(db, aid)
    assert rep2["counts"] == v1["counts"]
    assert [a["id"] for a in rep2["withdrawn_assertions"]] == [wrong]
    assert any(a.get("review", {}).get("added") for a in rep2["assertions"])
    v3 = ORACLE.replace("The L5 roots are primarily associated", "The L5 roots are mainly associated")
    submit(db, cast["alice"], "oracle", v3)
    carried = wf.events(db, aid)[-1]["data"].get("carried_claim_decisions", [])
    assert [c["kind"] for c in carried] == ["added"]  # the sentence marked wrong changed: that decision stays behind
    assert not wf.report(db, aid)["withdrawn_assertions"]


def test_a_recheck_keeps_the_decisions_applied(db, cast):
    aid = in_review(db, cast, "oracle")
    rep = wf.report(db, aid)
    dc.decide(db, cast["rob"], aid, claim(rep, "L5", "ankle_plantarflexion", says="The L5 roots are primarily"),
              "wrong", reason="denied")
    decided = wf.report(db, aid)
    with db.transaction() as s:
        s.execute(Version.__table__.update().values(ruleset="older"))
    summary = wf.recheck(db)
    assert summary.rechecked == 1
    after = wf.report(db, aid)
    assert after["counts"] == decided["counts"] and after["withdrawn_assertions"] == decided["withdrawn_assertions"]
    assert [f["id"] for f in after["findings"] if f.get("withdrawn")] == \
        [f["id"] for f in decided["findings"] if f.get("withdrawn")]


def test_decisions_are_append_only(db, cast):
    aid = in_review(db, cast, "oracle")
    dc.decide(db, cast["rob"], aid, "a1", "confirm")
    for statement in ("UPDATE claim_decisions SET reason = 'rewritten'", "DELETE FROM claim_decisions"):
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.execute(text(statement))
    with db.session() as s:
        assert s.scalar(select(ClaimDecision.reason)) == ""


def test_the_six_repeated_blockers_take_one_decision_recorded_per_occurrence(db, cast):
    aid = in_review(db, cast, "oracle")
    rep = wf.report(db, aid)
    terms = [f["id"] for f in rep["findings"] if f["rule"] == "terminology.contradictory-direction"]
    assert len(terms) == 6
    assert [f["id"] for f in groups.group_of(rep["findings"], terms[3])] == terms
    out = groups.waive_group(db, cast["rob"], aid, terms[3], "the sources' own wording, quoted")
    assert [w["finding"] for w in out["waivers"]] == terms and out["counts"]["blocker"] == rep["counts"][
        "blocker"] - 6
    with db.session() as s:
        assert s.scalar(select(Waiver.reason).where(Waiver.fid == terms[5])) == "the sources' own wording, quoted"
    [event] = [e for e in wf.events(db, aid) if e["kind"] == "waived"]
    assert event["data"]["findings"] == terms and event["data"]["group"] == 6
    with pytest.raises(wf.AlreadyWaived):
        groups.waive_group(db, cast["rob"], aid, terms[0], "again")
    own = in_review(db, cast, "own", who="rob")
    own_terms = [f["id"] for f in wf.report(db, own)["findings"] if f["rule"] == "terminology.contradictory-direction"]
    with pytest.raises(wf.OwnSubmission, match="another reviewer must waive its blockers"):
        groups.waive_group(db, cast["rob"], own, own_terms[0], "mine")
    info = next(f["id"] for f in wf.report(db, own)["findings"] if f["severity"] == "info")
    assert groups.waive_group(db, cast["rob"], own, info, "fine by house style")["waivers"]


def test_carry_plan_takes_the_n_th_claim_and_the_n_th_occurrence():
    report = check_content(Content("x", TITLE, ORACLE))
    claims = list(report.assertions)
    first = claims[0]
    same = [a for a in claims if dc.claim_key(a) == dc.claim_key(first)]
    row = ClaimDecision(id=1, kind="wrong", aid=first.id, subject_id=None, sentence=first.sentence, start=first.start,
                        end=first.end, root=first.root, target=first.target, polarity=first.polarity,
                        ordinal=len(same) - 1, reason="r", reviewer="rob")
    text2 = "Intro line.\n" + ORACLE
    report2 = check_content(Content("x", TITLE, text2))
    [plan] = dc.carry_plan([row], ORACLE, report2.assertions, text2)
    assert (plan.start, plan.end) == (same[-1].start + 12, same[-1].end + 12)
    twice = "L5 supplies ankle dorsiflexion."
    added = ClaimDecision(id=2, kind="added", aid="a9", subject_id=None, sentence=twice,
                          start=len("x\n") + len(twice) + 1, end=len("x\n") + 2 * len(twice) + 1,
                          root="L3", target="ankle_dorsiflexion", polarity="affirmed", ordinal=0, reviewer="rob")
    old = f"x\n{twice}\n{twice}\n"
    new = f"y\n\n{twice}\n{twice}\n"
    [plan] = dc.carry_plan([added], old, [], new)
    assert new[plan.start:plan.end] == twice and plan.start == new.rindex(twice)
    assert dc.carry_plan([added], old, [], f"{twice}\n") == []  # no second occurrence: it stays behind


def test_confirming_a_claim_below_the_gate_lets_it_gate(db, cast, tmp_path, monkeypatch):
    import extractors.relations as relations

    config = tmp_path / "artgate.toml"
    config.write_text("gate_threshold = 0.5\n")
    analyze = relations.analyze

    def unsure_l3(article, doc=None):  # as if the scorer doubted every L3 claim
        from dataclasses import replace

        ex = analyze(article, doc)
        return replace(ex, assertions=[replace(a, confidence=0.3) if a.root == "L3" else a for a in ex.assertions])

    monkeypatch.setattr(relations, "analyze", unsure_l3)
    a = wf.submit(db, cast["alice"], Content("oracle", TITLE, ORACLE), str(config)).article
    wf.transition(db, cast["rob"], a["id"], "in_review")
    rep = wf.report(db, a["id"])
    l3 = claim(rep, "L3", "ankle_dorsiflexion", says="plantar dorsiflexion is associated with the L3")
    assert next(x for x in rep["assertions"] if x["id"] == l3)["confidence"] == 0.3
    check = next(f for f in rep["findings"] if f["rule"] == "claims.check-claim" and l3 in f["assertions"])
    assert not any(f["rule"] == "reference.contradicts-table" and l3 in f["assertions"] for f in rep["findings"])
    out = dc.decide(db, cast["rob"], a["id"], l3, "confirm", reason="the page does say L3", config=str(config))
    rep = wf.report(db, a["id"])
    assert check["id"] in out["withdrawn"]
    assert any(f["rule"] == "reference.contradicts-table" and l3 in f["assertions"] and f["id"] in out["raised"]
               for f in rep["findings"])
    assert next(x for x in rep["assertions"] if x["id"] == l3)["confidence"] == 1.0


def test_a_version_arriving_while_a_decision_is_checked_refuses_the_decision(db, cast, monkeypatch):
    aid = in_review(db, cast, "oracle")
    check = dc.check_content

    def meanwhile(content, config=None):  # a new version is stored while the decision's check runs
        report = check(content, config)
        submit(db, cast["alice"], "oracle", ORACLE + "\nA new line.\n")
        return report

    monkeypatch.setattr(dc, "check_content", meanwhile)
    with pytest.raises(dc.Stale, match="version 2 arrived"):
        dc.decide(db, cast["rob"], aid, "a1", "confirm")
    with db.session() as s:
        assert s.scalar(select(ClaimDecision.id)) is None


def test_a_report_made_without_its_extraction_is_decided_the_same():
    from dataclasses import replace

    report = check_content(Content("x", TITLE, ORACLE))
    first = report.assertions[0]
    row = ClaimDecision(id=1, kind="wrong", aid=first.id, subject_id=None, sentence=first.sentence, start=first.start,
                        end=first.end, root=first.root, target=first.target, polarity=first.polarity, ordinal=0,
                        reason="r", reviewer="rob", created_at=wf.utcnow())
    with_extraction = dc.decided_report(report, [row])
    without = dc.decided_report(replace(report, extraction=None), [row])
    assert without == with_extraction and with_extraction["withdrawn_assertions"][0]["id"] == first.id
