"""seed-acceptance.md findings 4 (reference table) and 5 (citations), and the corrected seed staying clean."""

from tests.conftest import check_text


def by_rule(report, rule):
    return [f for f in report.findings if f.rule == rule]


def test_finding_4_reference_conflicts(oracle_report):
    found = by_rule(oracle_report, "reference.contradicts-table")
    assert all(f.severity == "warning" for f in found)
    claims = {f.message.split(" ")[0] + " " + f.message.split(" → ")[1].split(" ")[0]
              + "_" + f.message.split(" → ")[1].split(" ")[1] for f in found}
    assert claims == {"L5 ankle_plantarflexion", "S1 foot_inversion", "L3 ankle_dorsiflexion"}
    for f in found:
        assert "reference table" in f.message and "O'Brien" in f.message  # names the reference and a source
        assert f.evidence and f.assertions
    inversion = next(f for f in found if f.message.startswith("S1"))
    assert "L4, L5" in inversion.message


def test_finding_5_citations(oracle_report):
    text = oracle_report.article.text
    repeated = by_rule(oracle_report, "citations.repeated-marker")
    assert len(repeated) == 2 and all(text[f.evidence[0].start:f.evidence[0].end] == "1 and 1" for f in repeated)
    (missing,) = by_rule(oracle_report, "citations.missing-reference")
    assert "source 4 (3 times)" in missing.message and "only 3 entries" in missing.message
    assert [text[e.start:e.end] for e in missing.evidence] == ["4", "4", "4"]
    (shifted,) = by_rule(oracle_report, "citations.shifted-numbering")
    assert "citing 3 and 4" in shifted.message and "references 2 and 3" in shifted.message
    assert not by_rule(oracle_report, "citations.uncited-reference")


def test_disputed_variant_beside_standard_root_is_info():
    r = check_text("Title\n\nFoot inversion is served by L4, L5 and S1.\n")
    assert [f.severity for f in by_rule(r, "reference.disputed-root")] == ["info"]
    assert not by_rule(r, "reference.contradicts-table")


def test_hedged_claims_are_not_checked_against_the_table():
    r = check_text("Title\n\nThe L2 root may contribute to ankle dorsiflexion.\n")
    assert not by_rule(r, "reference.contradicts-table")


def test_far_lateral_exiting_root_is_accepted():
    r = check_text("Title\n\nA far-lateral L4-L5 herniation compresses the exiting L4 root and weakens the "
                   "quadriceps.\n")
    assert not by_rule(r, "consistency.disc-level-root") and not by_rule(r, "consistency.disc-level-exiting")
