"""The audit and the command line under faults: hostile folders, two audits at once, a kill between outputs,
a reader that goes away."""

import json
import os
import subprocess
import sys
import time

import pytest

from flows.audit import list_items, run_audit
from flows.state import OUTPUTS, AuditLock, AuditLocked, Store
from tests.conftest import CORRECTED, ROOT, run_cli

sys.path.insert(0, str(ROOT / "benchmarks"))
from corpus import generate

GOOD = "Title\n\nFrom the Guidelines\n\nThe L5 root supplies great toe extension.\n"


@pytest.fixture
def hostile_folder(tmp_path):
    d = tmp_path / "docs"
    d.mkdir()
    (d / "good.txt").write_text(GOOD)
    os.symlink("nowhere.txt", d / "dangling.txt")
    os.mkfifo(d / "pipe.md")
    (d / "deep.json").write_text("[" * 100_000)
    return d


def test_folder_with_links_fifos_and_hostile_json_is_reported_and_never_blocks(hostile_folder):
    res = run_cli("check", str(hostile_folder), "--format", "jsonl", timeout=120)
    assert res.returncode == 2
    err = res.stderr.decode().splitlines()
    assert any("dangling.txt" in line and "dangling symbolic link to 'nowhere.txt'" in line for line in err)
    assert any("pipe.md" in line and "named pipe, not a regular file" in line for line in err)
    docs = {json.loads(line)["article"]["id"]: json.loads(line) for line in res.stdout.splitlines()}
    assert docs["good"]["verdict"] == "pass"  # the rest of the batch is still checked and printed
    assert [f["rule"] for f in docs["deep"]["findings"]] == ["ingest.malformed"]


def test_fifo_or_dangling_link_passed_directly_is_a_one_line_exit_2(hostile_folder):
    for name, reason in (("pipe.md", "named pipe"), ("dangling.txt", "dangling symbolic link")):
        res = run_cli("check", str(hostile_folder / name), str(CORRECTED), "--format", "jsonl", timeout=120)
        err = res.stderr.decode()
        assert res.returncode == 2 and err.count("\n") == 1 and reason in err and name in err
        assert json.loads(res.stdout)["verdict"] == "pass"


def test_audit_listing_reports_them_too(hostile_folder):
    listing = list_items(hostile_folder)
    assert sorted(i.id for i in listing.items) == ["deep", "good"]
    reasons = dict(listing.errors)
    assert "dangling symbolic link" in reasons[str(hostile_folder / "dangling.txt")]
    assert "named pipe" in reasons[str(hostile_folder / "pipe.md")]


def test_non_utf8_and_injecting_file_names_keep_every_output_valid(tmp_path):
    from tests.test_fuzz import run_main

    d = tmp_path / "names"
    d.mkdir()
    (d / os.fsdecode(b"bad-\xff-name.txt")).write_text(GOOD)
    (d / "two\n# Injected.md").write_text("# T\n\n## From the Guidelines\n\nPlantar dorsiflexion is served by L5.\n")
    (d / "tick`<b>`.txt").write_text(GOOD)
    outputs = {}
    for fmt in ("jsonl", "json", "sarif", "markdown", "text", "html"):
        code, out, err = run_main("check", str(d), "--format", fmt)
        assert code == 1 and err == ""
        out.encode("utf-8")  # strict: no lone surrogate reaches the output
        outputs[fmt] = out
    assert len([json.loads(x) for x in outputs["jsonl"].splitlines()]) == 3
    json.loads(outputs["sarif"])
    assert any(d["article"]["source"].endswith("bad-\\xff-name.txt") for d in json.loads(outputs["json"]))
    assert not any(line.startswith("# Injected") for line in outputs["markdown"].splitlines())
    assert "two\\n# Injected.md  BLOCKED" in outputs["text"]
    assert "<b>" not in outputs["html"] and "tick`&lt;b&gt;`.txt" in outputs["html"]


@pytest.mark.parametrize("args", [["rules"], ["explain", "consistency.antagonist-root"],
                                  ["check", "seeds/", "--format", "json"]])
def test_output_into_a_closed_pipe_ends_quietly(args):
    """`artgate rules | head`: the reader is gone before the command writes; no traceback, own status."""
    r, w = os.pipe()
    os.close(r)
    try:
        res = subprocess.run([sys.executable, "-m", "flows.cli", *args], cwd=ROOT, stdout=w, stderr=subprocess.PIPE,
                             text=True, timeout=120)
    finally:
        os.close(w)
    assert res.stderr == "" and res.returncode == (1 if args[0] == "check" else 0)


def test_a_second_audit_on_the_same_state_folder_exits_2(tmp_path):
    """Two real processes: the second stops at once with a clear message, the first completes."""
    corpus = generate(tmp_path / "corpus", 60, faulty=0.3, seed=4)
    runs = tmp_path / "runs"
    cmd = [sys.executable, "-m", "flows.cli", "audit", str(corpus), "--runs-dir", str(runs), "--no-prefect",
           "--workers", "1", "--chunk-size", "10"]
    first = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lock = runs / "audit.lock"
    deadline = time.time() + 120
    while time.time() < deadline and not (lock.exists() and lock.read_text().startswith("pid")):
        time.sleep(0.05)
    second = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    _, err = first.communicate(timeout=600)
    assert first.returncode == 0, err[-2000:]
    assert second.returncode == 2 and second.stdout == ""
    assert second.stderr.count("\n") == 1 and "another audit is running" in second.stderr
    assert f"pid {first.pid}" in second.stderr
    summary = json.loads(next(runs.glob("*/summary.json")).read_text())
    assert summary["articles"] == 60 and summary["checked_this_session"] == 60


def test_lock_is_reentrant_in_one_process_and_released(tmp_path):
    with AuditLock(tmp_path), AuditLock(tmp_path):
        pass
    with AuditLock(tmp_path):
        code = ("import sys; from flows.state import AuditLock, AuditLocked\n"
                f"try:\n    AuditLock({str(tmp_path)!r}).__enter__()\nexcept AuditLocked: sys.exit(7)")
        assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 7
    with AuditLock(tmp_path):  # free again
        pass
    assert issubclass(AuditLocked, Exception)


def test_a_run_killed_between_its_outputs_is_completed_by_the_next(tmp_path, monkeypatch):
    corpus = generate(tmp_path / "corpus", 20, faulty=0.5, seed=8)
    import reports.audit_html

    def killed(*_):
        raise KeyboardInterrupt("killed while writing report.html")

    monkeypatch.setattr(reports.audit_html, "render_audit_html", killed)
    with pytest.raises(KeyboardInterrupt):
        run_audit(corpus, tmp_path / "runs", chunk_size=5, progress=False, validate=False)
    monkeypatch.undo()
    store = Store(tmp_path / "runs" / "state.sqlite")
    ((run_id, finished),) = store.db.execute("SELECT run_id, finished FROM runs").fetchall()
    store.close()
    assert finished is None  # outputs first, the finished mark last
    run_dir = tmp_path / "runs" / run_id
    assert (run_dir / "summary.json").exists() and not (run_dir / "report.html").exists()
    assert not list(run_dir.glob(".*.tmp"))  # no half-written temporary file left behind
    again = run_audit(corpus, tmp_path / "runs", chunk_size=5, progress=False, validate=False)
    assert again.run_id == run_id and again.summary["resumed"] and again.summary["checked_this_session"] == 0
    assert all((run_dir / name).is_file() for name in OUTPUTS)


def test_a_finished_run_missing_its_report_is_reopened_and_completed(tmp_path):
    """What older versions left behind when killed after marking the run finished."""
    corpus = generate(tmp_path / "corpus", 10, faulty=0.5, seed=8)
    first = run_audit(corpus, tmp_path / "runs", chunk_size=5, progress=False, validate=False)
    (first.run_dir / "report.html").unlink()
    again = run_audit(corpus, tmp_path / "runs", chunk_size=5, progress=False, validate=False)
    assert again.run_id == first.run_id and again.summary["resumed"]
    assert (first.run_dir / "report.html").is_file()
    third = run_audit(corpus, tmp_path / "runs", chunk_size=5, progress=False, validate=False)
    assert third.run_id != first.run_id  # complete now: the next audit is a new run


def test_audit_exit_status_when_locked(tmp_path, capsys):
    from flows.cli import main

    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(GOOD)
    with AuditLock(tmp_path / "runs"):
        code = subprocess.run([sys.executable, "-m", "flows.cli", "audit", str(src), "--runs-dir",
                               str(tmp_path / "runs"), "--no-prefect"], cwd=ROOT, capture_output=True, text=True)
    assert code.returncode == 2 and "another audit" in code.stderr
    assert main(["audit", str(src), "--runs-dir", str(tmp_path / "runs"), "--no-prefect", "--workers", "1"]) == 0
    assert "report:" in capsys.readouterr().out


def test_an_article_the_pipeline_fails_on_is_blocked_alone_and_the_batch_goes_on(monkeypatch):
    """An unexpected error inside extraction (a bug) blocks that article with the reason; the rest are checked."""
    import extractors.relations as relations
    from extractors.ingest import parse
    from flows.check import check_article, check_articles

    real = relations.analyze

    def failing(article, doc=None):
        if "poison" in article.plain:
            raise RuntimeError("boom in the extractor")
        return real(article, doc)

    monkeypatch.setattr(relations, "analyze", failing)
    good = [parse(f"Q{i}\nL5 supplies ankle dorsiflexion.", f"a{i}.txt", "text") for i in range(3)]
    bad = parse("Q\nThis poison page names L5 for ankle dorsiflexion.", "bad.txt", "text")
    reports = check_articles([good[0], bad, good[1], good[2]])
    assert [r.verdict == "blocked" for r in reports] == [False, True, False, False]
    findings = [f for f in reports[1].findings if f.rule == "ingest.unprocessable"]
    assert findings and "RuntimeError: boom in the extractor" in findings[0].message
    assert all(len(r.assertions) == 1 for r in (reports[0], reports[2], reports[3]))
    assert check_article(bad).verdict == "blocked"
