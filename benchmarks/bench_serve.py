"""The review service under load: submit→verdict latency and throughput over HTTP, and the list.

    python benchmarks/bench_serve.py [--n 2000] [--concurrency 8] [--workers 2] [--databases sqlite,postgresql]

For each database it starts the real service (``artgate serve`` on a free
port, ``--workers`` uvicorn processes, a fresh store) and drives it from a
separate load-generator process (this file with ``--load``: asyncio + httpx,
``--concurrency`` clients in a closed loop, each sending its next submission
as soon as the previous one is answered). Every submission is a distinct
seed-sized article (``corpus.article``), so each one is a real check and a
new stored version. Reported: p50/p90/p99 latency, throughput, errors.

Then an open-loop run (``--rate`` submissions/s offered, at most
``--concurrency`` in flight): the latency of a submission when the service is
not saturated.

In the same run, as the baseline, the in-process check time
(``review.checking.check_content``, the function the service calls) on the
same articles, in this process.

Then the store is topped up to ``--list-n`` articles (bulk rows copied from
the stored versions, statuses and verdicts spread) and the list endpoint is
timed over HTTP: one page of ``status=submitted&verdict=blocked``.

Results go to ``benchmarks/results-serve.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

PG_ADMIN = os.environ.get("ARTGATE_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def bodies(n: int, seed: int = 11) -> list[dict]:
    """Distinct seed-sized submissions (30% carry the seeds' faults)."""
    from corpus import article

    rng = random.Random(seed)
    out = []
    for i in range(n):
        aid, text = article(i, rng, rng.random() < 0.3)
        title, _, body = text.partition("\n")
        out.append({"external_id": f"bench-{aid}", "title": title, "body": body + f"\nArticle {i}.\n",
                    "format": "text"})
    return out


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def summary_ms(values: list[float]) -> dict:
    return {"p50_ms": round(1000 * pct(values, 50), 2), "p90_ms": round(1000 * pct(values, 90), 2),
            "p99_ms": round(1000 * pct(values, 99), 2), "mean_ms": round(1000 * statistics.fmean(values), 2)}


# --- the load generator (a separate process) -------------------------------------------------------------------


async def _load(url: str, token: str, items: list[dict], concurrency: int, rate: float = 0.0) -> dict:
    """Closed loop (``rate`` 0: each client sends its next request when the last is answered) or open
    loop (a request every 1/``rate`` s, at most ``concurrency`` in flight; latency counts from when the
    request was due, so queueing shows)."""
    import httpx

    queue: asyncio.Queue = asyncio.Queue()
    for item in items:
        queue.put_nowait(item)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    verdicts: dict[str, int] = {}
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60, limits=limits) as client:
        async def client_loop() -> None:
            while not queue.empty():
                item = queue.get_nowait()
                t = time.perf_counter()
                r = await client.post("/api/v1/articles", json=item)
                latencies.append(time.perf_counter() - t)
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
                if r.status_code in (200, 201):
                    v = r.json()["verdict"]
                    verdicts[v] = verdicts.get(v, 0) + 1

        async def open_loop() -> None:
            slots = asyncio.Semaphore(concurrency)

            async def one(item: dict, due: float) -> None:
                async with slots:
                    r = await client.post("/api/v1/articles", json=item)
                latencies.append(time.perf_counter() - due)
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

            start, tasks = time.perf_counter(), []
            for i, item in enumerate(items):
                due = start + i / rate
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                tasks.append(asyncio.create_task(one(item, due)))
            await asyncio.gather(*tasks)

        t0 = time.perf_counter()
        if rate:
            await open_loop()
        else:
            await asyncio.gather(*(client_loop() for _ in range(concurrency)))
        wall = time.perf_counter() - t0
    return {"requests": len(latencies), "seconds": round(wall, 2), "per_second": round(len(latencies) / wall, 1),
            **summary_ms(latencies), "statuses": statuses, "verdicts": verdicts}


def load_main(args: argparse.Namespace) -> None:
    items = json.loads(Path(args.bodies).read_text())
    print(json.dumps(asyncio.run(_load(args.url, args.token, items, args.concurrency, args.rate))))


# --- the orchestrator ----------------------------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Service:
    """``artgate serve`` in its own process group."""

    def __init__(self, url: str, workers: int, cwd: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = cwd / "serve.log"  # a file, not a pipe: an unread pipe would stall the server's logging
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "flows.cli", "serve", "--port", str(self.port), "--database-url", url,
                 "--workers", str(workers), "--max-body-bytes", "2000000"],
                cwd=cwd, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL, stderr=log,
                start_new_session=True)

    def wait(self, timeout: float = 120) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("the service exited: " + self.log.read_text()[-2000:])
            try:
                if httpx.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.25)
        raise RuntimeError("the service did not become healthy")

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGINT)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def fresh_store(kind: str, folder: Path) -> tuple[str, callable]:
    """A new empty store's URL and a function that removes it."""
    if kind == "sqlite":
        return f"sqlite:///{folder / 'bench.db'}", lambda: None
    from sqlalchemy import create_engine, make_url, text

    name = f"artgate_bench_{secrets.token_hex(4)}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False), drop


def top_up(url: str, total: int) -> int:
    """Bulk-insert articles (copies of stored versions, with findings) until the store holds ``total``."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import func, insert, select

    from review.db import Database
    from review.models import Article, Finding, Version

    db = Database(url)
    rng = random.Random(5)
    statuses = ["submitted", "in_review", "approved", "changes_requested", "rejected"]
    with db.transaction() as s:
        have = s.scalar(select(func.count()).select_from(Article))
        templates = s.execute(select(Version).limit(50)).scalars().all()
        tfind = {v.id: s.execute(select(Finding.fid, Finding.rule, Finding.severity, Finding.evidence_key,
                                        Finding.ordinal, Finding.suppressed).where(Finding.version_id == v.id)).all()
                 for v in templates}
        base = datetime.now(UTC) - timedelta(days=30)
        for start in range(have, total, 1000):
            n = min(1000, total - start)
            arts, vers = [], []
            for k in range(n):
                i = start + k
                v = templates[i % len(templates)]
                at = base + timedelta(seconds=i)
                arts.append({"external_id": f"bulk-{i}", "title": v.title, "status": rng.choice(statuses),
                             "current_version": 1, "verdict": v.verdict, "n_blocker": v.n_blocker,
                             "n_warning": v.n_warning, "n_info": v.n_info, "ruleset": v.ruleset, "created_at": at,
                             "updated_at": at})
            ids = s.execute(insert(Article).returning(Article.id, sort_by_parameter_order=True), arts).scalars().all()
            for aid, k in zip(ids, range(n), strict=True):
                v = templates[(start + k) % len(templates)]
                vers.append({"article_id": aid, "number": 1, "sha256": secrets.token_hex(32), "title": v.title,
                             "format": v.format, "body": v.body, "submitted_by_id": v.submitted_by_id,
                             "submitted_by": v.submitted_by, "submitted_at": v.submitted_at, "ruleset": v.ruleset,
                             "checked_at": v.checked_at, "report": v.report, "verdict": v.verdict,
                             "n_blocker": v.n_blocker, "n_warning": v.n_warning, "n_info": v.n_info})
            vids = s.execute(insert(Version).returning(Version.id, sort_by_parameter_order=True), vers).scalars().all()
            rows = []
            for vid, k in zip(vids, range(n), strict=True):
                v = templates[(start + k) % len(templates)]
                rows += [{"version_id": vid, "fid": f.fid, "rule": f.rule, "severity": f.severity,
                          "evidence_key": f.evidence_key, "ordinal": f.ordinal, "suppressed": f.suppressed,
                          "waived": False} for f in tfind[v.id]]
            if rows:
                s.execute(insert(Finding), rows)
    if db.dialect == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
    else:
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    db.dispose()
    return total


def time_list(base: str, token: str, runs: int = 50) -> dict:
    import httpx

    query = {"status": "submitted", "verdict": "blocked", "limit": 50}
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as c:
        first = c.get("/api/v1/articles", params=query).json()
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            r = c.get("/api/v1/articles", params=query)
            times.append(time.perf_counter() - t)
            assert r.status_code == 200
        deep = c.get("/api/v1/articles", params={**query, "cursor": first["next_cursor"]})
        deep_t = []
        for _ in range(runs):
            t = time.perf_counter()
            c.get("/api/v1/articles", params={**query, "cursor": first["next_cursor"]})
            deep_t.append(time.perf_counter() - t)
    return {"query": query, "page_items": len(first["items"]), "matching": first["total"],
            "counts": first["counts"], "first_page": summary_ms(times), "second_page": summary_ms(deep_t),
            "second_page_status": deep.status_code}


def bench_database(kind: str, items: list[dict], args: argparse.Namespace) -> dict:
    from review.db import Database
    from review.tokens import create_token

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url, drop = fresh_store(kind, folder)
        try:
            db = Database(url)
            db.migrate()
            token = create_token(db, "bench", "author").token
            db.dispose()
            service = Service(url, args.workers, folder)
            try:
                service.wait()
                warm = bodies(4 * args.workers, seed=99)  # build each worker's pipeline before timing
                for w in warm:
                    w["external_id"] = "warm-" + w["external_id"]
                (folder / "warm.json").write_text(json.dumps(warm))
                run_load(service.base, token, folder / "warm.json", args.concurrency)
                (folder / "bodies.json").write_text(json.dumps(items))
                load = run_load(service.base, token, folder / "bodies.json", args.concurrency)
                print(f"{kind}: {load['requests']} submissions in {load['seconds']} s · {load['per_second']}/s · "
                      f"p50 {load['p50_ms']} ms · p99 {load['p99_ms']} ms · {load['statuses']}", file=sys.stderr)
                paced = None
                if args.rate:
                    extra = bodies(args.paced_n, seed=23)
                    for it in extra:
                        it["external_id"] = "paced-" + it["external_id"]
                    (folder / "paced.json").write_text(json.dumps(extra))
                    paced = run_load(service.base, token, folder / "paced.json", args.concurrency, args.rate)
                    print(f"{kind}: {paced['requests']} submissions at {args.rate}/s offered: "
                          f"p50 {paced['p50_ms']} ms · p99 {paced['p99_ms']} ms · {paced['statuses']}",
                          file=sys.stderr)
                stored = top_up(url, args.list_n)
                listing = time_list(service.base, token)
                print(f"{kind}: list of {stored:,} articles, one page: p50 {listing['first_page']['p50_ms']} ms",
                      file=sys.stderr)
            finally:
                service.stop()
            return {"database": kind, "load": load, "paced": paced, "paced_rate": args.rate,
                    "stored_articles": stored, "list": listing}
        finally:
            drop()


def run_load(base: str, token: str, bodies_file: Path, concurrency: int, rate: float = 0.0) -> dict:
    out = subprocess.run([sys.executable, __file__, "--load", "--url", base, "--token", token,
                          "--bodies", str(bodies_file), "--concurrency", str(concurrency), "--rate", str(rate)],
                         capture_output=True, check=True, timeout=3600)
    return json.loads(out.stdout)


def in_process(items: list[dict]) -> dict:
    """The baseline: the same check function the service calls, in this process, one article at a time."""
    from review.checking import Content, check_content

    check_content(Content("warm", "t", items[0]["body"]))
    times = []
    for it in items:
        c = Content(it["external_id"], it["title"], it["body"], it["format"])
        t = time.perf_counter()
        check_content(c)
        times.append(time.perf_counter() - t)
    return {"articles": len(items), **summary_ms(times), "per_second_one_core": round(len(times) / sum(times), 1)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=2000)
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--databases", default="sqlite,postgresql")
    p.add_argument("--list-n", type=int, default=10_000)
    p.add_argument("--rate", type=float, default=20.0,
                   help="then an open-loop run at this many submissions/s (0: skip it)")
    p.add_argument("--paced-n", type=int, default=600, help="submissions in the open-loop run")
    p.add_argument("--baseline-n", type=int, default=300)
    p.add_argument("--out", default=str(ROOT / "benchmarks" / "results-serve.json"))
    p.add_argument("--load", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--url", help=argparse.SUPPRESS)
    p.add_argument("--token", help=argparse.SUPPRESS)
    p.add_argument("--bodies", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.load:
        load_main(args)
        return
    items = bodies(args.n)
    words = statistics.fmean(len(it["body"].split()) for it in items)
    baseline = in_process(items[: args.baseline_n])
    print(f"in-process check: p50 {baseline['p50_ms']} ms, p99 {baseline['p99_ms']} ms "
          f"({baseline['per_second_one_core']}/s on one core)", file=sys.stderr)
    results = {
        "command": " ".join(["python", "benchmarks/bench_serve.py", *sys.argv[1:]]),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "when": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "submissions": args.n, "concurrency": args.concurrency, "server_workers": args.workers,
        "mean_words": round(words), "in_process_check": baseline,
        "databases": [bench_database(kind, items, args) for kind in args.databases.split(",")],
    }
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
