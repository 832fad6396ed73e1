"""One article's page: evidence marked in the text, claims beside the reference table, actions, versions, history."""

from __future__ import annotations

import pytest

from review.web.views.article import _reference_view
from rules.engine import load_ruleset

from ..conftest import CORRECTED, ORACLE
from .page import Element


@pytest.fixture
def oracle(dash, people):
    """The blocked seed, submitted by alice and moved to review by rob, who is signed in."""
    a = dash.submit("oracle", ORACLE)
    dash.api("POST", f"/articles/{a['id']}/transitions", people.rob, json={"to": "in_review"})
    dash.sign_in(people.rob)
    return a["id"]


def report(dash, article_id, token):
    return dash.api("GET", f"/articles/{article_id}/report", token).json()


def marked_spans(pre: Element) -> tuple[str, list[tuple[int, int, set[str]]]]:
    """The text of the article as the page shows it, and (start, end, finding ids) of each <mark>."""
    text, spans = [], []
    at = 0

    def walk(node: Element) -> None:
        nonlocal at
        for child in node.children:
            if isinstance(child, str):
                text.append(child)
                at += len(child)
            elif child.tag == "mark":
                start = at
                walk(child)
                spans.append((start, at, set(child.attrs["data-findings"].split())))
            else:
                walk(child)

    walk(pre)
    return "".join(text), spans


def test_every_finding_s_evidence_is_inside_marks_carrying_its_id(dash, oracle, people):
    page = dash.page(f"/articles/{oracle}")
    shown, spans = marked_spans(page.by_id("article-text"))
    assert shown == ORACLE  # the whole text, every character, as text
    rep = report(dash, oracle, people.rob)
    with_evidence = [f for f in rep["findings"] if f["evidence"]]
    assert with_evidence
    for f in with_evidence:
        for k, ev in enumerate(f["evidence"]):
            covered = {i for s, e, ids in spans if f["id"] in ids for i in range(s, e)}
            assert set(range(ev["start"], ev["end"])) <= covered, (f["id"], ev)
            assert page.by_id(f"ev-{f['id']}-{k}").attrs["class"] == "anchor"
        item = page.by_id(f"finding-{f['id']}")
        assert item.find("a", class_="evidence-link").attrs["href"] == f"#ev-{f['id']}-0"
    assert all(len(page.find_all("li", id=f"finding-{f['id']}")) == 1 for f in rep["findings"])


def test_the_claims_table_shows_each_assertion_beside_the_reference_table(dash, oracle, people):
    page = dash.page(f"/articles/{oracle}")
    rep = report(dash, oracle, people.rob)
    table = page.by_id("claims").find("table")
    body_rows = table.find("tbody").find_all("tr")
    assert len(body_rows) == len(rep["assertions"])
    heads = [th.text for th in table.find("thead").find_all("th")]
    assert heads[:6] == ["Id", "Root", "Target", "Polarity", "Primary", "Section"]
    for row, a in zip(body_rows, rep["assertions"], strict=True):
        cells = [td.text.strip() for td in row.find_all("td")]
        assert cells[0] == a["id"] and cells[1] == a["root"] and cells[3] == a["polarity"]
        assert cells[4] == ("primary" if a["primary"] else "—") and cells[5] == a["section"]
    twin = dash.get(f"/articles/{oracle}.json").json()
    assert [c["id"] for c in twin["assertions"]] == [a["id"] for a in rep["assertions"]]
    assert any(c["agrees"] is False for c in twin["assertions"])  # the seed gives L3 for dorsiflexion


def test_reference_view_of_a_claim():
    ref = load_ruleset().reference
    e = ref.entries["ankle_dorsiflexion"]
    claim = {"target": "ankle_dorsiflexion", "polarity": "affirmed"}
    assert _reference_view(ref, {**claim, "root": e.primary})["agrees"] is True
    assert _reference_view(ref, {**claim, "root": "C5"}) | {"reference": ""} == {
        "reference": "", "standing": "outside", "agrees": False}
    assert _reference_view(ref, {**claim, "root": e.primary, "polarity": "negated"})["agrees"] is False
    assert _reference_view(ref, {**claim, "root": "C5", "polarity": "uncertain"})["agrees"] is None
    assert _reference_view(ref, {"target": "no_such", "root": "L5", "polarity": "affirmed"})["standing"] == "unknown"


def test_approve_is_disabled_with_the_standing_blockers_and_the_gate_refuses_a_forced_post(dash, oracle, people):
    page = dash.page(f"/articles/{oracle}")
    button = page.by_id("act-approve")
    assert "disabled" in button.attrs
    blockers = {f["id"] for f in report(dash, oracle, people.rob)["findings"]
                if f["severity"] == "blocker" and not f["suppressed"]}
    listed = {a.attrs["data-finding"] for a in page.by_id("approve-why").find_all("a", class_="finding-ref")}
    assert blockers and listed == blockers
    r = dash.post(f"/articles/{oracle}/transition", {"to": "approved"})
    assert r.status_code == 409
    from .page import parse

    notice = parse(r.text).by_id("notice")
    assert {a.attrs["data-finding"] for a in notice.find_all("a")} == blockers
    assert dash.api("GET", f"/articles/{oracle}", people.rob).json()["status"] == "in_review"


def test_waive_needs_a_reason_then_approve_goes_through_and_the_history_shows_it(dash, oracle, people):
    blockers = [f["id"] for f in report(dash, oracle, people.rob)["findings"]
                if f["severity"] == "blocker" and not f["suppressed"]]
    empty = dash.post(f"/articles/{oracle}/findings/{blockers[0]}/waive", {"reason": "   "})
    assert empty.status_code == 422 and "needs a reason" in empty.text
    assert not next(f for f in report(dash, oracle, people.rob)["findings"] if f["id"] == blockers[0])["suppressed"]
    for fid in blockers:
        r = dash.post(f"/articles/{oracle}/findings/{fid}/waive", {"reason": f"quoted on purpose ({fid})"})
        assert r.status_code == 303 and r.headers["location"] == f"/articles/{oracle}?done=waived#finding-{fid}"
    page = dash.page(f"/articles/{oracle}?done=waived")
    assert "Finding waived" in page.by_id("notice").text
    assert f"quoted on purpose ({blockers[0]})" in page.by_id(f"finding-{blockers[0]}").text
    assert "disabled" not in page.by_id("act-approve").attrs
    r = dash.post(f"/articles/{oracle}/transition", {"to": "approved"})
    assert r.status_code == 303
    assert dash.api("GET", f"/articles/{oracle}", people.rob).json()["status"] == "approved"
    history = dash.page(f"/articles/{oracle}").by_id("history")
    lines = [" ".join(li.text.split()) for li in history.find_all("li")]
    assert "waived" in lines[2] and "rob" in lines[2] and "quoted on purpose" in lines[2]
    assert "in review → approved" in lines[-1] and "rob" in lines[-1]


def test_a_reviewer_cannot_approve_their_own_submission(dash, people):
    a = dash.submit("own", CORRECTED, token=people.rita)
    dash.api("POST", f"/articles/{a['id']}/transitions", people.rob, json={"to": "in_review"})
    dash.sign_in(people.rita)
    page = dash.page(f"/articles/{a['id']}")
    assert "disabled" in page.by_id("act-approve").attrs
    assert "you (rita) submitted" in page.by_id("approve-why").text
    r = dash.post(f"/articles/{a['id']}/transition", {"to": "approved"})
    assert r.status_code == 403 and "another reviewer must approve it" in r.text
    dash.sign_out()
    dash.sign_in(people.rob)
    assert dash.post(f"/articles/{a['id']}/transition", {"to": "approved"}).status_code == 303


def test_request_changes_needs_a_reason_for_the_author(dash, oracle, people):
    r = dash.post(f"/articles/{oracle}/transition", {"to": "changes_requested", "reason": ""})
    assert r.status_code == 422 and "needs a reason" in r.text
    r = dash.post(f"/articles/{oracle}/transition", {"to": "changes_requested", "reason": "make the sections agree"})
    assert r.status_code == 303
    page = dash.page(f"/articles/{oracle}")
    assert "make the sections agree" in page.by_id("history").text
    assert page.by_id("act-review")  # from changes requested it can go back to review
    invalid = dash.post(f"/articles/{oracle}/transition", {"to": "approved"})
    assert invalid.status_code == 409 and "cannot move to approved" in invalid.text


def test_versions_and_the_diff_between_them(dash, oracle, people):
    v2 = ORACLE.replace("plantar dorsiflexion", "dorsiflexion").replace("Plantar dorsiflexion", "Dorsiflexion")
    dash.submit("oracle", v2)
    page = dash.page(f"/articles/{oracle}")
    versions = page.by_id("versions")
    assert [a.text for a in versions.find("tbody").find_all("a")] == ["v1", "v2"]
    diff = versions.find("table", class_="diff")
    deleted = [r.text for r in diff.find_all("tr", class_="delete")]
    inserted = [r.text for r in diff.find_all("tr", class_="insert")]
    assert any("plantar dorsiflexion" in t for t in deleted) and inserted
    assert not any("plantar dorsiflexion" in t for t in inserted)
    twin = dash.get(f"/articles/{oracle}.json").json()
    resolved = {f["rule"] for f in twin["diff"]["findings"]["resolved"]}
    assert "terminology.contradictory-direction" in resolved
    old = dash.page(f"/articles/{oracle}?version=1")
    assert "Decisions are made on" in old.by_id("actions").text
    assert not old.find_all("form", class_="stack")
    same = dash.get(f"/articles/{oracle}.json?from=2&to=2").json()["diff"]
    assert same["lines"] == [] and (same["from"], same["to"]) == (2, 2)
    assert dash.get(f"/articles/{oracle}?version=7").status_code == 400


def test_the_json_twin_holds_what_the_page_shows(dash, oracle, people):
    twin = dash.get(f"/articles/{oracle}.json").json()
    rep = report(dash, oracle, people.rob)
    assert sorted(f["id"] for f in twin["findings"]) == sorted(f["id"] for f in rep["findings"])
    assert twin["verdict"] == "blocked" and twin["article"]["status"] == "in_review"
    assert [e["kind"] for e in twin["events"]] == ["submitted", "status_changed"]
    assert twin["actions"]["approve"]["enabled"] is False and twin["actions"]["approve"]["blockers"]
    assert dash.get(f"/articles/{oracle}?format=json").json() == twin


def test_unknown_articles_and_findings_are_404_pages(dash, oracle):
    for path in ("/articles/999", "/articles/99999999999999999999", "/articles/abc"):
        r = dash.get(path)
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/html"), path
        assert "Traceback" not in r.text
    assert dash.get("/articles/999.json").json()["error"]
    r = dash.post(f"/articles/{oracle}/findings/f999/waive", {"reason": "x"})
    assert r.status_code == 404 and "no finding" in r.text


def test_forms_posted_to_an_id_past_the_integer_range_are_404_not_500(dash, people):
    dash.sign_in(people.rob)
    big = "9" * 25
    for path, data in ((f"/articles/{big}/transition", {"to": "in_review"}),
                       (f"/articles/{big}/findings/f1/waive", {"reason": "because"})):
        r = dash.post(path, data, page="/")
        assert r.status_code == 404, (path, r.status_code, r.text[:300])


def test_the_submitter_is_offered_no_waiver_for_their_own_blockers(dash, people):
    a = dash.submit("own", ORACLE, token=people.rob)
    findings = dash.api("GET", f"/articles/{a['id']}/report", people.rob).json()["findings"]
    severity = {f["id"]: f["severity"] for f in findings}
    dash.sign_in(people.rob)
    page = dash.page(f"/articles/{a['id']}")
    offered = {f.attrs["action"].split("/")[-2] for f in page.find_all("form") if f.attrs.get("action", "").endswith(
        "/waive")}
    assert offered and all(severity[fid] != "blocker" for fid in offered)
    blocker = next(fid for fid, sev in severity.items() if sev == "blocker")
    r = dash.post(f"/articles/{a['id']}/findings/{blocker}/waive", {"reason": "mine"})
    assert r.status_code == 403 and "another reviewer" in r.text
