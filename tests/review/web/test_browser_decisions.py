"""Claim decisions, group waivers and long articles in a real browser: Debian's Chromium against ``artgate serve``.

Each decision path a reviewer takes on the article page (mark wrong, correct, confirm, retract,
add a claim by selecting its sentence, one waiver for a group), the four-eyes refusals, and the
layout promise: at 1280×800 a selected finding and its evidence are on screen together. With
``ARTGATE_SCREENSHOTS=docs`` the screenshots go to the README's folder.
"""

from __future__ import annotations

import re

import httpx
import pytest

from ..conftest import CORRECTED, ORACLE, People
from . import test_browser
from .test_browser import CHROMIUM, Live, sign_in

# the browser tests' fixtures: Chromium, a fresh context whose page fails the test on any page error, and the
# screenshots' folder
browser = test_browser.browser
page = test_browser.page
shots = test_browser.shots

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(),
                                 reason=f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install -y "
                                        "chromium) to run the browser tests")]


def move(live: Live, key: str, who: str = "rob") -> None:
    r = httpx.post(f"{live.base}/api/v1/articles/{live.ids[key]}/transitions", json={"to": "in_review"},
                   headers=People.auth(live.tokens[who]), timeout=30)
    assert r.status_code == 200, r.text


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    live = Live(tmp_path_factory.mktemp("live-decisions"))
    try:
        live.wait()
        live.submit("oracle", "cms-oracle", ORACLE)
        live.submit("groups", "cms-groups", ORACLE)
        live.submit("corrected", "cms-corrected", CORRECTED)
        live.submit("own", "cms-own", ORACLE, who="rob")
        live.submit("long", "cms-long", ORACLE * 30)
        for key in ("oracle", "groups", "corrected", "long"):
            move(live, key)
        move(live, "own", "rita")
        yield live
    finally:
        live.stop()


def report(live: Live, key: str) -> dict:
    return live.api(f"/articles/{live.ids[key]}/report")


def claim_id(live: Live, key: str, root: str, target: str, says: str) -> str:
    return next(a["id"] for a in report(live, key)["assertions"]
                if (a["root"], a["target"]) == (root, target) and says in a["sentence"])


def test_mark_wrong_correct_confirm_and_retract_on_the_article_page(page, live, shots):
    from playwright.sync_api import expect

    sign_in(page, live, "rita", f"/articles/{live.ids['oracle']}")
    wrong = claim_id(live, "oracle", "L5", "ankle_plantarflexion", "primarily associated")
    antagonist = next(f["id"] for f in report(live, "oracle")["findings"] if f["rule"] == "consistency.antagonist-root")
    row = page.locator(f"#claim-{wrong}")
    row.get_by_text(f"Decide {wrong}…").click()
    row.get_by_label(f"does not say this ({wrong} is wrong)").check()
    row.get_by_label("Reason (needed when it is wrong)").fill("the page says L5 is not the main root here")
    page.screenshot(path=shots / "dashboard-claim-decision.png")
    row.get_by_role("button", name=f"Record the decision on {wrong}").click()
    expect(page.locator("#notice")).to_contain_text("Claim marked wrong")
    expect(page.locator(f"#claim-{wrong}")).to_have_class(re.compile(r"\bwithdrawn\b"))
    expect(page.locator(f"#claim-{wrong}")).to_contain_text("marked wrong by rita")
    expect(page.locator(f"#claim-{wrong}")).to_be_in_viewport()  # back at the claim decided
    expect(page.locator(f"#finding-{antagonist}")).to_contain_text("withdrawn")
    page.locator(f"#finding-{antagonist}").scroll_into_view_if_needed()
    page.screenshot(path=shots / "dashboard-finding-withdrawn.png")
    assert any(f["id"] == antagonist and f.get("withdrawn") for f in report(live, "oracle")["findings"])

    row = page.locator(f"#claim-{wrong}")
    row.get_by_text(f"Decide {wrong}…").click()
    row.get_by_label(f"retract the decision on {wrong}").check()
    row.get_by_role("button", name=f"Record the decision on {wrong}").click()
    expect(page.locator("#notice")).to_contain_text("Decision retracted")
    expect(page.locator(f"#claim-{wrong}")).not_to_have_class(re.compile(r"\bwithdrawn\b"))
    expect(page.locator(f"#finding-{antagonist}")).not_to_contain_text("withdrawn")

    first = claim_id(live, "oracle", "L5", "ankle_dorsiflexion", "primarily responsible")
    row = page.locator(f"#claim-{first}")
    row.get_by_text(f"Decide {first}…").click()
    row.get_by_label("says it as:").check()
    row.get_by_label("Root").fill("L4")
    row.get_by_role("button", name=f"Record the decision on {first}").click()
    expect(page.locator("#notice")).to_contain_text("Claim corrected")
    expect(page.locator(f"#claim-{first}")).to_contain_text("the extractor read L5 → ankle dorsiflexion")
    expect(page.locator(f"#claim-{first} td").nth(1)).to_have_text("L4")

    other = claim_id(live, "oracle", "S1", "achilles_reflex", "ankle reflexes")
    row = page.locator(f"#claim-{other}")
    row.get_by_text(f"Decide {other}…").click()
    row.get_by_label(f"does say this (confirm {other})").check()
    row.get_by_role("button", name=f"Record the decision on {other}").click()
    expect(page.locator("#notice")).to_contain_text("Claim confirmed")
    expect(page.locator(f"#claim-{other}")).to_contain_text("confirmed by rita")
    history = page.locator("#history")
    for words in ("marked wrong", "decision retracted", "corrected to L4 → ankle dorsiflexion", "confirmed"):
        expect(history).to_contain_text(words)


SELECT = """([sentence]) => {
  const pre = document.getElementById('article-text');
  const walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
  let at = 0, start = null, end = null; const want = pre.textContent.indexOf(sentence);
  while (walker.nextNode()) {
    const node = walker.currentNode, len = node.textContent.length;
    if (start === null && want < at + len) start = [node, want - at];
    if (start !== null && want + sentence.length <= at + len) { end = [node, want + sentence.length - at]; break; }
    at += len;
  }
  const range = document.createRange(); range.setStart(...start); range.setEnd(...end);
  const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
  pre.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
  return want;
}"""


def test_select_a_sentence_to_add_the_claim_the_extractor_missed(page, live):
    from playwright.sync_api import expect

    sign_in(page, live, "rita", f"/articles/{live.ids['corrected']}")
    says = "Weakness of ankle dorsiflexion (foot drop) is most often caused by an L5 radiculopathy"
    offset = page.evaluate(SELECT, [says])
    form = page.locator("#add-claim")
    expect(form).to_have_attribute("open", "")
    expect(page.get_by_label("Sentence (select it in the text, or paste it)")).to_have_value(says)
    assert page.locator("#add-near").input_value() == str(offset) == str(CORRECTED.index(says))
    page.keyboard.press("n")  # the key for adding a claim: the sentence is there, so the root is next
    expect(form.get_by_label("Root")).to_be_focused()
    page.keyboard.type("L3")
    form.get_by_label("Target").select_option("ankle_dorsiflexion")
    form.get_by_role("button", name="Add claim").click()
    expect(page.locator("#notice")).to_contain_text("Claim added")
    added = page.locator("table.claims tr.decided").filter(has_text="added by rita")
    expect(added).to_have_count(1)
    expect(added.locator("td").nth(1)).to_have_text("L3")
    assert any(a.get("review", {}).get("added") and a["sentence"] == says for a in report(live, "corrected")[
        "assertions"])


FORCED = """async ([action, fields]) => {
  const body = new URLSearchParams(fields);
  body.set('csrf_token', document.querySelector('input[name=csrf_token]').value);
  const r = await fetch(action, {method: 'POST', body, headers: {'Content-Type': 'application/x-www-form-urlencoded'}});
  return [r.status, await r.text()];
}"""


def test_four_eyes_the_submitter_is_offered_no_decision_and_a_forced_one_is_refused(page, live):
    from playwright.sync_api import expect

    sign_in(page, live, "rob", f"/articles/{live.ids['own']}")
    expect(page.locator("#decide-why")).to_contain_text("another reviewer decides on its claims")
    expect(page.locator("details.decide")).to_have_count(0)
    expect(page.locator("#add-claim")).to_have_count(0)
    # groups of warnings only: a submitter may waive those, never a blocker of their own version
    blockers = {f["id"] for f in report(live, "own")["findings"] if f["severity"] == "blocker"}
    offered = page.locator("details.waive-group form").evaluate_all("fs => fs.map(f => f.getAttribute('action'))")
    assert offered and not any(a.split("/findings/")[1].split("/")[0] in blockers for a in offered), offered
    terms = [f["id"] for f in report(live, "own")["findings"] if f["rule"] == "terminology.contradictory-direction"]
    base = f"/articles/{live.ids['own']}"
    for action, fields, says in (
            (f"{base}/claims/a1/decide", {"decision": "wrong", "reason": "mine"}, "another reviewer must decide"),
            (f"{base}/claims/add", {"sentence": "dorsiflexion torque", "root": "L2", "target": "ankle_dorsiflexion"},
             "another reviewer must decide"),
            (f"{base}/findings/{terms[0]}/waive-group", {"reason": "mine"}, "another reviewer must waive")):
        with page.expect_console_message(lambda m: "403" in m.text) as logged:
            status, html = page.evaluate(FORCED, [action, fields])
        page.problems.remove(f"console error: {logged.value.text}")  # the refusal this step expects
        assert status == 403 and says in html, (action, status)
    assert not live.api(f"/articles/{live.ids['own']}/claims")["decisions"]


def test_one_decision_waives_the_six_repeated_blockers(page, live):
    from playwright.sync_api import expect

    sign_in(page, live, "rita", f"/articles/{live.ids['groups']}")
    terms = [f["id"] for f in report(live, "groups")["findings"]
             if f["rule"] == "terminology.contradictory-direction"]
    group = page.locator(f"#group-{terms[0]}")
    expect(group).to_contain_text("6 occurrences")
    group.get_by_text("Waive all 6 open…").click()
    group.get_by_label("One reason for all 6 (recorded on each)").fill("the sources' own title, quoted")
    group.get_by_role("button", name="Waive 6 findings").click()
    expect(page.locator("#notice")).to_contain_text("waived")
    for fid in terms:
        expect(page.locator(f"#finding-{fid} .waiver")).to_contain_text("Waived by rita")
    expect(page.locator("#history")).to_contain_text("6 findings of the group")
    assert report(live, "groups")["counts"]["blocker"] == 2


INSIDE = """([a, b]) => {
  const visible = el => { const r = el.getBoundingClientRect();
    for (let p = el.parentElement; p; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (/(auto|scroll)/.test(s.overflowY)) { const q = p.getBoundingClientRect();
        if (r.top < q.top - 1 || r.bottom > q.bottom + 1) return false; } }
    return r.top >= 0 && r.bottom <= window.innerHeight && r.left >= 0 && r.right <= window.innerWidth; };
  return [visible(document.querySelector(a)), visible(document.querySelector(b))];
}"""


def test_at_1280x800_a_selected_finding_and_its_evidence_are_on_screen_together(page, live, shots):
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, live, "rita", f"/articles/{live.ids['long']}")
    rep = report(live, "long")
    conflict = next(f for f in rep["findings"] if f["rule"] == "consistency.conflicting-roots")
    terms = [f["id"] for f in rep["findings"] if f["rule"] == "terminology.contradictory-direction"]
    for fid in (terms[9], terms[2], conflict["id"]):  # deep in the list, back up, a sentence-level finding
        page.locator(f"#finding-{fid} a.evidence-link").first.click()
        mark = page.locator(f'#article-text mark[data-findings~="{fid}"]').first
        expect(mark).to_be_focused()
        assert page.evaluate(INSIDE, [f"#finding-{fid}", "#article-text mark:focus"]) == [True, True], fid
    page.screenshot(path=shots / "dashboard-article-long.png")
    # the words of a sentence-level finding stand out from its sentence
    word = page.locator(f'#article-text mark.word.current[data-findings~="{conflict["id"]}"]').first
    plain = page.locator(f'#article-text mark.current:not(.word)[data-findings~="{conflict["id"]}"]').first
    colours = [el.evaluate("e => getComputedStyle(e).backgroundColor") for el in (word, plain)]
    assert colours[0] != colours[1]
    assert word.evaluate("e => getComputedStyle(e).boxShadow") != "none"
    # a highlight of a finding listed further on goes to where it is listed
    late = terms[150]
    page.goto(f"{live.base}/articles/{live.ids['long']}?text=2")
    page.locator(f'#article-text mark[data-findings~="{late}"]').first.click()
    expect(page).to_have_url(re.compile(rf"group={terms[0]}.*occ=2.*#finding-{late}$"))
    expect(page.locator(f"#finding-{late}")).to_be_visible()
