"""The ``artgate`` command line.

    artgate check PATH … [--format F] [--config FILE] [--validate]   plain, fast path
    artgate gate  PATH … [--format F] [--config FILE]                the same, as a Prefect flow
    artgate rules [--config FILE]                                    every rule, its level and summary
    artgate explain RULE [--config FILE]                             what a rule checks, with examples
    artgate eval  GOLD.jsonl [--min-precision P] [--min-recall R]    extraction quality on a gold set
    artgate audit SOURCE [--workers N] [--dask-address A]            the nightly audit of a corpus
    artgate deploy SOURCE --cron "0 2 * * *"                         schedule it on a Prefect server
    artgate audit --database-url URL                                 the same over the review store
    artgate serve [--host H] [--port P] [--database-url URL]         the review gate as an HTTP service
    artgate token create --role ROLE --name NAME [--database-url URL]  an API token, printed once
    artgate recheck [--database-url URL]                             re-check stored articles under today's rules

Formats: text (default; coloured on a terminal), json, jsonl, sarif, markdown, html.
Exit status: 0 no blocker, 1 at least one blocker, 2 usage error or an input
that could not be read at all (one line on stderr naming the input and why).
"""

from __future__ import annotations

import argparse
import os
import sys

from extractors.errors import ArtgateError
from extractors.ingest import DEFAULT_MAX_BYTES

FORMATS = ("text", "json", "jsonl", "sarif", "markdown", "html")


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
        c.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES,
                       help=f"larger files get an ingest.too-large finding (default {DEFAULT_MAX_BYTES:,})")
        if name == "check":
            c.add_argument("--validate", action="store_true",
                           help="also validate the assertions table with the Great Expectations suite")
    a = sub.add_parser("audit", help="audit a corpus (folder or JSON Lines export): the nightly-audit flow",
                       description="Check every article that changed since its last check, in chunks, and write "
                                   "assertions.parquet, findings.parquet, summary.json and report.html to a run "
                                   "folder. A run that was interrupted is resumed.")
    a.add_argument("source", metavar="SOURCE", nargs="?")
    a.add_argument("--database-url", metavar="URL",
                   help="audit the review store's current versions instead of a SOURCE")
    a.add_argument("--runs-dir", default="artgate-runs", help="where runs and the state database live")
    a.add_argument("--chunk-size", type=int, default=100, help="articles per task (default 100)")
    a.add_argument("--workers", type=int, default=1, help="local worker processes (default 1)")
    a.add_argument("--dask-address", metavar="tcp://HOST:PORT", help="run chunks on this Dask cluster")
    a.add_argument("--config", metavar="FILE")
    a.add_argument("--no-prefect", action="store_true", help="run the same audit in this process, without Prefect")
    d = sub.add_parser("deploy", help="create the scheduled nightly-audit deployment on a Prefect server and serve it")
    d.add_argument("source", metavar="SOURCE")
    d.add_argument("--cron", default="0 2 * * *", help='schedule (default "0 2 * * *": 02:00 every night)')
    d.add_argument("--name", default="nightly")
    d.add_argument("--runs-dir", default="artgate-runs")
    d.add_argument("--chunk-size", type=int, default=100)
    d.add_argument("--workers", type=int, default=1)
    d.add_argument("--config", metavar="FILE")
    _review_parsers(sub)
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
    t = sub.add_parser("token", help="manage API tokens")
    tsub = t.add_subparsers(dest="token_command", required=True)
    tc = tsub.add_parser("create", help="create an API token and print it (only once)")
    tc.add_argument("--role", choices=("author", "reviewer", "admin"), required=True)
    tc.add_argument("--name", required=True, help="who uses the token (a person or a system)")
    tc.add_argument("--database-url", metavar="URL", help=db_help)
    rc = sub.add_parser("recheck", help="re-check stored current versions checked under an older ruleset")
    rc.add_argument("--database-url", metavar="URL", help=db_help)
    rc.add_argument("--config", metavar="FILE")
    rc.add_argument("--all", action="store_true", help="re-check every current version, not only stale ones")


def _review(args: argparse.Namespace) -> int:
    from review import cli

    if args.command == "serve":
        return cli.serve(args.host, args.port, args.database_url, args.runs_dir, args.config, args.workers,
                         args.max_body_bytes)
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
    from rules.engine import ENGINE_RULES, all_rules, load_ruleset

    ruleset = load_ruleset(args.config)
    enabled = {r.id for r in ruleset.rules}
    for r in all_rules(ruleset.config):
        level = ruleset.config.severity.get(r.id, r.severity)
        state = "" if r.id in enabled else "  (disabled)"
        print(f"{r.id:<40} {level:<8} {r.summary}{state}")
    for rid, summary in ENGINE_RULES.items():
        print(f"{rid:<40} {'warning':<8} {summary}")
    print(f"{'ingest.*':<40} {'blocker':<8} The article cannot be checked (empty, binary, too large, no content)")
    print(f"{'extraction.*':<40} {'warning':<8} A Great Expectations check of the assertions failed (--validate)")
    return 0


def _explain(args: argparse.Namespace) -> int:
    from rules.engine import ENGINE_RULES, all_rules, load_ruleset

    ruleset = load_ruleset(args.config)
    r = next((r for r in all_rules(ruleset.config) if r.id == args.rule), None)
    if r is None:
        if args.rule in ENGINE_RULES:
            print(f"{args.rule}\n\n{ENGINE_RULES[args.rule]}.")
            return 0
        print(f"artgate: error: no rule {args.rule!r}; 'artgate rules' lists them", file=sys.stderr)
        return 2
    level = ruleset.config.severity.get(r.id, r.severity)
    out = [f"{r.id}  ({level}; defined in {r.source})", "", r.summary, "", r.explanation]
    for title, example in (("Triggers on:", r.example_trigger), ("Does not trigger on:", r.example_pass)):
        if example:
            out += ["", title] + ["    " + line for line in example.splitlines()]
    print("\n".join(out))
    return 0


def _eval(args: argparse.Namespace) -> int:
    import json
    from functools import partial

    from extractors.evaluate import evaluate, render
    from flows.check import check_article

    ev = evaluate(args.gold, check=partial(check_article, config=args.config))
    sys.stdout.write(json.dumps(ev.as_dict(), indent=2) + "\n" if args.format == "json" else render(ev))
    ok = ev.overall.precision >= args.min_precision and ev.overall.recall >= args.min_recall
    return 0 if ok else 1


def _audit(args: argparse.Namespace) -> int:
    from rules.engine import load_ruleset

    load_ruleset(args.config)  # a bad config fails here, before any work
    if bool(args.source) == bool(args.database_url):
        print("artgate: error: audit needs either a SOURCE or --database-url URL", file=sys.stderr)
        return 2
    if args.source and not os.path.exists(args.source):
        print(f"artgate: error: {args.source}: no such file or directory", file=sys.stderr)
        return 2
    if args.no_prefect:
        from flows.audit import run_audit

        summary = run_audit(args.source or "", args.runs_dir, chunk_size=args.chunk_size, config=args.config,
                            database_url=args.database_url).summary
        run_dir = os.path.join(args.runs_dir, summary["run_id"])
    else:
        from flows.nightly import configured

        summary = configured(args.workers, args.dask_address)(
            args.source or "", args.runs_dir, args.chunk_size, args.config, progress=True,
            database_url=args.database_url)
        run_dir = summary["run_dir"]
    f = summary["findings"]
    print(f"run {summary['run_id']}: {summary['articles']} articles, {summary['blocked']} blocked, "
          f"{summary['bad_items']} bad items; {f['blocker']} blockers, {f['warning']} warnings, {f['info']} info")
    if summary.get("previous_run"):
        print(f"since {summary['previous_run']}: {summary['new_findings']} new, "
              f"{summary['resolved_findings']} resolved")
    print(f"report: {os.path.join(run_dir, 'report.html')}")
    return 0


def _deploy(args: argparse.Namespace) -> int:
    if not os.environ.get("PREFECT_API_URL"):
        print("artgate: error: deploy needs a running Prefect server: start one with 'prefect server start', then "
              "set PREFECT_API_URL=http://127.0.0.1:4200/api", file=sys.stderr)
        return 2
    from flows.nightly import serve_nightly

    serve_nightly(args.source, args.cron, args.name, args.runs_dir, args.chunk_size, args.config, args.workers)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.version:
        from rules.engine import ruleset_version

        print(f"artgate {ruleset_version()}")
        return 0
    if not args.command:
        _parser().print_help(sys.stderr)
        return 2
    try:
        if args.command in ("serve", "token", "recheck"):
            return _review(args)
        if args.command in ("rules", "explain", "eval", "audit", "deploy"):
            return {"rules": _rules, "explain": _explain, "eval": _eval, "audit": _audit,
                    "deploy": _deploy}[args.command](args)
        return _check(args)
    except ArtgateError as exc:
        print(f"artgate: error: {exc}", file=sys.stderr)
        return 2


def _check(args: argparse.Namespace) -> int:
    from flows.check import Unreadable, exit_status, iter_reports
    from rules.engine import load_ruleset

    ruleset = load_ruleset(args.config)  # a bad config fails here, before any work
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
    if args.command == "gate":
        from flows.review_gate import run_gate

        reports, unreadable = run_gate(args.paths, args.max_bytes, args.config)
    else:
        reports, unreadable = [], []
        for item in iter_reports(args.paths, args.max_bytes, args.config):
            (unreadable if isinstance(item, Unreadable) else reports).append(item)
        if args.validate and reports:
            from rules.expectations import with_expectations

            reports = [with_expectations(r) for r in reports]
    for u in unreadable:
        print(f"artgate: error: {u.message}", file=sys.stderr)
    if reports:
        sys.stdout.write(_render(reports, args.format, _single(args.paths), color, ruleset))
    return exit_status(reports, unreadable)


if __name__ == "__main__":
    sys.exit(main())
