"""The review gate as a Prefect flow: ingest -> extract -> check, one task each.

The tasks wrap the same plain functions ``artgate check`` calls, so the gate
gives the same reports and exit status. Without ``PREFECT_API_URL`` Prefect
runs in ephemeral mode (a temporary local server, nothing to start by hand);
with it set, runs are recorded on that server.
"""

from __future__ import annotations

import os

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from extractors.errors import InputError
from extractors.relations import Extraction, analyze
from extractors.types import Article, Report

from .check import Unprocessable, Unreadable, expand_paths, load, unprocessable


@task(name="ingest", cache_policy=NO_CACHE)
def ingest_task(path: str, max_bytes: int) -> list[Article] | Unreadable:
    """The file's articles, or why it cannot be read at all (a result, not a failed task run)."""
    try:
        return load(path, max_bytes)
    except InputError as exc:
        return Unreadable(path, str(exc))


@task(name="extract", cache_policy=NO_CACHE)
def extract_task(article: Article) -> Extraction | Unprocessable:
    """The article's assertions, or why the pipeline failed on it (reported as a blocker, like ``check``)."""
    try:
        return analyze(article)
    except Exception as exc:  # reported as this article's blocker; the run goes on
        return Unprocessable.of(exc)


@task(name="check", cache_policy=NO_CACHE)
def check_task(article: Article, extraction: Extraction | Unprocessable, config: str | None = None) -> Report:
    from rules.engine import load_ruleset

    ruleset = load_ruleset(config)
    if isinstance(extraction, Unprocessable):
        return unprocessable(article, extraction, ruleset)
    return ruleset.check(article, extraction)


@flow(name="review-gate", log_prints=False)
def review_gate(paths: list[str], max_bytes: int = 5_000_000,
                config: str | None = None) -> tuple[list[Report], list[Unreadable]]:
    """Check articles before approval; returns the reports and the inputs that could not be read."""
    files, unreadable = expand_paths(paths)
    reports: list[Report] = []
    for f in files:
        articles = ingest_task(f, max_bytes)
        if isinstance(articles, Unreadable):
            unreadable.append(articles)
            continue
        for article in articles:
            reports.append(check_task(article, extract_task(article), config))
    return reports, unreadable


def run_gate(paths: list[str], max_bytes: int = 5_000_000,
             config: str | None = None) -> tuple[list[Report], list[Unreadable]]:
    return review_gate(paths, max_bytes, config)
