"""The corpus view (roots per target across articles, and who disagrees) and the rules page."""

from __future__ import annotations

from rules.engine import all_rules, load_ruleset

from ..conftest import ORACLE
from .page import parse

AGREE = "# Roots\n\nThe L4 and L5 roots supply ankle dorsiflexion. S1 supplies the Achilles reflex.\n"
DISAGREE = "# Roots\n\nAnkle dorsiflexion is supplied by L3.\n"


def test_the_corpus_counts_roots_per_target_and_names_the_articles_that_disagree(dash, people):
    a = dash.submit("agree-1", AGREE, title="One")
    dash.submit("agree-2", AGREE + "\nA second article.\n", title="Two")
    odd = dash.submit("odd", DISAGREE, title="Odd one out")
    dash.sign_in(people.rob)
    data = dash.get("/corpus.json").json()
    dorsi = next(t for t in data["targets"] if t["target"] == "ankle_dorsiflexion")
    assert dorsi["n_articles"] == 3 and dorsi["majority"] == ["L4", "L5"]
    counts = {r["root"]: r["affirmed"] for r in dorsi["roots"]}
    assert counts == {"L4": 2, "L5": 2, "L3": 1}
    [who] = dorsi["disagreeing"]
    assert who["id"] == odd["id"] and who["roots"] == ["L3"]
    assert {r["kind"] for r in who["reasons"]} == {"majority", "reference"}
    achilles = next(t for t in data["targets"] if t["target"] == "achilles_reflex")
    assert achilles["kind"] == "reflex" and achilles["disagreeing"] == []
    reflexes = dash.get("/corpus.json?kind=reflex").json()
    assert {t["kind"] for t in reflexes["targets"]} == {"reflex"}
    assert dash.get("/corpus?kind=dermatome").status_code == 400

    page = dash.page("/corpus")
    section = page.by_id("target-ankle_dorsiflexion")
    assert section.find("a", href=f"/articles/{odd['id']}").text == "Odd one out"
    assert not section.find_all("a", href=f"/articles/{a['id']}")
    assert "L4, L5" in section.find("p").text
    assert section.find("a", href="/?target=ankle_dorsiflexion")


def test_the_corpus_reads_only_current_versions(dash, people):
    dash.submit("x", DISAGREE, title="x")
    dash.submit("x", AGREE, title="x")  # the new version takes L3 back
    dash.sign_in(people.rob)
    dorsi = next(t for t in dash.get("/corpus.json").json()["targets"] if t["target"] == "ankle_dorsiflexion")
    assert {r["root"] for r in dorsi["roots"]} == {"L4", "L5"} and dorsi["n_articles"] == 1


def test_every_rule_is_listed_with_its_explanation_and_examples(dash, people):
    dash.sign_in(people.rob)
    page = dash.page("/rules")
    for r in all_rules(load_ruleset().config):
        section = page.by_id(f"rule-{r.id}")
        assert r.explanation in " ".join(section.text.split())
        if r.example_trigger:
            assert r.example_trigger in [p.text for p in section.find_all("pre")]
    twin = dash.get("/rules.json").json()
    assert twin["ruleset"] == load_ruleset().version
    assert {r["id"] for r in twin["rules"]} >= {r.id for r in all_rules(load_ruleset().config)}


def test_rules_count_firings_and_waivers_and_flag_the_ones_waived_most_of_the_time(dash, people):
    ids = [dash.submit(f"oracle-{i}", ORACLE + f"\nCopy {i}.\n")["id"] for i in range(3)]
    first = dash.api("GET", f"/articles/{ids[0]}/report", people.rob).json()
    rule = next(f["rule"] for f in first["findings"] if f["severity"] == "blocker" and not f["suppressed"])
    waived = 0
    for aid in ids:
        for f in dash.api("GET", f"/articles/{aid}/report", people.rob).json()["findings"]:
            if f["rule"] == rule and not f["suppressed"]:
                dash.api("POST", f"/articles/{aid}/findings/{f['id']}/waive", people.rob, json={"reason": "ok"})
                waived += 1
    dash.sign_in(people.rob)
    twin = dash.get("/rules.json").json()
    row = next(r for r in twin["rules"] if r["id"] == rule)
    assert row["fired"] == row["waived"] == waived >= 3 and row["articles"] == 3
    assert row["needs_attention"] and rule in twin["flagged"]
    others = [r for r in twin["rules"] if r["fired"] and r["id"] != rule]
    assert others and not any(r["needs_attention"] for r in others)
    page = dash.page("/rules")
    assert rule in page.find("p", class_="notice").text
    flagged_row = page.find("tr", class_="attention")
    assert rule in flagged_row.text and "100%" in flagged_row.text
    assert parse(dash.get(f"/?rule={rule}").text).find_all("a", class_="row-link") == []  # all waived: none open
