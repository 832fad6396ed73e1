"""Latency of the single-article path: cold process and warm in-process.

    python benchmarks/bench_check.py [--runs 7] [--warm 200] [ARTICLE]

Cold: wall time of `artgate check ARTICLE --format json` in a fresh process,
median of --runs runs. As a baseline measured in the same run, the time of a
bare `python -c "import spacy"` (the floor for any spaCy-based checker), and
of importing the libraries the pipeline needs, are reported beside it.

Warm: per-article time of ingest + extract + check + JSON rendering in one
process after the pipeline is built, median over --warm repetitions.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def wall(cmd: list[str], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, capture_output=True, check=False)
        out.append(time.perf_counter() - t)
    return out


def warm(article: Path, n: int) -> tuple[list[float], int]:
    sys.path.insert(0, str(ROOT))
    from extractors.ingest import read_path
    from flows.check import check_article
    from reports.contract import render_json

    check_article(read_path(article)[0])  # build the pipeline
    times = []
    for _ in range(n):
        t = time.perf_counter()
        report = check_article(read_path(article)[0])
        render_json([report], single=True)
        times.append(time.perf_counter() - t)
    words = len(read_path(article)[0].text.split())
    return times, words


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("article", nargs="?", default=str(ROOT / "seeds" / "dorsiflexion-dr-oracle.txt"))
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--warm", type=int, default=200)
    args = p.parse_args()
    py = sys.executable
    cold = wall([py, "-m", "flows.cli", "check", args.article, "--format", "json"], args.runs)
    spacy_only = wall([py, "-c", "import spacy"], args.runs)
    libs = wall([py, "-c", "import spacy, scispacy.abbreviation, scispacy.custom_tokenizer, medspacy.context"],
                args.runs)
    times, words = warm(Path(args.article), args.warm)
    med = statistics.median
    result = {
        "article": Path(args.article).name,
        "words": words,
        "python": platform.python_version(),
        "cold_check_s": round(med(cold), 3),
        "baseline_import_spacy_s": round(med(spacy_only), 3),
        "baseline_import_pipeline_libs_s": round(med(libs), 3),
        "cold_over_libs_import": round(med(cold) / med(libs), 2),
        "warm_per_article_ms": round(med(times) * 1000, 2),
        "warm_p90_ms": round(sorted(times)[int(len(times) * 0.9)] * 1000, 2),
        "warm_words_per_s": round(words / med(times)),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
