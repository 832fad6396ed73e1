"""The reviewer dashboard: server-rendered pages on the review service's own app, each with a JSON twin.

``mount(app)`` adds the pages (one module per page in ``review.web.views``),
the dashboard's own CSS and JavaScript under ``/static`` (no CDN, no build
step), the security headers of ``render.PageHeaders``, and error pages: on a
dashboard path an error is a page (or JSON for a ``.json`` twin), everywhere
else the API's JSON errors are unchanged.

- ``review.web.auth``: sessions opened with an API token, CSRF values.
- ``review.web.render``: templates, JSON twins, headers, error pages.
- ``review.web.text``: evidence marked in the article text, version diffs.
- ``review.web.charts``: inline SVG charts.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import workflow
from .auth import CsrfError, viewer_of
from .render import STATIC, PageHeaders, error_page, is_page, to_login
from .views import NotSignedIn, PageError, article, audit, corpus, decisions, login, queue, rules

log = logging.getLogger("artgate.web")

_TITLES = {400: "bad request", 401: "not signed in", 403: "not allowed", 404: "not found",
           405: "method not allowed", 409: "refused", 413: "too large", 422: "invalid", 500: "server error"}


def mount(app: FastAPI) -> None:
    """Add the dashboard to the service's app (``api.create_app`` calls this)."""
    for module in (login, queue, article, decisions, audit, corpus, rules):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(PageHeaders)
    _errors(app)


def _errors(app: FastAPI) -> None:
    def not_signed_in(request: Request, _exc: NotSignedIn) -> Response:
        return to_login(request)

    def refused_page(request: Request, exc: PageError) -> Response:
        return error_page(request, viewer_of(request), exc.status, exc.title, exc.message)

    def csrf(request: Request, exc: CsrfError) -> Response:
        return error_page(request, viewer_of(request), 403, "form refused", str(exc))

    app.add_exception_handler(NotSignedIn, not_signed_in)
    app.add_exception_handler(PageError, refused_page)
    app.add_exception_handler(CsrfError, csrf)
    from ..api import STATUS_OF

    statuses = {workflow.WorkflowError: lambda exc: (STATUS_OF.get(exc.code, 422), exc.message),
        StarletteHTTPException: lambda exc: (exc.status_code, exc.detail if isinstance(exc.detail, str) else ""),
        RequestValidationError: lambda exc: (422, "; ".join(str(e.get("msg", "")) for e in exc.errors())),
        Exception: lambda _exc: (500, "the service failed on this request; the details are in its log")}
    for cls, status_of in statuses.items():
        _wrap(app, cls, status_of)


def _wrap(app: FastAPI, cls: type, status_of) -> None:
    """On dashboard paths, answer ``cls`` with an error page; elsewhere keep the API's JSON handler."""
    api_handler = app.exception_handlers[cls]

    async def handler(request: Request, exc: Exception) -> Response:
        if not is_page(request.url.path):
            return await api_handler(request, exc)
        status, message = status_of(exc)
        if status >= 500:
            log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_page(request, None, status, _TITLES.get(status, "error"), message or _TITLES.get(status, ""))

    app.add_exception_handler(cls, handler)
