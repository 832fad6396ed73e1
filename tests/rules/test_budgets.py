"""Rule packs fail closed: a rule out of time keeps its level, patterns are bounded on load, and all
pack rules share one budget per article; an in-text directive on a blocker can be made a request."""

import subprocess
import sys
import textwrap
import time

import pytest

from extractors.errors import DataFileError
from extractors.ingest import parse
from flows.check import check_article
from rules.packs import MAX_NESTED_REPEAT, load_pack, repeat_size
from tests.conftest import ROOT


def write(tmp_path, body):
    cfg = tmp_path / "artgate.toml"
    cfg.write_text(body)
    return str(cfg)


def pack(name, level, tokens, n=1):
    rules = "".join(f"  r{i}:\n    type: existence\n    level: {level}\n    message: \"'{{match}}'\"\n"
                    f"    tokens: [{', '.join(repr(t) for t in tokens)}]\n" for i in range(n))
    return f"pack: {name}\nrules:\n{rules}"


ARTICLE = "Title\n\nFrom the Guidelines\n\n" + "a" * 40 + "!\n\nThe L5 root supplies great toe extension.\n"


def test_a_blocker_rule_that_runs_out_of_time_blocks(tmp_path):
    (tmp_path / "slow.yaml").write_text(pack("slow", "blocker", ["(a|aa)+$"]))
    cfg = write(tmp_path, 'packs = ["slow.yaml"]\npattern_timeout_s = 0.01\n')
    report = check_article(parse(ARTICLE, "a.txt"), cfg)
    (timeout,) = [f for f in report.findings if f.rule == "rules.pattern-timeout"]
    assert timeout.severity == "blocker" and "slow.r0" in timeout.message
    assert report.verdict == "blocked"


def test_a_timeout_keeps_the_configured_level_and_configuration_cannot_lower_it(tmp_path):
    (tmp_path / "slow.yaml").write_text(pack("slow", "info", ["(a|aa)+$"]))
    cfg = write(tmp_path, 'packs = ["slow.yaml"]\npattern_timeout_s = 0.01\n'
                          '[severity]\n"slow.r0" = "blocker"\n"rules.pattern-timeout" = "info"\n')
    report = check_article(parse(ARTICLE, "a.txt"), cfg)
    (timeout,) = [f for f in report.findings if f.rule == "rules.pattern-timeout"]
    assert timeout.severity == "blocker"


def test_the_contradictory_term_still_blocks_when_its_rule_runs_out_of_time(tmp_path):
    """The reproduction: a long article ending in 'plantar dorsiflexion' under a tiny budget."""
    cfg = write(tmp_path, "pattern_timeout_s = 0.000001\n")
    text = "Title\n\n" + "The L5 root supplies great toe extension. " * 2000 + "\n\nIt is plantar dorsiflexion.\n"
    report = check_article(parse(text, "a.txt"), cfg)
    assert report.verdict == "blocked"


@pytest.mark.parametrize("token", ["(?:a{200}){200}", "x{1001}"])
def test_patterns_that_compile_to_gigabytes_are_refused_on_load_in_one_line(token):
    with pytest.raises(DataFileError) as exc:
        load_pack(pack("evil", "blocker", [token]), "evil.yaml")
    message = str(exc.value)
    assert "\n" not in message and message.startswith("evil.yaml:")
    assert "evil.r0" in message and f"{MAX_NESTED_REPEAT:,}" in message


@pytest.mark.parametrize("token", ["a{4294967294}", "(?:(?:a{1000}){1000}){20}"])
def test_the_huge_repeats_are_refused_without_compiling_them(token):
    """Before the bound, the first grew to 19 GB and the second ended in a MemoryError traceback: in a child
    process under a 2 GB address-space limit, each must be one line naming the pack, the rule and the limit."""
    script = textwrap.dedent(f"""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
        from rules.packs import load_pack
        from extractors.errors import DataFileError
        try:
            load_pack("pack: evil\\nrules:\\n  big:\\n    type: existence\\n    level: blocker\\n"
                      "    message: m\\n    tokens: ['{token}']\\n", "evil.yaml")
        except DataFileError as exc:
            print(exc)
    """)
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-1000:]
    (line,) = proc.stdout.splitlines()
    assert line.startswith("evil.yaml:") and "evil.big" in line and f"{MAX_NESTED_REPEAT:,}" in line


@pytest.mark.parametrize(("pattern", "size"), [
    ("a{3}", 3), ("(?:ab){5}{5}", 25), (r"\{99999}", 1), ("[{]{5}", 5), ("L[1-5]{1,2}", 2),
    ("(a{100}b{100}){100}", 10_000), ("(a{10})(b{20}){30}", 600),
])
def test_repeat_size(pattern, size):
    assert repeat_size(pattern)[1] == size


def test_the_shipped_packs_are_within_the_bounds():
    from rules.packs import load_default_packs

    assert load_default_packs()


def test_all_pack_rules_together_share_one_budget_per_article(tmp_path):
    """Sixty slow rules of 1 s each stop at the packs' common budget, not after a minute."""
    (tmp_path / "slow.yaml").write_text(pack("slow", "warning", ["(a|aa)+$"], n=60))
    cfg = write(tmp_path, 'packs = ["slow.yaml"]\npattern_timeout_s = 1.0\npacks_timeout_s = 0.5\n')
    article = parse(ARTICLE, "a.txt")
    check_article(parse("L5 supplies ankle dorsiflexion.", "warm"), cfg)
    t = time.process_time()
    report = check_article(article, cfg)
    assert time.process_time() - t < 20  # sixty rules at 1 s each were a minute of CPU
    timeouts = [f for f in report.findings if f.rule == "rules.pattern-timeout"]
    assert len(timeouts) == 60
    assert any("all pack rules together" in f.message for f in timeouts)


BLOCKED = ("Ankle\n\n<!-- artgate-disable terminology.contradictory-direction: quoting the source's title -->\n"
           "The study was titled \"Plantar dorsiflexion after L5 decompression\".\n")


def test_an_in_text_directive_silences_a_blocker_by_default_in_the_cli():
    report = check_article(parse(BLOCKED, "a.md", "markdown"))
    (f,) = [f for f in report.findings if f.rule == "terminology.contradictory-direction"]
    assert f.suppressed and report.verdict == "pass"


def test_configured_so_an_in_text_directive_on_a_blocker_is_only_a_request(tmp_path):
    cfg = write(tmp_path, "suppress_blockers_in_text = false\n")
    report = check_article(parse(BLOCKED, "a.md", "markdown"), cfg)
    (f,) = [f for f in report.findings if f.rule == "terminology.contradictory-direction"]
    assert not f.suppressed and f.suppression_reason == "quoting the source's title"
    assert "a reviewer must accept it" in f.message
    assert report.verdict == "blocked"


@pytest.mark.parametrize(("body", "reason"), [
    ("packs_timeout_s = 0\n", "packs_timeout_s must be in (0, 600]"),
    ('suppress_blockers_in_text = "no"\n', "suppress_blockers_in_text must be true or false"),
])
def test_the_new_settings_are_checked(tmp_path, body, reason):
    from rules.config import load_config

    with pytest.raises(DataFileError, match=reason.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")
                       .replace("]", r"\]")):
        load_config(write(tmp_path, body))
