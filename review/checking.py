"""The service's door to the one check path: ``flows.check.check_article`` over ``extractors.ingest.parse``.

``artgate check``, the Prefect flows and the service all run the same
function, so a stored verdict is exactly what ``artgate check`` would print
for the same content and ruleset. Importing this module imports neither
Prefect nor Great Expectations; the NLP pipeline is built once per process,
on the first check (``extractors.pipeline.get_nlp`` is cached).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from extractors.types import Article, Report

FORMATS = ("text", "markdown", "html")


@dataclass(frozen=True)
class Content:
    """What a CMS submits for one article: a version is one distinct ``Content``."""

    external_id: str
    title: str
    body: str
    format: str = "text"

    @property
    def sha256(self) -> str:
        """SHA-256 of title, format and body: a change to any of them is a new version."""
        h = hashlib.sha256()
        for part in (self.title, self.format, self.body):
            data = part.encode("utf-8")
            h.update(len(data).to_bytes(8, "big"))
            h.update(data)
        return h.hexdigest()


def article_for(content: Content) -> Article:
    """The ``Article`` the checks see: the body in its declared format, the given title (else the text's)."""
    from extractors.ingest import parse

    return parse(content.body, f"review:{content.external_id}", content.format,
                 article_id=content.external_id, title=content.title or None)


def check_content(content: Content, config: str | None = None) -> Report:
    """Parse and check one submitted article (CPU-bound: call it outside any transaction).

    An in-text ``artgate-disable`` of a blocker is a waiver request here, never a decision: the
    blocker stays open until a reviewer other than the submitter waives it.
    """
    from flows.check import check_article

    return check_article(article_for(content), config, suppress_blockers=False)


def ruleset_version(config: str | None = None) -> str:
    """The version of the ruleset the service checks with (changes when any rule data changes)."""
    from rules.engine import load_ruleset

    return load_ruleset(config).version


def warm_up(config: str | None = None) -> None:
    """Build the pipeline and the ruleset now, so the first request does not pay for it."""
    check_content(Content("warm-up", "Warm-up", "L5 supplies ankle dorsiflexion."), config)
