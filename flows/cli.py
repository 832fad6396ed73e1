"""The ``artgate`` command line.

    artgate check PATH [PATH ...] [--format text|json|jsonl]   plain, fast path
    artgate gate  PATH [PATH ...] [--format text|json|jsonl]   the same, as a Prefect flow
    artgate eval  GOLD.jsonl [--min-precision P] [--min-recall R] extraction quality on a gold set

Exit status: 0 no blocker, 1 at least one blocker, 2 usage error or an input
that could not be read at all (one line on stderr naming the input and why).
"""

from __future__ import annotations

import argparse
import os
import sys

from extractors.errors import ArtgateError
from extractors.ingest import DEFAULT_MAX_BYTES

FORMATS = ("text", "json", "jsonl")


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
        c.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                       help="colour the text format (auto: when stdout is a terminal)")
        c.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES,
                       help=f"larger files get an ingest.too-large finding (default {DEFAULT_MAX_BYTES:,})")
    e = sub.add_parser("eval", help="score extraction against a gold set (JSON Lines)",
                       description="Precision, recall and F1 of extracted (root, target, polarity) triples.")
    e.add_argument("gold", metavar="GOLD.jsonl")
    e.add_argument("--format", "-f", choices=("text", "json"), default="text")
    e.add_argument("--min-precision", type=float, default=0.0, help="exit 1 when precision is below this")
    e.add_argument("--min-recall", type=float, default=0.0, help="exit 1 when recall is below this")
    return p


def _eval(args: argparse.Namespace) -> int:
    import json

    from extractors.evaluate import evaluate, render

    ev = evaluate(args.gold)
    sys.stdout.write(json.dumps(ev.as_dict(), indent=2) + "\n" if args.format == "json" else render(ev))
    ok = ev.overall.precision >= args.min_precision and ev.overall.recall >= args.min_recall
    return 0 if ok else 1


def _render(reports: list, fmt: str, single: bool, color: bool) -> str:
    if fmt == "json":
        from reports.contract import render_json

        return render_json(reports, single)
    if fmt == "jsonl":
        from reports.contract import render_jsonl

        return render_jsonl(reports)
    from reports.text import render_text

    return render_text(reports, color)


def _single(paths: list[str]) -> bool:
    """One file path (not a folder, not stdin): JSON output is one object, not an array."""
    return len(paths) == 1 and paths[0] != "-" and os.path.isfile(paths[0]) and not paths[0].endswith(".jsonl")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.version:
        from rules.engine import ruleset_version

        print(f"artgate {ruleset_version()}")
        return 0
    if not args.command:
        _parser().print_help(sys.stderr)
        return 2
    if args.command == "eval":
        try:
            return _eval(args)
        except ArtgateError as exc:
            print(f"artgate: error: {exc}", file=sys.stderr)
            return 2
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
    try:
        if args.command == "gate":
            from flows.review_gate import run_gate

            reports, unreadable = run_gate(args.paths, args.max_bytes)
        else:
            from flows.check import Unreadable, iter_reports

            reports, unreadable = [], []
            for item in iter_reports(args.paths, args.max_bytes):
                (unreadable if isinstance(item, Unreadable) else reports).append(item)
    except ArtgateError as exc:
        print(f"artgate: error: {exc}", file=sys.stderr)
        return 2
    from flows.check import exit_status

    for u in unreadable:
        print(f"artgate: error: {u.message}", file=sys.stderr)
    if reports:
        sys.stdout.write(_render(reports, args.format, _single(args.paths), color))
    return exit_status(reports, unreadable)


if __name__ == "__main__":
    sys.exit(main())
