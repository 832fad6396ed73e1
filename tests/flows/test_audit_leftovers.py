"""The audit leaves nothing behind and reads only the corpus: its temporary server dies with it, a resume
removes temporary files a kill left, the runs folder inside the corpus is never audited, and its
progress line and report say what they mean."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flows.audit import Progress, run_audit
from reports.audit_html import render_audit_html, run_labels
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from corpus import generate


def children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        out += [int(c) for c in (task / "children").read_text().split()]
    return out


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.prefect
def test_a_killed_audit_leaves_no_temporary_prefect_server(tmp_path):
    src = generate(tmp_path / "c", 400, faulty=0.2, seed=8)
    runs = tmp_path / "runs"
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home"), "DO_NOT_TRACK": "1",
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PYTHONPATH": str(ROOT)}
    env.pop("PREFECT_API_URL", None)  # no running server: the audit starts its own
    proc = subprocess.Popen([sys.executable, "-m", "flows.cli", "audit", str(src), "--runs-dir", str(runs),
                             "--chunk-size", "5"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    server = None
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            server = next((c for c in children(proc.pid) if "uvicorn" in cmdline(c)), None)
            if server is not None and (runs / "state.sqlite").exists():
                with sqlite3.connect(runs / "state.sqlite", timeout=5) as con:
                    if con.execute("SELECT COUNT(*) FROM runs").fetchone()[0]:
                        break  # the flow runs: the server is up
            time.sleep(0.1)
        assert proc.poll() is None and server is not None, "the audit ended before its server could be seen"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        gone = time.monotonic() + 20
        while time.monotonic() < gone and alive(server):
            time.sleep(0.2)
        assert not alive(server), "the temporary Prefect server outlived its audit"
    finally:
        if proc.poll() is None:
            proc.kill()
        if server is not None and alive(server):
            os.kill(server, signal.SIGKILL)


def test_a_resume_removes_the_temporary_files_a_kill_left(tmp_path):
    src = generate(tmp_path / "c", 12, faulty=0.3, seed=4)
    first = run_audit(src, tmp_path / "runs", chunk_size=4, progress=False, validate=False)
    leftover = first.run_dir / f".assertions.parquet.{99999}.tmp"
    leftover.write_bytes(b"half a file")
    (first.run_dir / "report.html").unlink()  # as if killed between two outputs: the run is reopened
    again = run_audit(src, tmp_path / "runs", chunk_size=4, progress=False, validate=False)
    assert again.run_id == first.run_id and (again.run_dir / "report.html").exists()
    assert not leftover.exists()
    assert not list(again.run_dir.glob(".*.tmp"))


def test_the_runs_folder_inside_the_corpus_is_never_audited(tmp_path, monkeypatch):
    src = generate(tmp_path / "corpus", 10, faulty=0.3, seed=5)
    monkeypatch.chdir(src)
    first = run_audit(".", "artgate-runs", chunk_size=5, progress=False, validate=False)
    second = run_audit(".", "artgate-runs", chunk_size=5, progress=False, validate=False)
    assert first.summary["articles"] == second.summary["articles"] == 10
    assert second.summary["bad_items"] == first.summary["bad_items"]
    assert second.summary["checked_this_session"] == 0  # nothing new: report.html and summary.json are not articles


def test_the_progress_line_gives_the_time_until_a_rate_means_something(monkeypatch):
    bar = Progress(12, enabled=False, start=time.perf_counter() - 2.0)
    bar.update(12, 3000)
    line = bar.line()
    assert line.startswith("checked 12/12 (100%) · ") and line.endswith(" s") and "/s" not in line
    bar = Progress(30000, enabled=False, start=time.perf_counter() - 20.0)
    bar.update(2000, 500_000)
    line = bar.line()
    assert " articles/s · " in line and " words/s" in line
    assert 90 <= int(line.split(" · ")[1].split()[0].replace(",", "")) <= 100


def test_trend_labels_tell_runs_of_one_day_apart():
    ids = ["20261207T020000-aaaaaa", "20261207T141500-bbbbbb", "20261208T020000-cccccc"]
    assert run_labels(ids) == ["12-07 02:00", "12-07 14:15", "12-08 02:00"]
    same_minute = ["20261207T020001-aaaaaa", "20261207T020059-bbbbbb"]
    assert run_labels(same_minute) == ["12-07 02:00:01", "12-07 02:00:59"]
    same_second = ["20261207T020001-aaaaaa", "20261207T020001-bbbbbb"]
    assert len(set(run_labels(same_second))) == 2


def test_report_links_article_ids_to_their_findings_and_the_trend_is_readable(tmp_path):
    src = generate(tmp_path / "c", 20, faulty=0.6, seed=9)
    runs = tmp_path / "runs"
    run_audit(src, runs, chunk_size=10, progress=False, validate=False)
    res = run_audit(src, runs, chunk_size=10, progress=False, validate=False)
    page = (res.run_dir / "report.html").read_text()
    summary = json.loads((res.run_dir / "summary.json").read_text())
    worst = summary["most_blockers"][0]["article_id"]
    assert worst in summary["article_findings"]
    anchor = next(part.split('"')[0] for part in page.split('href="#')[1:])
    assert f'id="{anchor}"' in page
    assert page.count("<svg") == 1 and res.run_id[9:11] + ":" + res.run_id[11:13] in page


def test_report_names_the_prefect_run():
    summary = {"run_id": "20261207T020000-aaaaaa", "articles": 0, "blocked": 0, "passed": 0, "bad_items": 0,
               "findings": {}, "by_rule": [], "most_blockers": [], "unreadable": [], "malformed": [],
               "prefect_run": {"id": "0d4b", "name": "brave-otter", "url": "http://127.0.0.1:4200/runs/flow-run/0d4b"}}
    page = render_audit_html(summary, [summary])
    assert 'href="http://127.0.0.1:4200/runs/flow-run/0d4b"' in page and "brave-otter" in page
