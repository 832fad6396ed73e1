"""The verdict rules beyond their goldens: qualified terms in packs, gating, disc levels, denials."""

import time
from dataclasses import replace

import pytest

from extractors.errors import DataFileError
from extractors.ingest import parse
from extractors.relations import LevelClaim, analyze
from rules.engine import load_ruleset
from rules.packs import load_pack
from tests.conftest import check_text


def by_rule(report, rule):
    return [f for f in report.findings if f.rule == rule]


def run(text: str, threshold: float = 0.5, confidence: dict | None = None, level_claims=None):
    """Check ``text`` with every claim's confidence from ``confidence`` (by polarity), under ``threshold``."""
    article = parse(text, "passage.txt")
    extraction = analyze(article)
    scale = confidence or {}
    extraction.assertions[:] = [replace(a, confidence=scale.get(a.polarity, 1.0)) for a in extraction.assertions]
    if level_claims is not None:
        extraction.level_claims[:] = level_claims
    ruleset = load_ruleset()
    ruleset = replace(ruleset, config=replace(ruleset.config, gate_threshold=threshold))
    return ruleset.check(article, extraction)


# --- ambiguous directions: the page may say which way -----------------------------------------------------


@pytest.mark.parametrize("text, flagged", [
    ("L5 controls toe extension and ankle flexion.", ["ankle flexion"]),
    ("Flexion of the foot is weak in S1 lesions.", ["Flexion of the foot"]),
    ("The flexors of the ankle are supplied by S1.", ["flexors of the ankle"]),
    ("Extension of the ankle is weak in L5 lesions.", ["Extension of the ankle"]),
    ("Ankle flexion (dorsiflexion) is L4; ankle flexion is tested seated.", []),
    ("Plantarflexion, or ankle extension, is S1.", []),
    ("Ankle flexion and extension are tested against resistance.", []),
    ("Plantar flexion of the foot is served by S1.", []),
    ("Dorsiflexion of the foot is served by L4 and L5.", []),
])
def test_ambiguous_direction_is_reported_only_where_the_page_does_not_say_which_way(text, flagged):
    r = check_text("Title\n\n" + text + "\n\nAnother paragraph.\n")
    assert [f.evidence[0].text for f in by_rule(r, "terminology.ambiguous-direction")] == flagged


def test_a_qualified_by_pack_rule_is_validated_and_bounded():
    base = "pack: house\nrules:\n  x:\n    type: substitution\n    level: warning\n    message: '{match}'\n" \
           "    swap: {'foot flexion': 'say which'}\n"
    with pytest.raises(DataFileError, match=r"house\.yaml:\d+: .*'qualified_by' has \['after', 'before'\]"):
        load_pack(base + "    qualified_by: {around: x}\n", "house.yaml")
    with pytest.raises(DataFileError, match=r"invalid pattern"):
        load_pack(base + "    qualified_by: {after: '('}\n", "house.yaml")
    with pytest.raises(DataFileError, match=r"non-empty string"):
        load_pack(base + "    qualified_by: {after: 3}\n", "house.yaml")
    (rule,) = load_pack(base + "    qualified_by: {after: '\\s*\\(pointing'}\n", "house.yaml")
    assert rule.id == "house.x"


def test_a_catastrophic_qualifier_ends_in_a_timeout_not_a_hang(tmp_path):
    (tmp_path / "house.yaml").write_text(
        "pack: house\nrules:\n  x:\n    type: existence\n    level: warning\n    message: '{match}'\n"
        "    tokens: ['foot flexion']\n    qualified_by: {after: '\\s(a|aa)+$'}\n")
    (tmp_path / "artgate.toml").write_text('packs = ["house.yaml"]\npattern_timeout_s = 0.2\n')
    from flows.check import check_article

    t = time.perf_counter()
    report = check_article(parse("Title\n\nfoot flexion " + "a" * 60 + "b\n", "p.txt"), str(tmp_path / "artgate.toml"))
    assert time.perf_counter() - t < 30
    assert [f.rule for f in report.findings if f.rule.startswith(("house.", "rules."))] == ["rules.pattern-timeout"]


# --- disc levels said as the usual pattern -------------------------------------------------------------------


def _level(text: str, level: str, root: str, frequency: str) -> LevelClaim:
    start = text.index(level[:2])
    start = text.rfind("\n", 0, start) + 1
    end = text.find("\n", start)
    return LevelClaim(level, root, start, end, False, frequency)


@pytest.mark.parametrize("level, root, frequency, rule", [
    ("L5-S1", "L5", "typically", "consistency.disc-level-usual"),
    ("L5-S1", "L5", "", "consistency.disc-level-exiting"),
    ("L5-S1", "S1", "typically", None),
    ("L4-L5", "S1", "most commonly", "consistency.disc-level-usual"),
    ("L4-L5", "S1", "", "consistency.disc-level-root"),
    ("C5-C6", "C6", "classically", None),
    ("C5-C6", "C5", "usually", "consistency.disc-level-usual"),
    ("C5-C6", "C7", "usually", "consistency.disc-level-usual"),
    ("C5-C6", "C7", "", "consistency.disc-level-root"),
    ("C7-T1", "C8", "typically", None),
])
def test_each_disc_level_claim_gets_one_finding_by_its_pattern(level, root, frequency, rule):
    text = f"Discs\n\nA herniation at {level} {frequency or 'sometimes'} compresses the {root} root.\n"
    r = run(text, level_claims=[_level(text, level, root, frequency)])
    got = [f.rule for f in r.findings if f.rule.startswith("consistency.disc-level")]
    assert got == ([rule] if rule else [])


def test_exiting_is_not_far_lateral_wording():
    text = "Discs\n\nAn L5-S1 disc typically compresses the exiting L5 root.\n"
    claim = replace(_level(text, "L5-S1", "L5", "typically"), far_lateral=True)  # extraction counts 'exiting'
    assert [f.rule for f in run(text, level_claims=[claim]).findings] == ["consistency.disc-level-usual"]
    text = "Discs\n\nA foraminal L5-S1 herniation typically compresses the exiting L5 root.\n"
    claim = replace(_level(text, "L5-S1", "L5", "typically"), far_lateral=True)
    assert not run(text, level_claims=[claim]).findings


def test_the_cervical_explanation_gets_the_numbering_right():
    from rules.engine import all_rules

    (rule,) = [r for r in all_rules() if r.id == "consistency.disc-level-usual"]
    assert "C5-C6 herniation, posterolateral or foraminal, usually compresses C6" in rule.explanation
    assert "at L4-L5 the exiting root is L4" in rule.explanation


# --- a page that denies its own claim ------------------------------------------------------------------------

DENIAL = ("Which finding fits L4 compression?\n\nCompression of the L4 root weakens ankle dorsiflexion.\n\n"
          "Option C (weak ankle dorsiflexion) is not typical of an L4 lesion.\n")


def test_a_denial_below_the_gate_threshold_raises_nothing():
    assert by_rule(run(DENIAL), "consistency.denied-claim")
    assert not by_rule(run(DENIAL, confidence={"negated": 0.2}), "consistency.denied-claim")
    assert not by_rule(run(DENIAL, confidence={"affirmed": 0.2}), "consistency.denied-claim")


def test_a_denial_through_a_disc_level_is_gated_too():
    text = ("Foot drop\n\nThe L5 root controls ankle dorsiflexion. An L5-S1 disc herniation typically compresses "
            "the L5 root.\n\nWeak dorsiflexion is not expected with an L5-S1 herniation.\n")
    (f,) = by_rule(run(text), "consistency.denied-claim")
    assert "the page maps the L5-S1 level to L5" in f.message
    assert [e.text for e in f.evidence][1] == "Weak dorsiflexion is not expected with an L5-S1 herniation."
    assert not by_rule(run(text, threshold=1.01, confidence={"affirmed": 1.02}), "consistency.denied-claim")


def test_a_level_the_page_maps_elsewhere_denies_nothing_about_this_root():
    text = ("Foot drop\n\nThe L5 root controls ankle dorsiflexion.\n\nAn L5-S1 herniation compresses the S1 root.\n\n"
            "Weak dorsiflexion is not expected with an L5-S1 herniation.\n")
    assert not by_rule(run(text), "consistency.denied-claim")


def test_a_denial_in_the_same_sentence_or_of_primacy_only_is_not_a_contradiction():
    same = "Hip\n\nHip adduction is served by L2, not by L2 alone but with L3.\n"
    assert not by_rule(run(same), "consistency.denied-claim")
    primacy = ("Hip\n\nHip adduction is served by the L2 and L3 roots.\n\n"
               "Hip adduction is not the dominant function of the L2 root.\n")
    assert not by_rule(run(primacy), "consistency.denied-claim")
    main = "Hip\n\nHip adduction is primarily served by the L2 root.\n\nHip adduction is not primarily served by L2.\n"
    assert by_rule(run(main), "consistency.denied-claim")
