"""The review gate runs as a real Prefect flow (ephemeral mode) and matches `check`."""

import os

import pytest

from tests.conftest import ORACLE, SEEDS, run_cli


@pytest.mark.prefect
def test_gate_runs_a_real_flow_and_matches_check(tmp_path):
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "DO_NOT_TRACK": "1",
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
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
