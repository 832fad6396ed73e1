"""The service's commands as a user runs them: serve, token create, recheck, and audit over the store."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import httpx
import pytest

from tests.conftest import ROOT, run_cli

from .conftest import CORRECTED, ORACLE, People, free_port


def token(tmp_path, role, name, *extra):
    r = run_cli("token", "create", "--role", role, "--name", name, *extra)
    assert r.returncode == 0, r.stderr.decode()
    secret = r.stdout.decode().strip()
    assert secret.startswith("ag_") and "shown only this once" in r.stderr.decode()
    return secret


def test_token_create_prints_the_token_once_and_stores_its_hash(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    secret = token(tmp_path, "admin", "ada", "--database-url", url)
    rows = sqlite3.connect(tmp_path / "cli.db").execute("SELECT name, role, token_hash FROM tokens").fetchall()
    assert [(n, r) for n, r, _ in rows] == [("ada", "admin")] and secret not in rows[0][2]
    bad = run_cli("token", "create", "--role", "boss", "--name", "x", "--database-url", url)
    assert bad.returncode == 2 and b"invalid choice" in bad.stderr


def test_a_database_that_cannot_be_opened_is_one_line_on_stderr():
    r = run_cli("recheck", "--database-url", f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none")
    assert r.returncode == 2
    err = r.stderr.decode()
    assert err.startswith("artgate: error: cannot open the database") and "Traceback" not in err
    r = run_cli("recheck", "--database-url", "mysql://x@localhost/db")
    assert r.returncode == 2 and b"unsupported database 'mysql'" in r.stderr


@pytest.fixture
def served(tmp_path):
    """``artgate serve`` in its own process, on a free port, with the default SQLite file in a fresh folder."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    admin = subprocess.run([sys.executable, "-m", "flows.cli", "token", "create", "--role", "admin", "--name", "ada"],
                           cwd=tmp_path, env=env, capture_output=True, timeout=120, check=True).stdout.decode().strip()
    proc = subprocess.Popen([sys.executable, "-m", "flows.cli", "serve", "--port", str(port)], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.2)
        if proc.poll() is not None:
            raise AssertionError(proc.stderr.read().decode())
    try:
        yield base, admin, tmp_path
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_serve_creates_the_store_here_and_answers_over_http(served):
    base, admin, folder = served
    assert (folder / "artgate.db").exists()
    health = httpx.get(base + "/healthz").json()
    assert health["status"] == "ok" and health["database"] == "sqlite"
    made = httpx.post(base + "/api/v1/tokens", json={"name": "cms", "role": "author"},
                      headers=People.auth(admin)).json()
    r = httpx.post(base + "/api/v1/articles", json={"external_id": "cms-7", "title": "t", "body": ORACLE},
                   headers=People.auth(made["token"]), timeout=30)
    assert r.status_code == 201 and r.json()["verdict"] == "blocked"
    assert "openapi" in httpx.get(base + "/openapi.json").json()


def test_recheck_and_audit_take_the_store_as_their_source(tmp_path):
    from review.checking import Content
    from review.db import Database
    from review.tokens import Actor, create_token
    from review.workflow import submit

    url = f"sqlite:///{tmp_path / 'store.db'}"
    db = Database(url)
    db.migrate()
    t = create_token(db, "alice", "author")
    for ext, body in (("a", ORACLE), ("b", CORRECTED)):
        submit(db, Actor(t.id, t.name, t.role), Content(ext, "Which nerve root?", body))
    with db.transaction() as s:
        from sqlalchemy import text

        s.execute(text("UPDATE versions SET ruleset = 'old'"))
    db.dispose()
    r = run_cli("recheck", "--database-url", url)
    assert r.returncode == 0, r.stderr.decode()
    assert "2 of 2 current versions re-checked" in r.stdout.decode()
    runs = tmp_path / "runs"
    r = run_cli("audit", "--database-url", url, "--no-prefect", "--runs-dir", str(runs))
    assert r.returncode == 0, r.stderr.decode()
    assert "2 articles, 1 blocked" in r.stdout.decode()
    [summary] = [json.loads(p.read_text()) for p in runs.glob("*/summary.json")]
    assert summary["source"] == url and summary["articles"] == 2
    both = run_cli("audit", "seeds", "--database-url", url)
    assert both.returncode == 2 and b"either a SOURCE or --database-url" in both.stderr
