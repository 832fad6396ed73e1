"""The human-readable report."""

from reports.text import render_report, render_text


def test_oracle_text_report(oracle_report):
    out = render_report(oracle_report)
    first = out.splitlines()[0]
    counts = {s: sum(1 for f in oracle_report.findings if f.severity == s) for s in ("blocker", "warning", "info")}
    assert counts["blocker"] == 8
    assert first.endswith(f"dorsiflexion-dr-oracle.txt  BLOCKED  (8 blockers, {counts['warning']} warnings, "
                          f"{counts['info']} info · {len(oracle_report.assertions)} assertions)")
    assert "terminology.contradictory-direction  (6 occurrences)" in out
    assert "»plantar dorsiflexion«" in out and "»Plantar Dorsiflexion«" in out
    assert "From the Research, line 29:28" in out
    assert "consistency.conflicting-roots" in out and "consistency.antagonist-root" in out
    assert "suggestion: dorsiflexion" in out
    assert "\033[" not in out


def test_colour_only_when_asked(oracle_report):
    assert "\033[1;31mBLOCKED" in render_report(oracle_report, color=True)


def test_summary_line_for_many(oracle_report, corrected_report):
    out = render_text([oracle_report, corrected_report])
    assert out.rstrip().endswith("2 articles: 1 blocked, 1 passed.")
    assert "dorsiflexion-corrected.txt  PASS" in out
