"""The audit page over real audit runs: this store's runs by default, the trend, what each run changed."""

from __future__ import annotations

import shutil
from pathlib import Path

from flows.audit import run_audit
from review.db import redacted

from ..conftest import CORRECTED, ORACLE
from .page import parse


def audit(db, runs: Path, source: str | None = None):
    if source:
        return run_audit(source, runs, progress=False, validate=False).summary
    return run_audit("", runs, progress=False, validate=False, database_url=db.url).summary


def test_no_runs_yet_says_how_to_make_one(dash, people):
    dash.sign_in(people.rob)
    page = dash.page("/audit")
    assert "No finished audit run yet" in page.find("main").text
    assert dash.get("/audit.json").json()["latest"] is None


def test_runs_of_this_store_trend_and_what_the_latest_changed(dash, people, db, tmp_path):
    runs = tmp_path / "runs"
    oracle = dash.submit("oracle", ORACLE)
    dash.submit("corrected", CORRECTED)
    first = audit(db, runs)
    fixed = ORACLE.replace("plantar dorsiflexion", "dorsiflexion").replace("Plantar dorsiflexion", "Dorsiflexion")
    dash.submit("oracle", fixed)
    second = audit(db, runs)
    assert second["resolved_findings"] > 0
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(CORRECTED, encoding="utf-8")
    audit(db, runs, str(corpus))

    dash.sign_in(people.rob)
    data = dash.get("/audit.json").json()
    assert data["is_store"] and data["source"] == redacted(db.url)
    assert [t["run_id"] for t in data["trend"]] == [first["run_id"], second["run_id"]]
    assert data["trend"][0]["blocker"] == first["findings"]["blocker"]
    assert data["latest"]["resolved_findings"] == second["resolved_findings"]
    assert {f["rule"] for f in data["latest"]["resolved"]} >= {"terminology.contradictory-direction"}
    worst = data["latest"]["most_blockers"]
    assert worst and worst[0]["article_id"] == "oracle" and worst[0]["store_id"] == oracle["id"]
    rule = next(r for r in data["rules"] if r["rule"] == "terminology.contradictory-direction")
    assert len(rule["counts"]) == 2 and rule["counts"][0] > rule["counts"][1]

    page = dash.page("/audit")
    svg = page.find("svg", class_="chart")
    assert len(svg.find_all("polyline")) == 3 and svg.find("title").text
    assert page.find("a", href=f"/articles/{oracle['id']}")
    assert "terminology.contradictory-direction" in page.find("section", **{"aria-labelledby": "resolved-h"}).text
    options = [o.attrs["value"] for o in page.by_id("audit-source").find_all("option")]
    assert str(corpus.resolve()) in options

    other = dash.get(f"/audit.json?source={corpus.resolve()}").json()
    assert not other["is_store"] and len(other["trend"]) == 1 and other["latest"]["previous_run"] is None
    assert dash.get("/audit?source=/nowhere").status_code == 400

    shutil.rmtree(runs / first["run_id"])  # a cleared run folder: its summary is still in the state file
    assert [t["run_id"] for t in dash.get("/audit.json").json()["trend"]] == [first["run_id"], second["run_id"]]
    (runs / second["run_id"] / "summary.json").write_text("{not json", encoding="utf-8")
    assert dash.get("/audit").status_code == 200  # an unreadable summary is skipped (the state file has it)
    assert parse(dash.get("/audit").text).find("h1").text == "Nightly audit"


def test_runs_started_in_the_same_second_keep_their_order(tmp_path):
    import json

    from flows.state import Store
    from review.web.views.audit import load_runs

    store = Store(tmp_path / "state.sqlite")
    for run_id, started in (("20261202T020000-ffffff", 100.0), ("20261202T020000-000000", 200.0)):
        with store.db:
            store.db.execute("INSERT INTO runs VALUES (?, 'src', 'r', ?, ?, ?)",
                             (run_id, started, started + 1, json.dumps({"articles": 1})))
    store.close()
    assert [r["run_id"] for r in load_runs(tmp_path)] == ["20261202T020000-ffffff", "20261202T020000-000000"]


def test_summaries_of_the_wrong_shape_cost_their_numbers_never_the_page(dash, people, app):
    import json

    runs = Path(app.state.settings.runs_dir)
    for i, summary in enumerate(({"findings": {"blocker": "x"}, "articles": "many", "by_rule": [{"count": 3}]},
                                 {"findings": [1, 2], "by_rule": "rules", "new": {"a": 1}, "blocked": True,
                                  "most_blockers": [{"article_id": "a1"}, "junk"], "resolved": [{"rule": 5}],
                                  "expectations": {"failed": "none", "evaluated": "?"}, "source": 7})):
        folder = runs / f"2026120{i + 1}T010000-00000{i}"
        folder.mkdir(parents=True)
        (folder / "summary.json").write_text(json.dumps({"run_id": folder.name, **summary}))
    dash.sign_in(people.rob)
    assert dash.get("/audit").status_code == 200
    data = dash.get("/audit.json").json()
    assert data["latest"]["most_blockers"][0]["article_id"] == "a1" and data["latest"]["blocked"] == 0
    assert [t["articles"] for t in data["trend"]] == [0, 0]
