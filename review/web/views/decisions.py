"""The article page's claim decisions and group waivers, and links that find a finding's place in a long page.

- ``POST /articles/{id}/claims/{claim}/decide``: ``decision`` = wrong (with a reason), correct
  (root, target, polarity), confirm or retract, through ``review.decisions.decide``.
- ``POST /articles/{id}/claims/add``: a claim the extractor missed, in the selected sentence
  (``sentence`` and ``near``, or ``start`` and ``end``), through ``review.decisions.add_claim``.
- ``POST /articles/{id}/findings/{finding}/waive-group``: one reason for every open finding of the
  group, through ``review.groups.waive_group``.
- ``GET /articles/{id}/findings/{finding}``: the article page at the group page, occurrence page
  and text window where that finding is shown (a highlight of a finding listed elsewhere links here).

As with the other forms: reviewer role and CSRF checked here, everything else (four eyes, an
article under review, a reason for "wrong") by the workflow; a refusal shows the page again with
the reason and its status, a success goes back to the claim or finding.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from ... import decisions, groups, workflow
from ..auth import Viewer
from . import PageError, posted_form, signed_in
from .article import (
    FINDING_ID,
    GROUPS_PER_PAGE,
    OCCURRENCES_PER_PAGE,
    OCCURRENCES_SHOWN,
    TEXT_WINDOW,
    _groups,
    _known_id,
    _reason,
    _refused,
    _require_reviewer,
)

router = APIRouter()

CLAIM_ID = re.compile(r"^a[0-9]{1,9}$")
BACK_KEYS = ("version", "text", "claims", "fpage", "group", "occ")
BACK_VALUE = re.compile(r"^[a-z0-9]{1,12}$")


def _back(form: dict) -> str:
    """Where the form was posted from (which pages of the article), from its ``back`` field, checked."""
    kept = [(k, v) for k, v in parse_qsl(form.get("back", ""))[:len(BACK_KEYS)]
            if k in BACK_KEYS and BACK_VALUE.match(v)]
    return urlencode(kept)


def _to(article_id: int, form: dict, done: str, anchor: str) -> RedirectResponse:
    back = _back(form)
    return RedirectResponse(f"/articles/{article_id}?{back + '&' if back else ''}done={done}#{anchor}",
                            status_code=303)


def _field(form: dict, name: str, limit: int) -> str | None:
    value = (form.get(name) or "").strip()
    if len(value) > limit or "\x00" in value:
        raise PageError(422, f"bad {name}", f"{name} must be at most {limit:,} characters of text")
    return value or None


def _offset(form: dict, name: str) -> int | None:
    raw = (form.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 10:
        raise PageError(422, f"bad {name}", f"{name} must be a character offset (got {raw[:20]!r})")
    return int(raw)


def _act(request: Request, viewer: Viewer, article_id: int, form: dict, call: Callable[[], dict],
         finding: str | None = None) -> dict | Response:
    """Run a decision as the signed-in reviewer: its result, or the page again with the workflow's refusal."""
    _require_reviewer(viewer, form)
    _known_id(article_id)
    try:
        return call()
    except workflow.NotFound:
        raise
    except workflow.WorkflowError as exc:
        return _refused(request, viewer, article_id, exc, finding)


@router.post("/articles/{article_id:int}/claims/{claim_id}/decide", include_in_schema=False)
def decide(request: Request, article_id: int, claim_id: str, viewer: Annotated[Viewer, Depends(signed_in)],
           form: Annotated[dict, Depends(posted_form)]) -> Response:
    """Mark a claim wrong, correct, confirm it, or retract the decision on it."""
    if not CLAIM_ID.match(claim_id):
        raise PageError(404, "no such claim", "a claim id looks like a12")
    expect = {k: form.get(f"expect_{k}") or None for k in ("root", "target", "polarity")}
    out = _act(request, viewer, article_id, form, lambda: decisions.decide(
        request.app.state.db, viewer.actor, article_id, claim_id, form.get("decision", ""), reason=_reason(form),
        root=_field(form, "root", 8), target=_field(form, "target", 64), polarity=_field(form, "polarity", 16),
        expect=expect, config=request.app.state.settings.config))
    return out if isinstance(out, Response) else _to(article_id, form, out["decision"]["kind"], f"claim-{claim_id}")


@router.post("/articles/{article_id:int}/claims/add", include_in_schema=False)
def add(request: Request, article_id: int, viewer: Annotated[Viewer, Depends(signed_in)],
        form: Annotated[dict, Depends(posted_form)]) -> Response:
    """Add a claim the extractor missed, in the sentence selected in the text."""
    out = _act(request, viewer, article_id, form, lambda: decisions.add_claim(
        request.app.state.db, viewer.actor, article_id, root=_field(form, "root", 8) or "",
        target=_field(form, "target", 64) or "", polarity=_field(form, "polarity", 16) or "affirmed",
        sentence=_field(form, "sentence", decisions.MAX_SENTENCE), near=_offset(form, "near"),
        reason=_reason(form), config=request.app.state.settings.config))
    return out if isinstance(out, Response) else _to(article_id, form, "added", f"claim-{out['decision']['claim']}")


@router.post("/articles/{article_id:int}/findings/{finding_id}/waive-group", include_in_schema=False)
def waive_group(request: Request, article_id: int, finding_id: str, viewer: Annotated[Viewer, Depends(signed_in)],
                form: Annotated[dict, Depends(posted_form)]) -> Response:
    """Waive every open finding of the group, for one reason recorded on each."""
    if not FINDING_ID.match(finding_id):
        raise PageError(404, "no such finding", "a finding id looks like f12")
    out = _act(request, viewer, article_id, form, lambda: groups.waive_group(
        request.app.state.db, viewer.actor, article_id, finding_id, _reason(form)), finding_id)
    return out if isinstance(out, Response) else _to(article_id, form, "waived_group", f"finding-{finding_id}")


@router.get("/articles/{article_id:int}/findings/{finding_id}", include_in_schema=False)
def locate(request: Request, article_id: int, finding_id: str,
           viewer: Annotated[Viewer, Depends(signed_in)]) -> Response:
    """The article page where this finding is listed and its first evidence is in the shown text."""
    from ..text import text_windows

    _known_id(article_id)
    if not FINDING_ID.match(finding_id):
        raise PageError(404, "no such finding", "a finding id looks like f12")
    version = (request.query_params.get("version") or "").strip()
    number = int(version) if version.isdigit() else None
    report = workflow.report(request.app.state.db, article_id, number)
    all_groups = _groups(report["findings"])
    where = next(((i, g) for i, g in enumerate(all_groups) for f in g if f["id"] == finding_id), None)
    if where is None:
        raise workflow.NotFound(f"version {report['review']['version']} has no finding {finding_id!r}", "finding_id")
    i, g = where
    at = [f["id"] for f in g].index(finding_id)
    params: list[tuple[str, str]] = [("version", str(number))] if number else []
    if at < OCCURRENCES_SHOWN:
        if i >= GROUPS_PER_PAGE:
            params.append(("fpage", str(i // GROUPS_PER_PAGE + 1)))
    else:
        params.append(("group", g[0]["id"]))
        if at >= OCCURRENCES_PER_PAGE:
            params.append(("occ", str(at // OCCURRENCES_PER_PAGE + 1)))
    evidence = g[at].get("evidence") or ()
    if evidence:
        text = _text_of(request, article_id, report["review"]["version"])
        windows = text_windows(text, TEXT_WINDOW)
        w = next((k for k, (a, b) in enumerate(windows, start=1) if a <= evidence[0]["start"] < b), 1)
        if w > 1:
            params.append(("text", str(w)))
    query = urlencode(params)
    return RedirectResponse(f"/articles/{article_id}{'?' + query if query else ''}#finding-{finding_id}",
                            status_code=303)


def _text_of(request: Request, article_id: int, number: int) -> str:
    from sqlalchemy import select

    from ...models import Version

    with request.app.state.db.session() as s:
        return s.scalar(select(Version.body).where(Version.article_id == article_id, Version.number == number))
