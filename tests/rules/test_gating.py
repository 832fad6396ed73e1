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
