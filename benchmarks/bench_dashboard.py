"""The reviewer dashboard: the queue over 10,000 articles, and the article page of a 1 MB article.

    python benchmarks/bench_dashboard.py [--articles 10000] [--runs 50] [--databases sqlite,postgresql]
    python benchmarks/bench_dashboard.py --article-only [--article-bytes 1000000] [--browser-runs 5]

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

The article page (``--article-bytes``, default 1 MB; ``--article-only`` skips the queue): the
Dr. Oracle seed repeated to that size (about 2,400 findings and 5,400 claims at 1 MB) is
submitted as the service does, beside the seed itself, and once more as an article with a
second version (one changed line and one added), whose page also shows the diff. Reported: the
server time of the article pages, the JSON twin and the seed's page (the baseline, same run,
same server), the pages' sizes, and, in Debian's Chromium (``/usr/bin/chromium``, driven by
Playwright), the time from starting the navigation to a usable page: the load event, then two
animation frames, so layout and paint are done.

Results go to ``benchmarks/results-dashboard.json`` (``results-dashboard-article.json`` with
``--article-only``).
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


def time_page(c, path: str, runs: int) -> dict:
    """Server time (``Server-Timing``) and wall time of ``runs`` requests for a page, after one that warms it."""
    c.get(path)  # the first request of a page compiles its template
    server, wall = [], []
    for _ in range(runs):
        t = time.perf_counter()
        r = c.get(path)
        wall.append(1000 * (time.perf_counter() - t))
        assert r.status_code == 200, (path, r.status_code, r.text[:500])
        server.append(float(r.headers["server-timing"].split("dur=")[1]))
    return {"path": path, "bytes": len(r.content), "server": summary(server), "wall": summary(wall)}


def time_pages(base: str, token: str, runs: int) -> dict:
    import httpx

    out = {}
    with httpx.Client(base_url=base, timeout=60, follow_redirects=False) as c:
        sign_in(c, token)
        for name, path in PAGES.items():
            out[name] = time_page(c, path, runs)
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


CHROMIUM = "/usr/bin/chromium"


def big_article(target_bytes: int) -> str:
    """The Dr. Oracle seed, repeated to ``target_bytes`` (UTF-8)."""
    seed = (ROOT / "seeds" / "dorsiflexion-dr-oracle.txt").read_text(encoding="utf-8")
    return seed * max(1, target_bytes // len(seed.encode("utf-8")))


def seed_articles(url: str, target_bytes: int) -> dict[str, int]:
    """The large article and the seed, submitted and checked in this process as the service does them."""
    from review.checking import Content
    from review.db import Database
    from review.tokens import Actor, create_token
    from review.workflow import submit

    title = "Which nerve root is responsible for dorsal extension of the foot?"
    db = Database(url)
    db.migrate()
    t = create_token(db, "cms", "author")
    cms = Actor(t.id, t.name, t.role)
    seed = (ROOT / "seeds" / "dorsiflexion-dr-oracle.txt").read_text(encoding="utf-8")
    big = big_article(target_bytes)
    ids = {name: submit(db, cms, Content(f"bench-{name}", title, body)).article["id"]
           for name, body in (("seed", seed), ("large", big), ("versions", big))}
    submit(db, cms, Content("bench-versions", title, big.replace("Disclaimer", "Disclaimer.", 1) + "\nRevised.\n"))
    db.dispose()
    return ids


def time_article(base: str, token: str, ids: dict[str, int], runs: int) -> dict:
    import httpx

    out = {}
    with httpx.Client(base_url=base, timeout=300, follow_redirects=False) as c:
        sign_in(c, token)
        for name, path in (("article page, 1 MB article", f"/articles/{ids['large']}"),
                           ("its JSON twin", f"/articles/{ids['large']}.json"),
                           ("article page, 1 MB article with two versions (and their diff)",
                            f"/articles/{ids['versions']}"),
                           ("baseline: article page of the seed", f"/articles/{ids['seed']}")):
            out[name] = time_page(c, path, runs)
    return out


def browser_article(base: str, token: str, ids: dict[str, int], runs: int) -> dict:
    """Navigation start to a usable page in Chromium: the load event, then two animation frames."""
    from playwright.sync_api import sync_playwright

    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            context.set_default_timeout(300_000)
            page = context.new_page()
            page.goto(base + "/login")
            page.get_by_label("API token").fill(token)
            page.get_by_label("API token").press("Enter")
            page.wait_for_url(base + "/")
            for name, path in (("1 MB article", f"/articles/{ids['large']}"),
                               ("baseline: the seed", f"/articles/{ids['seed']}")):
                page.goto(base + path)  # warm: the template, the CSS and the script are cached
                times = []
                for _ in range(runs):
                    page.goto("about:blank")
                    t = time.perf_counter()
                    page.goto(base + path, wait_until="load")
                    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
                    times.append(1000 * (time.perf_counter() - t))
                out[name] = {"path": path, "usable": summary(times)}
        finally:
            browser.close()
    return out


def bench_article(kind: str, args: argparse.Namespace) -> dict:
    from review.db import Database
    from review.tokens import create_token

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url, drop = fresh_store(kind, folder)
        try:
            ids = seed_articles(url, args.article_bytes)
            db = Database(url)
            token = create_token(db, "reviewer", "reviewer").token
            db.dispose()
            service = Service(url, 1, folder)
            try:
                service.wait()
                pages = time_article(service.base, token, ids, args.runs or 20)
                browser = browser_article(service.base, token, ids, args.browser_runs) \
                    if Path(CHROMIUM).exists() else {"skipped": f"{CHROMIUM} is missing"}
            finally:
                service.stop()
            for name, m in pages.items():
                print(f"{kind}: {name}: server p50 {m['server']['p50_ms']} ms, {m['bytes']:,} bytes", file=sys.stderr)
            for name, m in browser.items():
                if isinstance(m, dict):
                    print(f"{kind}: Chromium, {name}: usable p50 {m['usable']['p50_ms']} ms", file=sys.stderr)
            return {"database": kind, "article_bytes": len(big_article(args.article_bytes).encode("utf-8")),
                    "pages": pages, "chromium": browser}
        finally:
            drop()


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
                pages = time_pages(service.base, token, args.runs or 50)
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
    p.add_argument("--runs", type=int, default=None, help="requests per page (default 50 for the queue, 20 for the "
                                                          "article page)")
    p.add_argument("--databases", default="sqlite,postgresql")
    p.add_argument("--article-bytes", type=int, default=1_000_000, help="size of the large article (default 1 MB)")
    p.add_argument("--browser-runs", type=int, default=5, help="page loads in Chromium per page (default 5)")
    p.add_argument("--article-only", action="store_true", help="only the article page, not the queue")
    p.add_argument("--out", default=None)
    args = p.parse_args()
    results = {
        "command": " ".join(["python", "benchmarks/bench_dashboard.py", *sys.argv[1:]]),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "when": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "load_average": os.getloadavg(),
    }
    kinds = args.databases.split(",")
    if not args.article_only:
        results["databases"] = [bench_database(kind, args) for kind in kinds]
    results["article"] = [bench_article(kind, args) for kind in kinds]
    name = "results-dashboard-article.json" if args.article_only else "results-dashboard.json"
    Path(args.out or ROOT / "benchmarks" / name).write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
