"""Rules: the seed findings 1–3, a golden trigger/pass pair for every rule, and pack validation."""

import pytest

from extractors.errors import DataFileError
from rules.engine import all_rules, ruleset_version
from rules.packs import load_pack
from rules.reference import load_reference, reference_from_dict
from tests.conftest import check_text


def by_rule(report, rule):
    return [f for f in report.findings if f.rule == rule]


# --- seed-acceptance.md findings 1–3 ----------------------------------------------------------------------


def test_oracle_is_blocked(oracle_report):
    assert oracle_report.verdict == "blocked"


def test_finding_1_every_plantar_dorsiflexion_located(oracle_report):
    found = by_rule(oracle_report, "terminology.contradictory-direction")
    assert len(found) == 6
    text = oracle_report.article.text
    for f in found:
        assert f.severity == "blocker"
        assert f.suggestion == "dorsiflexion"
        (ev,) = f.evidence
        assert text[ev.start:ev.end].lower() == "plantar dorsiflexion"
        assert ev.text == text[ev.start:ev.end]
    sections = [f.evidence[0].section for f in found]
    assert sections.count("From the Guidelines") == 3 and sections.count("From the Research") == 3


def test_finding_2_conflicting_roots_across_sections(oracle_report):
    (f,) = by_rule(oracle_report, "consistency.conflicting-roots")
    assert f.severity == "blocker"
    assert "ankle dorsiflexion" in f.message and "L5" in f.message and "L3, L4" in f.message
    assert "title question" in f.message
    assert {e.section for e in f.evidence} == {"From the Guidelines", "From the Research"}
    ids = {a.id: a for a in oracle_report.assertions}
    assert {(ids[i].section, ids[i].root) for i in f.assertions} >= {
        ("From the Guidelines", "L5"), ("From the Research", "L3"), ("From the Research", "L4")}


def test_finding_3_antagonistic_main_root(oracle_report):
    (f,) = by_rule(oracle_report, "consistency.antagonist-root")
    assert f.severity == "blocker"
    assert f.message.startswith("L5 ")
    assert "ankle dorsiflexion" in f.message and "ankle plantarflexion" in f.message
    assert {e.section for e in f.evidence} == {"From the Guidelines", "From the Research"}


def test_no_finding_from_negated_claims_or_disc_levels(oracle_report):
    text = oracle_report.article.text
    levels = text.index("L4/L5 and L5/S1 levels")
    levels_end = levels + len("L4/L5 and L5/S1 levels")
    ids = {a.id: a for a in oracle_report.assertions}
    for f in oracle_report.findings:
        if f.rule == "claims.check-claim":  # a note on claims below the gate, whatever their polarity
            continue
        for aid in f.assertions:
            a = ids[aid]
            assert a.polarity == "affirmed", (f.rule, a)
            assert not levels <= a.root_start < levels_end, (f.rule, a)


def test_corrected_seed_passes_clean(corrected_report):
    assert corrected_report.verdict == "pass"
    assert [f for f in corrected_report.findings if f.severity in ("blocker", "warning")] == []


# --- golden pair per rule ----------------------------------------------------------------------------------


def as_article(example: str) -> str:
    """A one-paragraph example gets a title line; longer examples are whole articles."""
    return example if "\n\n" in example else "Title\n\n" + example



@pytest.mark.parametrize("rule", [r for r in all_rules()], ids=lambda r: r.id)
def test_every_rule_triggers_on_its_example_and_not_on_its_counterexample(rule):
    assert rule.example_trigger and rule.example_pass, f"{rule.id} has no examples"
    assert rule.explanation and rule.summary
    hit = check_text(as_article(rule.example_trigger))
    assert by_rule(hit, rule.id), f"{rule.id} did not fire on its example"
    miss = check_text(as_article(rule.example_pass))
    assert not by_rule(miss, rule.id), f"{rule.id} fired on its counterexample"


def test_conflicting_roots_ignores_overlap():
    r = check_text("Title\n\nFrom the Guidelines\n\nDorsiflexion is controlled by the L4 and L5 roots.\n\n"
                   "From the Research\n\nDorsiflexion is controlled by the L5 root.\n")
    assert not by_rule(r, "consistency.conflicting-roots")


def test_antagonist_needs_primacy_on_both_claims():
    r = check_text("Title\n\nFrom the Guidelines\n\nL5 is primarily responsible for dorsiflexion. "
                   "L5 also contributes to plantar flexion.\n")
    assert not by_rule(r, "consistency.antagonist-root")


def test_terminology_suggestion_follows_the_title():
    r = check_text("Which root controls plantar flexion?\n\nFrom the Guidelines\n\n"
                   "Plantar dorsiflexion is served by S1.\n")
    (f,) = by_rule(r, "terminology.contradictory-direction")
    assert f.suggestion == "plantarflexion"


# --- packs and reference data are validated --------------------------------------------------------------


def test_pack_unknown_key():
    with pytest.raises(DataFileError, match=r"house\.yaml:5: unknown key.*'levle'"):
        load_pack("pack: house\nrules:\n  x:\n    type: existence\n    levle: blocker\n", "house.yaml")


def test_pack_bad_regex_names_the_pattern():
    yml = "pack: house\nrules:\n  x:\n    type: existence\n    level: warning\n    message: m\n    tokens: ['(']\n"
    with pytest.raises(DataFileError, match=r"invalid pattern '\('"):
        load_pack(yml, "house.yaml")


def test_pack_missing_message():
    with pytest.raises(DataFileError, match="'message' is missing"):
        load_pack("pack: house\nrules:\n  x:\n    type: existence\n    level: info\n    tokens: [a]\n", "h.yaml")


def test_pack_yaml_syntax_error_names_the_line():
    with pytest.raises(DataFileError, match=r"h\.yaml:\d+: invalid data file"):
        load_pack("pack: house\nrules:\n  x: [unclosed\n", "h.yaml")


def test_reference_table_rejects_bad_roots():
    with pytest.raises(DataFileError, match="invalid root"):
        reference_from_dict({"sources": {}, "targets": {"hip_flexion": {"primary": "L9", "standard": ["L2"]}}},
                            "ref.json")


def test_reference_table_has_every_antagonist_pair_and_sources():
    ref = load_reference()
    assert ("ankle_dorsiflexion", "ankle_plantarflexion") in ref.antagonists
    assert ref.entries["ankle_dorsiflexion"].standard == ("L4", "L5")
    assert all(e.sources for e in ref.entries.values())


def test_ruleset_version_is_stable():
    assert ruleset_version() == ruleset_version()
    assert ruleset_version().startswith("0.1.0+")
