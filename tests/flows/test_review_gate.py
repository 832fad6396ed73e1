"""The review gate runs as a real Prefect flow (on the session's server) and matches `check`; when Prefect
cannot run it, it says why in one line."""

import os

import pytest

from tests.conftest import ORACLE, SEEDS, free_port, run_cli


@pytest.mark.prefect
def test_gate_runs_a_real_flow_and_matches_check(tmp_path, prefect_server):
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "DO_NOT_TRACK": "1",
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    gate = run_cli("gate", str(ORACLE), "--format", "json", env=env, timeout=300)
    check = run_cli("check", str(ORACLE), "--format", "json", env=env)
    assert gate.returncode == check.returncode == 1, gate.stderr.decode()[-3000:]
    assert gate.stdout == check.stdout
    log = gate.stderr.decode()
    assert "review-gate" in log and "Finished in state Completed()" in log


@pytest.mark.prefect
def test_flow_tasks_also_work_when_called_directly():
    from flows.review_gate import check_task, extract_task, ingest_task

    (article,) = ingest_task.fn(str(SEEDS / "dorsiflexion-corrected.txt"), 5_000_000)
    report = check_task.fn(article, extract_task.fn(article))
    assert report.verdict == "pass"


@pytest.mark.prefect
def test_gate_says_why_in_one_line_when_prefect_is_unreachable(tmp_path):
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "DO_NOT_TRACK": "1",
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_API_URL": f"http://127.0.0.1:{free_port()}/api",
           "PREFECT_CLIENT_MAX_RETRIES": "0"}
    gate = run_cli("gate", str(ORACLE), "--format", "json", env=env, timeout=300)
    err = gate.stderr.decode()
    assert gate.returncode == 2 and gate.stdout == b""
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("artgate: error: the review-gate flow could not run") and "PREFECT_API_URL" in last
