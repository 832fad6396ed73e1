"""Confidence gates the verdicts: a claim below the threshold is shown, never the ground of a warning."""

from dataclasses import replace

from extractors.ingest import parse
from extractors.relations import analyze
from rules.config import Config
from rules.engine import load_ruleset

PASSAGE = ("Which root serves ankle dorsiflexion?\n\n"
           "## Guidelines\n\nAnkle dorsiflexion is controlled by the L4 root.\n\n"
           "## Research\n\nAnkle dorsiflexion is controlled by the S1 root.\n")


def _report(threshold: float | None, scale: dict[str, float]):
    article = parse(PASSAGE, "gating.md", "markdown")
    extraction = analyze(article)
    extraction.assertions[:] = [replace(a, confidence=scale.get(a.root, 1.0)) for a in extraction.assertions]
    ruleset = load_ruleset()
    ruleset = replace(ruleset, config=replace(ruleset.config, gate_threshold=threshold))
    return ruleset.check(article, extraction)


def test_confident_claims_conflict():
    report = _report(0.5, {})
    assert any(f.rule == "consistency.conflicting-roots" for f in report.findings)
    assert not [f for f in report.findings if f.rule == "claims.check-claim"]


def test_an_unsure_claim_raises_nothing_and_is_shown_for_checking():
    report = _report(0.5, {"S1": 0.3})
    rules = {f.rule for f in report.findings}
    assert "consistency.conflicting-roots" not in rules
    assert not any(f.rule.startswith("reference.") and "S1" in f.message for f in report.findings)
    (note,) = [f for f in report.findings if f.rule == "claims.check-claim"]
    assert note.severity == "info" and "S1" in note.message and "0.30" in note.message
    assert note.evidence[0].text == "Ankle dorsiflexion is controlled by the S1 root."
    assert report.assertions and {a.root for a in report.assertions} == {"L4", "S1"}  # still reported


def test_the_threshold_is_configurable(tmp_path):
    from rules.config import load_config

    (tmp_path / "artgate.toml").write_text("gate_threshold = 0.25\n")
    assert load_config(tmp_path / "artgate.toml").gate_threshold == 0.25
    assert Config().gate_threshold is None


def test_a_claim_below_the_gate_can_prevent_a_finding_about_what_is_missing():
    """'The sections answer differently' must hold whatever the unsure claims are: an unsure L4 in the
    Guidelines may be the very root the Research section gives, so no conflict is raised on it."""
    passage = ("Which root serves ankle dorsiflexion?\n\n## Guidelines\n\n"
               "Ankle dorsiflexion is served by L4 and L5.\n\n"
               "## Research\n\nAnkle dorsiflexion is served by the L4 and L5 roots.\n")
    article = parse(passage, "gating.md", "markdown")
    extraction = analyze(article)
    guideline_l4 = next(a for a in extraction.assertions if a.root == "L4" and a.section == "Guidelines")
    extraction.assertions[:] = [replace(a, confidence=0.3 if a is guideline_l4 else 1.0)
                                for a in extraction.assertions]
    ruleset = load_ruleset()
    ruleset = replace(ruleset, config=replace(ruleset.config, gate_threshold=0.5))
    rules = {f.rule for f in ruleset.check(article, extraction).findings}
    assert not rules & {"consistency.conflicting-roots", "consistency.title-answer"}, rules
    assert "claims.check-claim" in rules
