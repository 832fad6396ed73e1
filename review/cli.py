"""What ``artgate serve``, ``artgate token create`` and ``artgate recheck`` run (``flows.cli`` parses the arguments).

Each function takes plain values and returns an exit status, so the command
line stays a thin layer and these can be called from tests directly.
"""

from __future__ import annotations

import os
import sys

from sqlalchemy.exc import SQLAlchemyError

from reports.escape import one_line

from .db import Database, DatabaseURLError, database_url_from_env, redacted


def _open(database_url: str | None) -> Database | None:
    try:
        db = Database(database_url_from_env(database_url))
        db.migrate()
    except DatabaseURLError as exc:
        print(f"artgate: error: {exc}", file=sys.stderr)
        return None
    except SQLAlchemyError as exc:  # refused, unknown database …: reported in one line
        print(f"artgate: error: cannot open the database {redacted(normalize(database_url))}: "
              f"{str(exc).splitlines()[0]}", file=sys.stderr)
        return None
    return db


def normalize(database_url: str | None) -> str:
    from .db import normalize_url

    return normalize_url(database_url_from_env(database_url))


def serve(host: str = "127.0.0.1", port: int = 8080, database_url: str | None = None,
          runs_dir: str = "artgate-runs", config: str | None = None, workers: int = 1,
          max_body_bytes: int | None = None, log_level: str = "info", *, check_timeout_s: float | None = None,
          check_processes: int | None = None) -> int:
    """Migrate the store, then serve the API with uvicorn (``workers`` processes, one pipeline each)."""
    import uvicorn

    from rules.engine import load_ruleset

    load_ruleset(config)  # a bad configuration stops here, before the server starts
    db = _open(database_url)
    if db is None:
        return 2
    url = db.url
    db.dispose()
    os.environ["ARTGATE_DATABASE_URL"] = url
    os.environ["ARTGATE_RUNS_DIR"] = runs_dir
    if config:
        os.environ["ARTGATE_CONFIG"] = os.path.abspath(config)
    if max_body_bytes:
        os.environ["ARTGATE_MAX_BODY_BYTES"] = str(max_body_bytes)
    if check_timeout_s:
        os.environ["ARTGATE_CHECK_TIMEOUT_S"] = str(check_timeout_s)
    if check_processes:
        os.environ["ARTGATE_CHECK_PROCESSES"] = str(check_processes)
    print(f"artgate review service on http://{host}:{port} · store {redacted(url)} · "
          f"ruleset {load_ruleset(config).version} · checks stopped after {check_timeout_s or 15:g} s · "
          "dashboard at /, API docs at /docs, OpenAPI at /openapi.json",
          file=sys.stderr)
    uvicorn.run("review.api:app_from_env", factory=True, host=host, port=port, workers=workers,
                log_level=log_level, server_header=False, http="review.server:NoDelayH11Protocol")
    return 0


def token_create(role: str, name: str, database_url: str | None = None) -> int:
    """Print a new token on stdout (once: only its hash is stored)."""
    from .tokens import create_token

    db = _open(database_url)
    if db is None:
        return 2
    try:
        t = create_token(db, name, role)
    except ValueError as exc:
        print(f"artgate: error: {exc}", file=sys.stderr)
        return 2
    finally:
        db.dispose()
    print(t.token)
    print(f"token {t.id} for {t.name} ({t.role}) in {redacted(db.url)}: it is shown only this once",
          file=sys.stderr)
    return 0


def token_list(database_url: str | None = None) -> int:
    """Print the store's tokens (never the tokens themselves: only their ids, names, roles and dates)."""
    from .tokens import list_tokens

    db = _open(database_url)
    if db is None:
        return 2
    try:
        rows = list_tokens(db)
    finally:
        db.dispose()
    print(f"tokens in {redacted(db.url)}", file=sys.stderr)
    print(f"{'id':>4}  {'role':<8}  {'created':<19}  {'revoked':<19}  name")
    for t in rows:
        revoked = (t["revoked_at"] or "")[:19].replace("T", " ")
        print(f"{t['id']:>4}  {t['role']:<8}  {t['created_at'][:19].replace('T', ' '):<19}  {revoked or '-':<19}  "
              f"{one_line(t['name'])}")
    return 0


def token_revoke(token_id: int, database_url: str | None = None) -> int:
    """Revoke a token by its id (``artgate token list``): it stops working at once, its sessions end."""
    from .tokens import revoke_token

    db = _open(database_url)
    if db is None:
        return 2
    try:
        t = revoke_token(db, token_id)
    finally:
        db.dispose()
    if t is None:
        print(f"artgate: error: no token with id {token_id} in {redacted(db.url)} (see 'artgate token list')",
              file=sys.stderr)
        return 2
    print(f"token {t['id']} for {one_line(t['name'])} ({t['role']}) revoked in {redacted(db.url)}", file=sys.stderr)
    return 0


def recheck(database_url: str | None = None, config: str | None = None, everything: bool = False) -> int:
    """Re-check stored current versions whose ruleset is not the current one; progress on stderr."""
    from .workflow import recheck as run_recheck

    db = _open(database_url)
    if db is None:
        return 2
    tty = sys.stderr.isatty()
    step = {"last": -1}

    def progress(done: int, total: int) -> None:
        pct = 100 * done // total
        if tty:
            print(f"\rre-checked {done:,}/{total:,} ({pct}%)", end="" if done < total else "\n", file=sys.stderr)
        elif pct // 10 != step["last"]:
            print(f"re-checked {done:,}/{total:,} ({pct}%)", file=sys.stderr)
            step["last"] = pct // 10

    try:
        s = run_recheck(db, config, everything=everything, progress=progress)
    finally:
        db.dispose()
    print(f"ruleset {s.ruleset}: {s.rechecked} of {s.considered} current versions re-checked, "
          f"{s.verdict_changed} verdicts changed, {len(s.reopened)} approved articles sent back to submitted"
          + (f", {s.skipped} skipped (a newer version arrived)" if s.skipped else ""))
    return 0


def corrections_export(out_dir: str, database_url: str | None = None, config: str | None = None) -> int:
    """Write the reviewers' claim decisions as labelled pages (``review.export``); progress on stderr."""
    from rules.engine import load_ruleset

    from .export import export_corrections

    target = os.path.abspath(out_dir)
    if os.path.exists(target) and not os.path.isdir(target):
        print(f"artgate: error: {out_dir}: exists and is not a folder", file=sys.stderr)
        return 2
    threshold = load_ruleset(config).threshold
    db = _open(database_url)
    if db is None:
        return 2

    def progress(done: int, total: int) -> None:
        if total >= 200 or sys.stderr.isatty():
            print(f"exported {done:,}/{total:,} pages", file=sys.stderr)

    try:
        summary = export_corrections(db, target, threshold, progress)
    except OSError as exc:
        print(f"artgate: error: {out_dir}: cannot write the export: {exc.strerror or exc}", file=sys.stderr)
        return 2
    finally:
        db.dispose()
    if not summary.pages:
        print(f"no version has a reviewer's claim decision yet: {os.path.join(out_dir, 'gold.jsonl')} is empty")
        return 0
    kinds = ", ".join(f"{n:,} {kind}" for kind, n in sorted(summary.decisions.items()))
    print(f"{summary.pages:,} labelled pages ({summary.assertions:,} assertions; decisions: {kinds}) from "
          f"{len(summary.sites):,} site(s) in {os.path.join(out_dir, 'gold.jsonl')}")
    return 0
