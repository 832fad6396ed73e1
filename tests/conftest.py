"""Shared fixtures: the shipped seeds and a helper that checks a snippet of text."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# A flow run without the session server (a test that does not ask for it) starts Prefect's
# temporary server; its default 20 s start-up limit is too short on a loaded 2-core machine.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
ORACLE = SEEDS / "dorsiflexion-dr-oracle.txt"
CORRECTED = SEEDS / "dorsiflexion-corrected.txt"


@pytest.fixture(scope="session")
def oracle_report():
    from extractors.ingest import read_path
    from flows.check import check_article

    return check_article(read_path(ORACLE)[0])


@pytest.fixture(scope="session")
def corrected_report():
    from extractors.ingest import read_path
    from flows.check import check_article

    return check_article(read_path(CORRECTED)[0])


def check_text(text: str, fmt: str = "text", source: str = "snippet.txt"):
    """Report for an article given as a string (plain text with optional headings)."""
    from extractors.ingest import parse
    from flows.check import check_article

    return check_article(parse(text, source, fmt))


def triples(report, polarity: str | None = "affirmed") -> set[tuple[str, str]]:
    return {(a.root, a.target) for a in report.assertions if polarity is None or a.polarity == polarity}


def run_cli(*args: str, stdin: bytes | None = None, env: dict | None = None, timeout: int = 120):
    """Run the installed command line in a fresh interpreter, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", *args], cwd=ROOT, input=stdin, capture_output=True,
        timeout=timeout, env=env,
    )


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_health(url: str, seconds: float, proc=None) -> None:
    import time
    import urllib.request

    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the Prefect server exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"no answer from {url} within {seconds:.0f} s")


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory):
    """One real Prefect server (``prefect server start`` on a free port) for every test that runs a flow.

    Each flow run in ephemeral mode would start a temporary server of its own
    (about 10 s, and it times out on a busy 2-core machine); one server for
    the session makes those tests fast and reliable. ``PREFECT_API_URL`` is set
    for the tests and every process they start; a server given in the
    environment is used as it is.
    """
    if os.environ.get("PREFECT_API_URL"):
        yield os.environ["PREFECT_API_URL"]
        return
    home = tmp_path_factory.mktemp("prefect-server")
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_HOME": str(home), "DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_UI_ENABLED": "false"}
    prefect = Path(sys.executable).with_name("prefect")
    log = (home / "server.log").open("wb")
    proc = subprocess.Popen([str(prefect) if prefect.exists() else "prefect", "server", "start", "--host",
                             "127.0.0.1", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        try:
            wait_for_health(f"{api}/health", 300, proc)
        except (TimeoutError, RuntimeError) as exc:
            log.flush()
            pytest.fail(f"{exc}; server log: {(home / 'server.log').read_text()[-2000:]}")
        os.environ["PREFECT_API_URL"] = api
        yield api
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
