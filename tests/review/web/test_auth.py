"""Signing in with an API token, the session cookie, CSRF on every form, and roles."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from review.models import WebSession, utcnow

from ..conftest import CORRECTED, ORACLE, People
from .conftest import CSRF


def test_pages_without_a_session_send_the_browser_to_sign_in(dash):
    r = dash.get("/")
    assert r.status_code == 303 and r.headers["location"] == "/login"
    r = dash.get("/articles/1?version=1")
    assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Farticles%2F1%3Fversion%3D1"
    for path in ("/audit", "/corpus", "/rules"):
        assert dash.get(path).headers["location"].startswith("/login?next=")
    twin = dash.get("/index.json")
    assert twin.status_code == 401 and twin.json()["error"] == "unauthorized"


def test_the_sign_in_form_has_one_labelled_field_and_a_csrf_value(dash):
    page = dash.page("/login")
    form = page.find("form", action="/login")
    fields = [i for i in form.find_all("input") if i.attrs.get("type") != "hidden"]
    assert [i.attrs["name"] for i in fields] == ["token"]
    assert page.find("label", for_="token").text == "API token"
    assert form.find("input", name="csrf_token").attrs["value"]


def test_signing_in_sets_an_httponly_samesite_cookie_and_keeps_only_its_hash(dash, db, people):
    form = dash.get("/login")
    r = dash.client.post("/login", data={"token": people.rob, "csrf_token": CSRF.search(form.text).group(1)},
                         follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith("artgate_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    secret = cookie.split(";")[0].split("=", 1)[1]
    with db.session() as s:
        hashes = s.scalars(select(WebSession.session_hash)).all()
    assert len(hashes) == 1 and secret not in hashes[0]
    page = dash.page("/")
    assert "rob" in page.find("div", class_="who").text


def test_a_wrong_token_or_a_missing_csrf_value_is_refused(dash, people):
    csrf = CSRF.search(dash.get("/login").text).group(1)
    wrong = dash.client.post("/login", data={"token": "ag_not-a-token", "csrf_token": csrf}, follow_redirects=False)
    assert wrong.status_code == 401 and "unknown or has been revoked" in wrong.text
    no_csrf = dash.client.post("/login", data={"token": people.rob}, follow_redirects=False)
    assert no_csrf.status_code == 403 and "artgate_session" not in no_csrf.headers.get("set-cookie", "")
    assert dash.get("/").status_code == 303


def test_next_goes_back_to_the_page_but_never_to_another_site(dash, people):
    for target, expected in (("/articles/4", "/articles/4"), ("//evil.example/x", "/"),
                             ("https://evil.example/", "/"), ("/\\evil.example", "/")):
        form = dash.get("/login")
        r = dash.client.post("/login", data={"token": people.rob, "next": target,
                                             "csrf_token": CSRF.search(form.text).group(1)}, follow_redirects=False)
        assert r.headers["location"] == expected, target
        dash.sign_out()


def test_signing_out_ends_the_session_and_needs_the_csrf_value(dash, people):
    dash.sign_in(people.rob)
    cookie = dash.client.cookies.get("artgate_session")
    assert dash.client.post("/logout", follow_redirects=False).status_code == 403
    assert dash.get("/").status_code == 200
    r = dash.post("/logout", {}, page="/")
    assert r.status_code == 303 and r.headers["location"] == "/login"
    dash.client.cookies.set("artgate_session", cookie)  # a copy of the old cookie opens nothing any more
    assert dash.get("/").status_code == 303


def test_revoking_the_token_or_expiry_ends_its_sessions(dash, db, people):
    dash.sign_in(people.rob)
    assert dash.get("/").status_code == 200
    with db.transaction() as s:
        s.execute(update(WebSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert dash.get("/").status_code == 303
    dash.sign_in(people.rob)
    rob = next(t for t in dash.api("GET", "/tokens", people.ada).json()["tokens"] if t["name"] == "rob")
    assert dash.api("DELETE", f"/tokens/{rob['id']}", people.ada).status_code == 200
    assert dash.get("/").status_code == 303


def test_json_twins_also_take_a_bearer_token_but_forms_do_not(dash, people):
    a = dash.submit("oracle", ORACLE)
    twin = dash.client.get("/index.json", headers=People.auth(people.alice))
    assert twin.status_code == 200 and twin.json()["items"][0]["id"] == a["id"]
    r = dash.client.post(f"/articles/{a['id']}/transition", data={"to": "in_review"}, headers=People.auth(people.rob))
    assert r.status_code == 403
    assert dash.api("GET", f"/articles/{a['id']}", people.rob).json()["status"] == "submitted"


def test_every_changing_form_without_its_csrf_value_is_403_and_changes_nothing(dash, people):
    a = dash.submit("oracle", ORACLE)
    dash.sign_in(people.rob)
    page = dash.page(f"/articles/{a['id']}")
    forms = [f for f in page.find_all("form") if f.attrs.get("method") == "post"]
    assert forms and all(f.find("input", name="csrf_token").attrs["value"] for f in forms)
    fid = dash.api("GET", f"/articles/{a['id']}/report", people.rob).json()["findings"][0]["id"]
    for path, data in ((f"/articles/{a['id']}/transition", {"to": "in_review"}),
                       (f"/articles/{a['id']}/findings/{fid}/waive", {"reason": "because"})):
        assert dash.post(path, data, csrf=False).status_code == 403
        assert dash.post(path, {**data, "csrf_token": "forged"}, csrf=False).status_code == 403
    events = dash.api("GET", f"/articles/{a['id']}/events", people.rob).json()["events"]
    assert [e["kind"] for e in events] == ["submitted"]


def test_an_author_reads_every_page_but_may_not_act(dash, people):
    a = dash.submit("corrected", CORRECTED)
    dash.sign_in(people.alice)
    page = dash.page(f"/articles/{a['id']}")
    assert not [f for f in page.find_all("form") if f.attrs.get("action", "").startswith("/articles/")]
    assert "need the reviewer role" in page.by_id("actions").text
    for path in ("/", "/audit", "/corpus", "/rules"):
        dash.page(path)
    r = dash.post(f"/articles/{a['id']}/transition", {"to": "in_review"}, page="/")
    assert r.status_code == 403 and "reviewer role" in r.text


def test_signing_out_of_a_dead_session_just_clears_it(dash, db, people):
    dash.sign_in(people.rob)
    with db.transaction() as s:
        s.execute(update(WebSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    r = dash.client.post("/logout", follow_redirects=False)  # no CSRF value: the session it would end is gone
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert "artgate_session" not in dash.client.cookies


def test_signing_in_again_ends_the_previous_session(dash, people):
    dash.sign_in(people.rob)
    first = dash.client.cookies.get("artgate_session")
    dash.sign_out()
    form = dash.get("/login")  # a sign-in form loaded earlier, posted while the first session still stands
    dash.client.cookies.set("artgate_session", first)
    r = dash.client.post("/login", data={"token": people.rob, "csrf_token": CSRF.search(form.text).group(1)},
                         follow_redirects=False)
    assert r.status_code == 303
    second = r.cookies.get("artgate_session")
    assert second and second != first
    dash.sign_out()
    dash.client.cookies.set("artgate_session", second)
    assert dash.get("/").status_code == 200
    dash.sign_out()
    dash.client.cookies.set("artgate_session", first)
    assert dash.get("/").status_code == 303


def test_a_form_posted_after_the_session_ended_comes_back_to_its_page(dash, people):
    a = dash.submit("oracle", ORACLE)
    r = dash.client.post(f"/articles/{a['id']}/transition", data={"to": "in_review"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/login?next=%2Farticles%2F{a['id']}"
    r = dash.client.post(f"/articles/{a['id']}/findings/f1/waive", data={"reason": "x"}, follow_redirects=False)
    assert r.headers["location"] == f"/login?next=%2Farticles%2F{a['id']}"


def test_cookies_are_secure_when_told_the_service_sits_behind_tls(db, monkeypatch):
    from review.api import Settings, create_app

    assert "Secure" not in _login_cookie(create_app(Settings(warm=False, deliver_webhooks=False), db))
    forced = Settings(warm=False, deliver_webhooks=False, cookie_secure=True)
    assert "Secure" in _login_cookie(create_app(forced, db))  # plain http seen here, TLS at the proxy
    monkeypatch.setenv("ARTGATE_COOKIE_SECURE", "1")
    assert Settings.from_env().cookie_secure is True
    monkeypatch.setenv("ARTGATE_COOKIE_SECURE", "maybe")
    with pytest.raises(ValueError, match="ARTGATE_COOKIE_SECURE"):
        Settings.from_env()


def _login_cookie(app) -> str:
    """The sign-in form's CSRF cookie: set by the same rule as the session cookie."""
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        r = c.get("/login")
        return next(x for x in r.headers.get_list("set-cookie") if x.startswith("artgate_login_csrf="))
