"""The plain check path: paths -> articles -> assertions -> reports.

These functions are what the CLI's ``check`` runs directly and what the
Prefect flows wrap as tasks. Nothing here imports Prefect or Great
Expectations, so a single-article check stays fast.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from extractors.errors import Errors, InputError
from extractors.ingest import DEFAULT_MAX_BYTES, SUFFIXES, read_bytes, read_path, sniff_format, too_large
from extractors.types import Article, Report

ARTICLE_SUFFIXES = (*SUFFIXES, ".jsonl")


@dataclass(frozen=True)
class Unreadable:
    """An input that could not be read at all (exit status 2), with the reason."""

    path: str
    message: str


def expand_paths(paths: list[str]) -> tuple[list[str], list[Unreadable]]:
    """Files to read, in order: folders give their article files (sorted, recursively)."""
    files: list[str] = []
    bad: list[Unreadable] = []
    for raw in paths:
        if raw == "-":
            files.append(raw)
            continue
        p = Path(raw)
        if p.is_dir():
            found = sorted(str(f) for f in p.rglob("*") if f.is_file() and f.suffix.lower() in ARTICLE_SUFFIXES)
            if not found:
                bad.append(Unreadable(raw, Errors.E003.format(path=raw, suffixes=", ".join(ARTICLE_SUFFIXES))))
            files.extend(found)
        elif not p.exists():
            bad.append(Unreadable(raw, Errors.E001.format(path=raw)))
        else:
            files.append(raw)
    return files, bad


def load(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Article]:
    """Articles from one file, or from standard input for '-'."""
    if path == "-":
        raw = sys.stdin.buffer.read(max_bytes + 1)
        if len(raw) > max_bytes:
            return [too_large("-", len(raw) + len(sys.stdin.buffer.read()), max_bytes, "stdin")]
        head = raw[:4096].decode("utf-8", errors="ignore")
        fmt = "json" if head.lstrip().startswith("{") else sniff_format(head)
        return [read_bytes(raw, "-", fmt, article_id="stdin")]
    return read_path(path, max_bytes=max_bytes)


def check_article(article: Article, config: str | None = None) -> Report:
    """Extract and check one article (the NLP pipeline is built once per process)."""
    from extractors.relations import analyze
    from rules.engine import load_ruleset

    ruleset = load_ruleset(config)
    try:
        return ruleset.check(article, analyze(article))
    except (ValueError, MemoryError, RecursionError) as exc:
        return unprocessable(article, exc, ruleset)


def unprocessable(article: Article, exc: BaseException, ruleset) -> Report:
    """A report for an article the pipeline failed on: it is blocked, and the batch goes on."""
    from dataclasses import replace

    from extractors.relations import Extraction
    from extractors.types import Problem

    problem = Problem("ingest.unprocessable", "blocker", f"the article could not be processed: "
                      f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
    bare = replace(article, plain=" " * len(article.plain), problems=(*article.problems, problem))
    return ruleset.check(bare, Extraction([], []))


def check_articles(articles: list[Article], batch_size: int = 32, config: str | None = None) -> list[Report]:
    """Many articles through ``nlp.pipe``: same reports as ``check_article``, faster."""
    from extractors.pipeline import get_nlp
    from extractors.relations import analyze
    from rules.engine import load_ruleset

    ruleset = load_ruleset(config)
    try:
        docs = list(get_nlp().pipe((a.plain for a in articles), batch_size=batch_size))
    except (ValueError, MemoryError, RecursionError):
        return [check_article(a, config) for a in articles]  # find the one that fails, keep the rest
    return [ruleset.check(a, analyze(a, doc)) for a, doc in zip(articles, docs, strict=True)]


def iter_reports(paths: list[str], max_bytes: int = DEFAULT_MAX_BYTES,
                 config: str | None = None) -> Iterator[Report | Unreadable]:
    """Reports for every readable input, in order; an unreadable input yields ``Unreadable`` and the rest go on."""
    files, bad = expand_paths(paths)
    yield from bad
    for f in files:
        try:
            articles = load(f, max_bytes)
        except InputError as exc:
            yield Unreadable(f, str(exc))
            continue
        if len(articles) > 1:
            yield from check_articles(articles, config=config)
        else:
            yield from (check_article(a, config) for a in articles)


def exit_status(reports: list[Report], unreadable: list[Unreadable]) -> int:
    """2 if any input could not be read, else 1 if any article is blocked, else 0."""
    if unreadable:
        return 2
    return 1 if any(r.verdict == "blocked" for r in reports) else 0
