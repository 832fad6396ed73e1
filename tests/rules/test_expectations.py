"""The Great Expectations suite over the assertions table."""

from dataclasses import replace

from rules.expectations import frame_for, validate_frame, with_expectations
from tests.conftest import ORACLE, run_cli


def test_seed_assertions_pass_the_suite(oracle_report, corrected_report):
    assert validate_frame(frame_for([oracle_report, corrected_report])) == []
    assert with_expectations(oracle_report) is oracle_report


def test_broken_rows_become_extraction_findings(oracle_report):
    rows = list(oracle_report.assertions)
    broken = [replace(rows[0], root="L9"), replace(rows[1], polarity="maybe"),
              replace(rows[2], end=len(oracle_report.article.text) + 50), rows[3], rows[3]]
    report = with_expectations(replace(oracle_report, assertions=tuple(broken)))
    rules = {f.rule for f in report.findings if f.rule.startswith("extraction.")}
    assert rules == {"extraction.valid-root", "extraction.polarity", "extraction.span-in-text",
                     "extraction.duplicate-assertion"}
    assert all(f.severity == "warning" for f in report.findings if f.rule.startswith("extraction."))


def test_check_validate_flag():
    res = run_cli("check", str(ORACLE), "--validate", "--format", "json")
    assert res.returncode == 1, res.stderr[-2000:]
    assert b'"extraction.' not in res.stdout
