"""The review queue (``GET /``): articles by status and verdict, filtered, sorted and paged.

Filters: ``status``, ``verdict``, ``rule`` and ``severity`` (an open finding
of the current version: neither suppressed in the text nor waived, as the
API's list), ``target`` (the current version makes a claim about it),
``section`` (a claim in a section or sub-section whose heading contains the text) and ``q``
(title or external id contains the text). Paging is by page number: a
reviewer jumps to page 7, and on this table an offset costs little (the
first page of 10,000 articles is measured in ``benchmarks/bench_dashboard.py``).
Counts per status are taken under every filter but ``status``, so the tabs
say how many each status would show.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import and_, exists, func, or_, select

from ...db import Database
from ...models import Article, Claim, Event, Finding, Version, utcnow
from ...workflow import SEVERITIES, STATUSES
from ..auth import Viewer
from ..render import respond
from . import BadParameter, catalogue, signed_in

router = APIRouter()

SORTS = {
    "updated": "most recently changed first",
    "oldest": "least recently changed first",
    "blockers": "most open blockers first",
    "external_id": "by external id",
    "title": "by title",
}
PAGE_SIZES = (25, 50, 100)
VERDICTS = ("blocked", "pass")


def _text(params, name: str, limit: int) -> str:
    value = (params.get(name) or "").strip()
    if len(value) > limit:
        raise BadParameter(name, f"{name} is longer than {limit} characters")
    if "\x00" in value:
        raise BadParameter(name, f"{name} must not contain a NUL character")
    return value


def _choice(params, name: str, allowed) -> str:
    value = (params.get(name) or "").strip()
    if value and value not in allowed:
        raise BadParameter(name, f"{name} must be one of {', '.join(allowed)} (got {value!r})")
    return value


def _positive(params, name: str, default: int) -> int:
    raw = (params.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= 1_000_000:
        raise BadParameter(name, f"{name} must be a whole number from 1 (got {raw!r})")
    return int(raw)


def parse_filters(params) -> dict:
    """The queue's query parameters, checked; a bad one is a 400 naming it."""
    size = _positive(params, "per_page", 50)
    if size not in PAGE_SIZES:
        raise BadParameter("per_page", f"per_page must be one of {', '.join(map(str, PAGE_SIZES))}")
    return {
        "status": _choice(params, "status", STATUSES), "verdict": _choice(params, "verdict", VERDICTS),
        "rule": _text(params, "rule", 120), "severity": _choice(params, "severity", SEVERITIES),
        "target": _text(params, "target", 64), "section": _text(params, "section", 200),
        "q": _text(params, "q", 200), "sort": _choice(params, "sort", tuple(SORTS)) or "updated",
        "page": _positive(params, "page", 1), "per_page": size,
    }


def _contains(column, text: str):
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


def _where(f: dict, with_status: bool = True) -> list:
    where = []
    if with_status and f["status"]:
        where.append(Article.status == f["status"])
    if f["verdict"]:
        where.append(Article.verdict == f["verdict"])
    current = and_(Version.article_id == Article.id, Version.number == Article.current_version)
    if f["rule"] or f["severity"]:
        cond = [current, Finding.suppressed.is_(False), Finding.waived.is_(False)]
        if f["rule"]:
            cond.append(Finding.rule == f["rule"])
        if f["severity"]:
            cond.append(Finding.severity == f["severity"])
        where.append(exists(select(Finding.id).join(Version, Version.id == Finding.version_id).where(*cond)))
    if f["target"] or f["section"]:
        cond = [current]
        if f["target"]:
            cond.append(Claim.target == f["target"])
        if f["section"]:
            cond.append(or_(_contains(Claim.section, f["section"]), _contains(Claim.subsection, f["section"])))
        where.append(exists(select(Claim.id).join(Version, Version.id == Claim.version_id).where(*cond)))
    if f["q"]:
        where.append(or_(_contains(Article.title, f["q"]), _contains(Article.external_id, f["q"])))
    return where


_ORDER = {
    "updated": (Article.updated_at.desc(), Article.id.desc()),
    "oldest": (Article.updated_at.asc(), Article.id.asc()),
    "blockers": (Article.n_blocker.desc(), Article.updated_at.desc(), Article.id.desc()),
    "external_id": (Article.external_id.asc(),),
    "title": (Article.title.asc(), Article.id.asc()),
}


def queue_data(db: Database, f: dict, config: str | None = None) -> dict:
    """One page of the queue, the counts per status, and what changed in the last 24 hours."""
    with db.session() as s:
        counts = dict.fromkeys(STATUSES, 0)
        counts.update(dict(s.execute(select(Article.status, func.count()).where(*_where(f, with_status=False))
                                     .group_by(Article.status)).all()))
        total = counts.get(f["status"], 0) if f["status"] else sum(counts.values())
        pages = max(1, -(-total // f["per_page"]))
        page = min(f["page"], pages)
        rows = s.execute(
            select(Article.id, Article.external_id, Article.title, Article.status, Article.verdict,
                   Article.current_version, Article.n_blocker, Article.n_warning, Article.n_info,
                   Article.updated_at, Version.id.label("version_id"), Version.submitted_by)
            .join(Version, and_(Version.article_id == Article.id, Version.number == Article.current_version))
            .where(*_where(f)).order_by(*_ORDER[f["sort"]])
            .limit(f["per_page"]).offset((page - 1) * f["per_page"])).all()
        blocking = _open_blocker_rules(s, [r.version_id for r in rows])
        items = [{
            "id": r.id, "external_id": r.external_id, "title": r.title, "status": r.status, "verdict": r.verdict,
            "version": r.current_version, "submitted_by": r.submitted_by,
            "counts": {"blocker": r.n_blocker, "warning": r.n_warning, "info": r.n_info},
            "updated_at": r.updated_at.isoformat(), "blocker_rules": blocking.get(r.version_id, []),
        } for r in rows]
        since = since_yesterday(s)
    return {"filters": {**f, "page": page}, "items": items, "counts": counts, "total": total, "page": page,
            "pages": pages, "since_yesterday": since, "sorts": SORTS, "page_sizes": list(PAGE_SIZES),
            **catalogue(config)}


def _open_blocker_rules(s, version_ids: list[int]) -> dict[int, list[str]]:
    if not version_ids:
        return {}
    out: dict[int, list[str]] = {}
    for vid, rule in s.execute(select(Finding.version_id, Finding.rule).distinct().where(
            Finding.version_id.in_(version_ids), Finding.severity == "blocker", Finding.suppressed.is_(False),
            Finding.waived.is_(False)).order_by(Finding.version_id, Finding.rule)):
        out.setdefault(vid, []).append(rule)
    return out


def since_yesterday(s, hours: int = 24, recent: int = 8) -> dict:
    """What happened in the last ``hours``: new articles and versions, moves by status, waivers, latest events."""
    start = utcnow() - timedelta(hours=hours)
    grouped = s.execute(select(Event.kind, Event.from_status.is_(None), Event.to_status, func.count())
                        .where(Event.created_at >= start)
                        .group_by(Event.kind, Event.from_status.is_(None), Event.to_status)).all()
    summary = {"new_articles": 0, "new_versions": 0, "waivers": 0, "rechecks": 0,
               "moves": dict.fromkeys(STATUSES[1:], 0)}
    for kind, first, to_status, n in grouped:
        if kind == "submitted":
            summary["new_articles" if first else "new_versions"] += n
        elif kind in ("waived", "waiver_carried"):
            summary["waivers"] += n
        elif kind == "rechecked":
            summary["rechecks"] += n
        elif kind == "status_changed" and to_status in summary["moves"]:
            summary["moves"][to_status] += n
    latest = s.execute(select(Event.id, Event.created_at, Event.kind, Event.actor, Event.from_status,
                              Event.to_status, Event.reason, Article.id.label("article_id"), Article.external_id,
                              Article.title)
                       .join(Article, Article.id == Event.article_id)
                       .where(Event.created_at >= start).order_by(Event.id.desc()).limit(recent)).all()
    summary["latest"] = [{"at": e.created_at.isoformat(), "kind": e.kind, "actor": e.actor,
                          "from_status": e.from_status, "to_status": e.to_status, "reason": e.reason,
                          "article_id": e.article_id, "external_id": e.external_id, "title": e.title}
                         for e in latest]
    summary["hours"] = hours
    summary["events"] = sum(n for *_, n in grouped)
    return summary


def _queue(request: Request, viewer: Viewer, as_json: bool) -> Response:
    data = queue_data(request.app.state.db, parse_filters(request.query_params), request.app.state.settings.config)
    return respond(request, viewer, "queue.html", data, as_json=as_json)


@router.get("/", include_in_schema=False)
def queue(request: Request, viewer: Annotated[Viewer, Depends(signed_in)]) -> Response:
    return _queue(request, viewer, False)


@router.get("/index.json", include_in_schema=False)
def queue_json(request: Request, viewer: Annotated[Viewer, Depends(signed_in)]) -> Response:
    return _queue(request, viewer, True)
