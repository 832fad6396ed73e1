"""Fixtures for the review service: every store and API test runs on SQLite and on PostgreSQL.

PostgreSQL is the server at 127.0.0.1:5432 (or $ARTGATE_TEST_POSTGRES_URL).
Each test run creates its own database, named after the process and a random
suffix, migrates it once, empties it before each test and drops it at the
end, so runs never collide. When the server is unreachable the PostgreSQL
half of each test is skipped with the reason (shown by ``-ra``).
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from review.db import Database

PG_ADMIN_URL = os.environ.get("ARTGATE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TABLES = ("claim_decisions", "web_sessions", "deliveries", "webhooks", "events", "waivers", "claims", "findings",
          "versions", "articles", "tokens")

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
ORACLE = (SEEDS / "dorsiflexion-dr-oracle.txt").read_text(encoding="utf-8")
CORRECTED = (SEEDS / "dorsiflexion-corrected.txt").read_text(encoding="utf-8")


def _pg_admin():
    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})


@pytest.fixture(scope="session")
def pg_url():
    """(url, None) of this run's own PostgreSQL database, or (None, why it is unavailable)."""
    admin = _pg_admin()
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any connection failure means "no PostgreSQL here": skip, saying why
        admin.dispose()
        yield None, f"PostgreSQL unreachable at {make_url(PG_ADMIN_URL).render_as_string()}: " \
                    f"{str(exc).splitlines()[0][:200]}"
        return
    name = f"artgate_test_{os.getpid()}_{secrets.token_hex(3)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    db = Database(url, pool_size=2)
    db.migrate()
    db.dispose()
    try:
        yield url, None
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated empty SQLite store, copied for each test (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "store.db"
    db = Database(str(path), pool_size=1)
    db.migrate()
    db.dispose()
    return path


def fresh_database(kind: str, pg_url, sqlite_template: Path, tmp_path: Path) -> Database:
    if kind == "sqlite":
        path = tmp_path / "store.db"
        shutil.copy(sqlite_template, path)
        return Database(str(path))
    url, why = pg_url
    if url is None:
        pytest.skip(why)
    db = Database(url)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    return db


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request, pg_url, sqlite_template, tmp_path):
    database = fresh_database(request.param, pg_url, sqlite_template, tmp_path)
    yield database
    database.dispose()


@pytest.fixture
def pg_db(pg_url, sqlite_template, tmp_path):
    database = fresh_database("postgresql", pg_url, sqlite_template, tmp_path)
    yield database
    database.dispose()


@dataclass
class People:
    """Tokens for the usual cast: an author, two reviewers and an admin."""

    alice: str  # author
    rob: str  # reviewer
    rita: str  # reviewer
    ada: str  # admin

    @staticmethod
    def auth(token: str) -> dict:
        return {"Authorization": f"Bearer {token}"}


def make_people(database: Database) -> People:
    from review.tokens import create_token

    return People(*(create_token(database, n, r).token for n, r in (
        ("alice", "author"), ("rob", "reviewer"), ("rita", "reviewer"), ("ada", "admin"))))


@pytest.fixture
def people(db) -> People:
    return make_people(db)


@pytest.fixture
def client(db, people):
    """The API through HTTP with the ASGI test client (no webhook worker; tests drive it themselves)."""
    from fastapi.testclient import TestClient

    from review.api import Settings, create_app

    app = create_app(Settings(warm=False, deliver_webhooks=False), db)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """The app on a real uvicorn server in a background thread, for tests of concurrent HTTP requests."""

    def __init__(self, app):
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    limit_concurrency=64))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
