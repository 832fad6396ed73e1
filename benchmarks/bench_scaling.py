"""Check time against input size, and hostile inputs up to the size limit.

    python benchmarks/bench_scaling.py [--repeats 3]          # → results-scaling.json

Seed-like text (the two seeds and the gold passages, cycled) at 250 KB, 1 MB and 2 MB is checked in
one warm process (``flows.check.check_article``: ingest, extraction, every rule); seconds per word
at each size are compared with 250 KB's, measured in the same run (start-up excluded). Then the
hostile inputs that once ran for minutes, each checked once: 100,000 lines of "L5", 100,000
bullets, 100,000 table rows, a 4.9 MB single line, '<p>' followed by 100,000 '<' in HTML, and
'&#' × 50,000 in HTML.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def seed_like(target_bytes: int) -> str:
    files = sorted((ROOT / "seeds").glob("*.txt")) + sorted((ROOT / "tests" / "gold" / "articles").glob("*.txt"))
    texts = [f.read_text(encoding="utf-8") for f in files]
    out, size, i = ["Which nerve root is responsible for dorsal extension of the foot?\n"], 0, 0
    while size < target_bytes:
        t = texts[i % len(texts)]
        out.append(t.split("\n", 1)[-1] + "\n")
        size += len(t.encode("utf-8"))
        i += 1
    return "".join(out)


def hostile() -> list[tuple[str, str, str]]:
    return [
        ("L5 lines x 100,000", "Roots\n" + "L5\n" * 100_000, "text"),
        ("bullets x 100,000", "Roots\n" + "- L5 supplies ankle dorsiflexion\n" * 100_000, "text"),
        ("table rows x 100,000", "Roots\n| Root | Movement |\n|---|---|\n" + "| L5 | ankle dorsiflexion |\n" * 100_000,
         "text"),
        ("one 4.9 MB line", "Roots\n" + "L5 supplies ankle dorsiflexion and S1 plantar flexion; " * 87_000, "text"),
        ("<p> then 100,000 '<' (HTML)", "<html><body><p>" + "<" * 100_000 + "</p></body></html>", "html"),
        ("'&#' x 50,000 (HTML)", "<html><body><p>" + "&#" * 50_000 + "</p></body></html>", "html"),
        # the reproductions of the fail-closed work (2026-12-07): each ran from half a minute to hours
        ("'[' x 50,000 + '](' x 50,000 (Markdown)", "[" * 50_000 + "](" * 50_000, "markdown"),
        ("'![' x 50,000 + '](' x 50,000 (Markdown)", "![" * 50_000 + "](" * 50_000, "markdown"),
        ("'*' x 20,000 + ' L5 dorsiflexion' (Markdown)", "*" * 20_000 + " L5 dorsiflexion", "markdown"),
        ("'*' x 20,000 + ' L5 dorsiflexion' (text)", "*" * 20_000 + " L5 dorsiflexion", "text"),
        ("500 KB of '# L5' lines (Markdown)", "# L5\n" * 100_000, "markdown"),
        ("'<!--' x 50,000 (HTML)", "<p>L5 dorsiflexion</p>" + "<!--" * 50_000, "html"),
        ("'<script>' x 50,000 (HTML)", "<p>L5 dorsiflexion</p>" + "<script>" * 50_000, "html"),
        ("'<title>' x 50,000 (HTML)", "<title>" * 50_000 + "</title><p>L5</p>", "html"),
        ("unclosed directives x 50,000 (Markdown)", "L5\n" + "<!-- artgate-disable a.b: x" * 50_000, "markdown"),
    ]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--hostile-only", action="store_true", help="only the hostile inputs (CPU seconds too)")
    args = p.parse_args()

    from extractors.ingest import parse
    from flows.check import check_article

    check_article(parse(seed_like(20_000), "warm.txt", "text"))  # build the pipeline, warm the caches
    sizes = []
    for label, target in () if args.hostile_only else (("250 KB", 250_000), ("1 MB", 1_000_000),
                                                        ("2 MB", 2_000_000)):
        text = seed_like(target)
        words = len(text.split())
        times = []
        for _ in range(args.repeats):
            t = time.perf_counter()
            report = check_article(parse(text, f"seed-like-{label}.txt", "text"))
            times.append(time.perf_counter() - t)
        sec = statistics.median(times)
        sizes.append({"size": label, "bytes": len(text.encode("utf-8")), "words": words, "seconds": round(sec, 2),
                      "us_per_word": round(sec / words * 1e6, 2), "assertions": len(report.assertions),
                      "findings": len(report.findings)})
        print(label, json.dumps(sizes[-1]), file=sys.stderr, flush=True)
    base = sizes[0]["us_per_word"] if sizes else 1
    for s in sizes:
        s["per_word_vs_250KB"] = round(s["us_per_word"] / base, 2)
    rows = []
    for label, text, fmt in hostile():
        t, cpu = time.perf_counter(), time.process_time()
        report = check_article(parse(text, "hostile", fmt))
        sec = time.perf_counter() - t
        rows.append({"input": label, "bytes": len(text.encode("utf-8")), "seconds": round(sec, 2),
                     "cpu_seconds": round(time.process_time() - cpu, 2),
                     "assertions": len(report.assertions), "verdict": report.verdict,
                     "notes": sorted({f.rule for f in report.findings
                                      if f.rule.startswith(("extraction.", "ingest."))})})
        print(label, json.dumps(rows[-1]), file=sys.stderr, flush=True)
    print(json.dumps({"when": time.strftime("%Y-%m-%d %H:%M"), "python": platform.python_version(),
                      "sizes": sizes, "hostile": rows}, indent=2))


if __name__ == "__main__":
    main()
