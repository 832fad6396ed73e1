"""Reviewers' claim decisions as labelled pages, in the gold format of ``tests/gold`` (``artgate corrections export``).

Every version on which a reviewer decided at least one claim (a decision carried over from an
earlier version does not count: that page was exported with the version it was made on) becomes
one page: its text written as ``OUT_DIR/<file>``, and one line of ``OUT_DIR/gold.jsonl``::

    {"file": "12-cms-4711-v2.txt", "site": "example.org",
     "assertions": [{"root": "L5", "target": "ankle_dorsiflexion", "polarity": "affirmed",
                     "sentence": "The L5 root supplies …"}],
     "inconsistencies": null, "notes": "…", "title": "…", "source": {…}}

The labelled assertions are the version's claims as stored, which already have the decisions
applied: the extractor's claims minus those marked wrong, with corrections, plus added claims.
``site`` is the page's source site (from its metadata or a URL), else ``corrections``, so a
trainer can keep one site's pages on one side of a cross-validation split. ``inconsistencies``
is null: a claim decision says what the page claims, not whether the page is consistent, and
``extractors.evaluate`` treats null as "the row does not say".
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import select

from reports.contract import dumps_json

from .db import Database
from .models import Article, ClaimDecision, Version

SUFFIX = {"text": ".txt", "markdown": ".md", "html": ".html"}
SITE_KEYS = ("site", "site_name", "og:site_name", "source_site", "publisher")
URL_KEYS = ("url", "source_url", "canonical", "og:url", "source", "link")
BATCH = 100


@dataclass
class ExportSummary:
    out_dir: Path
    pages: int = 0
    assertions: int = 0
    decisions: Counter = field(default_factory=Counter)
    sites: Counter = field(default_factory=Counter)


def site_of(metadata: dict, external_id: str = "") -> str:
    """The page's source site: a site name in its metadata, else the host of a URL it gives, else 'corrections'.

    >>> site_of({"url": "https://www.Example.org/spine/l5"})
    'example.org'
    >>> site_of({}, "cms-4711")
    'corrections'
    """
    for key in SITE_KEYS:
        value = metadata.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip().lower()
    for value in [metadata.get(k) for k in URL_KEYS] + [external_id]:
        if isinstance(value, str) and "://" in value:
            host = (urlsplit(value.strip()).hostname or "").lower()
            if host:
                return host.removeprefix("www.")
    return "corrections"


def file_name(article_id: int, external_id: str, number: int, fmt: str) -> str:
    """A file name for a version's text that no two versions share, whatever the external id holds."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", external_id).strip("._")[:80] or "article"
    return f"{article_id}-{safe}-v{number}{SUFFIX.get(fmt, '.txt')}"


def _notes(decisions: list[ClaimDecision], unsure: int) -> str:
    kinds = Counter(d.kind for d in decisions)
    said = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
    reviewers = ", ".join(sorted({d.reviewer for d in decisions}))
    reasons = "; ".join(dict.fromkeys(f"{d.aid} {d.kind}: {d.reason}" for d in decisions if d.reason))
    text = f"claim decisions by {reviewers}: {said}" + (f" ({reasons})" if reasons else "")
    if unsure:
        text += f"; {unsure} claim(s) below the gate threshold were left as extracted, not confirmed"
    return text


def _row(article: Article, version: Version, decisions: list[ClaimDecision], threshold: float) -> dict:
    rd = version.report
    claims = rd.get("assertions", [])
    unsure = sum(1 for a in claims if "review" not in a and a.get("confidence", 1.0) < threshold)
    return {
        "file": file_name(article.id, article.external_id, version.number, version.format),
        "site": site_of((rd.get("article") or {}).get("metadata") or {}, article.external_id),
        "assertions": [{"root": a["root"], "target": a["target"], "polarity": a["polarity"],
                        "sentence": a["sentence"]} for a in claims],
        "inconsistencies": None,
        "notes": _notes(decisions, unsure),
        "title": version.title,
        "source": {"external_id": article.external_id, "article_id": article.id, "version": version.number,
                   "format": version.format, "decisions": len(decisions),
                   "reviewers": sorted({d.reviewer for d in decisions})},
    }


def _write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder, so a reader never sees half of it."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def export_corrections(db: Database, out_dir: str | Path, threshold: float = 0.0,
                       progress: Callable[[int, int], None] | None = None) -> ExportSummary:
    """Write every version with a reviewer's claim decision as a labelled page under ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    summary = ExportSummary(out)
    with db.session() as s:
        version_ids = list(s.scalars(select(ClaimDecision.version_id).where(ClaimDecision.carried_from_id.is_(None))
                                     .distinct().order_by(ClaimDecision.version_id)))
    rows = []
    for at in range(0, len(version_ids), BATCH):
        batch = version_ids[at:at + BATCH]
        with db.session() as s:
            made: dict[int, list[ClaimDecision]] = {}
            for d in s.scalars(select(ClaimDecision).where(ClaimDecision.version_id.in_(batch),
                                                           ClaimDecision.carried_from_id.is_(None))
                               .order_by(ClaimDecision.id)):
                made.setdefault(d.version_id, []).append(d)
            for version, article in s.execute(select(Version, Article).join(Article, Article.id == Version.article_id)
                                              .where(Version.id.in_(batch)).order_by(Version.id)):
                row = _row(article, version, made[version.id], threshold)
                _write(out / row["file"], version.body)
                rows.append(row)
                summary.pages += 1
                summary.assertions += len(row["assertions"])
                summary.decisions.update(d.kind for d in made[version.id])
                summary.sites[row["site"]] += 1
        if progress:
            progress(min(at + BATCH, len(version_ids)), len(version_ids))
    _write(out / "gold.jsonl", "".join(dumps_json(r) + "\n" for r in rows))
    return summary
