"""The plain check path: paths -> articles -> assertions -> reports.

These functions are what the CLI's ``check`` runs directly and what the
Prefect flows wrap as tasks. Nothing here imports Prefect or Great
Expectations, so a single-article check stays fast.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from extractors.datafiles import file_kind, why_unreadable
from extractors.errors import Errors, InputError
from extractors.ingest import (
    DEFAULT_MAX_BYTES,
    SUFFIXES,
    display_path,
    read_bytes,
    read_path,
    sniff_format,
    too_large,
)
from extractors.limits import MAX_ARTICLE_CHARS
from extractors.types import Article, Report

ARTICLE_SUFFIXES = (*SUFFIXES, ".jsonl")


@dataclass(frozen=True)
class Unreadable:
    """An input that could not be read at all (exit status 2), with the reason."""

    path: str
    message: str


def walk_articles(folder: str | Path, skip: tuple[str | Path, ...] = ()) -> tuple[list[str], list[tuple[str, str]]]:
    """Article files under ``folder`` (sorted, recursively), and (name, reason) for entries that cannot be read.

    Only regular files are opened later. An entry named like an article
    (``.txt``, ``.md`` … ``.jsonl``) that is a dangling symbolic link, a named
    pipe, a socket or a device is reported with the reason instead of being
    skipped in silence, and never opened, so it cannot block the batch. Linked
    folders are followed once (a link loop is not followed again). Folders in
    ``skip`` (the audit's own runs folder inside its corpus) are never entered.
    """
    files: list[str] = []
    bad: list[tuple[str, str]] = []
    seen: set[tuple[int, int]] = set()
    for folder_ in skip:
        try:
            st = os.stat(folder_)
            seen.add((st.st_dev, st.st_ino))
        except OSError:
            continue

    def visit(d: str) -> None:
        try:
            st = os.stat(d)
            if (st.st_dev, st.st_ino) in seen:
                return
            seen.add((st.st_dev, st.st_ino))
            entries = sorted(os.scandir(d), key=lambda e: e.name)
        except OSError as exc:
            bad.append((display_path(d), why_unreadable(d, exc)))
            return
        for e in entries:
            try:
                if e.is_dir():
                    visit(e.path)
                    continue
            except OSError as exc:
                bad.append((display_path(e.path), why_unreadable(e.path, exc)))
                continue
            if os.path.splitext(e.name)[1].lower() not in ARTICLE_SUFFIXES:
                continue
            try:
                mode = e.stat().st_mode
            except OSError as exc:
                bad.append((display_path(e.path), why_unreadable(e.path, exc)))
                continue
            if stat.S_ISREG(mode):
                files.append(e.path)
            else:
                bad.append((display_path(e.path), f"{file_kind(mode)}, not a regular file; not read"))

    visit(os.fspath(folder))
    return sorted(files), bad


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
            found, problems = walk_articles(p)
            bad.extend(Unreadable(name, Errors.E002.format(path=name, reason=why)) for name, why in problems)
            if not found and not problems:
                name = display_path(raw)
                bad.append(Unreadable(name, Errors.E003.format(path=name, suffixes=", ".join(ARTICLE_SUFFIXES))))
            files.extend(found)
        elif not p.exists() and not p.is_symlink():
            bad.append(Unreadable(display_path(raw), Errors.E001.format(path=display_path(raw))))
        else:
            files.append(raw)  # read_path says why when it cannot be read (a dangling link, a FIFO …)
    return files, bad


def load(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Article]:
    """Articles from one file, or from standard input for '-'."""
    if path == "-":
        raw = sys.stdin.buffer.read(max_bytes + 1)
        if len(raw) > max_bytes:
            return [too_large("-", None, max_bytes, "stdin")]  # not read to its end: it may never end
        head = raw[:4096].decode("utf-8", errors="ignore")
        fmt = "json" if head.lstrip().startswith("{") else sniff_format(head)
        return [read_bytes(raw, "-", fmt, article_id="stdin")]
    return read_path(path, max_bytes=max_bytes)


@dataclass(frozen=True)
class Unprocessable:
    """Why the pipeline failed on an article ('RecursionError: …'): the article is blocked, the batch goes on."""

    reason: str

    @classmethod
    def of(cls, exc: BaseException) -> Unprocessable:
        first = str(exc).splitlines()[0][:200] if str(exc) else ""
        return cls(f"{type(exc).__name__}: {first}" if first else type(exc).__name__)


def check_article(article: Article, config: str | None = None, suppress_blockers: bool | None = None) -> Report:
    """Extract and check one article (the NLP pipeline is built once per process).

    ``suppress_blockers`` False makes an in-text directive on a blocker a request (the service's rule).
    """
    from extractors.relations import analyze
    from rules.engine import load_ruleset

    ruleset = load_ruleset(config)
    if len(article.plain) > MAX_ARTICLE_CHARS:
        return unprocessable(article, Unprocessable(
            f"it has {len(article.plain):,} characters, over the {MAX_ARTICLE_CHARS:,} the checker reads; "
            "split it into parts"), ruleset)
    try:
        return ruleset.check(article, analyze(article), suppress_blockers)
    except Exception as exc:  # one article the pipeline fails on is reported; the batch goes on
        return unprocessable(article, Unprocessable.of(exc), ruleset)


def unprocessable(article: Article, why: Unprocessable, ruleset) -> Report:
    """A report for an article the pipeline failed on: it is blocked, and the batch goes on."""
    from dataclasses import replace

    from extractors.relations import Extraction
    from extractors.types import Problem

    problem = Problem("ingest.unprocessable", "blocker", f"the article could not be processed: {why.reason}")
    bare = replace(article, plain=" " * len(article.plain), problems=(*article.problems, problem))
    return ruleset.check(bare, Extraction([], []))


def check_articles(articles: list[Article], batch_size: int = 32, config: str | None = None,
                   suppress_blockers: bool | None = None) -> list[Report]:
    """Many articles through ``nlp.pipe``: same reports as ``check_article``, faster."""
    from extractors.pipeline import get_nlp
    from extractors.relations import analyze
    from rules.engine import load_ruleset

    ruleset = load_ruleset(config)
    try:
        docs = list(get_nlp().pipe((a.plain for a in articles), batch_size=batch_size))
    except Exception:  # find the one that fails, keep the rest
        return [check_article(a, config, suppress_blockers) for a in articles]
    out = []
    for a, doc in zip(articles, docs, strict=True):
        try:
            out.append(ruleset.check(a, analyze(a, doc), suppress_blockers))
        except Exception:
            out.append(check_article(a, config, suppress_blockers))  # says why, as a blocker of this article alone
    return out


def iter_reports(paths: list[str], max_bytes: int = DEFAULT_MAX_BYTES, config: str | None = None,
                 on_file=None) -> Iterator[Report | Unreadable]:
    """Reports for every readable input, in order; an unreadable input yields ``Unreadable`` and the rest go on.

    ``on_file(index, total, path)`` is called before each file is read (progress on a terminal).
    """
    files, bad = expand_paths(paths)
    yield from bad
    for i, f in enumerate(files):
        if on_file is not None:
            on_file(i, len(files), f)
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
