"""Engines, transactions and migrations for the review store.

SQLite (the default: a file in the current folder, nothing to start) and
PostgreSQL (``--database-url postgresql+psycopg://user@host:5432/db``) share
the models and the migrations.

Decisions (a transition, a submission that stores a version, a waiver) run in
``Database.transaction()``: on PostgreSQL the workflow locks the article row
with ``SELECT … FOR UPDATE``; on SQLite the transaction starts with ``BEGIN
IMMEDIATE``, which takes the database's write lock up front, so two decisions
are ordered and never interleaved. Reads use ``Database.session()`` and never
take the write lock (SQLite runs in WAL mode, so readers do not wait for it).

The store uses synchronous SQLAlchemy: the routes are plain functions that
FastAPI runs in its thread pool, which is also where the CPU-bound check must
run anyway; one model of execution keeps the workflow plain and testable.
"""

from __future__ import annotations

import fcntl
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from importlib import resources
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session

DEFAULT_DB_FILE = "artgate.db"


class DatabaseURLError(ValueError):
    """A --database-url that names no supported database."""


def normalize_url(url: str | None) -> str:
    """The SQLAlchemy URL for a --database-url value.

    ``None`` is the embedded SQLite file ``artgate.db`` in the current folder;
    a plain path is a SQLite file; ``postgresql://`` and ``postgresql+asyncpg://``
    are served through psycopg 3 (the store is synchronous), as is
    ``sqlite+aiosqlite://`` through the standard sqlite3 module.

    >>> normalize_url("postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    'postgresql+psycopg://postgres@127.0.0.1:5432/test'
    """
    if url is None:
        return "sqlite:///" + str(Path.cwd() / DEFAULT_DB_FILE)
    if "://" not in url:
        return "sqlite:///" + str(Path(url).resolve())
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseURLError(f"--database-url {url!r} is not a database URL: {exc}") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite").render_as_string(hide_password=False)
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    raise DatabaseURLError(f"--database-url {url!r}: unsupported database {backend!r}; use sqlite:///FILE or "
                           "postgresql+psycopg://USER@HOST:PORT/DB")


def redacted(url: str) -> str:
    """The URL with any password hidden, for logs and audit run keys."""
    return make_url(url).render_as_string(hide_password=True)


class Database:
    """One store: an engine, read sessions and write transactions."""

    def __init__(self, url: str | None = None, *, pool_size: int = 10):
        self.url = normalize_url(url)
        self.dialect = make_url(self.url).get_backend_name()
        if self.dialect == "sqlite":
            path = make_url(self.url).database
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.engine = create_engine(self.url, connect_args={"timeout": 30, "check_same_thread": False},
                                        pool_size=pool_size, max_overflow=2 * pool_size)
            _sqlite_events(self.engine)
        else:
            self.engine = create_engine(self.url, pool_size=pool_size, max_overflow=2 * pool_size,
                                        pool_pre_ping=True)
        self._write_engine = self.engine.execution_options(artgate_write=True)
        path = make_url(self.url).database if self.dialect == "sqlite" else None
        self._writer = WriterLock(path) if path and path != ":memory:" else nullcontext()
        self.outbox_listeners: list = []  # called after a transaction that queued webhook deliveries commits

    def __repr__(self) -> str:
        return f"Database({redacted(self.url)!r})"

    def session(self) -> Session:
        """A session for reads (and for writes that need no article lock)."""
        return Session(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write transaction: committed on success, rolled back on any error.

        On SQLite, writers also queue on a lock before ``BEGIN IMMEDIATE`` (a
        thread lock and an ``flock`` on ``FILE.writer-lock``, so the server's
        worker processes and the command line queue together): SQLite lets only
        one writer in anyway, and its own busy handler waits by sleeping in
        growing steps, which turns a short queue into long latency tails.
        """
        with self._writer, Session(self._write_engine, expire_on_commit=False) as s:
            with s.begin():
                yield s
            if s.info.get("outbox"):
                for wake in self.outbox_listeners:
                    wake()

    def migrate(self) -> None:
        """Create or upgrade the schema to the newest revision (run on every start-up)."""
        from alembic import command

        with self.engine.begin() as conn:
            if self.dialect == "postgresql":
                # Two processes starting at once must not both create the tables.
                conn.execute(text("SELECT pg_advisory_xact_lock(7240517)"))
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()
        if isinstance(self._writer, WriterLock):
            self._writer.close()


class WriterLock:
    """One SQLite writer at a time across this process's threads and every process using the same file."""

    def __init__(self, database_path: str):
        self._path = database_path + ".writer-lock"
        self._threads = threading.Lock()
        self._fd: int | None = None

    def __enter__(self) -> None:
        self._threads.acquire()
        try:
            if self._fd is None:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise

    def __exit__(self, *exc) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._threads.release()

    def close(self) -> None:
        with self._threads:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


def alembic_config():
    """Alembic's configuration pointing at the packaged migrations (no alembic.ini needed)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("review") / "migrations"))
    return cfg


def _sqlite_events(engine: Engine) -> None:
    """WAL, foreign keys, and transactions SQLAlchemy begins itself (BEGIN IMMEDIATE for writes).

    The sqlite3 module's own implicit transactions are switched off so that
    ``BEGIN IMMEDIATE`` can be emitted; this is the recipe SQLAlchemy documents
    for SQLite transaction control.
    """

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("artgate_write") else "BEGIN")


def database_url_from_env(url: str | None) -> str | None:
    """--database-url, else $ARTGATE_DATABASE_URL, else None (the embedded SQLite file).

    A value given must be a URL with a known scheme: a typo ('notaurl', 'postgresql:/…' with one slash)
    would otherwise open a new, empty SQLite store in silence, where no token works.
    """
    value = url or os.environ.get("ARTGATE_DATABASE_URL") or None
    if value is not None:
        check_database_url(value, "--database-url" if url else "$ARTGATE_DATABASE_URL")
    return value


def check_database_url(url: str, name: str = "--database-url") -> None:
    """Refuse, in one line, a database URL without a scheme or a database (``normalize_url`` refuses unknown ones)."""
    _, sep, rest = url.partition("://")
    if not sep or not rest.strip("/"):
        shown = re.sub(r":[^:@/]*@", ":***@", url)
        raise DatabaseURLError(
            f"{name} {shown!r} is not a database URL artgate knows; use sqlite:///PATH/TO/FILE.db or "
            "postgresql://USER@HOST:PORT/DB (also postgresql+psycopg://, postgresql+asyncpg://)")
