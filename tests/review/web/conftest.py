"""The dashboard through the ASGI client, signed in as the usual cast, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from review.api import Settings, create_app

from ..conftest import People
from .page import Element, parse

TITLE = "Which nerve root is responsible for dorsal extension of the foot?"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Dash:
    """A browser-like client of the dashboard: cookies kept, forms posted with the page's CSRF value."""

    def __init__(self, client: TestClient, people: People):
        self.client, self.people = client, people

    def get(self, path: str, **kw):
        return self.client.get(path, follow_redirects=False, **kw)

    def page(self, path: str, status: int = 200) -> Element:
        r = self.get(path)
        assert r.status_code == status, (r.status_code, r.text[:3000])
        assert r.headers["content-type"].startswith("text/html")
        return parse(r.text)

    def sign_in(self, token: str) -> Dash:
        form = self.get("/login")
        r = self.client.post("/login", data={"token": token, "csrf_token": CSRF.search(form.text).group(1)},
                             follow_redirects=False)
        assert r.status_code == 303, r.text
        return self

    def sign_out(self) -> None:
        self.client.cookies.clear()

    def csrf(self, path: str) -> str:
        return CSRF.search(self.get(path).text).group(1)

    def post(self, path: str, data: dict, page: str | None = None, csrf: bool = True):
        """Post a form as the page ``page`` (default: the article page the form is on) would."""
        if csrf:
            data = {"csrf_token": self.csrf(page or re.sub(r"/(transition|findings/.*|claims/.*)$", "", path)), **data}
        return self.client.post(path, data=data, follow_redirects=False)

    def submit(self, external_id: str, body: str, title: str = TITLE, token: str | None = None) -> dict:
        r = self.client.post("/api/v1/articles", json={"external_id": external_id, "title": title, "body": body},
                             headers=People.auth(token or self.people.alice))
        assert r.status_code in (200, 201), r.text
        return r.json()

    def api(self, method: str, path: str, token: str, **kw):
        return self.client.request(method, "/api/v1" + path, headers=People.auth(token), **kw)


@pytest.fixture
def app(db, tmp_path):
    return create_app(Settings(warm=False, deliver_webhooks=False, runs_dir=str(tmp_path / "runs")), db)


@pytest.fixture
def dash(app, people):
    with TestClient(app, raise_server_exceptions=False) as c:
        yield Dash(c, people)
