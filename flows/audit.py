"""The nightly audit's logic: list a corpus, check what changed in chunks, write the run's outputs.

Plain functions, so the Prefect flow (``flows.nightly``) stays thin and the
same audit runs without Prefect (``run_audit(..., submit=check_chunk)``), as
the benchmark does. A run folder holds::

    assertions.parquet   one row per assertion (DataFrame columns of extractors.types.Assertion)
    findings.parquet     one row per finding, with its evidence
    summary.json         counts, new and resolved findings, the expectation check, timings
    report.html          the same for people, self-contained, with a trend chart over past runs
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from extractors.datafiles import FileTooLarge, read_regular, why_unreadable
from extractors.ingest import DEFAULT_MAX_BYTES, SUFFIXES
from extractors.types import ASSERTION_COLUMNS

from .state import AuditLock, Store

JSONL_MAX_BYTES = 4_000_000_000  # an export is read whole, so it must fit in memory


@dataclass(frozen=True)
class Item:
    """One article of a corpus, read but not yet parsed."""

    id: str
    ref: str  # path, or path:line for a JSON Lines export
    raw: bytes
    fmt: str  # text | markdown | html | json | record | too-large
    sha: str  # of the raw bytes: any change to the article (title, status, body) re-checks it
    title: str | None = None  # set for a review store version: raw is its body, checked as the service does


@dataclass
class Listing:
    items: list[Item] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (item, reason)


def list_items(source: str | Path, skip: tuple[str | Path, ...] = ()) -> Listing:
    """Articles of a folder (recursively) or of a JSON Lines export; unreadable ones become errors.

    Entries named like articles that are not regular files (dangling links,
    FIFOs, devices) are errors with the reason, never opened; a file over the
    size limit is an item whose report says so. Folders in ``skip`` (the runs
    folder, when it lies inside the corpus) are not part of it.
    """
    from extractors.ingest import display_path

    from .check import walk_articles

    src = Path(source)
    out = Listing()
    if src.is_dir():
        files, bad = walk_articles(src, skip)
        out.errors.extend(bad)
        for name in files:
            f = Path(name)
            rel = display_path(f.relative_to(src).with_suffix(""))
            if f.suffix.lower() == ".jsonl":
                _jsonl(f, out, prefix=rel + "/")
                continue
            try:
                raw = read_regular(f, DEFAULT_MAX_BYTES)
            except FileTooLarge as exc:
                marker = f"too-large:{exc.size}".encode()
                out.items.append(Item(rel, display_path(f), marker, "too-large", hashlib.sha256(marker).hexdigest()))
                continue
            except OSError as exc:
                out.errors.append((display_path(f), why_unreadable(f, exc)))
                continue
            out.items.append(Item(rel, display_path(f), raw, SUFFIXES[f.suffix.lower()],
                                  hashlib.sha256(raw).hexdigest()))
    elif src.exists():
        _jsonl(src, out)
    else:
        out.errors.append((display_path(src), why_unreadable(src, FileNotFoundError(2, "no such file or directory"))))
    seen: set[str] = set()
    unique = []
    for it in out.items:
        if it.id in seen:
            out.errors.append((it.ref, f"duplicate article id {it.id!r}; the first one is checked"))
            continue
        seen.add(it.id)
        unique.append(it)
    out.items = unique
    return out


def _jsonl(path: Path, out: Listing, prefix: str = "") -> None:
    """One item per line of an export; a line that is not a JSON record is an item whose report says why."""
    from extractors.ingest import display_path, record_id

    try:
        lines = read_regular(path, JSONL_MAX_BYTES).splitlines()
    except OSError as exc:
        out.errors.append((display_path(path), why_unreadable(path, exc)))
        return
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        rid = record_id(line)
        aid = prefix + (rid if rid else f"line{n}")
        out.items.append(Item(aid, f"{display_path(path)}:{n}", line, "record", hashlib.sha256(line).hexdigest()))


def _article(item: Item):
    from extractors.ingest import read_bytes, read_record_line, too_large

    if item.title is not None:
        from review.checking import Content, article_for

        return article_for(Content(item.id, item.title, item.raw.decode("utf-8"), item.fmt))
    if item.fmt == "too-large":
        return too_large(item.ref, int(item.raw.split(b":")[1]), DEFAULT_MAX_BYTES, item.id.replace("/", "-"))
    if item.fmt != "record":
        return read_bytes(item.raw, item.ref, item.fmt, article_id=item.id.replace("/", "-"))
    art = read_record_line(item.raw, item.ref, item.id)
    return art if art.id == item.id else _with_id(art, item.id)


def _with_id(article, aid: str):
    from dataclasses import replace

    return replace(article, id=aid)


def compact(report, sha: str) -> dict:
    """What the audit keeps of a report: no article text, evidence flattened for tables."""
    from reports.contract import report_dict

    d = report_dict(report)
    return {
        "article_id": d["article"]["id"], "source": d["article"]["source"], "sha": sha,
        "title": d["article"]["title"], "status": d["article"]["status"], "verdict": d["verdict"],
        "counts": d["counts"], "ruleset": d["ruleset"]["version"], "text_length": len(report.article.text),
        "assertions": [{**a, "article_id": d["article"]["id"]} for a in d["assertions"]],
        "findings": [{**f, "article_id": d["article"]["id"]} for f in d["findings"]],
        "problems": [f["rule"] for f in d["findings"] if f["rule"].startswith("ingest.")],
    }


def check_chunk(items: list[Item], config: str | None = None) -> list[dict]:
    """Parse and check a chunk of articles through one ``nlp.pipe`` pass.

    Each result carries what the audit reads while it runs (id, hash, verdict,
    problems) and the whole compact report already serialised (``json``): the
    worker serialises it once, and the audit stores those bytes as they are
    instead of unpickling nested dictionaries and serialising them again.
    """
    from flows.check import check_articles

    # the review store's versions are checked as the service checks them: text cannot silence a blocker
    service = bool(items) and all(it.title is not None for it in items)
    reports = check_articles([_article(it) for it in items], config=config,
                             suppress_blockers=False if service else None)
    return [packed(compact(r, it.sha), len(it.raw.split())) for r, it in zip(reports, items, strict=True)]


def packed(result: dict, words: int) -> dict:
    """A compact report as the audit moves it between processes: a few fields and the serialised whole."""
    return {"article_id": result["article_id"], "sha": result["sha"], "verdict": result["verdict"],
            "problems": result["problems"], "words": words, "json": orjson.dumps(result)}


class Progress:
    """'checked 2,400/10,000 (24%) · 180 articles/s · 95,000 words/s' on stderr.

    One updating line on a terminal, else a line every 10%. The rates are over
    the articles checked so far and the time since checking began (the first
    chunk sent, even when that was before the flow started), so they are what
    the checking really achieves, start-up of the workers included. Until
    checking has run 5 s over 100 articles the line shows the time instead: a
    rate over a few articles and the start-up would read as the tool's speed.
    """

    def __init__(self, total: int, enabled: bool = True, start: float | None = None):
        self.total, self.done, self.words = total, 0, 0
        self.start = start if start is not None else time.perf_counter()
        self.enabled = enabled and total > 0
        self.tty = sys.stderr.isatty()
        self.last_decile = -1

    def line(self) -> str:
        seconds = max(time.perf_counter() - self.start, 1e-9)
        head = f"checked {self.done:,}/{self.total:,} ({100 * self.done // max(self.total, 1)}%)"
        if seconds < RATE_AFTER_S or self.done < RATE_AFTER_ARTICLES:
            # too little to measure: start-up dominates, and a rate would mislead ('0 articles/s')
            return f"{head} · {seconds:,.1f} s"
        return f"{head} · {self.done / seconds:,.0f} articles/s · {self.words / seconds:,.0f} words/s"

    def update(self, n: int, words: int = 0) -> None:
        self.done += n
        self.words += words
        if not self.enabled:
            return
        decile = 10 * self.done // self.total
        if self.tty:
            print("\r" + self.line(), end="" if self.done < self.total else "\n", file=sys.stderr, flush=True)
        elif decile != self.last_decile:
            print(self.line(), file=sys.stderr, flush=True)
        self.last_decile = decile


RATE_AFTER_S = 5.0  # rates are shown once checking has run this long …
RATE_AFTER_ARTICLES = 100  # … over at least this many articles


def words_of(items: Iterable[Item]) -> int:
    """Whitespace-separated words of the items' raw bytes (markup included): the unit of the progress rate."""
    return sum(len(it.raw.split()) for it in items)


@dataclass
class RunResult:
    run_id: str
    run_dir: Path
    summary: dict


def run_audit(source: str | Path, runs_dir: str | Path = "artgate-runs", *, chunk_size: int | None = None,
              config: str | None = None, submit: Callable | None = None, progress: bool = True,
              validate: bool = True, max_in_flight: int = 8, database_url: str | None = None,
              prefect_run: dict | None = None) -> RunResult:
    """Audit a corpus: resume an unfinished run or start one, check what changed, write the outputs.

    ``submit(chunk)`` returns the chunk's results, or a future with ``.result()``;
    the Prefect flow passes its task's ``submit`` so each chunk is one task run.
    With ``database_url`` the corpus is the review store's current versions.
    The state folder is locked for the whole run (``AuditLock``). Outputs are
    written to temporary files and renamed, and the run is marked finished
    last, so a run killed at any moment is completed by the next start.
    """
    with AuditLock(runs_dir):
        return _run_audit(source, Path(runs_dir), chunk_size, config, submit, progress, validate, max_in_flight,
                          database_url, prefect_run)


def _run_audit(source, runs_dir: Path, chunk_size, config, submit, progress, validate, max_in_flight,
               database_url: str | None = None, prefect_run: dict | None = None) -> RunResult:
    from rules.engine import load_ruleset

    t0 = time.perf_counter()
    submit = submit or (lambda chunk: check_chunk(chunk, config))
    store = Store(runs_dir / "state.sqlite")
    try:
        ruleset = load_ruleset(config).version
        if database_url:
            from review.audit_source import store_items

            listing, key = store_items(database_url)
            source = key
        else:
            key = str(Path(source).resolve())
            listing = list_items(source, skip=(runs_dir,))
        store.reopen_incomplete(key, ruleset, runs_dir)
        run_id, resumed = store.open_run(key, ruleset)
        remove_leftovers(runs_dir / run_id)
        for item, reason in listing.errors:
            store.error(run_id, item, reason)
        done = store.done(run_id)
        todo = [it for it in listing.items if it.id not in done]
        latest = store.unchanged(ruleset)
        reuse = {it.id: latest[it.id][1] for it in todo if it.id in latest and latest[it.id][0] == it.sha}
        carried = store.carry_over(run_id, ruleset, reuse)
        work = [it for it in todo if it.id not in reuse]
        if validate and work:
            # Great Expectations takes seconds to import; do it while the chunks are checked, not after
            threading.Thread(target=importlib.import_module, args=("rules.expectations",), daemon=True).start()
        from .workers import checking_started

        bar = Progress(len(work), progress, start=checking_started())
        in_flight: deque = deque()

        def record_oldest() -> None:
            fut, chunk = in_flight.popleft()
            results = fut.result() if hasattr(fut, "result") else fut
            store.record(run_id, ruleset, results)
            counted = [r["words"] for r in results if "words" in r]  # counted by the worker that read them
            bar.update(len(results), sum(counted) if len(counted) == len(results) else words_of(chunk))

        # Each chunk is recorded as soon as its results exist, so a kill loses at most the
        # chunks in flight; futures (Prefect, Dask) keep up to max_in_flight chunks busy.
        size = chunk_size or auto_chunk_size(len(work))
        for i in range(0, len(work), size):
            chunk = work[i:i + size]
            in_flight.append((submit(chunk), chunk))
            while in_flight and (len(in_flight) > max_in_flight or not hasattr(in_flight[0][0], "result")):
                record_oldest()
        while in_flight:
            record_oldest()
        checking_s = time.perf_counter() - bar.start
        run_dir = runs_dir / run_id
        summary = write_outputs(store, run_id, key, run_dir, validate=validate,
                                rechecked=len(work) + len(done) > 0)
        summary.update({
            "source": str(source), "ruleset": ruleset, "resumed": resumed,
            "checked_this_session": len(work), "already_done": len(done), "unchanged_reused": carried,
            "words_checked": bar.words, "checking_seconds": round(checking_s, 2),
            "seconds": round(time.perf_counter() - t0, 2),
        })
        if prefect_run:
            summary["prefect_run"] = prefect_run
        write_atomic(run_dir / "summary.json", json.dumps(summary, indent=2))
        from reports.audit_html import render_audit_html

        history = [h for h in store.history(key) if h["run_id"] != run_id] + [summary]
        write_atomic(run_dir / "report.html", render_audit_html(summary, history))
        store.finish_run(run_id, summary)  # last: until here, a rerun completes this run
        return RunResult(run_id, run_dir, summary)
    finally:
        store.close()


def plan(source: str | Path, runs_dir: str | Path, chunk_size: int | None = None,
         config: str | None = None) -> list[list[Item]]:
    """The chunks ``run_audit`` would check now, without changing the state (for starting work early).

    The same selection as the run: the articles not yet recorded in the run it
    would resume and not unchanged since their last check, in the same order.
    """
    from rules.engine import load_ruleset

    runs_dir = Path(runs_dir)
    ruleset = load_ruleset(config).version
    key = str(Path(source).resolve())
    store = Store(runs_dir / "state.sqlite")
    try:
        run = store.resumable(key, ruleset, runs_dir)
        done = store.done(run) if run else set()
        latest = store.unchanged(ruleset)
    finally:
        store.close()
    work = [it for it in list_items(source, skip=(runs_dir,)).items
            if it.id not in done and not (it.id in latest and latest[it.id][0] == it.sha)]
    size = chunk_size or auto_chunk_size(len(work))
    return [work[i:i + size] for i in range(0, len(work), size)]


MIN_CHUNK, MAX_CHUNK, CHUNKS = 100, 500, 40


def auto_chunk_size(n: int) -> int:
    """Articles per chunk when none is given: about 40 chunks, 100 to 500 articles each.

    Each chunk is one Prefect task run, and a task run costs its audit and its
    server about 0.15 s of CPU on a 2-core machine where every core checks: 300
    runs of 100 on 30,000 articles were a tenth of the audit. Forty chunks still
    keep every worker busy to the end and the progress line moving.
    """
    return max(MIN_CHUNK, min(MAX_CHUNK, n // CHUNKS))


def remove_leftovers(run_dir: Path) -> list[Path]:
    """Remove the temporary files a killed audit left in ``run_dir`` (``.assertions.parquet.PID.tmp``).

    The state folder's lock means no other audit is writing there, so every such file is a leftover.
    """
    gone = []
    for tmp in run_dir.glob(".*.tmp") if run_dir.is_dir() else ():
        tmp.unlink(missing_ok=True)
        gone.append(tmp)
    return gone


def write_atomic(path: Path, data: str | bytes | Callable[[Path], None]) -> None:
    """Write ``path`` so that it is either the old file or the whole new one, never a part.

    ``data`` is the content, or a function writing to the temporary path it is
    given (for Parquet). The temporary file sits beside the target and is
    renamed over it after an fsync.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if callable(data):
            data(tmp)
        else:
            tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _finding_key(f: dict) -> tuple:
    return (f["article_id"], f["rule"], f["message"])


ARTICLE_FINDINGS_SHOWN = 20  # findings listed per article in report.html (all are in findings.parquet)


def write_outputs(store: Store, run_id: str, key: str, run_dir: Path, validate: bool = True,
                  rechecked: bool = True) -> dict:
    """assertions.parquet and findings.parquet for the run, and the summary they add up to.

    When no article was re-checked, the assertions table is the previous run's
    row for row, so that run's expectation result is carried over instead of
    running the checkpoint again (importing Great Expectations alone takes ~3 s).
    """
    import pandas as pd

    run_dir.mkdir(parents=True, exist_ok=True)
    reports = store.reports(run_id)
    assertions = pd.DataFrame(_assertion_columns(reports), columns=list(ASSERTION_COLUMNS))
    findings = pd.DataFrame(_finding_columns(reports), columns=list(FINDING_COLUMNS))
    write_atomic(run_dir / "assertions.parquet", lambda tmp: assertions.to_parquet(tmp, index=False))
    write_atomic(run_dir / "findings.parquet", lambda tmp: findings.to_parquet(tmp, index=False))

    active = [f for r in reports for f in r["findings"] if not f.get("suppressed")]
    prev = store.previous_run(run_id, key)
    prev_keys = {_finding_key(f) for r in store.reports(prev) for f in r["findings"]
                 if not f.get("suppressed")} if prev else set()
    keys = {_finding_key(f) for f in active}
    by_rule = Counter((f["rule"], f["severity"]) for f in active)
    blockers = Counter(f["article_id"] for f in active if f["severity"] == "blocker")
    errors = store.errors(run_id)
    summary = {
        "run_id": run_id,
        "articles": len(reports),
        "blocked": sum(1 for r in reports if r["verdict"] == "blocked"),
        "passed": sum(1 for r in reports if r["verdict"] == "pass"),
        "bad_items": len(errors) + sum(1 for r in reports if r["problems"]),
        "unreadable": [{"item": i, "reason": why} for i, why in errors],
        "malformed": [{"article_id": r["article_id"], "problems": r["problems"]} for r in reports if r["problems"]],
        "assertions": len(assertions),
        "findings": {sev: sum(n for (_, s), n in by_rule.items() if s == sev)
                     for sev in ("blocker", "warning", "info")},
        "by_rule": [{"rule": r, "severity": s, "count": n} for (r, s), n in sorted(by_rule.items(),
                                                                                     key=lambda kv: -kv[1])],
        "most_blockers": [{"article_id": a, "blockers": n, "title": next(r["title"] for r in reports
                                                                          if r["article_id"] == a)}
                          for a, n in blockers.most_common(10)],
        "previous_run": prev,
        "new_findings": len(keys - prev_keys) if prev else None,
        "resolved_findings": len(prev_keys - keys) if prev else None,
        "new": _keyed(keys - prev_keys) if prev else [],
        "resolved": _keyed(prev_keys - keys) if prev else [],
    }
    # the open findings of every article the report names, so each id can link to what was found
    named = {a["article_id"] for a in summary["most_blockers"]} | {x["article_id"] for x in summary["new"]}
    summary["article_findings"] = {
        r["article_id"]: [{"rule": f["rule"], "severity": f["severity"], "message": f["message"]}
                          for f in r["findings"] if not f.get("suppressed")][:ARTICLE_FINDINGS_SHOWN]
        for r in reports if r["article_id"] in named}
    if validate:
        earlier = _previous_expectations(store, key, prev) if not rechecked and prev else None
        summary["expectations"] = earlier or _checkpoint(assertions, reports)
    return summary


def _previous_expectations(store: Store, key: str, prev: str) -> dict | None:
    for h in store.history(key):
        if h["run_id"] == prev and h.get("expectations"):
            return {**h["expectations"], "carried_from": prev}
    return None


def _keyed(keys: set[tuple], limit: int = 50) -> list[dict]:
    return [dict(zip(("article_id", "rule", "message"), k, strict=True)) for k in sorted(keys)[:limit]]


_ASSERTION_FIELDS = ("id", "root", "target", "target_kind", "relation", "polarity", "primary", "section", "sentence",
                     "start", "end")


def _assertion_columns(reports: Iterable[dict]) -> dict[str, list]:
    """The assertions table as columns (a frame from columns is built many times faster than from row dicts)."""
    cols: dict[str, list] = {k: [] for k in ASSERTION_COLUMNS}
    for r in reports:
        aid = r["article_id"]
        for a in r["assertions"]:
            for k in _ASSERTION_FIELDS:
                cols[k].append(a[k])
            cols["article_id"].append(aid)
            cols["subsection"].append(a.get("subsection", ""))
            cols["root_start"].append(a["root_span"][0])
            cols["root_end"].append(a["root_span"][1])
            cols["target_start"].append(a["target_span"][0])
            cols["target_end"].append(a["target_span"][1])
            cols["citations"].append(list(a["citations"]))
            cols["confidence"].append(a.get("confidence", 1.0))
    return cols


FINDING_COLUMNS = ("article_id", "id", "rule", "severity", "message", "suppressed", "suppression_reason",
                   "suggestion", "evidence", "assertions")


def _finding_columns(reports: Iterable[dict]) -> dict[str, list]:
    cols: dict[str, list] = {k: [] for k in FINDING_COLUMNS}
    for r in reports:
        aid = r["article_id"]
        for f in r["findings"]:
            cols["article_id"].append(aid)
            for k in ("id", "rule", "severity", "message", "suggestion"):
                cols[k].append(f[k])
            cols["suppressed"].append(f.get("suppressed", False))
            cols["suppression_reason"].append(f.get("suppression_reason", ""))
            cols["evidence"].append(orjson.dumps(f["evidence"]).decode())
            cols["assertions"].append(list(f["assertions"]))
    return cols


def _checkpoint(assertions, reports: list[dict]) -> dict:
    """The Great Expectations checkpoint over the run's assertions table."""
    from rules.expectations import run_checkpoint

    lengths = {r["article_id"]: r.get("text_length") for r in reports}
    frame = assertions.assign(text_length=assertions["article_id"].map(lengths)) if len(assertions) else assertions
    return run_checkpoint(frame)
