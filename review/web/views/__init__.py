"""One module per dashboard page, and what they share: who is signed in, refused requests, the vocabularies.

- ``login``: ``/login`` and ``/logout``.
- ``queue``: ``/`` (and ``/index.json``), the review queue.
- ``article``: ``/articles/{id}``, one article's evidence, claims, versions, history and actions.
- ``decisions``: the article page's claim decisions and group waivers, and links to a finding's place.
- ``audit``: ``/audit``, the nightly audit's runs.
- ``corpus``: ``/corpus``, which roots the corpus gives each movement and reflex.
- ``rules``: ``/rules``, every rule with its explanation and how often it fires and is waived.
"""

from __future__ import annotations

from functools import lru_cache

from fastapi import Request

from ..auth import Viewer, read_form, viewer_of


class NotSignedIn(Exception):
    """No session and no valid Bearer token: pages redirect to /login, JSON twins answer 401."""


class PageError(Exception):
    """A refused page request, shown as an error page (or JSON for a twin) with this status."""

    def __init__(self, status: int, title: str, message: str):
        super().__init__(message)
        self.status, self.title, self.message = status, title, message


class BadParameter(PageError):
    def __init__(self, name: str, message: str):
        super().__init__(400, f"bad parameter {name}", message)
        self.name = name


def signed_in(request: Request) -> Viewer:
    """A dependency: the signed-in viewer, any role."""
    viewer = viewer_of(request)
    if viewer is None:
        raise NotSignedIn()
    return viewer


async def posted_form(request: Request) -> dict[str, str]:
    """A dependency: the fields of the posted form (read here, so the route itself can run in a thread)."""
    try:
        return await read_form(request)
    except ValueError as exc:
        raise PageError(400, "unreadable form", str(exc)) from exc


@lru_cache(maxsize=8)
def _catalogue(config: str | None) -> dict:
    from extractors.lexicon import load_lexicon
    from rules.engine import ENGINE_RULES, all_rules, load_ruleset

    ruleset = load_ruleset(config)
    lexicon = load_lexicon()
    rules = sorted({r.id for r in all_rules(ruleset.config)} | set(ENGINE_RULES))
    targets = [{"id": t, "label": lexicon.label(t), "kind": lexicon.kinds.get(t, "")}
               for t in sorted(lexicon.labels, key=lambda t: (lexicon.kinds.get(t, ""), lexicon.label(t)))]
    return {"rules": rules, "targets": targets}


def catalogue(config: str | None = None) -> dict:
    """The rule ids and targets the filters offer (from the ruleset and the lexicon; no query)."""
    return _catalogue(config)
