"""Pages and their JSON twins from one context, the headers every dashboard response carries, and errors.

A view builds a plain, JSON-ready dict of what the page shows; ``respond``
renders it with the page's Jinja template or, for the twin (``.json`` or
``?format=json``), returns the dict itself, so the two can never disagree.
Templates autoescape every value: an article's text, title or a reviewer's
reason is always shown as text.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from .auth import Viewer

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

# Only the dashboard's own files: no inline script, no inline style, nothing from another origin.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
PAGE_PREFIXES = ("/login", "/logout", "/articles", "/audit", "/corpus", "/rules", "/static", "/index.json")


def is_page(path: str) -> bool:
    """Paths served by the dashboard (everything else is the API, its documents and /healthz)."""
    return path == "/" or path.startswith(PAGE_PREFIXES)


def _when(value: str | None) -> str:
    """'2026-12-02 09:14 UTC' from an ISO timestamp (the store keeps UTC)."""
    if not value:
        return ""
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return value
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _label(value: str | None) -> str:
    return (value or "").replace("_", " ")


def url_with(path: str, query: str, **changes) -> str:
    """``path`` with the current query changed: a value of ``None`` or "" drops the key; filters reset the page."""
    params = dict(parse_qsl(query, keep_blank_values=False))
    params.pop("format", None)
    if "page" not in changes:
        params.pop("page", None)
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = str(value)
    return path + ("?" + urlencode(params) if params else "")


def json_href(path: str, query: str) -> str:
    """The JSON twin of a page: ``/index.json`` for the queue, ``PATH.json`` for the others."""
    base = "/index.json" if path == "/" else path.rstrip("/") + ".json"
    params = [(k, v) for k, v in parse_qsl(query) if k not in ("format", "done")]
    return base + ("?" + urlencode(params) if params else "")


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"], default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(when=_when, label=_label)
    env.globals.update(url_with=url_with, json_href=json_href)
    env.globals["static_version"] = int(max(p.stat().st_mtime for p in STATIC.iterdir()))
    return env


ENV = _environment()


def render(template: str, **context) -> str:
    return ENV.get_template(template).render(**context)


def respond(request: Request, viewer: Viewer | None, template: str, data: dict, *, as_json: bool = False,
            status: int = 200, **extra) -> Response:
    """The page (``template`` over ``data``), or ``data`` itself as JSON for the twin."""
    if as_json or request.query_params.get("format") == "json":
        return JSONResponse(data, status_code=status)
    html = render(template, data=data, viewer=viewer, path=request.url.path, query=request.url.query, **extra)
    return HTMLResponse(html, status_code=status)


def error_page(request: Request, viewer: Viewer | None, status: int, title: str, message: str) -> Response:
    if request.url.path.endswith(".json") or request.query_params.get("format") == "json":
        return JSONResponse({"error": title, "message": message}, status_code=status)
    return HTMLResponse(render("error.html", viewer=viewer, path=request.url.path, query="", status=status,
                               title=title, message=message), status_code=status)


def to_login(request: Request) -> Response:
    """A page asked for without a session: JSON twins answer 401, pages send the browser to sign in."""
    if request.url.path.endswith(".json") or request.query_params.get("format") == "json":
        return JSONResponse({"error": "unauthorized", "message": "sign in at /login, or send "
                             "'Authorization: Bearer TOKEN'"}, status_code=401)
    if request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    else:  # a form posted after the session ended: come back to the page the form was on, not to its action
        target = _FORM_ACTION.sub("", request.url.path) or "/"
    return RedirectResponse("/login" if target == "/" else f"/login?next={quote(target, safe='')}", status_code=303)


_FORM_ACTION = re.compile(r"/(?:transition|findings/[^/]+/waive(?:-group)?|claims/[^/]+/decide|claims/add)$")


_BASIC_HEADERS = ((b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"))


class PageHeaders:
    """Security headers and ``Server-Timing`` on every dashboard response; ``nosniff`` and no framing on the rest.

    ``Server-Timing: app;dur=…`` is the time from the request reaching the app
    to its response headers, which is what ``benchmarks/bench_dashboard.py`` reads.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not is_page(scope.get("path", "")):  # the API and its documents: no sniffing, no framing
            async def send_basic(message) -> None:
                if message["type"] == "http.response.start":
                    message = {**message, "headers": [*message.get("headers", []), *_BASIC_HEADERS]}
                await send(message)

            await self.app(scope, receive, send_basic)
            return
        t0 = time.perf_counter()

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                ms = (time.perf_counter() - t0) * 1000
                headers += [(b"server-timing", f"app;dur={ms:.2f}".encode()),
                            (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
                            (b"x-frame-options", b"DENY")]
                if not scope["path"].startswith("/static"):
                    headers += [(b"content-security-policy", CSP.encode()), (b"cache-control", b"no-store")]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
