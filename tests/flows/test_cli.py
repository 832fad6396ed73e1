"""The command line: output formats, exit status, and clear one-line errors."""

import json
import re
import subprocess
import sys

import pytest

from flows.cli import main
from tests.conftest import CORRECTED, ORACLE, ROOT, SEEDS, run_cli


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_oracle_blocked_exit_1(capsys):
    code, out, err = run(capsys, "check", str(ORACLE))
    assert code == 1 and "BLOCKED" in out and err == ""


def test_corrected_passes_exit_0(capsys):
    code, out, _ = run(capsys, "check", str(CORRECTED))
    assert code == 0 and "PASS" in out


def test_seeds_folder(capsys):
    code, out, _ = run(capsys, "check", str(SEEDS))
    assert code == 1
    assert "dorsiflexion-corrected.txt  PASS" in out and "dorsiflexion-dr-oracle.txt  BLOCKED" in out


def test_json_single_object_and_folder_array(capsys):
    _, out, _ = run(capsys, "check", str(ORACLE), "--format", "json")
    assert json.loads(out)["verdict"] == "blocked"
    _, out, _ = run(capsys, "check", str(SEEDS), "--format", "json")
    assert sorted(d["verdict"] for d in json.loads(out)) == ["blocked", "pass"]
    _, out, _ = run(capsys, "check", str(SEEDS), "--format", "jsonl")
    assert len(out.splitlines()) == 2


def test_missing_file_is_one_line_exit_2(capsys, tmp_path):
    code, out, err = run(capsys, "check", str(tmp_path / "missing.txt"))
    assert code == 2 and out == ""
    assert err.strip().count("\n") == 0
    assert "missing.txt" in err and "no such file" in err


def test_folder_without_articles(capsys, tmp_path):
    (tmp_path / "notes.csv").write_text("a,b\n")
    code, _, err = run(capsys, "check", str(tmp_path))
    assert code == 2
    assert str(tmp_path) in err and "no article files" in err


def test_one_bad_input_loses_nothing_else(capsys, tmp_path):
    code, out, err = run(capsys, "check", str(tmp_path / "gone.txt"), str(CORRECTED), "--format", "jsonl")
    assert code == 2
    assert "gone.txt" in err
    assert json.loads(out)["verdict"] == "pass"


@pytest.mark.parametrize(("content", "rule"), [(b"", "ingest.empty"), (b"\x00\xff\x00\x13" * 100, "ingest.binary")])
def test_malformed_file_gets_an_ingest_finding(capsys, tmp_path, content, rule):
    f = tmp_path / "bad.txt"
    f.write_bytes(content)
    code, out, err = run(capsys, "check", str(f), "--format", "json")
    assert code == 1 and err == ""
    assert [x["rule"] for x in json.loads(out)["findings"]] == [rule]


def test_usage_error_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["check", "--format", "yaml", str(ORACLE)])
    assert exc.value.code == 2


def test_real_process_exit_codes_and_stdin():
    blocked = run_cli("check", str(ORACLE))
    assert blocked.returncode == 1, blocked.stderr
    piped = run_cli("check", "-", "--format", "json", stdin=CORRECTED.read_bytes())
    assert piped.returncode == 0, piped.stderr
    (doc,) = json.loads(piped.stdout)
    assert doc["article"]["id"] == "stdin" and doc["verdict"] == "pass"


def test_check_imports_neither_prefect_nor_great_expectations():
    code = (
        f"import sys; from flows.cli import main; rc = main(['check', {str(ORACLE)!r}, '--format', 'json']);"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('prefect', 'great_expectations')];"
        "print('LOADED', bad); sys.exit(0 if rc == 1 and not bad else 3)"
    )
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout[-300:] + res.stderr[-2000:]
    assert "LOADED []" in res.stdout


def test_rules_lists_every_rule_with_level(capsys):
    code, out, _ = run(capsys, "rules")
    assert code == 0
    lines = out.splitlines()
    assert any(line.startswith("consistency.conflicting-roots") and " blocker " in line for line in lines)
    assert any(line.startswith("citations.shifted-numbering") for line in lines)


def test_explain_prints_explanation_and_examples(capsys):
    code, out, _ = run(capsys, "explain", "consistency.antagonist-root")
    assert code == 0
    assert "Triggers on:" in out and "Does not trigger on:" in out and "antagonistic" in out.lower()


def test_explain_unknown_rule(capsys):
    code, _, err = run(capsys, "explain", "nope.nothing")
    assert code == 2 and "artgate rules" in err


def test_bad_config_is_a_clear_error(capsys, tmp_path):
    cfg = tmp_path / "artgate.toml"
    cfg.write_text("colour = 1\n")
    code, out, err = run(capsys, "check", str(ORACLE), "--config", str(cfg))
    assert code == 2 and out == "" and "artgate.toml" in err and "colour" in err


@pytest.mark.parametrize(("fmt", "probe"), [("sarif", '"version": "2.1.0"'), ("markdown", "## artgate:"),
                                             ("html", "<!doctype html>")])
def test_every_format_from_the_command_line(capsys, fmt, probe):
    code, out, _ = run(capsys, "check", str(SEEDS), "--format", fmt)
    assert code == 1 and probe in out


def test_oversized_stdin_is_reported_not_truncated():
    res = run_cli("check", "-", "--format", "json", "--max-bytes", "100", stdin=b"L5 serves dorsiflexion. " * 20)
    assert res.returncode == 1, res.stderr
    (doc,) = json.loads(res.stdout)
    assert [f["rule"] for f in doc["findings"]] == ["ingest.too-large"]


class _Terminal:
    """A stderr that says it is a terminal, keeping what was written."""

    def __init__(self):
        self.parts: list[str] = []

    def write(self, s: str) -> int:
        self.parts.append(s)
        return len(s)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return True


def test_a_long_check_shows_progress_on_a_terminal_and_nothing_when_piped(tmp_path, monkeypatch, capsys):
    big = tmp_path / "long-article.txt"
    big.write_text(ORACLE.read_text(encoding="utf-8") * 60, encoding="utf-8")  # about 300 KB
    small = tmp_path / "small.txt"
    small.write_text(CORRECTED.read_text(encoding="utf-8"), encoding="utf-8")
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["check", str(small), str(big), "-f", "json"]) == 1
    shown = "".join(terminal.parts)
    assert "checking 2/2: " in shown and re.search(r"long-article\.txt \(\d+ KB\)…", shown)
    assert "small.txt" not in shown and shown.endswith("\r\x1b[K")  # the line is cleared at the end
    assert json.loads(capsys.readouterr().out)  # stdout holds only the reports
    monkeypatch.undo()
    assert main(["check", str(big), "-f", "json"]) == 1
    assert "checking" not in capsys.readouterr().err  # not a terminal: no progress line
