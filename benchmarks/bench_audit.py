"""The nightly audit end to end with default settings, beside medspaCy's default pipeline, in one run.

    python benchmarks/bench_audit.py [--kind real|generated] [--n 3000] [--sample 500] [--work DIR]

The corpus: ``real`` cycles the real third-party pages of ``tests/gold/real``
(67 pages) into N files, each copy's title line numbered so every file has its
own content hash; ``generated`` is N seed-like articles from
``benchmarks/corpus.py``. Each measure runs in its own process (so peak memory
is per measure) and the script prints one JSON document:

- ``tokenizer``: ``spacy.blank("en")`` tokenizer alone on the sample;
- ``medspacy_default``: ``medspacy.load()`` (PyRuSH sentences, target matcher with the same lexicon
  phrases as target rules, ConText with its default rules) on the sample: entities and context only;
- ``artgate_extract_sample``: artgate's ingest and extraction (pipeline and relations, no rules) on
  the sample, one process: the extraction's share of the work;
- ``artgate_sample``: the same plus every rule (the in-process check), one process;
- ``audit_default``: ``artgate audit CORPUS --runs-dir RUNS`` with default settings and no
  ``PREFECT_API_URL``: one worker per CPU, one temporary Prefect server, everything written;
- ``audit_default_server``: the same command with ``PREFECT_API_URL`` set to a running
  ``prefect server start`` (how the scheduled deployment runs);
- ``audit_no_prefect``: ``artgate audit CORPUS --no-prefect`` (default workers): the same work
  without Prefect, so the difference to the two above is Prefect's cost;
- ``audit_default_rerun``: ``audit_default`` again with nothing changed (the incremental path).

Throughput is words/s over the corpus files' words; ratios are against the
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


def real_corpus(out: Path, n: int) -> Path:
    """N files cycling the real pages of tests/gold/real, each copy's first line numbered."""
    # every labelled split except the blind batch kept unopened for its one scoring (never read here)
    splits = [d for d in sorted((ROOT / "tests" / "gold" / "real").iterdir()) if d.is_dir() and d.name != "blind-40"]
    pages = sorted(p for d in splits for p in d.glob("*.txt"))
    out.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        page = pages[i % len(pages)]
        title, _, rest = page.read_text().partition("\n")
        (out / f"{i:05d}-{page.stem}.txt").write_text(f"{title} ({i // len(pages) + 1})\n{rest}")
    return out


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
    if name in ("artgate_sample", "artgate_extract_sample"):
        from extractors.ingest import parse
        from extractors.pipeline import get_nlp
        from extractors.relations import analyze
        from flows.check import check_articles

        texts = [(f.name, f.read_text()) for f in sub]
        check_articles([parse(texts[0][1], texts[0][0])])  # build the pipeline
        t = time.perf_counter()
        articles = [parse(text, fname) for fname, text in texts]
        if name == "artgate_extract_sample":
            docs = get_nlp().pipe((a.plain for a in articles), batch_size=64)
            n = sum(len(analyze(a, d).assertions) for a, d in zip(articles, docs, strict=True))
            return {"articles": len(sub), "words": words_of(sub), "seconds": time.perf_counter() - t, "assertions": n}
        reports = check_articles(articles, batch_size=64)
        return {"articles": len(sub), "words": words_of(sub), "seconds": time.perf_counter() - t,
                "assertions": sum(len(r.assertions) for r in reports),
                "findings": sum(len(r.findings) for r in reports)}
    if name.startswith("audit_"):
        env = {**os.environ, "PREFECT_HOME": str(work / "prefect-home"), "DO_NOT_TRACK": "1",
               "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING"}
        env.pop("PREFECT_API_URL", None)
        runs = work / ("runs-" + name.removesuffix("_rerun"))
        cmd = [PY, "-m", "flows.cli", "audit", str(corpus), "--runs-dir", str(runs)]
        server = None
        if name == "audit_no_prefect":
            cmd.append("--no-prefect")
        if name == "audit_default_server":
            port = 4300 + os.getpid() % 500
            env["PREFECT_API_URL"] = f"http://127.0.0.1:{port}/api"
            server = subprocess.Popen([str(Path(PY).with_name("prefect")), "server", "start", "--host", "127.0.0.1",
                                       "--port", str(port)], env={k: v for k, v in env.items()
                                                                   if k != "PREFECT_API_URL"},
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wait_for(f"http://127.0.0.1:{port}/api/health", 300)
        try:
            t = time.perf_counter()
            res = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
            seconds = time.perf_counter() - t
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=60)
        if res.returncode != 0:
            raise SystemExit(res.stderr[-3000:])
        summary = json.loads(max(runs.glob("*/summary.json"), key=lambda p: p.stat().st_mtime).read_text())
        progress = [line for line in res.stderr.splitlines() if line.startswith("checked ")]
        return {"articles": len(files), "words": words_of(files), "seconds": seconds,
                "output": res.stdout.strip().splitlines()[0], "progress": progress[-1] if progress else "",
                "checked": summary["checked_this_session"], "reused": summary["unchanged_reused"],
                "audit_seconds": summary["seconds"], "checking_seconds": summary.get("checking_seconds")}
    raise SystemExit(f"unknown measure {name}")


def wait_for(url: str, seconds: float) -> None:
    import urllib.request

    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"no server at {url}")


MEASURES = ("tokenizer", "medspacy_default", "artgate_extract_sample", "artgate_sample", "audit_no_prefect",
            "audit_default", "audit_default_rerun", "audit_default_server")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--kind", choices=("real", "generated"), default="real")
    p.add_argument("--n", type=int, default=3_000)
    p.add_argument("--sample", type=int, default=500)
    p.add_argument("--work", default="/tmp/artgate-bench")
    p.add_argument("--only", help="comma-separated measures (default: all)")
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
    if a.kind == "real":
        corpus = real_corpus(work / "corpus", a.n)
    else:
        from corpus import generate

        corpus = generate(work / "corpus", a.n, faulty=0.3, seed=7)
    # Prefect's database in PREFECT_HOME is created (migrated) once, as on any machine that ran Prefect before
    warm = work / "warm"
    real_corpus(warm, 3)
    subprocess.run([PY, "-m", "flows.cli", "audit", str(warm), "--runs-dir", str(work / "runs-warm")], cwd=ROOT,
                   env={**os.environ, "PREFECT_HOME": str(work / "prefect-home"), "DO_NOT_TRACK": "1",
                        "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}, capture_output=True)
    results = {}
    for name in (a.only.split(",") if a.only else MEASURES):
        out = subprocess.run([PY, __file__, "--measure", name, "--corpus", str(corpus), "--sample", str(a.sample),
                              "--work", str(work)], cwd=ROOT, capture_output=True, text=True)
        if out.returncode != 0:
            results[name] = {"error": out.stderr[-1500:]}
            print(name, "error", out.stderr[-500:], file=sys.stderr, flush=True)
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
    print(json.dumps({"kind": a.kind, "n": a.n, "sample": a.sample, "cpus": os.cpu_count(), "results": results},
                     indent=2))


if __name__ == "__main__":
    main()
