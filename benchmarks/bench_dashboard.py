"""The reviewer dashboard's queue over a store of 10,000 articles: server time of the first page.

    python benchmarks/bench_dashboard.py [--articles 10000] [--runs 50] [--databases sqlite,postgresql]

For each database: a fresh store gets ``--seeded`` real submissions (distinct
seed-sized articles from ``corpus.article``, checked as the service checks
them), then is topped up to ``--articles`` by bulk copies of those versions
with their findings and claims, statuses spread over the five, and ~3
history events per article spread over the last three days (so "since
yesterday" has work to do). Then the real service (``artgate serve``, one
worker) is started, a reviewer signs in through ``/login``, and each page is
requested ``--runs`` times. Reported per page: the server time from the
response's ``Server-Timing: app;dur=…`` header (request in to response
headers out, what the target is about) and the client's wall time.

Baselines in the same run, same server: ``/healthz`` (an HTTP round trip
that reads the database) and the API's list, one page of 50
(``GET /api/v1/articles``), both by wall time (neither carries Server-Timing).

Results go to ``benchmarks/results-dashboard.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_serve import Service, bodies, fresh_store, pct  # noqa: E402  (benchmarks/ is not a package)

PAGES = {
    "queue, first page": "/",
    "queue, submitted and blocked": "/?status=submitted&verdict=blocked",
    "queue, most blockers first": "/?sort=blockers",
    "queue, rule filter": "/?rule=consistency.conflicting-roots",
    "queue, target and section filter": "/?target=ankle_dorsiflexion&section=research",
    "queue, page 100": "/?page=100",
    "queue JSON twin": "/index.json",
}
STATUSES = ["submitted", "in_review", "approved", "changes_requested", "rejected"]


def seed(url: str, n: int) -> None:
    """``n`` real submissions, checked in this process exactly as the service checks them."""
    from review.checking import Content
    from review.db import Database
    from review.tokens import Actor, create_token
    from review.workflow import submit

    db = Database(url)
    db.migrate()
    t = create_token(db, "cms", "author")
    cms = Actor(t.id, t.name, t.role)
    for item in bodies(n, seed=41):
        submit(db, cms, Content(item["external_id"], item["title"], item["body"], item["format"]))
    db.dispose()


def top_up(url: str, total: int) -> int:
    """Bulk copies of the stored versions (with their findings and claims) until the store holds ``total``."""
    from sqlalchemy import func, insert, select

    from review.db import Database
    from review.models import Article, Claim, Event, Finding, Version

    db = Database(url)
    rng = random.Random(5)
    now = datetime.now(UTC)
    with db.transaction() as s:
        have = s.scalar(select(func.count()).select_from(Article))
        templates = s.execute(select(Version)).scalars().all()
        finding_cols = (Finding.fid, Finding.rule, Finding.severity, Finding.evidence_key, Finding.ordinal,
                        Finding.suppressed)
        claim_cols = (Claim.aid, Claim.root, Claim.target, Claim.target_kind, Claim.polarity, Claim.is_primary,
                      Claim.section, Claim.subsection)
        findings = {v.id: s.execute(select(*finding_cols).where(Finding.version_id == v.id)).all() for v in templates}
        claims = {v.id: s.execute(select(*claim_cols).where(Claim.version_id == v.id)).all() for v in templates}
        for start in range(have, total, 1000):
            n = min(1000, total - start)
            picks = [templates[(start + k) % len(templates)] for k in range(n)]
            stamps = [now - timedelta(seconds=rng.uniform(0, 3 * 86400)) for _ in range(n)]
            ids = s.execute(insert(Article).returning(Article.id, sort_by_parameter_order=True), [{
                "external_id": f"bulk-{start + k}", "title": v.title, "status": rng.choice(STATUSES),
                "current_version": 1, "verdict": v.verdict, "n_blocker": v.n_blocker, "n_warning": v.n_warning,
                "n_info": v.n_info, "ruleset": v.ruleset, "created_at": at, "updated_at": at}
                for k, (v, at) in enumerate(zip(picks, stamps, strict=True))]).scalars().all()
            vids = s.execute(insert(Version).returning(Version.id, sort_by_parameter_order=True), [{
                "article_id": aid, "number": 1, "sha256": secrets.token_hex(32), "title": v.title, "format": v.format,
                "body": v.body, "submitted_by_id": v.submitted_by_id, "submitted_by": v.submitted_by,
                "submitted_at": at, "ruleset": v.ruleset, "checked_at": at, "report": v.report,
                "verdict": v.verdict, "n_blocker": v.n_blocker, "n_warning": v.n_warning, "n_info": v.n_info}
                for aid, v, at in zip(ids, picks, stamps, strict=True)]).scalars().all()
            f_rows, c_rows, e_rows = [], [], []
            for aid, vid, v, at in zip(ids, vids, picks, stamps, strict=True):
                f_rows += [{"version_id": vid, "fid": f.fid, "rule": f.rule, "severity": f.severity,
                            "evidence_key": f.evidence_key, "ordinal": f.ordinal, "suppressed": f.suppressed,
                            "waived": False} for f in findings[v.id]]
                c_rows += [dict(c._mapping, version_id=vid) for c in claims[v.id]]
                e_rows += [{"article_id": aid, "version": 1, "kind": kind, "from_status": before, "to_status": after,
                            "actor": "bench", "reason": "", "data": {}, "created_at": at + timedelta(minutes=m)}
                           for kind, before, after, m in (("submitted", None, "submitted", 0),
                                                          ("status_changed", "submitted", "in_review", 5),
                                                          ("waived", "in_review", "in_review", 9))]
            for model, rows in ((Finding, f_rows), (Claim, c_rows), (Event, e_rows)):
                if rows:
                    s.execute(insert(model), rows)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE")
    db.dispose()
    return total


def sign_in(client, token: str) -> None:
    form = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    r = client.post("/login", data={"token": token, "csrf_token": csrf})
    assert r.status_code == 303, r.text


def summary(values: list[float]) -> dict:
    return {"p50_ms": round(pct(values, 50), 2), "p90_ms": round(pct(values, 90), 2),
            "max_ms": round(max(values), 2), "mean_ms": round(statistics.fmean(values), 2)}


def time_pages(base: str, token: str, runs: int) -> dict:
    import httpx

    out = {}
    with httpx.Client(base_url=base, timeout=60, follow_redirects=False) as c:
        sign_in(c, token)
        for name, path in PAGES.items():
            c.get(path)  # the first request of a page compiles its template
            server, wall = [], []
            for _ in range(runs):
                t = time.perf_counter()
                r = c.get(path)
                wall.append(1000 * (time.perf_counter() - t))
                assert r.status_code == 200, (path, r.status_code, r.text[:500])
                server.append(float(r.headers["server-timing"].split("dur=")[1]))
            out[name] = {"path": path, "bytes": len(r.content), "server": summary(server), "wall": summary(wall)}
        for name, path, headers in (("baseline: /healthz", "/healthz", {}),
                                    ("baseline: API list, one page of 50", "/api/v1/articles?limit=50",
                                     {"Authorization": f"Bearer {token}"})):
            c.get(path, headers=headers)
            wall = []
            for _ in range(runs):
                t = time.perf_counter()
                r = c.get(path, headers=headers)
                wall.append(1000 * (time.perf_counter() - t))
                assert r.status_code == 200, r.text
            out[name] = {"path": path, "wall": summary(wall)}
    return out


def bench_database(kind: str, args: argparse.Namespace) -> dict:
    from review.db import Database
    from review.tokens import create_token

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url, drop = fresh_store(kind, folder)
        try:
            t0 = time.perf_counter()
            seed(url, args.seeded)
            stored = top_up(url, args.articles)
            db = Database(url)
            token = create_token(db, "reviewer", "reviewer").token
            db.dispose()
            print(f"{kind}: store of {stored:,} articles ready in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
            service = Service(url, 1, folder)
            try:
                service.wait()
                pages = time_pages(service.base, token, args.runs)
            finally:
                service.stop()
            for name, m in pages.items():
                server = f"server p50 {m['server']['p50_ms']} ms · " if "server" in m else ""
                print(f"{kind}: {name}: {server}wall p50 {m['wall']['p50_ms']} ms", file=sys.stderr)
            return {"database": kind, "articles": stored, "pages": pages}
        finally:
            drop()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--articles", type=int, default=10_000)
    p.add_argument("--seeded", type=int, default=60, help="real submissions the bulk copies are made from")
    p.add_argument("--runs", type=int, default=50)
    p.add_argument("--databases", default="sqlite,postgresql")
    p.add_argument("--out", default=str(ROOT / "benchmarks" / "results-dashboard.json"))
    args = p.parse_args()
    results = {
        "command": " ".join(["python", "benchmarks/bench_dashboard.py", *sys.argv[1:]]),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "when": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "load_average": os.getloadavg(),
        "databases": [bench_database(kind, args) for kind in args.databases.split(",")],
    }
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
