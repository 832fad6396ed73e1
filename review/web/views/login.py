"""Signing in (``/login``, one field: an API token) and out (``POST /logout``)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ...tokens import authenticate
from ..auth import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    SESSION_HOURS,
    check_csrf,
    close_session,
    open_session,
    safe_next,
    viewer_of,
)
from ..render import render
from . import posted_form

router = APIRouter()


def _secure(request: Request) -> bool:
    """Cookies are Secure on HTTPS, or always when the service is told it sits behind TLS."""
    forced = request.app.state.settings.cookie_secure
    return forced if forced is not None else request.url.scheme == "https"

LOGIN_CSRF_MINUTES = 30


def _form(request: Request, next_path: str, error: str = "", status: int = 200) -> Response:
    """The sign-in page with a fresh double-submit CSRF value (in the form and in a short-lived cookie)."""
    csrf = secrets.token_urlsafe(24)
    html = render("login.html", viewer=None, path="/login", query="", data={"next": next_path, "error": error},
                  csrf=csrf)
    response = HTMLResponse(html, status_code=status)
    response.set_cookie(LOGIN_CSRF_COOKIE, csrf, max_age=LOGIN_CSRF_MINUTES * 60, httponly=True, samesite="strict",
                        secure=_secure(request), path="/login")
    return response


@router.get("/login", include_in_schema=False)
def login_page(request: Request) -> Response:
    next_path = safe_next(request.query_params.get("next"))
    if viewer_of(request) is not None and request.cookies.get(SESSION_COOKIE):
        return RedirectResponse(next_path, status_code=303)
    return _form(request, next_path)


@router.post("/login", include_in_schema=False)
def login(request: Request, form: Annotated[dict, Depends(posted_form)]) -> Response:
    """Open a session for a valid token and go to ``next`` (the queue by default)."""
    check_csrf(request.cookies.get(LOGIN_CSRF_COOKIE, ""), form)
    next_path = safe_next(form.get("next"))
    token = form.get("token", "").strip()
    if not token:
        return _form(request, next_path, "Enter an API token (made with 'artgate token create').", 422)
    actor = authenticate(request.app.state.db, token)
    if actor is None:
        return _form(request, next_path, "That token is unknown or has been revoked.", 401)
    old = request.cookies.get(SESSION_COOKIE)
    if old:  # signing in again ends the session the browser had
        close_session(request.app.state.db, old)
    secret, _ = open_session(request.app.state.db, actor)
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(SESSION_COOKIE, secret, max_age=SESSION_HOURS * 3600, httponly=True, samesite="lax",
                        secure=_secure(request), path="/")
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout", include_in_schema=False)
def logout(request: Request, form: Annotated[dict, Depends(posted_form)]) -> Response:
    viewer = viewer_of(request)
    if viewer is not None:  # a live session is ended only by its own form; a dead one is just cleared
        check_csrf(viewer.csrf, form)
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        close_session(request.app.state.db, secret)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
