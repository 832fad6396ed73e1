"""Latency of the language server's diagnostics on a 5,000-word article, warm, as an editor sees it.

    .venv/bin/python benchmarks/bench_lsp.py [--words 5000] [--runs 40]     # → results-lsp.json

Spawns the installed ``artgate lsp`` and drives it over stdio with the test
suite's protocol client. After the document is opened (the first check warms
the process), each run edits one word and measures the wall time from sending
the notification to receiving ``textDocument/publishDiagnostics`` for that
version: ``didChange`` on a server started with ``--debounce-ms 0`` (the check
alone; an editor adds the debounce, 300 ms by default, after the last
keystroke), and ``didSave`` on a server with the default debounce (a save is
checked at once). As a baseline in the same run, the same text is checked in
this process with ``flows.check.check_article`` (ingest + extract + rules, no
protocol), so the ratio is the server's own overhead: JSON-RPC, positions,
diagnostics.
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

from tests.lsp.client import LspClient  # noqa: E402


def article(words: int) -> str:
    """The blocked seed's sections repeated under numbered headings until the article has ``words`` words."""
    seed = (ROOT / "seeds" / "dorsiflexion-dr-oracle.txt").read_text(encoding="utf-8")
    title, _, body = seed.partition("\n")
    parts = [f"# {title}", ""]
    n = 0
    while len("\n".join(parts).split()) < words:
        n += 1
        parts += [f"## Part {n}", "", body.strip(), ""]
    return "\n".join(parts)


def quantiles(xs: list[float]) -> dict:
    xs = sorted(xs)
    ms = [round(x * 1000, 1) for x in xs]
    return {"median_ms": round(statistics.median(xs) * 1000, 1), "p90_ms": ms[int(0.9 * (len(xs) - 1))],
            "min_ms": ms[0], "max_ms": ms[-1], "n": len(xs)}


def session(debounce_ms: int | None, folder: Path) -> LspClient:
    argv = [str(Path(sys.executable).with_name("artgate")), "lsp"]
    if debounce_ms is not None:
        argv += ["--debounce-ms", str(debounce_ms)]
    client = LspClient(argv, cwd=folder)
    client.request("initialize", {"processId": None, "rootUri": folder.as_uri(), "capabilities": {}}, timeout=180)
    client.notify("initialized", {})
    return client


def published(client: LspClient, uri: str, version: int) -> dict:
    return client.wait_for("textDocument/publishDiagnostics",
                           lambda p: p["uri"] == uri and p.get("version") == version, timeout=120)


def edits(text: str, runs: int) -> list[str]:
    """``runs`` texts, each differing from the one before in one word (so every check is of new content)."""
    return [text.replace("crucial", "vital", 1 + i % 5) for i in range(runs)]


def measure(client: LspClient, uri: str, text: str, runs: int, how: str) -> tuple[list[float], int]:
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "markdown", "version": 1,
                                                            "text": text}})
    first = published(client, uri, 1)
    times = []
    version = 1
    for body in edits(text, runs):
        version += 1
        t = time.perf_counter()
        client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                 "contentChanges": [{"text": body}]})
        if how == "save":
            client.notify("textDocument/didSave", {"textDocument": {"uri": uri}, "text": body})
        published(client, uri, version)
        times.append(time.perf_counter() - t)
    return times, len(first["diagnostics"])


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--words", type=int, default=5000)
    p.add_argument("--runs", type=int, default=40)
    p.add_argument("--out", default=str(ROOT / "benchmarks" / "results-lsp.json"))
    args = p.parse_args()
    text = article(args.words)
    folder = ROOT / "benchmarks"
    uri = (folder / "bench-lsp-article.md").as_uri()

    from extractors.ingest import parse
    from flows.check import check_article

    check_article(parse(text, "a.md", "markdown"))
    baseline = []
    for body in edits(text, args.runs):
        t = time.perf_counter()
        check_article(parse(body, "a.md", "markdown"))
        baseline.append(time.perf_counter() - t)

    results = {"words": len(text.split()), "characters": len(text), "runs": args.runs,
               "python": platform.python_version(), "machine": platform.machine(),
               "at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    for name, debounce, how in (("didChange, --debounce-ms 0", 0, "change"), ("didSave, default debounce", None,
                                                                               "save")):
        client = session(debounce, folder)
        try:
            times, count = measure(client, uri, text, args.runs, how)
            client.request("shutdown")
            client.notify("exit")
            client.proc.wait(timeout=30)
        finally:
            client.close()
        results[name] = {**quantiles(times), "diagnostics": count}
    results["baseline: check_article in process"] = quantiles(baseline)
    results["ratio (didChange median / baseline median)"] = round(
        results["didChange, --debounce-ms 0"]["median_ms"] / results["baseline: check_article in process"]["median_ms"],
        2)
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
