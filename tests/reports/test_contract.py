"""The JSON report contract, checked against the schema the project ships."""

import json
from importlib import resources

import jsonschema
import pytest

from reports.contract import SCHEMA, render_json, render_jsonl, report_dict
from tests.conftest import check_text


@pytest.fixture(scope="module")
def schema():
    return json.loads((resources.files("reports") / "schema" / "report.schema.json").read_text())


def test_oracle_report_validates(schema, oracle_report):
    doc = json.loads(render_json([oracle_report], single=True))
    jsonschema.validate(doc, schema)
    assert doc["schema"] == SCHEMA == "artgate.report/1"
    assert doc["verdict"] == "blocked"
    assert doc["article"]["id"] == "dorsiflexion-dr-oracle"
    assert doc["article"]["sections"] == ["From the Guidelines", "From the Research"]


def test_spans_quote_the_evidence(oracle_report):
    doc = report_dict(oracle_report)
    text = oracle_report.article.text
    for f in doc["findings"]:
        for ev in f["evidence"]:
            assert text[ev["start"]:ev["end"]] == ev["text"]
    for a in doc["assertions"]:
        assert " ".join(text[a["start"]:a["end"]].split()) == a["sentence"]


def test_finding_assertion_ids_resolve(oracle_report):
    doc = report_dict(oracle_report)
    ids = {a["id"] for a in doc["assertions"]}
    for f in doc["findings"]:
        assert set(f["assertions"]) <= ids


def test_schema_rejects_a_broken_report(schema, oracle_report):
    doc = report_dict(oracle_report)
    doc["assertions"][0]["root"] = "L9"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, schema)


def test_malformed_article_still_gets_a_valid_report(schema, tmp_path):
    from extractors.ingest import read_path
    from flows.check import check_article

    f = tmp_path / "empty.txt"
    f.write_text("")
    report = check_article(read_path(f)[0])
    doc = report_dict(report)
    jsonschema.validate(doc, schema)
    assert [x["rule"] for x in doc["findings"]] == ["ingest.empty"]
    assert doc["verdict"] == "blocked"


def test_many_articles(schema, oracle_report, corrected_report):
    arr = json.loads(render_json([oracle_report, corrected_report], single=False))
    assert [d["verdict"] for d in arr] == ["blocked", "pass"]
    lines = render_jsonl([oracle_report, corrected_report]).splitlines()
    assert len(lines) == 2
    for line in lines:
        jsonschema.validate(json.loads(line), schema)


def test_counts_match_findings():
    r = check_text("Title\n\nFrom the Guidelines\n\nPlantar dorsiflexion is served by L5.\n")
    doc = report_dict(r)
    assert doc["counts"] == {"blocker": 1, "warning": 0, "info": 0}
