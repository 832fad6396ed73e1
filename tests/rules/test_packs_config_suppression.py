"""Rule packs from users, configuration, inline suppression, and bounded pattern time."""

import subprocess
import sys
import textwrap

import pytest

from extractors.errors import DataFileError
from extractors.ingest import parse
from flows.check import check_article
from rules.config import load_config
from rules.packs import load_pack
from tests.conftest import ROOT

PACK = textwrap.dedent("""\
    pack: house
    rules:
      no-jerk:
        type: substitution
        level: warning
        message: "write '{suggestion}' instead of '{match}'"
        explanation: House style names reflexes formally.
        swap:
          'knee jerk': 'patellar reflex'
""")

ARTICLE = "Title\n\nFrom the Guidelines\n\nThe knee jerk is mediated by L4.\n"


def write_config(tmp_path, body: str, pack: str = PACK):
    (tmp_path / "house.yaml").write_text(pack)
    cfg = tmp_path / "artgate.toml"
    cfg.write_text(textwrap.dedent(body))
    return str(cfg)


def rules_of(report):
    return [(f.rule, f.severity, f.suppressed) for f in report.findings]


def test_config_adds_a_pack_and_overrides_severity(tmp_path):
    cfg = write_config(tmp_path, """\
        packs = ["house.yaml"]
        [severity]
        "house.no-jerk" = "blocker"
    """)
    report = check_article(parse(ARTICLE, "a.txt"), cfg)
    assert ("house.no-jerk", "blocker", False) in rules_of(report)
    assert report.verdict == "blocked"


def test_config_disables_a_rule(tmp_path):
    cfg = write_config(tmp_path, 'packs = ["house.yaml"]\ndisable = ["house.no-jerk"]\n')
    assert not [r for r in rules_of(check_article(parse(ARTICLE, "a.txt"), cfg)) if r[0] == "house.no-jerk"]


def test_config_swaps_the_reference_table(tmp_path):
    import json

    from rules.reference import load_reference

    data = json.loads((ROOT / "rules" / "data" / "myotomes.json").read_text())
    data["version"] = "board-1"
    data["targets"]["patellar_reflex"] = {"primary": {"L3": ["obrien"]},
                                          "standard": {"L2": ["obrien"], "L3": ["obrien"]}, "variants": {}}
    (tmp_path / "board.json").write_text(json.dumps(data))
    cfg = write_config(tmp_path, 'reference = "board.json"\n')
    report = check_article(parse(ARTICLE, "a.txt"), cfg)
    (f,) = [f for f in report.findings if f.rule == "reference.contradicts-table"]
    assert "board-1" in f.message and "L4 → patellar reflex" in f.message
    assert load_reference().version != "board-1"  # the shipped table is untouched


def test_config_unknown_key_names_the_file(tmp_path):
    cfg = tmp_path / "artgate.toml"
    cfg.write_text("severities = {}\n")
    with pytest.raises(DataFileError, match=r"artgate\.toml.*unknown key.*severities"):
        load_config(cfg)


def test_pyproject_tool_section(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.artgate]\ndisable = ["citations.uncited-reference"]\n')
    assert load_config(tmp_path / "pyproject.toml").disable == ("citations.uncited-reference",)


def test_ruleset_version_follows_the_config(tmp_path):
    from rules.engine import load_ruleset

    cfg = write_config(tmp_path, 'packs = ["house.yaml"]\n')
    assert load_ruleset(cfg).version != load_ruleset(None).version


@pytest.mark.parametrize(("text", "fmt"), [
    ("Title\n\nFrom the Guidelines\n\n[artgate-disable terminology.contradictory-direction: quoting a source]\n"
     "Plantar dorsiflexion is served by L5.\n\nPlantar dorsiflexion again, L5.\n", "text"),
    ("# Title\n\n## From the Guidelines\n\n<!-- artgate-disable terminology.contradictory-direction: "
     "quoting a source -->\nPlantar dorsiflexion is served by L5.\n\nPlantar dorsiflexion again, L5.\n", "markdown"),
    ("<h1>Title</h1><h2>From the Guidelines</h2><!-- artgate-disable terminology.contradictory-direction: "
     "quoting a source --><p>Plantar dorsiflexion is served by L5.</p><p>Plantar dorsiflexion again, L5.</p>", "html"),
])
def test_suppression_silences_one_rule_for_one_paragraph(text, fmt):
    report = check_article(parse(text, "a." + fmt, fmt))
    found = [f for f in report.findings if f.rule == "terminology.contradictory-direction"]
    assert [f.suppressed for f in found] == [True, False]
    assert found[0].suppression_reason == "quoting a source"
    assert report.verdict == "blocked"  # the second paragraph is not covered


def test_suppressed_findings_do_not_block():
    report = check_article(parse("Title\n\nFrom the Guidelines\n\n[artgate-disable terminology.contradictory-"
                                 "direction: the source's own words]\nPlantar dorsiflexion is served by L5.\n",
                                 "a.txt"))
    assert report.verdict == "pass"
    assert any(f.suppressed for f in report.findings)


def test_suppression_without_reason_is_reported_and_ignored():
    report = check_article(parse("Title\n\nFrom the Guidelines\n\n[artgate-disable terminology.contradictory-"
                                 "direction]\nPlantar dorsiflexion is served by L5.\n", "a.txt"))
    assert "suppression.missing-reason" in [f.rule for f in report.findings]
    assert report.verdict == "blocked"


def test_suppression_of_unknown_rule_is_reported():
    report = check_article(parse("Title\n\nFrom the Guidelines\n\n[artgate-disable no.such-rule: because]\n"
                                 "L5 serves great toe extension.\n", "a.txt"))
    assert "suppression.unknown-rule" in [f.rule for f in report.findings]


def test_pack_rule_types_validate():
    with pytest.raises(DataFileError, match=r"p\.yaml:7.*'either' names exactly two"):
        load_pack("pack: p\nrules:\n  x:\n    type: consistency\n    level: info\n    message: m\n"
                  "    either: {a: 'a'}\n", "p.yaml")
    with pytest.raises(DataFileError, match=r"'type' must be one of"):
        load_pack("pack: p\nrules:\n  x:\n    type: occurrence\n    level: info\n    message: m\n", "p.yaml")


def test_catastrophic_pattern_on_a_1mb_article_ends_with_a_finding(tmp_path):
    """A user pattern that backtracks without end must not hang the checker."""
    (tmp_path / "slow.yaml").write_text(textwrap.dedent("""\
        pack: slow
        rules:
          nested:
            type: existence
            level: warning
            message: "'{match}'"
            tokens: ['(a+)+$']
    """))
    (tmp_path / "artgate.toml").write_text('packs = ["slow.yaml"]\npattern_timeout_s = 0.5\n')
    article = tmp_path / "big.txt"
    article.write_text("Title\n\nFrom the Guidelines\n\n" + ("a" * 60 + "!\n\n") * 16_000
                       + "The L5 root supplies great toe extension.\n")
    assert article.stat().st_size > 1_000_000
    res = subprocess.run([sys.executable, "-m", "flows.cli", "check", str(article), "--format", "json",
                          "--config", str(tmp_path / "artgate.toml"), "--max-bytes", "2000000"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode in (0, 1), res.stderr[-2000:]
    import json

    doc = json.loads(res.stdout)
    timeouts = [f for f in doc["findings"] if f["rule"] == "rules.pattern-timeout"]
    assert len(timeouts) == 1 and "slow.nested" in timeouts[0]["message"]
    assert any(a["target"] == "great_toe_extension" for a in doc["assertions"])  # the rest was still checked
