"""The nightly-audit Prefect flow: artifacts, a Dask cluster, defaults, and a scheduled deployment, on the
session's Prefect server (``prefect_server`` in conftest)."""

import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import ROOT

pytestmark = [pytest.mark.prefect, pytest.mark.usefixtures("prefect_server")]


def prefect_env(tmp_path, **extra):
    """The environment of a process using the session's server (PREFECT_API_URL is set by the fixture)."""
    return {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home"), "DO_NOT_TRACK": "1",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PYTHONPATH": str(ROOT), **extra}


def run_script(code: str, env: dict, timeout: int = 600) -> dict:
    res = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=timeout)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-4000:]
    return json.loads(res.stdout.strip().splitlines()[-1])


def test_flow_publishes_artifacts(tmp_path):
    out = run_script(f"""
        import json, sys
        sys.path.insert(0, "benchmarks")
        from corpus import generate
        from flows.nightly import configured
        src = generate(__import__("pathlib").Path({str(tmp_path)!r}) / "c", 12, faulty=0.5, seed=5)
        summary = configured()(str(src), {str(tmp_path / "runs")!r}, 5)
        from prefect.client.orchestration import get_client
        from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
        with get_client(sync_client=True) as client:
            arts = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[
                "nightly-audit-summary", "nightly-audit-findings"])))
        print(json.dumps({{"articles": summary["articles"], "types": sorted(a.type for a in arts),
                          "markdown": next(a.data for a in arts if a.type == "markdown"),
                          "run": summary.get("prefect_run"), "run_dir": summary["run_dir"]}}))
    """, prefect_env(tmp_path))
    assert out["articles"] == 12
    # the report links the flow run it belongs to (a running server: its UI outlives the run)
    run = out["run"]
    assert run["id"] and run["name"] and run["url"].endswith(f"/runs/flow-run/{run['id']}")
    page = (__import__("pathlib").Path(out["run_dir"]) / "report.html").read_text()
    assert f'href="{run["url"]}"' in page
    assert out["types"] == ["markdown", "table"]
    assert "artgate nightly audit" in out["markdown"] and "| rule | severity | count |" in out["markdown"]


def test_dask_cluster_gives_the_same_results_as_a_local_run(tmp_path):
    out = run_script(f"""
        import json, sys, pathlib
        sys.path.insert(0, "benchmarks")
        import pandas as pd
        from dask.distributed import LocalCluster
        from corpus import generate
        from flows.audit import run_audit
        from flows.nightly import configured
        tmp = pathlib.Path({str(tmp_path)!r})
        src = generate(tmp / "c", 30, faulty=0.4, seed=9)
        local = run_audit(src, tmp / "local", chunk_size=10, progress=False)
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            summary = configured(dask_address=cluster.scheduler_address)(str(src), str(tmp / "dask"), 10)
        same = {{}}
        for name, key in (("assertions", ["article_id", "id"]), ("findings", ["article_id", "id"])):
            a = pd.read_parquet(local.run_dir / f"{{name}}.parquet").sort_values(key).reset_index(drop=True)
            b = pd.read_parquet(pathlib.Path(summary["run_dir"]) / f"{{name}}.parquet").sort_values(key)
            same[name] = a.equals(b.reset_index(drop=True)) and len(a) > 0
        print(json.dumps({{"same": same, "articles": summary["articles"]}}))
    """, prefect_env(tmp_path))
    assert out["articles"] == 30
    assert out["same"] == {"assertions": True, "findings": True}


def test_deployment_on_a_real_server_runs_to_completion(tmp_path, prefect_server):
    env = prefect_env(tmp_path)
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from corpus import generate

    src = generate(tmp_path / "c", 6, faulty=0.5, seed=2)
    serve = subprocess.Popen([sys.executable, "-m", "flows.cli", "deploy", str(src), "--cron", "0 2 * * *",
                              "--name", "test", "--runs-dir", str(tmp_path / "runs")], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        out = run_script("""
            import json, time
            from prefect.client.orchestration import get_client
            from prefect.deployments import run_deployment
            deadline = time.time() + 120
            with get_client(sync_client=True) as client:
                while True:
                    try:
                        dep = client.read_deployment_by_name("nightly-audit/test")
                        break
                    except Exception:
                        if time.time() > deadline:
                            raise
                        time.sleep(1)
            run = run_deployment("nightly-audit/test", timeout=300)
            print(json.dumps({"state": run.state.type.value, "cron": dep.schedules[0].schedule.cron,
                              "timezone": dep.schedules[0].schedule.timezone}))
        """, env)
        assert out == {"state": "COMPLETED", "cron": "0 2 * * *", "timezone": "UTC"}
        runs = [p for p in (tmp_path / "runs").iterdir() if p.is_dir()]
        assert len(runs) == 1 and (runs[0] / "report.html").exists()
    finally:
        serve.send_signal(signal.SIGINT)  # Ctrl-C, as a user stops it
        try:
            serve.wait(timeout=30)
        except subprocess.TimeoutExpired:
            serve.kill()
    err = serve.stderr.read().decode()
    assert "was never awaited" not in err and "Traceback" not in err, err[-2000:]


def test_audit_defaults_start_exactly_one_server_and_show_true_rates(tmp_path):
    """No PREFECT_API_URL and default workers (one per CPU): one temporary server for the whole run, a
    progress line with articles/s and words/s, logs sent before the server stops."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from corpus import generate

    src = generate(tmp_path / "c", 12, faulty=0.3, seed=6)
    env = prefect_env(tmp_path)
    env.pop("PREFECT_API_URL")
    res = subprocess.run([sys.executable, "-m", "flows.cli", "audit", str(src), "--runs-dir", str(tmp_path / "runs"),
                          "--chunk-size", "3"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    assert res.stderr.count("Stopping temporary server") == 1
    assert "Error logging to API" not in res.stderr
    # twelve articles are too few for a rate: the line gives the time instead of '0 articles/s'
    assert "checked 12/12 (100%) · " in res.stderr and " articles/s" not in res.stderr
    assert res.stdout.startswith("run ") and "12 articles" in res.stdout
    summary = json.loads(next((tmp_path / "runs").glob("*/summary.json")).read_text())
    assert summary["words_checked"] > 3_000 and summary["checked_this_session"] == 12
