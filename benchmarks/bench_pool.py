"""CPU time against wall time of audit chunks, inline and in the audit's worker pool.

    python benchmarks/bench_pool.py CORPUS [--articles 600] [--chunk 100]

On a shared machine the wall time of a measure moves with everyone else's
load; the CPU time a chunk costs does not. This prints, per chunk, the wall
seconds, the CPU seconds of the process that checked it and the size of the
pickled results sent back, first inline, then through ``flows.workers``'
pool (one process per CPU), so the pool's own cost can be told from the
machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flows.audit import check_chunk, list_items
from flows.workers import available_cpus, worker_pool


def timed(chunk: list) -> dict:
    t, c = time.perf_counter(), time.process_time()
    results = check_chunk(chunk)
    return {"wall_s": round(time.perf_counter() - t, 3), "cpu_s": round(time.process_time() - c, 3),
            "result_bytes": len(pickle.dumps(results)), "pid": os.getpid()}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("corpus")
    p.add_argument("--articles", type=int, default=600)
    p.add_argument("--chunk", type=int, default=100)
    a = p.parse_args()
    items = list_items(a.corpus).items[:a.articles]
    chunks = [items[i:i + a.chunk] for i in range(0, len(items), a.chunk)]
    check_chunk(chunks[0][:2])  # build the pipeline
    inline = [timed(c) for c in chunks]
    with worker_pool(available_cpus()) as pool:
        if pool is None:
            raise SystemExit("one CPU: no pool to compare")
        pool.submit(int, 0).result()
        time.sleep(15)  # let every worker finish building its pipeline
        t = time.perf_counter()
        pooled = [f.result() for f in [pool.submit(timed, c) for c in chunks]]
        pool_wall = time.perf_counter() - t
    print(json.dumps({"load_average": os.getloadavg(), "inline": inline, "pool": pooled,
                      "inline_cpu_s": round(sum(x["cpu_s"] for x in inline), 2),
                      "inline_wall_s": round(sum(x["wall_s"] for x in inline), 2),
                      "pool_cpu_s": round(sum(x["cpu_s"] for x in pooled), 2),
                      "pool_wall_s": round(pool_wall, 2)}, indent=2))


if __name__ == "__main__":
    main()
