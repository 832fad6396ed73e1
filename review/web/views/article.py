"""One article (``GET /articles/{id}``): its evidence, claims, versions, history, and the review actions.

Every action is a form posted to this page's own routes, and each calls the
same workflow function as the API (``workflow.transition``,
``workflow.waive``), under the same role: the gate, the rule that a reviewer
may not approve their own submission, and the reasons that must be given are
enforced there, not here. The page only shows in advance what the workflow
would refuse (approve stays disabled, with the standing blockers listed,
while the gate refuses it); a form posted anyway gets the workflow's answer.
A success redirects back to the page (post/redirect/get); a refusal renders
the page again with the refusal and its HTTP status (409 blocked, 403, 422).
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from ... import workflow
from ...api import MAX_ID
from ...db import Database
from ...models import Version
from ..auth import Viewer, check_csrf
from ..render import respond
from ..text import finding_diff, line_diff, line_of, line_starts, marked_text
from . import BadParameter, PageError, posted_form, signed_in

router = APIRouter()

MAX_REASON = 5000
FINDING_ID = re.compile(r"^f[0-9]{1,9}$")
DONE = {  # ?done=… after a successful action: a fixed message, never text from the URL
    "in_review": "Moved to review.",
    "changes_requested": "Changes requested; the author sees your reason.",
    "approved": "Approved.",
    "rejected": "Rejected.",
    "waived": "Finding waived; the reason is on record.",
}
ORDER = {"blocker": 0, "warning": 1, "info": 2}


def _reference_view(reference, claim: dict) -> dict:
    """What the reference table says about one claim: the root's standing and whether the claim agrees."""
    entry = reference.entries.get(claim["target"])
    if entry is None:
        return {"reference": "not in the reference table", "standing": "unknown", "agrees": None}
    root = claim["root"]
    standing = ("primary" if root == entry.primary else "standard" if root in entry.standard
                else "variant" if root in entry.variants else "outside")
    given = root in entry.standard or root == entry.primary
    if claim["polarity"] == "uncertain":
        agrees = None
    elif claim["polarity"] == "negated":
        agrees = not given
    else:
        agrees = True if given else (None if standing == "variant" else False)
    text = f"{', '.join(entry.standard)} (primary {entry.primary})"
    if entry.variants:
        text += f"; variants {', '.join(entry.variants)}"
    return {"reference": text, "standing": standing, "agrees": agrees}


def _versions(db: Database, article_id: int) -> dict[int, Version]:
    with db.session() as s:
        return {v.number: v for v in s.scalars(select(Version).where(Version.article_id == article_id))}


def _number(params, name: str, versions: dict, default: int | None) -> int | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) not in versions:
        raise BadParameter(name, f"{name} must be one of this article's versions: "
                                 f"{', '.join(map(str, sorted(versions)))} (got {raw!r})")
    return int(raw)


def article_data(db: Database, article_id: int, viewer: Viewer, params, config: str | None = None) -> dict:
    """Everything the article page shows, as plain JSON-ready values."""
    from rules.engine import load_ruleset

    _known_id(article_id)
    article = workflow.get_article(db, article_id)
    versions = _versions(db, article_id)
    shown = _number(params, "version", versions, article["version"])
    report = workflow.report(db, article_id, shown)
    version = versions[shown]
    text = version.body
    starts = line_starts(text)
    findings = sorted(report["findings"], key=lambda f: (bool(f.get("suppressed")), ORDER.get(f["severity"], 3),
                                                          int(f["id"][1:]) if f["id"][1:].isdigit() else 0))
    for f in findings:
        f["lines"] = [line_of(starts, ev["start"]) for ev in f.get("evidence") or ()]
    cited: dict[str, list[str]] = {}
    for f in findings:
        for aid in f.get("assertions") or ():
            cited.setdefault(aid, []).append(f["id"])
    reference = load_ruleset(config).reference
    claims = [{**{k: a[k] for k in ("id", "root", "target", "target_kind", "polarity", "primary", "section",
                                    "sentence", "start", "end")},
               "line": line_of(starts, a["start"]), "findings": cited.get(a["id"], []),
               **_reference_view(reference, a)} for a in report["assertions"]]
    current = shown == article["version"]
    open_blockers = [{"id": f["id"], "rule": f["rule"], "message": f["message"]} for f in findings
                     if f["severity"] == "blocker" and not f.get("suppressed")]
    return {
        "article": article, "shown_version": shown, "current": current,
        "version": {"number": shown, "title": version.title, "format": version.format,
                    "submitted_by": version.submitted_by, "submitted_at": version.submitted_at.isoformat(),
                    "checked_at": version.checked_at.isoformat(), "ruleset": version.ruleset, "sha256": version.sha256},
        "verdict": report["verdict"], "counts": report["counts"], "text": text, "findings": findings,
        "assertions": claims, "diff": _diff(versions, report, params, shown),
        "events": workflow.events(db, article_id),
        "actions": _actions(article, version, viewer, current, open_blockers),
    }


def _diff(versions: dict[int, Version], report: dict, params, shown: int) -> dict | None:
    """The change between two versions (by default the one before the shown version, and the shown one)."""
    if len(versions) < 2:
        return None
    new = _number(params, "to", versions, shown)
    old = _number(params, "from", versions, max((n for n in versions if n < new), default=min(versions)))
    if old == new:
        return {"from": old, "to": new, "title": None, "format": None, "lines": [],
                "findings": {"new": [], "resolved": []}}
    a, b = versions[old], versions[new]
    return {"from": old, "to": new,
            "title": {"old": a.title, "new": b.title} if a.title != b.title else None,
            "format": {"old": a.format, "new": b.format} if a.format != b.format else None,
            "lines": line_diff(a.body, b.body),
            "findings": finding_diff(a.report.get("findings", []), b.report.get("findings", []))}


def _actions(article: dict, version: Version, viewer: Viewer, current: bool, open_blockers: list[dict]) -> dict:
    """Which actions the viewer may take now, and for approve, why not (the gate's reasons, in advance)."""
    status = article["status"]
    allowed = workflow.TRANSITIONS.get(status, ())
    review = viewer.can_review and current
    own = workflow.submitted_by(version, viewer.actor)
    refusals = []
    if status != "in_review":
        refusals.append(f"the article is {status.replace('_', ' ')}; only an article in review can be approved"
                        + ("" if status in ("approved", "rejected") else ": move it to review first"))
    if open_blockers:
        refusals.append(f"{len(open_blockers)} blocker finding(s) stand; waive or fix them first")
    if own:
        refusals.append(f"you ({viewer.actor.name}) submitted version {version.number}; "
                        "another reviewer must approve it")
    return {
        "role": viewer.actor.role, "can_review": viewer.can_review, "current": current,
        "in_review": review and "in_review" in allowed,
        "changes_requested": review and "changes_requested" in allowed,
        "rejected": review and "rejected" in allowed,
        "approve": {"shown": review and status not in ("approved", "rejected"), "enabled": review and not refusals,
                    "refusals": refusals, "blockers": open_blockers},
        "waive": review,
        "waive_blockers": review and not own,  # a version's submitter may not waive its blockers
    }


def _page(request: Request, viewer: Viewer, article_id: int, as_json: bool, status: int = 200,
          notice: dict | None = None, params=None) -> Response:
    data = article_data(request.app.state.db, article_id, viewer, params or request.query_params,
                        request.app.state.settings.config)
    done = request.query_params.get("done", "")
    if notice is None and done in DONE:
        notice = {"kind": "success", "message": DONE[done]}
    marked = marked_text(data["text"], data["findings"])
    return respond(request, viewer, "article.html", data, as_json=as_json, status=status, notice=notice,
                   marked=marked, csrf=viewer.csrf)


@router.get("/articles/{article_id:int}", include_in_schema=False)
def article_page(request: Request, article_id: int, viewer: Annotated[Viewer, Depends(signed_in)]) -> Response:
    return _page(request, viewer, article_id, False)


@router.get("/articles/{article_id:int}.json", include_in_schema=False)
def article_json(request: Request, article_id: int, viewer: Annotated[Viewer, Depends(signed_in)]) -> Response:
    return _page(request, viewer, article_id, True)


def _reason(form: dict) -> str:
    reason = form.get("reason", "").strip()
    if len(reason) > MAX_REASON:
        raise PageError(422, "reason too long", f"a reason is at most {MAX_REASON:,} characters")
    if "\x00" in reason:
        raise PageError(422, "bad reason", "a reason must not contain a NUL character")
    return reason


def _require_reviewer(viewer: Viewer, form: dict) -> None:
    check_csrf(viewer.csrf, form)
    if not viewer.can_review:
        raise PageError(403, "not allowed", f"this needs the reviewer role; your token's role is {viewer.actor.role}")


def _known_id(article_id: int) -> None:
    """Ids past the store's integer range name no article (404), rather than overflowing the query."""
    if article_id > MAX_ID:
        raise workflow.NotFound(f"no article with id {article_id}", "id")


def _refused(request: Request, viewer: Viewer, article_id: int, exc: workflow.WorkflowError,
             finding: str | None = None) -> Response:
    """The article page again, with the workflow's refusal on top and its HTTP status."""
    from ...api import STATUS_OF

    notice = {"kind": "error", "code": exc.code, "message": exc.message, "field": exc.field, "finding": finding,
              "blocking": [{"id": f["id"], "rule": f["rule"], "message": f["message"]}
                           for f in exc.extra.get("blocking", ())]}
    return _page(request, viewer, article_id, False, STATUS_OF.get(exc.code, 422), notice, params={})


@router.post("/articles/{article_id:int}/transition", include_in_schema=False)
def transition(request: Request, article_id: int, viewer: Annotated[Viewer, Depends(signed_in)],
               form: Annotated[dict, Depends(posted_form)]) -> Response:
    """Move the article (``to``: in_review, changes_requested, approved, rejected) through the workflow."""
    _require_reviewer(viewer, form)
    _known_id(article_id)
    to = form.get("to", "")
    if to not in workflow.STATUSES[1:]:
        raise PageError(422, "unknown move", f"'to' must be one of {', '.join(workflow.STATUSES[1:])}")
    try:
        workflow.transition(request.app.state.db, viewer.actor, article_id, to, _reason(form))
    except workflow.NotFound:
        raise
    except workflow.WorkflowError as exc:
        return _refused(request, viewer, article_id, exc)
    return RedirectResponse(f"/articles/{article_id}?done={to}#actions", status_code=303)


@router.post("/articles/{article_id:int}/findings/{finding_id}/waive", include_in_schema=False)
def waive(request: Request, article_id: int, finding_id: str, viewer: Annotated[Viewer, Depends(signed_in)],
          form: Annotated[dict, Depends(posted_form)]) -> Response:
    """Waive one finding of the current version; the reason is required (the workflow refuses an empty one)."""
    _require_reviewer(viewer, form)
    _known_id(article_id)
    if not FINDING_ID.match(finding_id):
        raise PageError(404, "no such finding", "a finding id looks like f12")
    try:
        workflow.waive(request.app.state.db, viewer.actor, article_id, finding_id, _reason(form))
    except workflow.NotFound:
        raise
    except workflow.WorkflowError as exc:
        return _refused(request, viewer, article_id, exc, finding_id)
    return RedirectResponse(f"/articles/{article_id}?done=waived#finding-{finding_id}", status_code=303)
