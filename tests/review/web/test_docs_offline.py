"""The API documentation at /docs and /redoc works offline: every asset comes from the service itself.

The browser test runs ``artgate serve`` as a user starts it and opens /docs in
Debian's Chromium with every request that leaves localhost aborted, then checks
that Swagger UI drew the API's operations from the service's own copy of its
scripts (the pinned ``fastapi-offline`` package).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from review.api import Settings, create_app

from .test_browser import ARGS, CHROMIUM, Live


class _Assets(HTMLParser):
    """Every URL a page loads by itself: script and image sources, stylesheet and icon links."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "img") and a.get("src"):
            self.urls.append(a["src"])
        if tag == "link" and a.get("href"):
            self.urls.append(a["href"])


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_the_documentation_pages_load_nothing_from_another_host(tmp_path, path):
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'store.db'}", warm=False, deliver_webhooks=False))
    with TestClient(app) as client:
        page = client.get(path)
        assert page.status_code == 200
        parser = _Assets()
        parser.feed(page.text)
        assert parser.urls, page.text
        for url in parser.urls:
            assert not urlsplit(url).netloc, f"{path} loads {url} from another host"
            assert client.get(url).status_code == 200, url
        assert "fonts.googleapis" not in page.text


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(),
                    reason=f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium) to run "
                           "the browser tests")
def test_swagger_ui_renders_the_operations_with_the_network_off(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    live = Live(tmp_path)
    try:
        live.wait()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.set_default_timeout(15_000)
            blocked: list[str] = []

            def offline(route):
                if urlsplit(route.request.url).hostname in ("127.0.0.1", "localhost"):
                    route.continue_()
                else:
                    blocked.append(route.request.url)
                    route.abort("internetdisconnected")

            context.route("**/*", offline)
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(live.base + "/docs")
            expect(page.locator(".swagger-ui .info .title")).to_contain_text("artgate review gate")
            operations = page.locator(".opblock .opblock-summary-path")
            expect(operations.first).to_be_visible()
            paths = {operations.nth(i).inner_text().replace("\u200b", "") for i in range(operations.count())}
            assert {"/api/v1/articles", "/api/v1/articles/{article_id}/transitions", "/healthz"} <= paths, paths
            page.locator(".opblock-post .opblock-summary").first.click()
            expect(page.get_by_role("button", name=re.compile("Try it out"))).to_be_visible()
            browser.close()
        assert not blocked, f"/docs tried to reach other hosts: {blocked}"
        assert not errors, errors
    finally:
        live.stop()
