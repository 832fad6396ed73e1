"""The ``artgate`` command line.

    artgate check  PATH … [-f FORMAT] [--config FILE] [--validate] [--color auto|always|never] [--max-bytes N]
    artgate gate   PATH … [-f FORMAT] [--config FILE] [--color auto|always|never] [--max-bytes N]
    artgate rules  [--config FILE]
    artgate explain RULE [--config FILE]
    artgate eval   GOLD.jsonl [-f text|json] [--min-precision P] [--min-recall R] [--config FILE]
                  [--without-scorer]
    artgate audit  SOURCE [--runs-dir DIR] [--chunk-size N] [--workers N] [--dask-address tcp://HOST:PORT]
                   [--config FILE] [--no-prefect]
    artgate audit  --database-url URL [...]        the same over the review store's current versions
    artgate deploy SOURCE [--cron "0 2 * * *"] [--name NAME] [--runs-dir DIR] [--chunk-size N] [--workers N]
                   [--config FILE]
    artgate serve  [--host H] [--port P] [--database-url URL] [--runs-dir DIR] [--workers N] [--config FILE]
                   [--max-body-bytes N]
    artgate token create --role author|reviewer|admin --name NAME [--database-url URL]
    artgate token list [--database-url URL]
    artgate token revoke ID [--database-url URL]
    artgate recheck [--database-url URL] [--all]
    artgate lsp    [--config FILE] [--debounce-ms N]   the language server for editors (LSP over stdio)
    artgate --version

``check`` is the plain, fast path; ``gate`` the same checks as the Prefect flow
``review-gate``; ``audit`` the nightly audit of a corpus (``--workers``
defaults to the available CPUs); ``deploy`` schedules it on a Prefect server.
Formats: text (default; coloured on a terminal), json, jsonl, sarif, markdown, html.

Exit status of check and gate: 0 no blocker, 1 at least one blocker, 2 a usage
error or an input that could not be read at all (one line on stderr naming the
input and why; the other inputs are still checked). Of audit: 0 the run
completed (blocked articles are in its report), 2 it could not run (a usage
error, a missing source, a bad configuration, another audit holding the state
folder, Prefect unavailable). Output piped into a command that stops reading
early (``| head``) ends the command quietly.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from extractors.errors import ArtgateError
from extractors.ingest import DEFAULT_MAX_BYTES

FORMATS = ("text", "json", "jsonl", "sarif", "markdown", "html")


def _positive(value: str) -> int:
    n = int(value)
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {n}")
    return n


def _positive_float(value: str) -> float:
    x = float(value)
    if not x > 0:
        raise argparse.ArgumentTypeError(f"must be above 0, not {value}")
    return x


def _max_bytes(value: str) -> int:
    """--max-bytes: at least 1 and at most the longest text the checker reads (``MAX_ARTICLE_CHARS``)."""
    from extractors.limits import MAX_ARTICLE_CHARS

    n = _positive(value)
    if n > MAX_ARTICLE_CHARS:
        raise argparse.ArgumentTypeError(
            f"{n:,} is over the largest article artgate checks ({MAX_ARTICLE_CHARS:,} characters); "
            "split the article into parts")
    return n


class _Stdout:
    """Standard output that ends quietly when its reader goes away (``artgate rules | head``).

    The first ``BrokenPipeError`` points the file descriptor at /dev/null, so
    neither later writes nor the interpreter's final flush can raise again;
    the command then finishes and exits with its own status.
    """

    gone = False

    def write(self, text: str) -> None:
        if self.gone:
            return
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:
            self.drop()

    def drop(self) -> None:
        self.gone = True
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


OUT = _Stdout()


def _say(text: str = "") -> None:
    OUT.write(text + "\n")


def _error(message: object) -> None:
    """One line on stderr: control characters in names cannot break it or reach the terminal."""
    from reports.escape import one_line

    print(f"artgate: error: {one_line(message)}", file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="artgate", description="Validate medical articles before approval.")
    p.add_argument("--version", action="store_true", help="print the version and ruleset version")
    sub = p.add_subparsers(dest="command")
    for name, helptext in (
        ("check", "check articles (files, folders, or - for stdin) and report findings"),
        ("gate", "run the review-gate Prefect flow on articles (same output and exit status as check)"),
    ):
        c = sub.add_parser(name, help=helptext, description=helptext)
        c.add_argument("paths", nargs="+", metavar="PATH")
        c.add_argument("--format", "-f", choices=FORMATS, default="text")
        c.add_argument("--config", metavar="FILE",
                       help="artgate.toml or pyproject.toml (default: the nearest one, if any)")
        c.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                       help="colour the text format (auto: when stdout is a terminal)")
        c.add_argument("--max-bytes", type=_max_bytes, default=DEFAULT_MAX_BYTES,
                       help=f"larger files get an ingest.too-large finding (default {DEFAULT_MAX_BYTES:,}; "
                            "at most 20,000,000)")
        if name == "check":
            c.add_argument("--validate", action="store_true",
                           help="also validate the assertions table with the Great Expectations suite")
    a = sub.add_parser("audit", help="audit a corpus (folder or JSON Lines export): the nightly-audit flow",
                       description="Check every article that changed since its last check, in chunks, and write "
                                   "assertions.parquet, findings.parquet, summary.json and report.html to a run "
                                   "folder. A run that was interrupted is resumed. Exit status 0 when the run "
                                   "completed, 2 when it could not run.")
    a.add_argument("source", metavar="SOURCE", nargs="?")
    a.add_argument("--database-url", metavar="URL",
                   help="audit the review store's current versions instead of a SOURCE")
    a.add_argument("--runs-dir", default="artgate-runs", help="where runs and the state database live")
    a.add_argument("--chunk-size", type=_positive, default=None,
                   help="articles per task (default: about 40 chunks of 100 to 500 articles)")
    a.add_argument("--workers", type=_positive, default=None,
                   help="local worker processes (default: the available CPUs)")
    a.add_argument("--dask-address", metavar="tcp://HOST:PORT", help="run chunks on this Dask cluster")
    a.add_argument("--config", metavar="FILE")
    a.add_argument("--no-prefect", action="store_true", help="run the same audit without Prefect")
    d = sub.add_parser("deploy", help="create the scheduled nightly-audit deployment on a Prefect server and serve it")
    d.add_argument("source", metavar="SOURCE")
    d.add_argument("--cron", default="0 2 * * *", help='schedule (default "0 2 * * *": 02:00 every night)')
    d.add_argument("--name", default="nightly", help="deployment name (default nightly)")
    d.add_argument("--timezone", default="UTC", help="the schedule's time zone, e.g. Europe/Berlin (default UTC)")
    d.add_argument("--runs-dir", default="artgate-runs", help="where runs and the state database live")
    d.add_argument("--chunk-size", type=_positive, default=None,
                   help="articles per task (default: about 40 chunks of 100 to 500 articles)")
    d.add_argument("--workers", type=_positive, default=None,
                   help="local worker processes per run (default: the available CPUs)")
    d.add_argument("--config", metavar="FILE")
    _review_parsers(sub)
    ls = sub.add_parser("lsp", help="run the language server for editors (LSP over stdin/stdout)",
                        description="Speak the Language Server Protocol on stdin/stdout: diagnostics for each "
                                    "finding, hover on claims, quick fixes. docs/editors.md has the editor set-up.")
    ls.add_argument("--config", metavar="FILE", help="artgate.toml (default: the nearest one above each document)")
    ls.add_argument("--debounce-ms", type=int, default=300, metavar="N",
                    help="check a changed document once typing pauses this long (default 300)")
    _corrections_parsers(sub)
    r = sub.add_parser("rules", help="list every rule with its level and summary")
    r.add_argument("--config", metavar="FILE")
    x = sub.add_parser("explain", help="explain a rule, with an example that triggers it and one that does not")
    x.add_argument("rule", metavar="RULE")
    x.add_argument("--config", metavar="FILE")
    e = sub.add_parser("eval", help="score extraction against a gold set (JSON Lines)",
                       description="Precision, recall and F1 of extracted (root, target, polarity) triples.")
    e.add_argument("gold", metavar="GOLD.jsonl")
    e.add_argument("--format", "-f", choices=("text", "json"), default="text")
    e.add_argument("--min-precision", type=float, default=0.0, help="exit 1 when precision is below this")
    e.add_argument("--min-recall", type=float, default=0.0, help="exit 1 when recall is below this")
    e.add_argument("--config", metavar="FILE", help="the configuration whose rules make the verdicts")
    e.add_argument("--without-scorer", action="store_true",
                   help="score the reader's claims alone: no claim scorer, every claim gates")
    ts = sub.add_parser("train-scorer", help="train the claim scorer on labelled pages (leave-one-site-out measure)",
                        description="Read every labelled page of the manifests, measure the claim scorer by "
                                    "leave-one-site-out cross-validation, choose its thresholds, and write the "
                                    "model trained on every page (JSON; the same pages give the same file).")
    ts.add_argument("--pages", action="append", type=Path, metavar="PAGES.tsv",
                    help="pages manifest: split, file, site, author (default tests/gold/real/pages.tsv)")
    ts.add_argument("--extra", action="append", type=Path, default=[], metavar="GOLD.jsonl",
                    help="more labelled pages in the gold format, each row naming its site "
                         "(e.g. the output of 'artgate corrections export')")
    ts.add_argument("--out", type=Path, default=None, metavar="FILE",
                    help="where to write the model (default: the one the package ships)")
    ts.add_argument("--report", type=Path, default=None, metavar="FILE",
                    help="also write the cross-validation report (JSON): per site, per author kind, "
                         "reliability, thresholds and the gate's verdicts")
    return p


def _review_parsers(sub) -> None:
    db_help = "sqlite:///FILE or postgresql+psycopg://USER@HOST:PORT/DB (default: artgate.db in this folder)"
    v = sub.add_parser("serve", help="run the review gate as an HTTP service",
                       description="Serve the review API (OpenAPI at /openapi.json, /healthz without a token) "
                                   "and the reviewer dashboard at /. "
                                   "The store is created and migrated on start.")
    v.add_argument("--host", default="127.0.0.1")
    v.add_argument("--port", type=int, default=8080)
    v.add_argument("--database-url", metavar="URL", help=db_help)
    v.add_argument("--runs-dir", default="artgate-runs",
                   help="the nightly audit's runs, listed at /api/v1/audits and on the dashboard's /audit")
    v.add_argument("--config", metavar="FILE", help="artgate.toml for the ruleset (default: the nearest one)")
    v.add_argument("--workers", type=int, default=1, help="server processes, each with its own pipeline (default 1)")
    v.add_argument("--max-body-bytes", type=int, default=1_048_576, help="larger request bodies get 413")
    v.add_argument("--check-timeout", type=_positive_float, default=15.0, metavar="SECONDS",
                   help="a check not finished by then is stopped and the version stored blocked (default 15)")
    v.add_argument("--check-processes", type=_positive, default=1, metavar="N",
                   help="check worker processes per server process (default 1)")
    t = sub.add_parser("token", help="manage API tokens")
    tsub = t.add_subparsers(dest="token_command", required=True)
    tc = tsub.add_parser("create", help="create an API token and print it (only once)")
    tc.add_argument("--role", choices=("author", "reviewer", "admin"), required=True)
    tc.add_argument("--name", required=True, help="who uses the token (a person or a system)")
    tc.add_argument("--database-url", metavar="URL", help=db_help)
    tl = tsub.add_parser("list", help="list the tokens (ids, names, roles, when made and revoked)")
    tl.add_argument("--database-url", metavar="URL", help=db_help)
    tr = tsub.add_parser("revoke", help="revoke a token by its id: it stops working at once")
    tr.add_argument("id", type=_positive, help="the token's id, from 'artgate token list'")
    tr.add_argument("--database-url", metavar="URL", help=db_help)
    rc = sub.add_parser("recheck", help="re-check stored current versions checked under an older ruleset")
    rc.add_argument("--database-url", metavar="URL", help=db_help)
    rc.add_argument("--config", metavar="FILE")
    rc.add_argument("--all", action="store_true", help="re-check every current version, not only stale ones")


def _corrections_parsers(sub) -> None:
    c = sub.add_parser("corrections", help="the reviewers' claim decisions as training data")
    csub = c.add_subparsers(dest="corrections_command", required=True)
    e = csub.add_parser(
        "export", help="write the claim decisions as labelled pages in the gold format (OUT_DIR/gold.jsonl)",
        description="Write every version on which a reviewer decided at least one claim (marked wrong, corrected, "
                    "confirmed or added; decisions carried over to a later version count for the version they "
                    "were made on) as a labelled page: its text as OUT_DIR/<file>, and one line of "
                    "OUT_DIR/gold.jsonl with the claims as decided (the extractor's claims minus those marked "
                    "wrong, corrections applied, added claims included) and the page's site. Versions without a "
                    "decision are not exported. The file is the format of tests/gold; 'artgate eval' reads it.")
    e.add_argument("out_dir", metavar="OUT_DIR")
    e.add_argument("--database-url", metavar="URL",
                   help="sqlite:///FILE or postgresql+psycopg://USER@HOST:PORT/DB (default: artgate.db in this folder)")
    e.add_argument("--config", metavar="FILE", help="artgate.toml whose gate threshold the notes refer to")


def _review(args: argparse.Namespace) -> int:
    from review import cli

    if args.command == "serve":
        return cli.serve(args.host, args.port, args.database_url, args.runs_dir, args.config, args.workers,
                         args.max_body_bytes, check_timeout_s=args.check_timeout,
                         check_processes=args.check_processes)
    if args.command == "token" and args.token_command == "list":
        return cli.token_list(args.database_url)
    if args.command == "token" and args.token_command == "revoke":
        return cli.token_revoke(args.id, args.database_url)
    if args.command == "token":
        return cli.token_create(args.role, args.name, args.database_url)
    return cli.recheck(args.database_url, args.config, args.all)


def _render(reports: list, fmt: str, single: bool, color: bool, ruleset) -> str:
    if fmt in ("json", "jsonl"):
        from reports.contract import render_json, render_jsonl

        return render_json(reports, single) if fmt == "json" else render_jsonl(reports)
    if fmt == "sarif":
        from reports.sarif import render_sarif

        return render_sarif(reports, ruleset)
    if fmt == "markdown":
        from reports.markdown import render_markdown

        return render_markdown(reports)
    if fmt == "html":
        from reports.html import render_html

        return render_html(reports)
    from reports.text import render_text

    return render_text(reports, color)


def _single(paths: list[str]) -> bool:
    """One file path (not a folder, not stdin): JSON output is one object, not an array."""
    return len(paths) == 1 and paths[0] != "-" and os.path.isfile(paths[0]) and not paths[0].endswith(".jsonl")


def _rules(args: argparse.Namespace) -> int:
    from reports.escape import one_line
    from rules.engine import ENGINE_RULES, all_rules, load_ruleset

    ruleset = load_ruleset(args.config)
    enabled = {r.id for r in ruleset.rules}
    for r in all_rules(ruleset.config):
        level = ruleset.config.severity.get(r.id, r.severity)
        state = "" if r.id in enabled else "  (disabled)"
        _say(f"{one_line(r.id):<40} {level:<8} {one_line(r.summary)}{state}")
    for rid, summary in ENGINE_RULES.items():
        _say(f"{rid:<40} {'warning':<8} {summary}")
    _say(f"{'ingest.*':<40} {'blocker':<8} The article cannot be checked (empty, binary, too large, no content)")
    _say(f"{'extraction.*':<40} {'warning':<8} A Great Expectations check of the assertions failed (--validate)")
    return 0


def _explain(args: argparse.Namespace) -> int:
    from rules.engine import ENGINE_RULES, all_rules, load_ruleset

    ruleset = load_ruleset(args.config)
    r = next((r for r in all_rules(ruleset.config) if r.id == args.rule), None)
    if r is None:
        if args.rule in ENGINE_RULES:
            _say(f"{args.rule}\n\n{ENGINE_RULES[args.rule]}.")
            return 0
        _error(f"no rule {args.rule!r}; 'artgate rules' lists them")
        return 2
    level = ruleset.config.severity.get(r.id, r.severity)
    out = [f"{r.id}  ({level}; defined in {r.source})", "", r.summary, "", r.explanation]
    for title, example in (("Triggers on:", r.example_trigger), ("Does not trigger on:", r.example_pass)):
        if example:
            out += ["", title] + ["    " + line for line in example.splitlines()]
    _say("\n".join(out))
    return 0


def _eval(args: argparse.Namespace) -> int:
    import json
    from contextlib import nullcontext
    from functools import partial

    from extractors.evaluate import evaluate, render
    from extractors.scorer import model_in_use
    from flows.check import check_article

    with model_in_use(None) if args.without_scorer else nullcontext():
        ev = evaluate(args.gold, check=partial(check_article, config=args.config))
    OUT.write(json.dumps(ev.as_dict(), indent=2) + "\n" if args.format == "json" else render(ev))
    ok = ev.overall.precision >= args.min_precision and ev.overall.recall >= args.min_recall
    return 0 if ok else 1


def _train(args: argparse.Namespace) -> int:
    from extractors.training import default_model_path, summary, train

    progress = (lambda s: print(f"\r\x1b[K{s}", end="", file=sys.stderr, flush=True)) if sys.stderr.isatty() else None
    result = train(args.pages or [Path("tests/gold/real/pages.tsv")], args.extra, args.out or default_model_path(),
                   args.report, progress)
    if progress:
        print("\r\x1b[K", end="", file=sys.stderr)
    OUT.write(summary(result))
    return 0


def _audit(args: argparse.Namespace) -> int:
    from flows.state import AuditLock
    from flows.workers import available_cpus, worker_pool
    from reports.escape import counts_phrase, plural
    from rules.engine import load_ruleset

    load_ruleset(args.config)  # a bad config fails here, before any work
    if bool(args.source) == bool(args.database_url):
        _error("audit needs either a SOURCE or --database-url URL")
        return 2
    if args.source and not os.path.exists(args.source):
        _error(f"{args.source}: no such file or directory")
        return 2
    if args.database_url:
        from review.db import DatabaseURLError, check_database_url, normalize_url

        try:
            check_database_url(args.database_url)
            normalize_url(args.database_url)
        except DatabaseURLError as exc:
            _error(str(exc))
            return 2
    workers = args.workers or available_cpus()
    with AuditLock(args.runs_dir):  # a second audit on this folder stops here, before starting anything
        if args.no_prefect:
            from flows.audit import check_chunk, run_audit

            with worker_pool(workers, args.config) as pool:
                submit = (lambda chunk: pool.submit(check_chunk, chunk, args.config)) if pool else None
                result = run_audit(args.source or "", args.runs_dir, chunk_size=args.chunk_size,
                                   config=args.config, submit=submit, max_in_flight=max(8, 2 * workers),
                                   database_url=args.database_url)
            summary, run_dir = result.summary, str(result.run_dir)
        else:
            from flows.audit import plan
            from flows.workers import prefect_api, prefetch

            local = 1 if args.dask_address else workers
            # the workers warm up and start on the first chunks while the Prefect server starts
            with worker_pool(local, args.config) as pool:
                if pool is not None and not args.database_url:
                    prefetch(plan(args.source, args.runs_dir, args.chunk_size, args.config), args.config)
                with prefect_api():
                    from flows.nightly import configured

                    summary = configured(workers, args.dask_address)(
                        args.source or "", args.runs_dir, args.chunk_size, args.config, progress=True,
                        database_url=args.database_url, workers=local)
            run_dir = summary["run_dir"]
    _say(f"run {summary['run_id']}: {plural(summary['articles'], 'article')}, {summary['blocked']:,} blocked, "
         f"{plural(summary['bad_items'], 'bad item')}; {counts_phrase(summary['findings'])}")
    if summary.get("previous_run"):
        _say(f"since {summary['previous_run']}: {summary['new_findings']:,} new, "
             f"{summary['resolved_findings']:,} resolved")
    _say(f"report: {os.path.join(run_dir, 'report.html')}")
    return 0


def _deploy(args: argparse.Namespace) -> int:
    if not os.environ.get("PREFECT_API_URL"):
        _error("deploy needs a running Prefect server: start one with 'prefect server start', then "
               "set PREFECT_API_URL=http://127.0.0.1:4200/api")
        return 2
    import warnings
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(args.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        _error(f"--timezone {args.timezone!r} is not a time zone name (such as UTC or Europe/Berlin)")
        return 2
    from flows.nightly import serve_nightly

    # Ctrl-C ends Prefect's serve loop with coroutines it never awaited; that is its shutdown, not a fault
    warnings.filterwarnings("ignore", message=r"coroutine .* was never awaited", category=RuntimeWarning)
    _say(f"serving nightly-audit/{args.name} on {os.environ['PREFECT_API_URL']}: {args.cron} ({args.timezone}); "
         "Ctrl-C stops")
    try:
        serve_nightly(args.source, args.cron, args.name, args.runs_dir, args.chunk_size, args.config,
                      args.workers or 0, args.timezone)
    except KeyboardInterrupt:
        _say("stopped")
    return 0


def main(argv: list[str] | None = None) -> int:
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="backslashreplace")  # a stray lone surrogate cannot make invalid UTF-8 or a crash
    args = _parser().parse_args(argv)
    try:
        if args.version:
            from rules.engine import ruleset_version

            _say(f"artgate {ruleset_version()}")
            return 0
        if not args.command:
            _parser().print_help(sys.stderr)
            return 2
        if args.command in ("serve", "token", "recheck"):
            return _review(args)
        if args.command == "lsp":
            from lsp.server import serve

            return serve(args.config, max(0, args.debounce_ms))
        if args.command == "corrections":
            from review.cli import corrections_export

            return corrections_export(args.out_dir, args.database_url, args.config)
        if args.command in ("rules", "explain", "eval", "audit", "deploy", "train-scorer"):
            return {"rules": _rules, "explain": _explain, "eval": _eval, "audit": _audit,
                    "deploy": _deploy, "train-scorer": _train}[args.command](args)
        return _check(args)
    except ArtgateError as exc:
        _error(exc)
        return 2
    except BrokenPipeError:  # stdout closed by its reader outside OUT (a library's own print)
        OUT.drop()
        return 0


def _check(args: argparse.Namespace) -> int:
    from flows.check import Unreadable, exit_status, iter_reports
    from rules.engine import load_ruleset

    ruleset = load_ruleset(args.config)  # a bad config fails here, before any work
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
    if args.command == "gate":
        reports, unreadable = _gate(args)
    else:
        reports, unreadable = [], []
        progress = CheckProgress() if sys.stderr.isatty() else None
        for item in iter_reports(args.paths, args.max_bytes, args.config, progress.file if progress else None):
            (unreadable if isinstance(item, Unreadable) else reports).append(item)
        if progress:
            progress.done()
        if args.validate and reports:
            from rules.expectations import with_expectations

            reports = [with_expectations(r) for r in reports]
    for u in unreadable:
        _error(u.message)
    if reports:
        OUT.write(_render(reports, args.format, _single(args.paths), color, ruleset))
    return exit_status(reports, unreadable)


class CheckProgress:
    """'checking 3/120: notes/l5.md (1.9 MB)…' on a terminal's stderr, one line rewritten in place.

    Shown for inputs large enough to take a while (from 256 KB: about a second) and for runs of many
    files; a quick check of one small file prints nothing.
    """

    BIG = 256 * 1024

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.shown = False

    def file(self, index: int, total: int, path: str) -> None:
        size = _size(path)
        if size < self.BIG and total < 20:
            return
        where = f"{index + 1}/{total}: " if total > 1 else ""
        name = path if len(path) <= 60 else "…" + path[-59:]
        from reports.escape import one_line

        self.stream.write(f"\r\x1b[Kchecking {where}{one_line(name)}" + (f" ({_human(size)})" if size else "") + "…")
        self.stream.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size if path != "-" else 0
    except OSError:
        return 0


def _human(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 1_000_000 else f"{size / 1000:.0f} KB"


def _gate(args: argparse.Namespace) -> tuple[list, list]:
    """The review-gate flow's reports; when Prefect cannot run it, one line saying why (exit 2)."""
    from flows.workers import PrefectUnavailable, prefect_api

    try:
        with prefect_api():
            from flows.review_gate import run_gate

            return run_gate(args.paths, args.max_bytes, args.config)
    except ArtgateError:
        raise
    except Exception as exc:  # the API unreachable or the flow run crashed: say so in one line, no traceback
        first = str(exc).splitlines()[0][:300] if str(exc) else ""
        raise PrefectUnavailable(f"the review-gate flow could not run ({type(exc).__name__}: {first}); "
                                 "check PREFECT_API_URL, or use 'artgate check' for the same checks "
                                 "without Prefect") from exc


if __name__ == "__main__":
    sys.exit(main())
