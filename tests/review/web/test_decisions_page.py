"""The article page's claim decisions, group waivers and long-article paging, through the ASGI client."""

from __future__ import annotations

import re

from ..conftest import CORRECTED, ORACLE
from . import test_article
from .page import parse
from .test_article import report

oracle = test_article.oracle  # the blocked seed, submitted by alice, in review, rob signed in


def lines(page, section: str) -> list[str]:
    return [" ".join(li.text.split()) for li in page.by_id(section).find_all("li")]


def test_the_six_repeated_blockers_are_one_group_and_take_one_decision(dash, oracle, people):
    page = dash.page(f"/articles/{oracle}")
    terms = [f["id"] for f in report(dash, oracle, people.rob)["findings"]
             if f["rule"] == "terminology.contradictory-direction"]
    group = page.by_id(f"group-{terms[0]}")
    assert "6 occurrences" in group.text
    assert [li.attrs["data-finding"] for li in group.find_all("li", class_="finding")] == terms
    form = group.find("form", action=f"/articles/{oracle}/findings/{terms[0]}/waive-group")
    assert form.find("input", name="reason").attrs["id"] == f"waive-group-{terms[0]}"
    empty = dash.post(f"/articles/{oracle}/findings/{terms[0]}/waive-group", {"reason": " "})
    assert empty.status_code == 422 and "needs a reason" in empty.text
    r = dash.post(f"/articles/{oracle}/findings/{terms[0]}/waive-group", {"reason": "the source's title, quoted"})
    assert r.status_code == 303 and r.headers["location"] == f"/articles/{oracle}?done=waived_group#finding-{terms[0]}"
    rep = report(dash, oracle, people.rob)
    assert all(f["waiver"]["reason"] == "the source's title, quoted" for f in rep["findings"] if f["id"] in terms)
    page = dash.page(f"/articles/{oracle}?done=waived_group")
    assert "waived" in page.by_id("notice").text
    assert not page.by_id(f"group-{terms[0]}").find_all("form")  # nothing open is left to waive
    assert any("6 findings of the group" in line and "rob" in line for line in lines(page, "history"))


def test_mark_a_claim_wrong_and_the_finding_resting_on_it_is_shown_withdrawn(dash, oracle, people):
    rep = report(dash, oracle, people.rob)
    antagonist = next(f for f in rep["findings"] if f["rule"] == "consistency.antagonist-root")
    wrong = next(a["id"] for a in rep["assertions"] if (a["root"], a["target"]) == ("L5", "ankle_plantarflexion")
                 and "primarily associated" in a["sentence"])
    form = dash.page(f"/articles/{oracle}").by_id(f"claim-{wrong}").find("form")
    assert form.attrs["action"] == f"/articles/{oracle}/claims/{wrong}/decide"
    assert {i.attrs["value"] for i in form.find_all("input", type="radio")} == {"wrong", "correct", "confirm"}
    missing = dash.post(f"/articles/{oracle}/claims/{wrong}/decide", {"decision": "wrong", "reason": ""})
    assert missing.status_code == 422 and "needs a reason" in missing.text
    r = dash.post(f"/articles/{oracle}/claims/{wrong}/decide",
                  {"decision": "wrong", "reason": "the page denies L5 here", "root": "L5",
                   "target": "ankle_plantarflexion", "polarity": "affirmed", "expect_root": "L5",
                   "expect_target": "ankle_plantarflexion", "expect_polarity": "affirmed", "back": "claims=1"})
    assert r.status_code == 303 and r.headers["location"] == f"/articles/{oracle}?claims=1&done=wrong#claim-{wrong}"
    page = dash.page(r.headers["location"].split("#")[0])
    assert "Claim marked wrong" in page.by_id("notice").text
    row = page.by_id(f"claim-{wrong}")
    assert "withdrawn" in row.attrs["class"] and "marked wrong by rob" in " ".join(row.text.split())
    item = page.by_id(f"finding-{antagonist['id']}")
    assert "withdrawn" in item.text and "marked wrong by rob: the page denies L5 here" in item.text
    assert any(f"claim {wrong} L5 → ankle plantarflexion marked wrong" in line for line in lines(page, "history"))
    restore = page.by_id(f"claim-{wrong}").find("form")
    assert {i.attrs["value"] for i in restore.find_all("input", type="radio")} == {"correct", "retract"}
    stale = dash.post(f"/articles/{oracle}/claims/{wrong}/decide",
                      {"decision": "confirm", "expect_root": "S1"})
    assert stale.status_code == 409 and "reload the page" in stale.text


def test_correct_and_add_claims_with_the_page_s_forms(dash, people):
    a = dash.submit("corrected", CORRECTED)
    dash.api("POST", f"/articles/{a['id']}/transitions", people.rob, json={"to": "in_review"})
    dash.sign_in(people.rita)
    rep = report(dash, a["id"], people.rita)
    negated = next(x for x in rep["assertions"] if x["polarity"] == "negated")
    r = dash.post(f"/articles/{a['id']}/claims/{negated['id']}/decide",
                  {"decision": "correct", "root": negated["root"], "target": negated["target"],
                   "polarity": "affirmed", "reason": "the 'not' belongs to another clause"})
    assert r.status_code == 303, r.text
    page = dash.page(f"/articles/{a['id']}")
    assert "the extractor read S1 → ankle dorsiflexion (negated)" in " ".join(
        page.by_id(f"claim-{negated['id']}").text.split())
    assert "raised by a claim decision" in page.by_id("findings").text
    add = page.by_id("add-claim").find("form")
    assert add.attrs["action"] == f"/articles/{a['id']}/claims/add"
    says = "Weakness of ankle dorsiflexion (foot drop) is most often caused by an L5 radiculopathy"
    r = dash.post(f"/articles/{a['id']}/claims/add", {"sentence": says, "near": str(CORRECTED.index(says)),
                                                      "root": "L3", "target": "ankle_dorsiflexion",
                                                      "polarity": "affirmed", "reason": "per the figure"})
    assert r.status_code == 303 and re.search(r"done=added#claim-a\d+$", r.headers["location"]), r.text
    added = r.headers["location"].rsplit("#claim-", 1)[1]
    row = dash.page(f"/articles/{a['id']}").by_id(f"claim-{added}")
    assert "added by rita" in " ".join(row.text.split())
    bad = dash.post(f"/articles/{a['id']}/claims/add", {"sentence": "not in the text at all", "root": "L3",
                                                        "target": "ankle_dorsiflexion"})
    assert bad.status_code == 422 and "does not occur" in bad.text


def test_no_decision_forms_for_the_submitter_or_an_author_and_forced_posts_are_refused(dash, people):
    a = dash.submit("own", ORACLE, token=people.rob)
    dash.api("POST", f"/articles/{a['id']}/transitions", people.rita, json={"to": "in_review"})
    dash.sign_in(people.rob)
    page = dash.page(f"/articles/{a['id']}")
    assert not [f for f in page.find_all("form") if "/claims/" in f.attrs.get("action", "")]
    assert "another reviewer decides on its claims" in page.by_id("decide-why").text
    r = dash.post(f"/articles/{a['id']}/claims/a1/decide", {"decision": "wrong", "reason": "mine"})
    assert r.status_code == 403 and "another reviewer must decide" in r.text
    r = dash.post(f"/articles/{a['id']}/claims/add", {"sentence": "dorsiflexion torque", "root": "L2",
                                                      "target": "ankle_dorsiflexion"})
    assert r.status_code == 403
    terms = [f["id"] for f in report(dash, a["id"], people.rob)["findings"]
             if f["rule"] == "terminology.contradictory-direction"]
    assert not page.by_id(f"group-{terms[0]}").find_all("form")  # nor a group waiver of its own blockers
    r = dash.post(f"/articles/{a['id']}/findings/{terms[0]}/waive-group", {"reason": "mine"})
    assert r.status_code == 403 and "another reviewer must waive" in r.text
    dash.sign_out()
    dash.sign_in(people.alice)
    page = dash.page(f"/articles/{a['id']}")
    assert not [f for f in page.find_all("form") if "/claims/" in f.attrs.get("action", "")]
    r = dash.post(f"/articles/{a['id']}/claims/a1/decide", {"decision": "confirm"})
    assert r.status_code == 403


def test_a_long_article_is_paged_and_every_finding_can_be_found(dash, people):
    body = ORACLE * 30  # about 140 KB: two windows of text, 180 occurrences of the repeated term
    a = dash.submit("long", body)
    dash.sign_in(people.rob)
    rep = report(dash, a["id"], people.rob)
    terms = [f["id"] for f in rep["findings"] if f["rule"] == "terminology.contradictory-direction"]
    assert len(terms) == 180
    page = dash.page(f"/articles/{a['id']}")
    group = page.by_id(f"group-{terms[0]}")
    assert len(group.find_all("li", class_="finding")) == 10 and "180 occurrences" in group.text
    assert group.find("p", class_="more").find("a").attrs["href"] == f"/articles/{a['id']}?group={terms[0]}#findings"
    pager = page.find("nav", class_="text-pager")
    assert "part 1 of 2" in pager.text and pager.find("a", rel="next").attrs["href"] == f"/articles/{a['id']}?text=2"
    shown, _spans = marked(page)
    assert body.startswith(shown) and len(shown) < len(body)
    twin = dash.get(f"/articles/{a['id']}.json").json()
    assert twin["text"] == shown and twin["text_window"]["pages"] == 2
    assert len(twin["assertions"]) == 100 and twin["claim_pages"]["pages"] == -(-len(rep["assertions"]) // 100)
    opened = dash.page(f"/articles/{a['id']}?group={terms[0]}&occ=2")
    assert [li.attrs["data-finding"] for li in opened.find_all("li", class_="finding")] == terms[100:180]
    late = terms[150]
    r = dash.get(f"/articles/{a['id']}/findings/{late}")
    where = r.headers["location"]
    assert r.status_code == 303 and f"group={terms[0]}" in where and "occ=2" in where and "text=2" in where
    assert where.endswith(f"#finding-{late}")
    landed = dash.page(where.split("#")[0])
    link = landed.by_id(f"finding-{late}").find("a", class_="evidence-link")
    assert link.attrs["href"] == f"#ev-{late}-0" and landed.by_id(f"ev-{late}-0")
    first_window = dash.page(f"/articles/{a['id']}?group={terms[0]}&occ=2")
    assert first_window.by_id(f"finding-{late}").find("a", class_="evidence-link").attrs["href"].startswith(
        f"/articles/{a['id']}?")
    claims_2 = dash.page(f"/articles/{a['id']}?claims=2")
    assert claims_2.by_id("claim-a101")
    for bad in ("?text=3", "?claims=99", "?fpage=0", "?group=f99999", "?group=f1&occ=9", "?text=x"):
        r = dash.get(f"/articles/{a['id']}{bad}")
        assert r.status_code == 400, bad
    assert dash.get(f"/articles/{a['id']}/findings/f999999").status_code == 404


def marked(page):
    """The shown text and the (start, end, classes, ids) of each mark."""
    pre = page.by_id("article-text")
    text, spans = test_article.marked_spans(pre)
    classes = [set(m.attrs["class"].split()) for m in pre.find_all("mark")]
    return text, [(s, e, cls, ids) for (s, e, ids), cls in zip(spans, classes, strict=True)]


def test_the_words_a_finding_is_about_stay_marked_inside_its_sentence(dash, oracle, people):
    rep = report(dash, oracle, people.rob)
    conflict = next(f for f in rep["findings"] if f["rule"] == "consistency.conflicting-roots")
    claims = {a["id"]: a for a in rep["assertions"]}
    shown, spans = marked(dash.page(f"/articles/{oracle}"))
    for aid in conflict["assertions"]:
        for key in ("root_span", "target_span"):
            s, e = claims[aid][key]
            words = [sp for sp in spans if sp[0] < e and s < sp[1] and conflict["id"] in sp[3]]
            assert words and all("word" in sp[2] for sp in words), (aid, key, shown[s:e])
    sentence = conflict["evidence"][0]
    plain = [sp for sp in spans if sentence["start"] <= sp[0] and sp[1] <= sentence["end"] and "word" not in sp[2]]
    assert plain  # the rest of the sentence is marked lightly, not as words
    term = next(f for f in rep["findings"] if f["rule"] == "terminology.contradictory-direction")
    ev = term["evidence"][0]
    assert all("word" in sp[2] for sp in spans if sp[0] < ev["end"] and ev["start"] < sp[1] and term["id"] in sp[3])


def test_each_claim_shows_its_confidence(dash, oracle, people):
    page = dash.page(f"/articles/{oracle}")
    heads = [th.text for th in page.by_id("claims").find("thead").find_all("th")]
    assert heads[7] == "Confidence"
    rep = report(dash, oracle, people.rob)
    for row, a in zip(page.by_id("claims").find("tbody").find_all("tr"), rep["assertions"], strict=True):
        assert row.find_all("td")[7].text.split()[0] == f"{a['confidence']:.2f}"
    page_html = dash.get(f"/articles/{oracle}").text
    assert parse(page_html).by_id("vocabulary")  # one shared list of targets for every correction field
