"""The review queue: counts per status, every filter, sort, paging, the last 24 hours, and its JSON twin."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert

from review.models import Event, utcnow

from ..conftest import CORRECTED, ORACLE

REFERENCE = "# Roots\n\n## Strength\n\nThe L4 and L5 roots supply ankle dorsiflexion.\n"
OFF_TABLE = "# Roots\n\n## Reflex testing\n\nAnkle dorsiflexion is supplied by L3.\n"


@pytest.fixture
def stocked(dash, people):
    """An oracle (blocked) in review, a corrected one (passing), and two short articles."""
    ids = {
        "oracle": dash.submit("oracle", ORACLE)["id"],
        "corrected": dash.submit("corrected", CORRECTED)["id"],
        "reference": dash.submit("short-ref", REFERENCE, title="Dorsiflexion roots")["id"],
        "off": dash.submit("short-off", OFF_TABLE, title="Another answer")["id"],
    }
    dash.api("POST", f"/articles/{ids['oracle']}/transitions", people.rob, json={"to": "in_review"})
    dash.sign_in(people.rob)
    return ids


def rows(page) -> list[str]:
    return [a.attrs["href"] for a in page.find_all("a", class_="row-link")]


def listed(dash, query: str) -> set[int]:
    return {int(h.rsplit("/", 1)[1]) for h in rows(dash.page("/?" + query))}


def test_the_queue_lists_articles_with_status_verdict_and_counts_per_status(dash, stocked):
    page = dash.page("/")
    assert len(rows(page)) == 4
    tabs = {a.text.split()[0]: a for a in page.find("nav", class_="tabs").find_all("a")}
    assert tabs["All"].find("span", class_="count").text == "4"
    assert tabs["in"].find("span", class_="count").text == "1"  # "in review 1"
    oracle_row = page.find("table", class_="queue").find("a", href=f"/articles/{stocked['oracle']}").parent.parent
    assert "blocked" in oracle_row.text and "in review" in oracle_row.text


def test_each_filter_selects_what_it_says(dash, stocked):
    assert listed(dash, "status=in_review") == {stocked["oracle"]}
    assert listed(dash, "verdict=blocked") == {stocked["oracle"]}
    assert stocked["oracle"] in listed(dash, "severity=blocker")
    assert stocked["corrected"] not in listed(dash, "severity=blocker")
    assert listed(dash, "rule=reference.contradicts-table") >= {stocked["off"]}
    assert stocked["reference"] not in listed(dash, "rule=reference.contradicts-table")
    assert {stocked["reference"], stocked["off"]} <= listed(dash, "target=ankle_dorsiflexion")
    assert listed(dash, "target=triceps_reflex") == set()
    assert listed(dash, "section=reflex") == {stocked["off"]}
    assert listed(dash, "section=STRENGTH") == {stocked["reference"]}
    assert listed(dash, "q=short-") == {stocked["reference"], stocked["off"]}
    assert listed(dash, "q=another") == {stocked["off"]}
    assert listed(dash, "q=100%25") == set()  # a % in the text is a character, not a wildcard
    assert listed(dash, "status=in_review&verdict=pass") == set()


def test_counts_per_status_follow_the_other_filters(dash, stocked):
    data = dash.get("/index.json?verdict=pass&status=in_review").json()
    assert data["counts"]["in_review"] == 0 and data["counts"]["submitted"] == 3 and data["total"] == 0


def test_sort_and_paging(dash, stocked, db):
    first = rows(dash.page("/?sort=blockers"))[0]
    assert first == f"/articles/{stocked['oracle']}"
    ids = sorted(listed(dash, "sort=external_id"))
    assert ids == sorted(stocked.values())
    page = dash.page("/?sort=external_id")
    names = [a.parent.find("code").text for a in page.find_all("a", class_="row-link")]
    assert names == sorted(names)
    for i in range(24):
        dash.submit(f"bulk-{i:02d}", f"# Note {i}\n\nL5 supplies ankle dorsiflexion. Case {i}.\n")
    one = dash.get("/index.json?per_page=25").json()
    two = dash.get("/index.json?per_page=25&page=2").json()
    assert (one["total"], one["pages"], len(one["items"]), len(two["items"])) == (28, 2, 25, 3)
    assert not {a["id"] for a in one["items"]} & {a["id"] for a in two["items"]}
    pager = dash.page("/?per_page=25").find("nav", class_="pager")
    assert pager.find("a", rel="next").attrs["href"] == "/?per_page=25&page=2"
    assert dash.get("/index.json?per_page=25&page=9").json()["page"] == 2  # past the end: the last page


def test_a_bad_parameter_is_a_400_page_naming_it(dash, stocked):
    for query, name in (("status=done", "status"), ("sort=random", "sort"), ("page=0", "page"),
                        ("per_page=7", "per_page"), ("severity=fatal", "severity"), ("q=" + "x" * 201, "q")):
        r = dash.get("/?" + query)
        assert r.status_code == 400 and name in r.text and "Traceback" not in r.text, query
    assert dash.get("/index.json?verdict=maybe").json()["error"] == "bad parameter verdict"


def test_what_changed_since_yesterday(dash, stocked, db):
    with db.transaction() as s:  # history is append-only: an old event is inserted as it was
        s.execute(insert(Event).values(article_id=stocked["corrected"], version=1, kind="status_changed",
                                       from_status="in_review", to_status="approved", actor="rita", reason="",
                                       data={}, created_at=utcnow() - timedelta(days=2)))
    since = dash.get("/index.json").json()["since_yesterday"]
    assert since["new_articles"] == 4 and since["new_versions"] == 0
    assert since["moves"]["in_review"] == 1 and since["moves"]["approved"] == 0
    assert since["latest"][0]["kind"] == "status_changed" and since["latest"][0]["actor"] == "rob"
    dash.submit("oracle", ORACLE.replace("plantar dorsiflexion", "dorsiflexion", 1))
    assert dash.get("/index.json").json()["since_yesterday"]["new_versions"] == 1
    text = " ".join(dash.page("/").find("section", class_="since").text.split())
    assert "4 new articles" in text and "1 new version" in text and "1 in review" in text


def test_the_json_twin_is_the_page_s_data(dash, stocked):
    page = dash.page("/?verdict=pass&sort=title")
    twin = dash.get("/index.json?verdict=pass&sort=title").json()
    assert [f"/articles/{a['id']}" for a in twin["items"]] == rows(page)
    assert twin["filters"]["verdict"] == "pass" and twin["filters"]["sort"] == "title"
    assert dash.get("/?verdict=pass&sort=title&format=json").json() == twin
    assert page.find("a", href="/index.json?verdict=pass&sort=title").text == "This page as JSON"
