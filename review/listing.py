"""The article list: filters, counts per status, and cursor paging (what the reviewer dashboard reads).

Most recently changed first (``updated_at``, then ``id``, both descending). The
cursor is the last row's sort key, so a page is one index range scan however
deep it is (``ix_articles_status_verdict_updated`` serves the status and
verdict filters) and no article appears twice while paging; an article that
changes meanwhile moves to the top of the list.

``rule`` and ``severity`` select articles whose current version has an open
finding (not suppressed in the text, not waived) of that rule or severity.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

from sqlalchemy import exists, func, select, tuple_

from .db import Database
from .models import Article, Finding, Version
from .workflow import STATUSES, InvalidInput, article_dict

MAX_LIMIT = 200


def encode_cursor(updated_at: datetime, article_id: int) -> str:
    raw = json.dumps([updated_at.isoformat(), article_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, article_id = json.loads(raw)
        at = datetime.fromisoformat(at)
        if at.tzinfo is None or not isinstance(article_id, int):
            raise ValueError("not a cursor")
        return at, article_id
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidInput("not a cursor from this list (pass next_cursor of the previous page unchanged)",
                           "cursor") from exc


def _filters(status: str | None, verdict: str | None, rule: str | None, severity: str | None,
             external_id: str | None) -> list:
    where = []
    if status:
        where.append(Article.status == status)
    if verdict:
        where.append(Article.verdict == verdict)
    if external_id:
        where.append(Article.external_id == external_id)
    if rule or severity:
        cond = [Version.article_id == Article.id, Version.number == Article.current_version,
                Finding.suppressed.is_(False), Finding.waived.is_(False)]
        if rule:
            cond.append(Finding.rule == rule)
        if severity:
            cond.append(Finding.severity == severity)
        where.append(exists(select(Finding.id).join(Version, Version.id == Finding.version_id).where(*cond)))
    return where


def list_articles(db: Database, *, status: str | None = None, verdict: str | None = None, rule: str | None = None,
                  severity: str | None = None, external_id: str | None = None, limit: int = 50,
                  cursor: str | None = None) -> dict:
    """One page of articles, the cursor of the next page, and counts per status under the other filters."""
    limit = max(1, min(limit, MAX_LIMIT))
    where = _filters(status, verdict, rule, severity, external_id)
    q = select(Article).where(*where)
    if cursor:
        at, last_id = decode_cursor(cursor)
        q = q.where(tuple_(Article.updated_at, Article.id) < tuple_(at, last_id))
    q = q.order_by(Article.updated_at.desc(), Article.id.desc()).limit(limit + 1)
    with db.session() as s:
        rows = s.scalars(q).all()
        page, more = rows[:limit], len(rows) > limit
        others = _filters(None, verdict, rule, severity, external_id)
        counts = dict.fromkeys(STATUSES, 0)
        counts.update(dict(s.execute(select(Article.status, func.count()).where(*others)
                                     .group_by(Article.status)).all()))
        return {
            "items": [article_dict(s, a, versions=False) for a in page],
            "next_cursor": encode_cursor(page[-1].updated_at, page[-1].id) if more else None,
            "counts": counts,
            "total": counts[status] if status else sum(counts.values()),
        }
