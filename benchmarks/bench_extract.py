"""Extraction throughput on one core, with spaCy's bare tokenizer as the same-run baseline.

    python benchmarks/bench_extract.py [--words 150000] [--repeats 5]

Corpus: the seed articles and the gold-set passages (seed-like text), cycled
until it holds about --words words. Each measure is the median of --repeats
passes over the whole corpus:

- ``tokenizer``: ``spacy.blank("en")`` tokenizer alone (the ceiling for any spaCy pipeline);
- ``extract``: ingest + artgate's pipeline + relation extraction (assertions);
- ``check``: ``extract`` plus all rules (the in-process batch path).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def corpus(target_words: int) -> list[tuple[str, str, str]]:
    from extractors.ingest import SUFFIXES

    files = sorted((ROOT / "seeds").glob("*.txt")) + sorted((ROOT / "tests" / "gold" / "articles").iterdir())
    base = [(f.name, f.read_text(encoding="utf-8"), SUFFIXES.get(f.suffix, "text")) for f in files]
    out, words, i = [], 0, 0
    while words < target_words:
        name, text, fmt = base[i % len(base)]
        out.append((f"{i}-{name}", text, fmt))
        words += len(text.split())
        i += 1
    return out


def timed(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--words", type=int, default=150_000)
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args()

    import spacy

    from extractors.ingest import parse
    from extractors.pipeline import get_nlp
    from extractors.relations import extract
    from flows.check import check_articles

    docs = corpus(args.words)
    words = sum(len(t.split()) for _, t, _ in docs)
    blank = spacy.blank("en")
    nlp = get_nlp()

    def tokenizer() -> None:
        for _ in blank.tokenizer.pipe(t for _, t, _ in docs):
            pass

    def extraction() -> None:
        articles = [parse(t, n, f) for n, t, f in docs]
        for a, d in zip(articles, nlp.pipe(a.plain for a in articles), strict=True):
            extract(a, d)

    def check() -> None:
        check_articles([parse(t, n, f) for n, t, f in docs])

    extraction()  # warm up caches and the pipeline
    results = {name: timed(fn, args.repeats) for name, fn in
               (("tokenizer", tokenizer), ("extract", extraction), ("check", check))}
    print(json.dumps({
        "articles": len(docs),
        "words": words,
        "seconds": {k: round(v, 3) for k, v in results.items()},
        "words_per_s": {k: round(words / v) for k, v in results.items()},
        "extract_vs_tokenizer": round(results["tokenizer"] / results["extract"], 3),
    }, indent=2))


if __name__ == "__main__":
    main()
