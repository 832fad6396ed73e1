"""The nightly audit (``GET /audit``): runs over time, per rule and severity, and what each run changed.

Runs come from the service's runs folder (``--runs-dir``): each finished
run's ``summary.json``, and the audit's own state file (``state.sqlite``),
which keeps the summary of every finished run even after its folder was
cleared. A runs folder may hold audits of several sources (a corpus folder,
a JSON Lines export, this review store via ``artgate audit --database-url``);
the page shows one source at a time, this store's audits by default.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select

from ...db import Database, redacted
from ...models import Article
from ..auth import Viewer
from ..charts import line_chart, sparkline
from ..render import respond
from . import BadParameter, signed_in

log = logging.getLogger("artgate.web")
router = APIRouter()

MAX_RUNS = 60
SEVERITIES = ("blocker", "warning", "info")


def _from_state(runs_dir: Path) -> dict[str, dict]:
    """Summaries of finished runs recorded in the audit's state file (read-only; absent is fine)."""
    path = runs_dir / "state.sqlite"
    if not path.is_file():
        return {}
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            rows = conn.execute("SELECT run_id, source, started, summary FROM runs WHERE finished IS NOT NULL "
                                "ORDER BY started DESC LIMIT ?", (MAX_RUNS * 4,)).fetchall()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        log.warning("audit state %s unreadable: %s", path, exc)
        return {}
    out = {}
    for run_id, source, started, summary in rows:
        try:
            out[run_id] = {"source": source, **json.loads(summary or "{}"), "run_id": run_id, "_started": started}
        except json.JSONDecodeError:
            log.warning("audit state %s: run %s has an unreadable summary", path, run_id)
    return out


def _from_folders(runs_dir: Path) -> dict[str, dict]:
    out = {}
    for path in sorted(runs_dir.glob("*/summary.json"), reverse=True)[:MAX_RUNS * 4]:
        try:
            summary = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            log.warning("audit summary %s unreadable: %s", path, exc)
            continue
        if isinstance(summary, dict) and summary.get("run_id"):
            out[summary["run_id"]] = {**summary, "_started": path.stat().st_mtime}
    return out


def load_runs(runs_dir: Path) -> list[dict]:
    """Every finished run's summary, oldest first (a run folder's summary wins over the state file's copy).

    Order is by start time (the state file's, else when the summary was
    written): run ids begin with the second a run started, and two runs in
    the same second would otherwise be ordered by their random suffix.
    """
    state, folders = _from_state(runs_dir), _from_folders(runs_dir)
    runs = {**state, **{k: {**v, "_started": state.get(k, v)["_started"]} for k, v in folders.items()}}
    ordered = sorted(runs.values(), key=lambda r: (r["_started"], r["run_id"]))
    return [_sane({k: v for k, v in r.items() if k != "_started"}) for r in ordered]


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _rows(value: object, fields: tuple[str, ...], texts: tuple[str, ...] = ()) -> list[dict]:
    """The rows of a summary list that are objects, each with every field the page shows (as text)."""
    if not isinstance(value, list):
        return []
    return [{**{f: str(row.get(f, "")) for f in fields}, **{f: _count(row.get(f)) for f in texts}}
            for row in value if isinstance(row, dict) and isinstance(row.get("article_id") or row.get("rule"), str)]


def _sane(run: dict) -> dict:
    """A run summary with every value the page uses of the type it expects.

    The summaries are files in the runs folder; one edited by hand or written by another version
    must cost its own wrong numbers, never the page (a string where a count goes, a list where a
    mapping goes, a row without its rule)."""
    findings = run.get("findings") if isinstance(run.get("findings"), dict) else {}
    by_rule = [{"rule": row["rule"], "severity": row["severity"], "count": _count(row.get("count"))}
               for row in run.get("by_rule") or () if isinstance(row, dict)
               and isinstance(row.get("rule"), str) and isinstance(row.get("severity"), str)] \
        if isinstance(run.get("by_rule"), list) else []
    optional = {k: run[k] if isinstance(run.get(k), int) and not isinstance(run.get(k), bool) else None
                for k in ("new_findings", "resolved_findings")}
    return {**run, **{k: _count(run.get(k)) for k in ("articles", "blocked", "passed", "bad_items")},
            "source": run.get("source") if isinstance(run.get("source"), str) else None,
            "previous_run": run.get("previous_run") if isinstance(run.get("previous_run"), str) else None,
            "findings": {sev: _count(findings.get(sev)) for sev in SEVERITIES}, "by_rule": by_rule, **optional,
            "new": _rows(run.get("new"), ("article_id", "rule", "message")),
            "resolved": _rows(run.get("resolved"), ("article_id", "rule", "message")),
            "most_blockers": _rows(run.get("most_blockers"), ("article_id", "title"), ("blockers",))}


def _label(run_id: str) -> str:
    """'12-02 03:15' from a run id '20261202T031500-ab12cd'."""
    stamp = run_id.split("-")[0]
    if len(stamp) >= 13 and stamp[8] == "T":
        return f"{stamp[4:6]}-{stamp[6:8]} {stamp[9:11]}:{stamp[11:13]}"
    return run_id[:12]


def audit_data(db: Database, runs_dir: Path, source: str | None) -> dict:
    runs = load_runs(runs_dir)
    store_key = redacted(db.url)
    sources: dict[str, int] = {}
    for r in runs:
        sources[r.get("source") or "?"] = sources.get(r.get("source") or "?", 0) + 1
    if source and source not in sources:
        raise BadParameter("source", "no audit runs of that source in the runs folder")
    if not source and sources:
        source = store_key if store_key in sources else (runs[-1].get("source") or "?")
    chosen = [r for r in runs if (r.get("source") or "?") == source][-MAX_RUNS:]
    trend = [{"run_id": r["run_id"], "label": _label(r["run_id"]), "articles": r.get("articles", 0),
              "blocked": r.get("blocked", 0), **{s: (r.get("findings") or {}).get(s, 0) for s in SEVERITIES}}
             for r in chosen]
    per_rule: dict[tuple[str, str], list[int]] = {}
    for i, r in enumerate(chosen):
        for row in r.get("by_rule") or ():
            per_rule.setdefault((row["rule"], row["severity"]), [0] * len(chosen))[i] = row["count"]
    rules = sorted(({"rule": rule, "severity": sev, "counts": counts, "latest": counts[-1],
                     "change": counts[-1] - counts[-2] if len(counts) > 1 else None}
                    for (rule, sev), counts in per_rule.items()),
                   key=lambda x: (SEVERITIES.index(x["severity"]) if x["severity"] in SEVERITIES else 9,
                                  -x["latest"], x["rule"]))
    latest = chosen[-1] if chosen else None
    last = None
    if latest:
        worst = latest.get("most_blockers") or []
        ids = _store_ids(db, [a["article_id"] for a in worst]) if source == store_key else {}
        last = {"run_id": latest["run_id"], "label": _label(latest["run_id"]),
                "previous_run": latest.get("previous_run"), "articles": latest.get("articles", 0),
                "blocked": latest.get("blocked", 0), "passed": latest.get("passed", 0),
                "bad_items": latest.get("bad_items", 0), "findings": latest.get("findings") or {},
                "new_findings": latest.get("new_findings"), "resolved_findings": latest.get("resolved_findings"),
                "new": latest.get("new") or [], "resolved": latest.get("resolved") or [],
                "most_blockers": [{**a, "store_id": ids.get(a["article_id"])} for a in worst],
                "expectations": _expectations(latest.get("expectations"))}
    return {"runs_dir": str(runs_dir), "source": source, "is_store": source == store_key,
            "sources": [{"source": k, "runs": n, "is_store": k == store_key} for k, n in sources.items()],
            "trend": trend, "rules": rules, "latest": last}


def _expectations(e: dict | None) -> dict | None:
    if not isinstance(e, dict):
        return None
    failed = [{"expectation": str(f.get("expectation", "")), "meaning": str(f.get("meaning", "")),
               "unexpected": f.get("unexpected", 0)} for f in e.get("failed") or () if isinstance(f, dict)]
    return {"success": bool(e.get("success")), "evaluated": e.get("evaluated", 0), "failed": failed,
            "carried_from": e.get("carried_from")}


def _store_ids(db: Database, external_ids: list[str]) -> dict[str, int]:
    """Store ids of the articles a store audit names (its article ids are the external ids)."""
    if not external_ids:
        return {}
    with db.session() as s:
        rows = s.execute(select(Article.external_id, Article.id).where(Article.external_id.in_(external_ids)))
        return {external_id: article_id for external_id, article_id in rows}


def _audit(request: Request, viewer: Viewer, as_json: bool) -> Response:
    source = (request.query_params.get("source") or "").strip() or None
    runs_dir = Path(request.app.state.settings.runs_dir)
    data = audit_data(request.app.state.db, runs_dir, source)
    labels = [t["label"] for t in data["trend"]]
    chart = line_chart(labels, {s: [t[s] for t in data["trend"]] for s in SEVERITIES},
                       "Open findings per severity, run by run")
    sparks = {(r["rule"], r["severity"]): sparkline(r["counts"], r["severity"], f"{r['rule']}: "
                                                     + ", ".join(map(str, r["counts"]))) for r in data["rules"]}
    return respond(request, viewer, "audit.html", data, as_json=as_json, chart=chart, sparks=sparks)


@router.get("/audit", include_in_schema=False)
def audit(request: Request, viewer: Annotated[Viewer, Depends(signed_in)]) -> Response:
    return _audit(request, viewer, False)


@router.get("/audit.json", include_in_schema=False)
def audit_json(request: Request, viewer: Annotated[Viewer, Depends(signed_in)]) -> Response:
    return _audit(request, viewer, True)
