"""Every value shown is escaped, and no page loads a script or style from anywhere but the dashboard itself."""

from __future__ import annotations

import re

from .page import parse

SCRIPT = "<script>alert('t')</script>"
IMG = '"><img src=x onerror=alert(1)>'
TITLE = f"Roots {SCRIPT} and {IMG}"
BODY = (f"# Heading {SCRIPT}\n\n## Section {IMG}\n\nL5 supplies ankle dorsiflexion. {SCRIPT}\n"
        f"Ankle dorsiflexion is supplied by L3. {IMG}\n")


def test_an_article_carrying_markup_renders_it_as_text_on_every_page(dash, people):
    a = dash.submit(f"x{IMG}", BODY, title=TITLE)
    fid = dash.api("GET", f"/articles/{a['id']}/report", people.rob).json()["findings"][0]["id"]
    dash.sign_in(people.rob)
    waived = dash.post(f"/articles/{a['id']}/findings/{fid}/waive", {"reason": f"fine {SCRIPT} {IMG}"})
    assert waived.status_code == 303
    for path in ("/", f"/articles/{a['id']}", "/corpus", f"/?q={IMG}", "/rules"):
        html = dash.get(path).text
        page = parse(html)
        scripts = page.find_all("script")
        assert [s.attrs.get("src", "").split("?")[0] for s in scripts] == ["/static/dashboard.js"], path
        assert not [s for s in scripts if s.text.strip()], path
        assert not page.find_all("img"), path
        assert "alert(" not in "".join(e.attrs.get("onerror", "") for e in page.iter()), path
        assert SCRIPT not in html and IMG not in html, path
    article = parse(dash.get(f"/articles/{a['id']}").text)
    assert article.find("h1").text == TITLE  # shown exactly, as text
    assert article.by_id("article-text").text == BODY
    assert f"fine {SCRIPT} {IMG}" in article.by_id("history").text
    queue = parse(dash.get("/").text)
    assert queue.find("a", class_="row-link").text == TITLE


def test_pages_carry_a_content_security_policy_that_allows_only_the_dashboard_s_own_files(dash, people):
    dash.sign_in(people.rob)
    r = dash.get("/")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "object-src 'none'" in csp
    assert "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff" and r.headers["x-frame-options"] == "DENY"
    page = parse(r.text)
    for e in page.iter():
        for attr in ("src", "href", "action"):
            value = e.attrs.get(attr)
            if value is not None:
                assert value.startswith(("/", "#", "?")) or value == "", (e.tag, value)
        assert "style" not in e.attrs, e.tag
    assert not page.find_all("style")
    css = dash.get("/static/dashboard.css")
    assert css.status_code == 200 and not re.search(r"url\(|@import|https?://", css.text)
    js = dash.get("/static/dashboard.js")
    assert js.status_code == 200 and not re.search(r"https?://|fetch\(|XMLHttpRequest|innerHTML|eval\(", js.text)
    api = dash.client.get("/api/v1/articles").headers
    assert "content-security-policy" not in api  # JSON needs no CSP, but is never sniffed or framed
    assert api["x-content-type-options"] == "nosniff" and api["x-frame-options"] == "DENY"
    assert dash.client.get("/openapi.json").headers["x-content-type-options"] == "nosniff"
