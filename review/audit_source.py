"""The review store as a source for the nightly audit (``artgate audit --database-url URL``).

Every article's current version becomes one audit ``Item``, checked exactly as
the service checks it (declared format and title), so a ruleset change reaches
every stored article in the audit's outputs.
"""

from __future__ import annotations

from sqlalchemy import select

from flows.audit import Item, Listing

from .db import Database, redacted
from .models import Article, Version


def store_items(database_url: str) -> tuple[Listing, str]:
    """The audit listing of the store's current versions, and the key its runs are filed under."""
    db = Database(database_url, pool_size=1)
    try:
        db.migrate()
        out = Listing()
        with db.session() as s:
            rows = s.execute(select(Article.external_id, Version.number, Version.sha256, Version.title,
                                    Version.format, Version.body)
                             .join(Version, (Version.article_id == Article.id)
                                   & (Version.number == Article.current_version))
                             .order_by(Article.external_id))
            for external_id, number, sha, title, fmt, body in rows:
                out.items.append(Item(external_id, f"review:{external_id}@v{number}", body.encode("utf-8"), fmt,
                                      sha, title=title))
        return out, redacted(db.url)
    finally:
        db.dispose()
