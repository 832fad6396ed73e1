"""The graded reference table: its data, its validation, and verdicts that name their sources."""

import json
from pathlib import Path

import pytest

from extractors.errors import DataFileError
from extractors.lexicon import load_lexicon
from rules.reference import load_reference, reference_from_dict
from tests.conftest import check_text

ROOT = Path(__file__).resolve().parents[2]
PUBLISHED = ("ISNCSCI key muscles", "O'Brien", "Fuller", "Magee", "Kendall", "Gray's Anatomy", "StatPearls")


def by_rule(report, rule):
    return [f for f in report.findings if f.rule == rule]


def flagged(report):
    return {f.rule for f in report.findings if f.severity in ("warning", "blocker")}


# --- the shipped table --------------------------------------------------------------------------------------


def test_every_target_of_the_vocabulary_has_a_graded_entry():
    ref = load_reference()
    assert set(ref.entries) == set(load_lexicon().kinds)
    for e in ref.entries.values():
        assert e.primaries and set(e.primaries) <= set(e.standard)
        for root in (*e.standard, *e.variants):
            assert e.sources_for(root), (e.target, root)
        assert e.main_sources(), e.target


def test_the_table_draws_on_six_or_more_published_references():
    used = {s for e in load_reference().entries.values() for r in (*e.standard, *e.variants)
            for s in e.sources_for(r)}
    for name in PUBLISHED:
        assert any(s.startswith(name) for s in used), name


def test_variants_carry_their_own_sources():
    ref = load_reference()
    hip = ref.entries["hip_flexion"]
    assert hip.variants == ("L4",)
    assert {s.split(",")[0] for s in hip.sources_for("L4")} == {"Kendall", "StatPearls (NCBI Bookshelf)"}
    toe = ref.entries["great_toe_extension"]
    assert toe.sources_for("S1") == ("Gray's Anatomy (Standring)",)


def test_segmental_muscle_charts_give_the_minor_roots_of_the_arms_extensors():
    """Charts of each muscle's segments give the finger and thumb extensors a C6 and the triceps a T1 part:
    a page that copies such a chart ("Extensor digitorum  C6 C7 C8") gets info naming them, not a warning."""
    ref = load_reference()
    for target, root in (("finger_extension", "C6"), ("thumb_extension", "C6"), ("elbow_extension", "T1")):
        assert root in ref.entries[target].variants
        assert any(s.startswith("Wheeless") for s in ref.entries[target].sources_for(root))
    r = check_text("Title\n\nExtensor digitorum: C6, C7, C8. It extends the fingers.\n")
    assert [f.severity for f in by_rule(r, "reference.disputed-root")] == ["info"]
    assert not flagged(r)


# --- the policy, on passages of our own ---------------------------------------------------------------------


def test_a_variant_root_is_info_naming_the_sources_that_give_it():
    r = check_text("Title\n\nThe iliacus, supplied by the femoral nerve, flexes the hip; hip flexion draws on "
                   "the L2, L3 and L4 roots.\n")
    (f,) = by_rule(r, "reference.disputed-root")
    assert f.severity == "info" and f.message.startswith("L4 → hip flexion is a variant")
    assert "Kendall" in f.message and "StatPearls" in f.message
    assert not flagged(r)


def test_l4_beside_l5_for_great_toe_extension_does_not_warn():
    r = check_text("Title\n\nWeak extension of the great toe points to the L4 and L5 roots.\n")
    assert [f.severity for f in by_rule(r, "reference.disputed-root")] == ["info"]
    assert not flagged(r)


def test_a_nerves_root_range_is_judged_root_by_root():
    r = check_text("Title\n\nThe deep peroneal nerve (L4, L5, S1) supplies the extensor hallucis longus, which "
                   "extends the great toe.\n")
    infos = {f.message.split(" ")[0]: f.message for f in by_rule(r, "reference.disputed-root")}
    assert set(infos) == {"L4", "S1"}
    assert "Gray's Anatomy" in infos["S1"]
    assert not flagged(r)


def test_a_root_no_source_gives_is_a_warning_naming_the_sources_consulted():
    r = check_text("Title\n\nAnkle jerk (L5/S1): tap the Achilles tendon.\n\nKnee jerk (L3/L4).\n")
    (f,) = by_rule(r, "reference.contradicts-table")
    assert f.severity == "warning" and f.message.startswith("L5 → Achilles reflex")
    assert "no source it consults gives L5" in f.message
    for name in ("Magee", "Fuller", "O'Brien", "StatPearls"):
        assert name in f.message
    assert f.evidence[0].text.startswith("Ankle jerk (L5/S1)")


def test_a_root_in_parentheses_after_a_movement_is_a_claim_but_a_trailing_minor_root_is_not():
    r = check_text("Title\n\nPlantar flexion (L5) is tested by heel raises.\n\nAnkle plantar flexion is served by "
                   "the S1, (S2) roots.\n")
    assert [f.message.split(" ")[0] for f in by_rule(r, "reference.contradicts-table")] == ["L5"]


def test_a_variant_called_the_main_root_is_a_warning():
    r = check_text("Title\n\nKnee flexion is mainly served by the L4 root.\n")
    (f,) = by_rule(r, "reference.variant-as-main")
    assert f.severity == "warning" and "ISNCSCI non-key" in f.message and "S1 or S2" in f.message


def test_a_standard_root_called_main_where_the_sources_name_another_is_info():
    r = check_text("Title\n\nAnkle dorsiflexion is mainly controlled by the L5 root.\n")
    (f,) = by_rule(r, "reference.main-root")
    assert f.severity == "info" and "L4" in f.message and "ISNCSCI" in f.message
    both = check_text("Title\n\nDorsiflexion is mainly controlled by the L4 and L5 roots.\n")
    assert not by_rule(both, "reference.main-root")  # the sentence names the main root among others


def test_opposing_movements_given_each_others_main_roots_are_swapped():
    r = check_text("Myotomes of the forearm\n\nC6 – wrist flexion\nC7 – wrist extension\nC8 – finger flexion\n")
    (f,) = by_rule(r, "reference.swapped-roots")
    assert f.severity == "warning"
    assert "wrist extension C7" in f.message and "wrist flexion C6" in f.message and "Magee" in f.message
    assert len(f.evidence) == 2
    ok = check_text("Myotomes of the forearm\n\nC6 – wrist extension\nC7 – wrist flexion\nC8 – finger flexion\n")
    assert not by_rule(ok, "reference.swapped-roots")


# --- validation on load --------------------------------------------------------------------------------------


def _shipped() -> dict:
    return json.loads((ROOT / "rules" / "data" / "myotomes.json").read_text())


@pytest.mark.parametrize("edit, message", [
    (lambda d: d["targets"].__setitem__("ankle_dorsiflexon", d["targets"].pop("ankle_dorsiflexion")),
     r"targets\.ankle_dorsiflexon: not a movement or reflex of the vocabulary"),
    (lambda d: d["targets"]["hip_flexion"]["variants"].__setitem__("L4", ["kendal"]),
     r"targets\.hip_flexion\.variants\.L4: unknown source\(s\) \['kendal'\]"),
    (lambda d: d["targets"]["hip_flexion"]["variants"].__setitem__("L4", []),
     r"targets\.hip_flexion\.variants\.L4: list the ids of the sources"),
    (lambda d: d["targets"]["hip_flexion"].__setitem__("primary", {"L4": ["kendall"]}),
     r"targets\.hip_flexion: primary root\(s\) \['L4'\] not in the standard set"),
    (lambda d: d["targets"]["hip_flexion"]["variants"].__setitem__("L2", ["kendall"]),
     r"targets\.hip_flexion: \['L2'\] both standard and variant"),
    (lambda d: d["targets"]["hip_flexion"].pop("primary"), r"targets\.hip_flexion: 'primary' is missing"),
    (lambda d: d["disc_levels"].__setitem__("L4/L5", "L5"), r"disc_levels\.L4/L5: a level such as 'L4-L5'"),
    (lambda d: d["sources"].__setitem__("gray", ""), r"sources \['gray'\]: each source id maps to the source's name"),
])
def test_a_bad_table_is_refused_with_the_entry_named(edit, message):
    data = _shipped()
    edit(data)
    with pytest.raises(DataFileError, match=r"board\.json: invalid data file \(" + message):
        reference_from_dict(data, "board.json")


def test_the_earlier_list_form_still_loads_with_the_entrys_sources():
    data = {"version": 3, "title": "board table", "sources": {"a": "Atlas of Roots"},
            "targets": {"ankle_dorsiflexion": {"primary": "L4", "standard": ["L4", "L5"], "variants": ["S1"],
                                               "sources": ["a"]}}}
    ref = reference_from_dict(data, "board.json")
    e = ref.entries["ankle_dorsiflexion"]
    assert (e.primary, e.standard, e.variants, ref.version) == ("L4", ("L4", "L5"), ("S1",), "3")
    assert e.sources_for("S1") == ("Atlas of Roots",) and e.sources == ("Atlas of Roots",)


def test_a_root_named_as_a_contribution_is_not_called_the_main_one():
    r = check_text("Title\n\nThe toe extensors are primarily innervated from L5, with some contribution from S1.\n")
    assert not by_rule(r, "reference.variant-as-main")
    assert [f.severity for f in by_rule(r, "reference.disputed-root")] == ["info"]
    (f,) = by_rule(check_text("Title\n\nHip flexion is primarily innervated by the femoral nerve (L2-L4 myotome).\n"),
                   "reference.variant-as-main")
    assert f.message.startswith("L4 is named among the main roots of hip flexion (L2, L3, L4)")
    assert "Kendall" in f.message and "StatPearls" in f.message
