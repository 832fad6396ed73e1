"""The nightly audit without Prefect in the loop: outputs, incremental runs, bad items, kill and resume."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from extractors.types import ASSERTION_COLUMNS
from flows.audit import list_items, run_audit
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from corpus import generate


@pytest.fixture
def corpus(tmp_path):
    return generate(tmp_path / "corpus", 40, faulty=0.5, seed=3)


def test_first_run_writes_every_output(corpus, tmp_path):
    res = run_audit(corpus, tmp_path / "runs", chunk_size=8, progress=False)
    s = res.summary
    assert s["articles"] == 40 and s["blocked"] + s["passed"] == 40
    assert s["checked_this_session"] == 40 and s["unchanged_reused"] == 0 and s["previous_run"] is None
    assert s["expectations"]["success"] and s["expectations"]["evaluated"] == 10
    a = pd.read_parquet(res.run_dir / "assertions.parquet")
    f = pd.read_parquet(res.run_dir / "findings.parquet")
    assert tuple(a.columns) == ASSERTION_COLUMNS and a["article_id"].nunique() == 40
    assert len(a) == s["assertions"] and not a.duplicated(["article_id", "id"]).any()
    assert f.groupby("severity").size().to_dict() == {k: v for k, v in s["findings"].items() if v}
    assert json.loads((res.run_dir / "summary.json").read_text())["run_id"] == res.run_id
    page = (res.run_dir / "report.html").read_text()
    assert "<script" not in page and "http" not in page and "<svg" not in page  # one run: no trend yet
    assert "Articles with the most blockers" in page


def test_second_run_reuses_unchanged_and_reports_changes(corpus, tmp_path):
    first = run_audit(corpus, tmp_path / "runs", chunk_size=8, progress=False)
    changed = corpus / "article-00003.txt"
    changed.write_text(changed.read_text().replace("From the Research", "From the Research\n\nPlantar "
                                                   "dorsiflexion is served by L5.", 1))
    second = run_audit(corpus, tmp_path / "runs", chunk_size=8, progress=False)
    s = second.summary
    assert s["checked_this_session"] == 1 and s["unchanged_reused"] == 39
    assert s["previous_run"] == first.run_id and s["new_findings"] >= 1
    assert any(x["article_id"] == "article-00003" for x in s["new"])
    a1 = pd.read_parquet(first.run_dir / "assertions.parquet")
    a2 = pd.read_parquet(second.run_dir / "assertions.parquet")
    assert a2["article_id"].nunique() == 40 and len(a2) >= len(a1)
    assert "<svg" in (second.run_dir / "report.html").read_text()  # trend over two runs


def test_bad_items_are_recorded_and_the_run_goes_on(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "good.txt").write_text("Title\n\nFrom the Guidelines\n\nThe L5 root supplies great toe extension.\n")
    (src / "empty.txt").write_text("")
    (src / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (src / "export.jsonl").write_text('{"id": "ok", "title": "T", "body": "L4 serves knee extension."}\n{broken\n')
    s = run_audit(src, tmp_path / "runs", progress=False).summary
    assert s["articles"] == 5
    assert s["bad_items"] == 3
    problems = {m["article_id"]: m["problems"] for m in s["malformed"]}
    assert problems["empty"] == ["ingest.empty"] and problems["binary"] == ["ingest.binary"]
    assert problems["export/line2"] == ["ingest.malformed"]


def test_jsonl_source_and_duplicate_ids(tmp_path):
    src = tmp_path / "export.jsonl"
    src.write_text('{"id": "a", "title": "T", "body": "x"}\n{"id": "a", "title": "T", "body": "y"}\n')
    listing = list_items(src)
    assert [i.id for i in listing.items] == ["a"]
    assert "duplicate article id 'a'" in listing.errors[0][1]


def test_killed_run_resumes_and_checks_every_article_exactly_once(tmp_path):
    """SIGKILL the audit mid-way, start it again: each article is recorded once, none is lost."""
    corpus = generate(tmp_path / "corpus", 300, faulty=0.3, seed=11)
    runs = tmp_path / "runs"
    cmd = [sys.executable, "-m", "flows.cli", "audit", str(corpus), "--runs-dir", str(runs), "--chunk-size", "10",
           "--no-prefect"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = runs / "state.sqlite"
    deadline = time.time() + 240
    recorded = 0
    while time.time() < deadline and proc.poll() is None:
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=1) as con:
                    recorded = con.execute("SELECT COUNT(*) FROM results").fetchone()[0]
            except sqlite3.OperationalError:
                recorded = 0
            if recorded >= 50:
                break
        time.sleep(0.05)
    assert proc.poll() is None, "the audit finished before it could be killed"
    workers = [int(p) for p in Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()]
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 50 <= recorded < 300
    gone = time.time() + 30  # the worker processes notice their audit is gone and exit
    while time.time() < gone and any(os.path.exists(f"/proc/{w}") for w in workers):
        time.sleep(0.2)
    assert workers and not [w for w in workers if os.path.exists(f"/proc/{w}")]

    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    (run_dir,) = [p for p in runs.iterdir() if p.is_dir()]
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["resumed"] is True and summary["articles"] == 300
    assert summary["already_done"] + summary["checked_this_session"] == 300  # nothing checked twice
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT article_id, COUNT(*) FROM results GROUP BY article_id").fetchall()
    assert len(rows) == 300 and {n for _, n in rows} == {1}
    a = pd.read_parquet(run_dir / "assertions.parquet")
    assert a["article_id"].nunique() == 300 and not a.duplicated(["article_id", "id"]).any()

    clean = run_audit(corpus, tmp_path / "clean", chunk_size=50, progress=False)
    b = pd.read_parquet(clean.run_dir / "assertions.parquet")
    key = ["article_id", "id"]
    pd.testing.assert_frame_equal(a.sort_values(key).reset_index(drop=True), b.sort_values(key).reset_index(drop=True))


def test_audit_command_errors(tmp_path, capsys):
    from flows.cli import main

    assert main(["audit", str(tmp_path / "missing"), "--no-prefect"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_unchanged_rerun_carries_the_expectation_result(corpus, tmp_path):
    first = run_audit(corpus, tmp_path / "runs", chunk_size=20, progress=False)
    second = run_audit(corpus, tmp_path / "runs", chunk_size=20, progress=False)
    assert second.summary["expectations"]["carried_from"] == first.run_id
    assert second.summary["expectations"]["success"] is True


def test_each_chunk_is_recorded_before_the_next_is_checked(corpus, tmp_path):
    """A crash mid-run keeps every chunk finished before it (what makes a killed run resumable)."""
    from flows.audit import check_chunk
    from flows.state import Store

    calls = []

    def submit(chunk):
        if len(calls) == 2:
            raise RuntimeError("worker lost")
        calls.append(chunk)
        return check_chunk(chunk)

    with pytest.raises(RuntimeError):
        run_audit(corpus, tmp_path / "runs", chunk_size=5, submit=submit, progress=False)
    store = Store(tmp_path / "runs" / "state.sqlite")
    (run_id,) = [r[0] for r in store.db.execute("SELECT run_id FROM runs")]
    assert len(store.done(run_id)) == 10
    store.close()
