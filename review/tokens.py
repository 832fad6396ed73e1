"""API tokens and roles.

A token is 32 random bytes (``secrets.token_urlsafe``) with an ``ag_`` prefix,
printed once when it is made; the store keeps only its SHA-256. A fast hash is
enough here because the token is random and long (there is no password to
guess), and it lets every request be authenticated with one indexed lookup.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import bindparam, select

from .db import Database
from .models import Token, utcnow

ROLES = ("author", "reviewer", "admin")
_RANK = {r: i for i, r in enumerate(ROLES)}


@dataclass(frozen=True)
class Actor:
    """Who is calling: the token's id, its name (the person) and role."""

    id: int | None
    name: str
    role: str

    def can(self, role: str) -> bool:
        """Roles nest: a reviewer may do what an author may, an admin what a reviewer may."""
        return _RANK[self.role] >= _RANK[role]


SYSTEM = Actor(None, "artgate", "admin")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NewToken:
    id: int
    name: str
    role: str
    token: str  # the secret itself: shown once, never stored


def create_token(db: Database, name: str, role: str) -> NewToken:
    """Make a token for ``name`` with ``role``; the returned secret cannot be recovered later."""
    if role not in ROLES:
        raise ValueError(f"role {role!r} is not one of {', '.join(ROLES)}")
    name = name.strip()
    if not name or len(name) > 100:
        raise ValueError("a token needs a name of 1 to 100 characters (the person or system using it)")
    secret = "ag_" + secrets.token_urlsafe(32)
    with db.transaction() as s:
        row = Token(name=name, role=role, token_hash=hash_token(secret), prefix=secret[:7],
                    created_at=utcnow())
        s.add(row)
        s.flush()
        return NewToken(row.id, name, role, secret)


def authenticate(db: Database, token: str) -> Actor | None:
    """The actor for a presented token, or None when it is unknown or revoked."""
    with db.engine.connect() as conn:  # one indexed read on every request: no ORM session needed
        row = conn.execute(_LOOKUP, {"h": hash_token(token)}).first()
    return Actor(row.id, row.name, row.role) if row else None


_LOOKUP = select(Token.id, Token.name, Token.role).where(
    Token.token_hash == bindparam("h"), Token.revoked_at.is_(None))


def list_tokens(db: Database) -> list[dict]:
    with db.session() as s:
        return [token_dict(t) for t in s.scalars(select(Token).order_by(Token.id))]


def revoke_token(db: Database, token_id: int) -> dict | None:
    with db.transaction() as s:
        t = s.get(Token, token_id)
        if t is None:
            return None
        if t.revoked_at is None:
            t.revoked_at = utcnow()
        return token_dict(t)


def token_dict(t: Token) -> dict:
    return {"id": t.id, "name": t.name, "role": t.role, "prefix": t.prefix,
            "created_at": t.created_at.isoformat(), "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None}
