"""The nightly audit's state: an embedded SQLite file beside the run folders.

- ``runs``: one row per audit run (unfinished runs are resumed, not restarted).
- ``results``: one row per (run, article) with the article's compact report. A
  chunk's rows are written in one transaction, so a run killed at any moment
  holds whole chunks only; the primary key makes a row impossible to write
  twice.
- ``latest``: per article, the content hash and ruleset of its last successful
  check and the run holding that result. An article whose hash and ruleset are
  unchanged is not re-extracted: its result is carried into the new run.
- ``errors``: inputs that could not be read at all, per run, with the reason.

A run is marked finished only after its outputs are written, so a run killed
at any point is resumed by the next start; ``reopen_incomplete`` also reopens a
finished run whose folder lacks an output (written by an older version that
marked runs finished first). ``AuditLock`` keeps two audits off one state
folder at a time.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

import orjson

from extractors.errors import ArtgateError

OUTPUTS = ("assertions.parquet", "findings.parquet", "summary.json", "report.html")

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, source TEXT NOT NULL, ruleset TEXT NOT NULL, started REAL NOT NULL,
    finished REAL, summary TEXT
);
CREATE TABLE IF NOT EXISTS results (
    run_id TEXT NOT NULL, article_id TEXT NOT NULL, sha TEXT NOT NULL, ruleset TEXT NOT NULL,
    reused INTEGER NOT NULL, verdict TEXT NOT NULL, report TEXT NOT NULL,
    PRIMARY KEY (run_id, article_id)
);
CREATE TABLE IF NOT EXISTS latest (
    article_id TEXT PRIMARY KEY, sha TEXT NOT NULL, ruleset TEXT NOT NULL, run_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS errors (
    run_id TEXT NOT NULL, item TEXT NOT NULL, reason TEXT NOT NULL, PRIMARY KEY (run_id, item)
);
"""


class Store:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=60)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    # --- runs -------------------------------------------------------------------------------------------

    def open_run(self, source: str, ruleset: str) -> tuple[str, bool]:
        """The unfinished run for this source and ruleset (resumed), or a new one. Returns (run_id, resumed)."""
        row = self.db.execute(
            "SELECT run_id FROM runs WHERE source = ? AND ruleset = ? AND finished IS NULL "
            "ORDER BY started DESC LIMIT 1", (source, ruleset)).fetchone()
        if row:
            return row[0], True
        run_id = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + "-" + uuid.uuid4().hex[:6]
        with self.db:
            self.db.execute("INSERT INTO runs (run_id, source, ruleset, started) VALUES (?, ?, ?, ?)",
                            (run_id, source, ruleset, time.time()))
        return run_id, False

    def resumable(self, source: str, ruleset: str, runs_dir: Path) -> str | None:
        """The run an audit started now would resume (unfinished, or finished without all its outputs)."""
        row = self.db.execute(
            "SELECT run_id, finished FROM runs WHERE source = ? AND ruleset = ? "
            "ORDER BY finished IS NOT NULL, started DESC LIMIT 1", (source, ruleset)).fetchone()
        if row is None:
            return None
        if row[1] is None or not all((runs_dir / row[0] / name).is_file() for name in OUTPUTS):
            return row[0]
        return None

    def reopen_incomplete(self, source: str, ruleset: str, runs_dir: Path) -> str | None:
        """Mark the latest finished run unfinished again when its folder lacks an output; returns its id."""
        row = self.db.execute(
            "SELECT run_id FROM runs WHERE source = ? AND ruleset = ? AND finished IS NOT NULL "
            "ORDER BY started DESC LIMIT 1", (source, ruleset)).fetchone()
        if row is None or all((runs_dir / row[0] / name).is_file() for name in OUTPUTS):
            return None
        with self.db:
            self.db.execute("UPDATE runs SET finished = NULL WHERE run_id = ?", (row[0],))
        return row[0]

    def finish_run(self, run_id: str, summary: dict) -> None:
        with self.db:
            self.db.execute("UPDATE runs SET finished = ?, summary = ? WHERE run_id = ?",
                            (time.time(), json.dumps(summary), run_id))

    def previous_run(self, run_id: str, source: str) -> str | None:
        row = self.db.execute(
            "SELECT run_id FROM runs WHERE source = ? AND finished IS NOT NULL AND run_id != ? "
            "ORDER BY started DESC LIMIT 1", (source, run_id)).fetchone()
        return row[0] if row else None

    def history(self, source: str, limit: int = 30) -> list[dict]:
        rows = self.db.execute(
            "SELECT run_id, summary FROM runs WHERE source = ? AND finished IS NOT NULL ORDER BY started DESC "
            "LIMIT ?", (source, limit)).fetchall()
        return [{"run_id": r, **json.loads(s)} for r, s in reversed(rows)]

    # --- results ----------------------------------------------------------------------------------------

    def done(self, run_id: str) -> set[str]:
        """Articles already recorded in this run (resuming skips them)."""
        return {r[0] for r in self.db.execute("SELECT article_id FROM results WHERE run_id = ?", (run_id,))}

    def unchanged(self, ruleset: str) -> dict[str, tuple[str, str]]:
        """article_id -> (sha, run_id) of its last successful check under ``ruleset``."""
        return {a: (sha, run) for a, sha, run in
                self.db.execute("SELECT article_id, sha, run_id FROM latest WHERE ruleset = ?", (ruleset,))}

    def record(self, run_id: str, ruleset: str, results: Iterable[dict], reused: bool = False) -> int:
        """Write one chunk's results atomically; returns how many rows were new."""
        rows = [(run_id, r["article_id"], r["sha"], ruleset, int(reused), r["verdict"],
                 r["json"] if "json" in r else orjson.dumps(r)) for r in results]
        with self.db:
            before = self.db.total_changes
            self.db.executemany("INSERT OR IGNORE INTO results VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            self.db.executemany(
                "INSERT INTO latest VALUES (?, ?, ?, ?) ON CONFLICT(article_id) DO UPDATE SET "
                "sha = excluded.sha, ruleset = excluded.ruleset, run_id = excluded.run_id",
                [(r[1], r[2], ruleset, run_id) for r in rows])
            return self.db.total_changes - before - len(rows)

    def carry_over(self, run_id: str, ruleset: str, items: dict[str, str]) -> int:
        """Copy unchanged articles' results (article_id -> previous run) into this run, in one transaction."""
        with self.db:
            before = self.db.total_changes
            self.db.executemany(
                "INSERT OR IGNORE INTO results (run_id, article_id, sha, ruleset, reused, verdict, report) "
                "SELECT ?, article_id, sha, ruleset, 1, verdict, report FROM results "
                "WHERE run_id = ? AND article_id = ?",
                [(run_id, prev, aid) for aid, prev in items.items()])
            return self.db.total_changes - before

    def error(self, run_id: str, item: str, reason: str) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO errors VALUES (?, ?, ?)", (run_id, item, reason))

    def errors(self, run_id: str) -> list[tuple[str, str]]:
        return list(self.db.execute("SELECT item, reason FROM errors WHERE run_id = ? ORDER BY item", (run_id,)))

    def reports(self, run_id: str) -> list[dict]:
        return [orjson.loads(r[0]) for r in self.db.execute(
            "SELECT report FROM results WHERE run_id = ? ORDER BY article_id", (run_id,))]


class AuditLocked(ArtgateError):
    """Another audit holds the state folder."""


class AuditLock:
    """An exclusive lock on a state folder (``audit.lock``, ``flock``), held for a whole audit.

    A second audit on the same folder, from any process, fails at once with
    ``AuditLocked`` naming the holder, instead of checking everything again and
    racing on the same files. The kernel drops the lock when the holder dies,
    even by SIGKILL, so a killed audit never leaves a stale lock. Re-entrant
    within one process (the command line takes it before starting Prefect, the
    audit itself takes it again).
    """

    _held: ClassVar[dict[str, list]] = {}  # lock path -> [fd, depth]

    def __init__(self, runs_dir: str | Path):
        self.path = Path(runs_dir) / "audit.lock"

    def __enter__(self) -> AuditLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        key = self.key = str(self.path.resolve())
        if key in self._held:
            self._held[key][1] += 1
            return self
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
            os.close(fd)
            raise AuditLocked(f"{self.path.parent}: another audit is running on this state folder ({holder}); "
                              "wait for it to finish, or give this one another --runs-dir") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}, since {time.strftime('%Y-%m-%d %H:%M:%S')}".encode(), 0)
        self._held[key] = [fd, 1]
        return self

    def __exit__(self, *exc: object) -> None:
        entry = self._held[self.key]
        entry[1] -= 1
        if entry[1] == 0:
            del self._held[self.key]
            os.close(entry[0])  # closing the descriptor releases the lock
