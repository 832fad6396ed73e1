"""The nightly-audit Prefect flow: artifacts, a Dask cluster, and a scheduled deployment on a real server."""

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.prefect


def prefect_env(tmp_path, **extra):
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home"), "DO_NOT_TRACK": "1",
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PYTHONPATH": str(ROOT), **extra}
    env.pop("PREFECT_API_URL", None)
    env.update(extra)
    return env


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
                          "markdown": next(a.data for a in arts if a.type == "markdown")}}))
    """, prefect_env(tmp_path))
    assert out["articles"] == 12
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(url)


def test_deployment_on_a_real_server_runs_to_completion(tmp_path):
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = prefect_env(tmp_path, PREFECT_API_URL=api)
    server_env = {k: v for k, v in env.items() if k != "PREFECT_API_URL"}
    prefect = str(ROOT / ".venv" / "bin" / "prefect") if (ROOT / ".venv" / "bin" / "prefect").exists() else "prefect"
    server = subprocess.Popen([prefect, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                              env=server_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    serve = None
    try:
        wait_for(f"{api}/health", 120)
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from corpus import generate

        src = generate(tmp_path / "c", 6, faulty=0.5, seed=2)
        serve = subprocess.Popen([sys.executable, "-m", "flows.cli", "deploy", str(src), "--cron", "0 2 * * *",
                                  "--name", "test", "--runs-dir", str(tmp_path / "runs")], cwd=ROOT, env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
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
            print(json.dumps({"state": run.state.type.value, "cron": dep.schedules[0].schedule.cron}))
        """, env)
        assert out == {"state": "COMPLETED", "cron": "0 2 * * *"}
        runs = [p for p in (tmp_path / "runs").iterdir() if p.is_dir()]
        assert len(runs) == 1 and (runs[0] / "report.html").exists()
    finally:
        for p in (serve, server):
            if p is not None:
                p.terminate()
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    p.kill()
