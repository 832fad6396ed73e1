"""Hostile rule packs and configuration: bounded, plain data only, regular files only, one clear error."""

import os
import subprocess
import sys
import textwrap
import time

import pytest

from extractors.errors import DataFileError
from extractors.ingest import parse
from flows.check import check_article
from rules.config import load_config
from rules.packs import load_pack
from tests.conftest import ROOT

RULE = "rules:\n  x:\n    type: existence\n    level: info\n    message: m\n    tokens: [a]\n"
BOMB = "pack: p\n" + "".join(f"l{i}: &l{i} [{', '.join(['*l' + str(i - 1)] * 9) if i else 'lol'}]\n"
                             for i in range(10)) + RULE


def test_alias_bomb_is_refused_quickly():
    t = time.perf_counter()
    with pytest.raises(DataFileError, match=r"p\.yaml:\d+: .*alias bomb"):
        load_pack(BOMB, "p.yaml")
    assert time.perf_counter() - t < 10  # expanding it would take hours and gigabytes


def test_alias_that_contains_itself_is_refused():
    with pytest.raises(DataFileError, match=r"p\.yaml:\d+: .*nested deeper"):
        load_pack("pack: p\nloop: &a [*a]\n" + RULE, "p.yaml")


@pytest.mark.parametrize("pack", [
    "pack: p\nrules:\n  x: !!python/object/apply:os.system ['touch /tmp/artgate-pwned']\n",
    "pack: !!python/name:os.system p\n" + RULE,
    "pack: p\n? !!python/object/apply:os.system ['touch /tmp/artgate-pwned']\n: 1\n" + RULE,
    "pack: p\n? [a, b]\n: 1\n" + RULE,
])
def test_python_tags_and_complex_keys_are_one_line_errors_and_run_nothing(pack, tmp_path):
    with pytest.raises(DataFileError) as exc:
        load_pack(pack, "p.yaml")
    message = str(exc.value)
    assert message.startswith("p.yaml:") and "\n" not in message
    assert "not allowed" in message or "plain name" in message
    assert not os.path.exists("/tmp/artgate-pwned")


def test_rule_names_and_message_fields_are_checked():
    with pytest.raises(DataFileError, match="rule name"):
        load_pack("pack: p\nrules:\n  'x`\\n# y':\n    type: existence\n    level: info\n    message: m\n"
                  "    tokens: [a]\n", "p.yaml")
    with pytest.raises(DataFileError, match=r"p\.yaml:\d+: .*may use .*match"):
        load_pack("pack: p\nrules:\n  x:\n    type: existence\n    level: info\n"
                  "    message: '{match.__class__}'\n    tokens: [a]\n", "p.yaml")


def write(tmp_path, body):
    cfg = tmp_path / "artgate.toml"
    cfg.write_text(textwrap.dedent(body))
    return cfg


def run_check(cfg, timeout=60):
    return subprocess.run([sys.executable, "-m", "flows.cli", "check", str(ROOT / "seeds"), "--config", str(cfg)],
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize(("packs", "reason"), [
    ('["/dev/zero"]', "a character device, not a regular file"),
    ('["pipe.yaml"]', "a named pipe, not a regular file"),
    ('["/etc"]', "a folder of packs with no .yaml or .yml file"),
    ('["gone.yaml"]', "no such file"),
])
def test_bad_pack_paths_are_one_line_exit_2_and_never_block(tmp_path, packs, reason):
    os.mkfifo(tmp_path / "pipe.yaml")
    res = run_check(write(tmp_path, f"packs = {packs}\n"))  # a blocked read would hit the timeout
    assert res.returncode == 2 and res.stdout == ""
    assert res.stderr.count("\n") == 1 and reason in res.stderr and "artgate: error:" in res.stderr


def test_oversized_pack_and_fifo_config(tmp_path):
    (tmp_path / "big.yaml").write_text("pack: p\n" + "# filler\n" * 200_000)
    res = run_check(write(tmp_path, 'packs = ["big.yaml"]\n'))
    assert res.returncode == 2 and "big.yaml" in res.stderr and "over the limit" in res.stderr
    os.mkfifo(tmp_path / "fifo.toml")
    res = run_check(tmp_path / "fifo.toml")
    assert res.returncode == 2 and "fifo.toml" in res.stderr and "named pipe" in res.stderr


@pytest.mark.parametrize(("body", "reason"), [
    ('packs = "house.yaml"\n', "'packs' must be a list of strings"),
    ("disable = 1\n", "'disable' must be a list of strings"),
    ("severity = 3\n", "[severity] maps rule ids"),
    ("reference = 1\n", "'reference' must be a path"),
    ("pattern_timeout_s = true\n", "pattern_timeout_s"),
    ("a = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
])
def test_config_value_types(tmp_path, body, reason):
    with pytest.raises(DataFileError) as exc:
        load_config(write(tmp_path, body))
    assert reason in str(exc.value) and "artgate.toml" in str(exc.value)


def test_pack_paths_are_relative_to_the_config_file(tmp_path, monkeypatch):
    (tmp_path / "style").mkdir()
    (tmp_path / "style" / "house.yaml").write_text("pack: house\n" + RULE)
    cfg = write(tmp_path, 'packs = ["style/house.yaml"]\n')
    monkeypatch.chdir(ROOT)
    assert load_config(cfg).packs == (tmp_path / "style" / "house.yaml",)


SLOW = "pack: slow\nrules:\n  many:\n    type: existence\n    level: warning\n    message: \"'{match}'\"\n" \
       "    tokens: [" + ", ".join(["'(a|aa)+$'"] * 10) + "]\n"


def test_time_budget_is_per_rule_and_article_not_per_pattern(tmp_path):
    """Ten slow patterns share one budget: the rule stops near 0.3 s, not after 10 × 0.3 s."""
    (tmp_path / "slow.yaml").write_text(SLOW)
    cfg = write(tmp_path, 'packs = ["slow.yaml"]\npattern_timeout_s = 0.3\n')
    article = parse("Title\n\nFrom the Guidelines\n\n" + "a" * 40 + "!\n\nThe L5 root supplies great toe extension.\n",
                    "a.txt")
    check_article(article, str(cfg))  # build the pipeline first
    t = time.perf_counter()
    report = check_article(article, str(cfg))
    elapsed = time.perf_counter() - t
    timeouts = [f for f in report.findings if f.rule == "rules.pattern-timeout"]
    assert len(timeouts) == 1 and "slow.many" in timeouts[0].message and "0.3 s" in timeouts[0].message
    assert not [f for f in report.findings if f.rule == "slow.many"]
    assert elapsed < 2.0, elapsed  # per pattern it was ≥ 3 s; generous for a loaded machine


@pytest.mark.parametrize(("content", "reason"), [
    (None, "a character device"),
    ("[" * 100_000, "nested too deeply"),
    ('{"targets": [1, 2]}', "'sources' and 'targets' must be objects"),
    ('{"targets": {"knee_extension": "L4"}}', "targets.knee_extension"),
])
def test_bad_reference_tables_are_one_line_errors(tmp_path, content, reason):
    if content is None:
        ref = "/dev/zero"
    else:
        (tmp_path / "ref.json").write_text(content)
        ref = "ref.json"
    with pytest.raises(DataFileError) as exc:
        from rules.engine import load_ruleset

        load_ruleset(str(write(tmp_path, f'reference = "{ref}"\n')))
    assert reason in str(exc.value) and "\n" not in str(exc.value)
