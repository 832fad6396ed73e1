"""The nightly audit, measured side by side on one synthetic corpus.

    python benchmarks/bench_audit.py [--n 10000] [--sample 1000] [--work DIR]

Generates N seed-sized articles (``benchmarks/corpus.py``: 30% carry the
seed's faults), then runs each measure in its own process (so peak memory is
per measure) and prints one JSON document:

- ``tokenizer``: ``spacy.blank("en")`` tokenizer alone on the sample (the ceiling for any spaCy pipeline);
- ``medspacy_default``: ``medspacy.load()`` (PyRuSH sentences, target matcher with the same lexicon
  phrases as target rules, ConText with its default rules) on the sample: entities and context only;
- ``artgate_sample``: artgate's in-process check (ingest, extraction, all rules) on the same sample,
  producing assertions and findings: the like-for-like comparison with the two above;
- ``artgate_inprocess_1``: artgate's audit without Prefect, one process, whole corpus, assertions
  and findings and run outputs;
- ``artgate_inprocess_2``: the same with chunks on a pool of 2 processes;
- ``prefect_flow_2``: ``artgate audit --workers 2`` end to end (ephemeral Prefect server, process pool);
- ``prefect_flow_rerun``: the same command again with nothing changed (the incremental path);
- ``inprocess_rerun``: the incremental path without Prefect.

Throughput is words/s over the article files' words; ratios are against the
same run's medspaCy baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def words_of(files: list[Path]) -> int:
    return sum(len(f.read_text().split()) for f in files)


def peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, kids) / 1024, 1)


def measure(name: str, corpus: Path, sample: int, work: Path) -> dict:
    sys.path.insert(0, str(ROOT))
    files = sorted(corpus.glob("*.txt"))
    sub = files[:sample]
    t = time.perf_counter()
    if name == "tokenizer":
        import spacy

        nlp = spacy.blank("en")
        texts = [f.read_text() for f in sub]
        t = time.perf_counter()
        for _ in nlp.tokenizer.pipe(texts):
            pass
        return {"articles": len(sub), "words": words_of(sub), "seconds": time.perf_counter() - t}
    if name == "medspacy_default":
        import medspacy
        from medspacy.ner import TargetRule

        from extractors.lexicon import load_lexicon

        nlp = medspacy.load()
        lex = load_lexicon()
        nlp.get_pipe("medspacy_target_matcher").add(
            [TargetRule(p, e.target_kind.upper()) for p, e in lex.phrases.items()])
        texts = [f.read_text() for f in sub]
        nlp(texts[0])
        t = time.perf_counter()
        ents = sum(len(d.ents) for d in nlp.pipe(texts))
        return {"articles": len(sub), "words": words_of(sub), "seconds": time.perf_counter() - t, "entities": ents}
    if name == "artgate_sample":
        from extractors.ingest import parse
        from flows.check import check_articles

        texts = [(f.name, f.read_text()) for f in sub]
        check_articles([parse(texts[0][1], texts[0][0])])  # build the pipeline
        t = time.perf_counter()
        reports = check_articles([parse(text, name) for name, text in texts], batch_size=64)
        return {"articles": len(sub), "words": words_of(sub), "seconds": time.perf_counter() - t,
                "assertions": sum(len(r.assertions) for r in reports),
                "findings": sum(len(r.findings) for r in reports)}
    if name in ("artgate_inprocess_1", "artgate_inprocess_2", "inprocess_rerun"):
        from flows.audit import check_chunk, run_audit

        runs = work / ("runs-inprocess" if name != "artgate_inprocess_2" else "runs-inprocess-2")
        if name == "artgate_inprocess_2":
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(2) as pool:
                t = time.perf_counter()
                s = run_audit(corpus, runs, chunk_size=100, progress=False,
                              submit=lambda chunk: pool.submit(check_chunk, chunk, None)).summary
        else:
            s = run_audit(corpus, runs, chunk_size=100, progress=False).summary
        return {"articles": s["articles"], "words": words_of(files), "seconds": time.perf_counter() - t,
                "checked": s["checked_this_session"], "reused": s["unchanged_reused"], "blocked": s["blocked"]}
    if name in ("prefect_flow_2", "prefect_flow_rerun"):
        env = {**os.environ, "PREFECT_HOME": str(work / "prefect-home"), "DO_NOT_TRACK": "1",
               "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING"}
        env.pop("PREFECT_API_URL", None)
        res = subprocess.run([PY, "-m", "flows.cli", "audit", str(corpus), "--runs-dir", str(work / "runs-flow"),
                              "--workers", "2"], cwd=ROOT, env=env, capture_output=True, text=True)
        if res.returncode != 0:
            raise SystemExit(res.stderr[-3000:])
        return {"articles": len(files), "words": words_of(files), "seconds": time.perf_counter() - t,
                "output": res.stdout.strip().splitlines()[0]}
    raise SystemExit(f"unknown measure {name}")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=10_000)
    p.add_argument("--sample", type=int, default=1_000)
    p.add_argument("--work", default="/tmp/artgate-bench")
    p.add_argument("--measure")
    p.add_argument("--corpus")
    a = p.parse_args()
    work = Path(a.work)
    if a.measure:
        r = measure(a.measure, Path(a.corpus), a.sample, work)
        r["peak_mb"] = peak_mb()
        print(json.dumps(r))
        return
    import shutil

    shutil.rmtree(work, ignore_errors=True)
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from corpus import generate

    corpus = generate(work / "corpus", a.n, faulty=0.3, seed=7)
    results = {}
    for name in ("tokenizer", "medspacy_default", "artgate_sample", "artgate_inprocess_1", "inprocess_rerun",
                 "artgate_inprocess_2", "prefect_flow_2", "prefect_flow_rerun"):
        out = subprocess.run([PY, __file__, "--measure", name, "--corpus", str(corpus), "--sample", str(a.sample),
                              "--work", str(work)], cwd=ROOT, capture_output=True, text=True)
        if out.returncode != 0:
            results[name] = {"error": out.stderr[-1500:]}
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        r["seconds"] = round(r["seconds"], 2)
        r["articles_per_s"] = round(r["articles"] / r["seconds"], 1)
        r["words_per_s"] = round(r["words"] / r["seconds"])
        results[name] = r
        print(name, json.dumps(r), file=sys.stderr, flush=True)
    base = results.get("medspacy_default", {}).get("words_per_s")
    if base:
        for r in results.values():
            if "words_per_s" in r:
                r["vs_medspacy_default"] = round(r["words_per_s"] / base, 2)
    print(json.dumps({"n": a.n, "sample": a.sample, "cpus": os.cpu_count(), "results": results}, indent=2))


if __name__ == "__main__":
    main()
