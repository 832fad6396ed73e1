"""Dashboard sign-in: sessions opened with an API token, and the CSRF tokens of their forms.

A reviewer signs in with the same API token scripts use; the session then
acts as that token (its name and role), so every action goes through the
same roles and workflow functions as the API. The session cookie carries a
random secret (HttpOnly, SameSite=Lax, Secure over HTTPS); the store keeps
its SHA-256 only, like the tokens themselves, so a copy of the database
opens no session. Revoking the token ends its sessions at once: each request
reads the session and its token in one indexed join.

CSRF: every form that changes something carries the session's ``csrf``
value, compared in constant time; a POST without it is 403. The sign-in form
has no session yet, so it uses a double-submit value instead: a random value
in a short-lived cookie that the form must repeat.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qsl

from fastapi import Request
from sqlalchemy import bindparam, delete, select

from ..db import Database
from ..models import Token, WebSession, utcnow
from ..tokens import Actor, authenticate, hash_token

SESSION_COOKIE = "artgate_session"
LOGIN_CSRF_COOKIE = "artgate_login_csrf"
SESSION_HOURS = 12
MAX_FORM_BYTES = 64 * 1024


@dataclass(frozen=True)
class Viewer:
    """Who is looking at a page: the token's actor and, for a browser session, its CSRF value."""

    actor: Actor
    csrf: str = ""  # empty for a script that sent a Bearer token (it posts to the API, not to forms)

    @property
    def can_review(self) -> bool:
        return self.actor.can("reviewer")


class CsrfError(Exception):
    """A form arrived without the CSRF value of its session (or of the sign-in page)."""


def open_session(db: Database, actor: Actor, hours: int = SESSION_HOURS) -> tuple[str, str]:
    """A new session for the token behind ``actor``: (the cookie's secret, the session's CSRF value)."""
    secret, csrf, now = "s_" + secrets.token_urlsafe(32), secrets.token_urlsafe(32), utcnow()
    with db.transaction() as s:
        s.execute(delete(WebSession).where(WebSession.expires_at < now))  # keep the table small
        s.add(WebSession(session_hash=hash_token(secret), token_id=actor.id, csrf=csrf, created_at=now,
                         expires_at=now + timedelta(hours=hours)))
    return secret, csrf


_LOOKUP = (select(Token.id, Token.name, Token.role, WebSession.csrf, WebSession.expires_at)
           .join(Token, Token.id == WebSession.token_id)
           .where(WebSession.session_hash == bindparam("h"), Token.revoked_at.is_(None)))


def session_viewer(db: Database, secret: str, now: datetime | None = None) -> Viewer | None:
    """The viewer of a session cookie, or None when it is unknown, expired, or its token was revoked."""
    with db.engine.connect() as conn:
        row = conn.execute(_LOOKUP, {"h": hash_token(secret)}).first()
    if row is None or row.expires_at <= (now or utcnow()):
        return None
    return Viewer(Actor(row.id, row.name, row.role), row.csrf)


def close_session(db: Database, secret: str) -> None:
    with db.transaction() as s:
        s.execute(delete(WebSession).where(WebSession.session_hash == hash_token(secret)))


def viewer_of(request: Request) -> Viewer | None:
    """The signed-in viewer: a session cookie, else an ``Authorization: Bearer`` token (for the JSON twins)."""
    db: Database = request.app.state.db
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        viewer = session_viewer(db, secret)
        if viewer is not None:
            return viewer
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        actor = authenticate(db, credentials.strip())
        if actor is not None:
            return Viewer(actor)
    return None


async def read_form(request: Request) -> dict[str, str]:
    """The fields of an urlencoded form (the dashboard's forms are all urlencoded; the last value wins)."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise ValueError(f"the form is over {MAX_FORM_BYTES // 1024} KiB")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if body and kind != "application/x-www-form-urlencoded":
        raise ValueError("the form must be sent as application/x-www-form-urlencoded")
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=50))
    except UnicodeDecodeError as exc:
        raise ValueError("the form is not valid UTF-8") from exc


def check_csrf(expected: str, form: dict[str, str]) -> None:
    """Refuse a form whose ``csrf_token`` is missing or differs from ``expected``."""
    sent = form.get("csrf_token", "")
    if not expected or not sent or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfError("the form's security token is missing or out of date; reload the page and try again")


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only (never another host)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
