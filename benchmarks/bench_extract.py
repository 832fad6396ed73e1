"""Extraction throughput on one core, with spaCy's bare tokenizer as the same-run baseline.

    python benchmarks/bench_extract.py [--words 150000] [--repeats 5] [--stages]

Corpus: the seed articles and the gold-set passages (seed-like text), cycled
until it holds about --words words. Each measure is the median of --repeats
passes over the whole corpus:

- ``tokenizer``: ``spacy.blank("en")`` tokenizer alone (the ceiling for any spaCy pipeline);
- ``extract``: ingest + artgate's pipeline + relation extraction (assertions, each scored by the
  shipped claim scorer);
- ``reader``: the same without the claim scorer (the layout reader's claims alone), so the scorer's
  share is the ratio of the two in one run;
- ``check``: ``extract`` plus all rules (the in-process batch path).

``--stages`` adds where extraction's time goes: each stage timed on its own over the whole corpus
(median of the passes), in seconds and as a share of their sum.
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
    p.add_argument("--stages", action="store_true", help="also time each stage of extraction on its own")
    args = p.parse_args()

    import spacy

    from extractors.ingest import parse
    from extractors.pipeline import get_nlp
    from extractors.relations import extract
    from extractors.scorer import model_in_use
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

    def reader() -> None:
        with model_in_use(None):
            extraction()

    def check() -> None:
        check_articles([parse(t, n, f) for n, t, f in docs])

    extraction()  # warm up caches and the pipeline
    results = {name: timed(fn, args.repeats) for name, fn in
               (("tokenizer", tokenizer), ("extract", extraction), ("reader", reader), ("check", check))}
    report = {
        "articles": len(docs),
        "words": words,
        "seconds": {k: round(v, 3) for k, v in results.items()},
        "words_per_s": {k: round(words / v) for k, v in results.items()},
        "extract_vs_tokenizer": round(results["tokenizer"] / results["extract"], 3),
        "extract_vs_reader": round(results["reader"] / results["extract"], 3),
    }
    if args.stages:
        report["stages"] = stages(docs, args.repeats)
    print(json.dumps(report, indent=2))


def stages(docs: list[tuple[str, str, str]], repeats: int) -> dict[str, dict[str, float]]:
    """Seconds per stage of extraction (median over ``repeats`` passes) and each stage's share."""
    from extractors.ingest import parse
    from extractors.pipeline import get_nlp
    from extractors.relations import extraction_of, feature_rows, read_claims, select
    from extractors.scorer import load_model

    nlp, model = get_nlp(), load_model()
    runs: list[dict[str, float]] = []
    for _ in range(repeats):
        t: dict[str, float] = {}
        clock = time.perf_counter()
        articles = [parse(text, name, fmt) for name, text, fmt in docs]
        t["ingest"] = time.perf_counter() - clock
        clock = time.perf_counter()
        found = [nlp.make_doc(a.plain) for a in articles]
        t["tokenizer"] = time.perf_counter() - clock
        for name, proc in nlp.pipeline:
            clock = time.perf_counter()
            found = [proc(d) for d in found]
            t[name] = time.perf_counter() - clock
        for key in ("reader", "features", "trees", "select"):
            t[key] = 0.0
        for a, d in zip(articles, found, strict=True):
            clock = time.perf_counter()
            proposals = read_claims(a, d)
            t["reader"] += time.perf_counter() - clock
            clock = time.perf_counter()
            if proposals and model is not None:
                x = feature_rows(a, d, proposals)
                t["features"] += time.perf_counter() - clock
                clock = time.perf_counter()
                for p, c in zip(proposals, model.confidence(x), strict=True):
                    p.confidence = float(c)
                t["trees"] += time.perf_counter() - clock
            clock = time.perf_counter()
            extraction_of(a, d, select(proposals, model))
            t["select"] += time.perf_counter() - clock
        runs.append(t)
    seconds = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    total = sum(seconds.values())
    return {k: {"seconds": round(v, 3), "share": round(v / total, 3)} for k, v in seconds.items()}


if __name__ == "__main__":
    main()
