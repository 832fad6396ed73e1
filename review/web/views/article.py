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
The claim decisions and group waivers have their forms here too; their routes
are in ``views.decisions``.

A long article stays usable: the findings are listed by group (the same rule
saying the same thing, ``review.groups``) with a few occurrences each and
pages of groups; a group can be opened on its own with its occurrences in
pages; the claims come in pages; the text is shown one window of about
100,000 characters at a time, and evidence in another window is a link to it.
An article of a few pages has one page of each, as before.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cache
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy import select

from ... import decisions, groups, workflow
from ...api import MAX_ID
from ...db import Database
from ...models import Version
from ..auth import Viewer, check_csrf
from ..render import respond, url_with
from ..text import finding_diff, line_diff, line_of, line_starts, marked_text, text_windows
from . import BadParameter, PageError, catalogue, posted_form, signed_in

router = APIRouter()

MAX_REASON = 5000
FINDING_ID = re.compile(r"^f[0-9]{1,9}$")
DONE = {  # ?done=… after a successful action: a fixed message, never text from the URL
    "in_review": "Moved to review.",
    "changes_requested": "Changes requested; the author sees your reason.",
    "approved": "Approved.",
    "rejected": "Rejected.",
    "waived": "Finding waived; the reason is on record.",
    "waived_group": "The group's findings are waived; the reason is on record for each.",
    "wrong": "Claim marked wrong; the findings follow.",
    "corrected": "Claim corrected; the findings follow.",
    "confirmed": "Claim confirmed.",
    "retracted": "Decision retracted; the findings follow.",
    "added": "Claim added; the findings follow.",
}
ORDER = {"blocker": 0, "warning": 1, "info": 2}
GROUPS_PER_PAGE = 30
OCCURRENCES_SHOWN = 10  # per group in the list of groups
OCCURRENCES_PER_PAGE = 100  # a group opened on its own
CLAIMS_PER_PAGE = 100
TEXT_WINDOW = 100_000  # characters of text per window
LISTED_BLOCKERS = 20  # standing blockers listed by name beside a disabled approve
LINKS_SHOWN = 12  # evidence links and claims listed under one finding (the text marks all its evidence)


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


def _version_rows(db: Database, article_id: int) -> dict[int, int]:
    """Version number → id, without loading any text or report."""
    with db.session() as s:
        return dict(s.execute(select(Version.number, Version.id).where(Version.article_id == article_id)).all())


def _version(db: Database, version_id: int):
    with db.session() as s:
        return s.execute(select(Version.number, Version.title, Version.format, Version.body, Version.submitted_by,
                                Version.submitted_by_id, Version.submitted_at, Version.checked_at, Version.ruleset,
                                Version.sha256).where(Version.id == version_id)).one()


def _number(params, name: str, versions: dict, default: int | None) -> int | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) not in versions:
        raise BadParameter(name, f"{name} must be one of this article's versions: "
                                 f"{', '.join(map(str, sorted(versions)))} (got {raw!r})")
    return int(raw)


def _page_number(params, name: str, pages: int) -> int:
    raw = (params.get(name) or "").strip()
    if not raw:
        return 1
    if not raw.isdigit() or not 1 <= int(raw) <= max(1, pages):
        raise BadParameter(name, f"{name} must be a page from 1 to {max(1, pages)} (got {raw!r})")
    return int(raw)


def _pages(n: int, size: int) -> int:
    return max(1, -(-n // size))


def _order(f: dict) -> tuple:
    return (bool(f.get("suppressed")), ORDER.get(f["severity"], 3), int(f["id"][1:]) if f["id"][1:].isdigit() else 0)


def _groups(findings: list[dict]) -> list[list[dict]]:
    """Findings by group (same rule saying the same thing), open groups first, then by severity and id."""
    by_key: dict[tuple, list[dict]] = {}
    for f in sorted(findings, key=lambda f: int(f["id"][1:]) if f["id"][1:].isdigit() else 0):
        by_key.setdefault(groups.group_key(f), []).append(f)
    return sorted(by_key.values(), key=lambda g: (all(f.get("suppressed") for f in g), *_order(min(g, key=_order))[1:]))


def article_data(db: Database, article_id: int, viewer: Viewer, params,
                 config: str | None = None) -> tuple[dict, Markup]:
    """Everything the article page shows, as plain JSON-ready values (one page of each long list),
    and the shown window of the text with the evidence of every finding marked."""
    from rules.engine import load_ruleset

    _known_id(article_id)
    article = workflow.get_article(db, article_id)
    versions = _version_rows(db, article_id)
    shown = _number(params, "version", versions, article["version"])
    report = workflow.report(db, article_id, shown)
    version = _version(db, versions[shown])
    text = version.body
    starts = line_starts(text)
    windows = text_windows(text, TEXT_WINDOW)
    window = _page_number(params, "text", len(windows))
    w_start, w_end = windows[window - 1]

    window_starts = [a for a, _b in windows]
    query = urlencode(list(params.items()))

    def window_of(offset: int) -> int:
        return max(1, bisect_right(window_starts, offset))

    @cache
    def link(changes: tuple) -> str:
        return url_with(f"/articles/{article_id}", query, done=None, **dict(changes))

    def href(**changes) -> str:
        return link(tuple(sorted(changes.items())))

    findings = report["findings"]
    claims_by_id = {a["id"]: a for a in (*report["assertions"], *report.get("withdrawn_assertions", ()))}
    all_groups = _groups(findings)
    focus = (params.get("group") or "").strip()
    if focus and focus not in {g[0]["id"] for g in all_groups}:
        raise BadParameter("group", f"group must be the first finding of one of this version's groups (got {focus!r})")
    if focus:
        shown_groups = [next(g for g in all_groups if g[0]["id"] == focus)]
        occ_pages = _pages(len(shown_groups[0]), OCCURRENCES_PER_PAGE)
        occ = _page_number(params, "occ", occ_pages)
        group_page, group_pages = 1, 1
        slices = {focus: ((occ - 1) * OCCURRENCES_PER_PAGE, occ * OCCURRENCES_PER_PAGE)}
        previous = href(occ=occ - 1 if occ > 2 else None) + "#findings" if occ > 1 else None
        following = href(occ=occ + 1) + "#findings" if occ < occ_pages else None
    else:
        group_pages = _pages(len(all_groups), GROUPS_PER_PAGE)
        group_page = _page_number(params, "fpage", group_pages)
        shown_groups = all_groups[(group_page - 1) * GROUPS_PER_PAGE:group_page * GROUPS_PER_PAGE]
        occ, occ_pages, slices = 1, 1, {g[0]["id"]: (0, OCCURRENCES_SHOWN) for g in shown_groups}
        previous = href(fpage=group_page - 1 if group_page > 2 else None) + "#findings" if group_page > 1 else None
        following = href(fpage=group_page + 1) + "#findings" if group_page < group_pages else None
    cited: dict[str, list[str]] = {}
    for f in findings:
        for aid in f.get("assertions") or ():
            cited.setdefault(aid, []).append(f["id"])
    claim_list = sorted(claims_by_id.values(), key=lambda a: int(a["id"][1:]) if a["id"][1:].isdigit() else 0)
    claim_pages = _pages(len(claim_list), CLAIMS_PER_PAGE)
    claim_page = _page_number(params, "claims", claim_pages)
    claim_page_of = {a["id"]: i // CLAIMS_PER_PAGE + 1 for i, a in enumerate(claim_list)}
    withdrawn_claims = {a["id"] for a in report.get("withdrawn_assertions", ())}

    def claim_href(aid: str) -> str:
        page = claim_page_of.get(aid, 1)
        return ("" if page == claim_page else href(claims=page if page > 1 else None)) + f"#claim-{aid}"

    def evidence_href(fid: str, k: int, start: int) -> str:
        w = window_of(start)
        return ("" if w == window else href(text=w if w > 1 else None)) + f"#ev-{fid}-{k}"

    shown_findings, group_rows = [], []
    for g in shown_groups:
        a, b = slices[g[0]["id"]]
        occurrences = []
        for f in g[a:b]:
            evidence = (f.get("evidence") or ())[:LINKS_SHOWN]
            rests_on = [c for c in f.get("assertions") or () if c in claims_by_id]
            f = {**f, "lines": [line_of(starts, ev["start"]) for ev in evidence],
                 "evidence_hrefs": [evidence_href(f["id"], k, ev["start"]) for k, ev in enumerate(evidence)],
                 "evidence_more": max(0, len(f.get("evidence") or ()) - LINKS_SHOWN),
                 "claims": [{"id": c, "text": _claim_label(claims_by_id[c]), "href": claim_href(c),
                             "withdrawn": c in withdrawn_claims} for c in rests_on[:LINKS_SHOWN]],
                 "claims_more": max(0, len(rests_on) - LINKS_SHOWN)}
            occurrences.append(f)
        shown_findings.extend(occurrences)
        n_open = sum(1 for f in g if not f.get("suppressed"))
        first_open = next((f["id"] for f in g if not f.get("suppressed")), None)
        group_rows.append({
            "id": g[0]["id"], "rule": g[0]["rule"], "severity": g[0]["severity"], "message": g[0]["message"],
            "suggestion": g[0].get("suggestion", ""), "count": len(g), "open": n_open, "first_open": first_open,
            "findings": [f["id"] for f in occurrences], "from": a + 1, "to": a + len(occurrences),
            "all_href": href(group=g[0]["id"], fpage=None) if len(g) > len(occurrences) and not focus else None,
        })
    ruleset = load_ruleset(config)
    reference, threshold = ruleset.reference, ruleset.threshold
    displayed = {f["id"] for f in shown_findings}
    page_claims = claim_list[(claim_page - 1) * CLAIMS_PER_PAGE:claim_page * CLAIMS_PER_PAGE]
    claims = [{**{k: a[k] for k in ("id", "root", "target", "target_kind", "polarity", "primary", "section",
                                    "sentence", "start", "end")},
               "confidence": a.get("confidence", 1.0), "gates": a.get("confidence", 1.0) >= threshold,
               "line": line_of(starts, a["start"]), "findings": cited.get(a["id"], []),
               "finding_hrefs": {fid: f"#finding-{fid}" if fid in displayed else
                                 f"/articles/{article_id}/findings/{fid}" for fid in cited.get(a["id"], [])},
               "withdrawn": a["id"] in withdrawn_claims, "review": a.get("review"),
               **_reference_view(reference, a)} for a in page_claims]
    marked = marked_text(text, findings, w_start, w_end, _words(findings, claims_by_id))
    current = shown == article["version"]
    open_blockers = [{"id": f["id"], "rule": f["rule"], "message": f["message"]} for f in findings
                     if f["severity"] == "blocker" and not f.get("suppressed")]
    lapsed = (report.get("claim_decisions") or {}).get("lapsed", [])
    return {
        "article": article, "shown_version": shown, "current": current,
        "version": {"number": shown, "title": version.title, "format": version.format,
                    "submitted_by": version.submitted_by, "submitted_at": version.submitted_at.isoformat(),
                    "checked_at": version.checked_at.isoformat(), "ruleset": version.ruleset, "sha256": version.sha256},
        "verdict": report["verdict"], "counts": report["counts"],
        "text": text[w_start:w_end],
        "text_window": {"page": window, "pages": len(windows), "start": w_start, "end": w_end,
                        "first_line": line_of(starts, w_start), "last_line": line_of(starts, max(w_start, w_end - 1)),
                        "lines": len(starts), "chars": len(text),
                        "previous": href(text=window - 1 if window > 2 else None) if window > 1 else None,
                        "next": href(text=window + 1) if window < len(windows) else None},
        "findings": shown_findings, "finding_groups": group_rows,
        "findings_total": len(findings), "groups_total": len(all_groups),
        "finding_pages": {"page": group_page, "pages": group_pages, "group": focus or None,
                          "occurrence_page": occ, "occurrence_pages": occ_pages,
                          "previous": previous, "next": following,
                          "all": href(group=None, occ=None) + "#findings" if focus else None},
        "assertions": claims,
        "claim_pages": {"page": claim_page, "pages": claim_pages, "total": len(claim_list),
                        "previous": href(claims=claim_page - 1 if claim_page > 2 else None) + "#claims"
                        if claim_page > 1 else None,
                        "next": href(claims=claim_page + 1) + "#claims" if claim_page < claim_pages else None},
        "gate_threshold": threshold, "lapsed_decisions": lapsed,
        "diff": _diff(db, versions, report, params, shown),
        "events": workflow.events(db, article_id),
        "actions": _actions(article, version, viewer, current, open_blockers),
    }, marked


def _claim_label(a: dict) -> str:
    return decisions.claim_text(a["root"], a["target"], a["polarity"])


def _words(findings: list[dict], claims: dict[str, dict]) -> dict[str, list[tuple[int, int]]]:
    """The root and target of each claim a finding rests on: the words it is about, inside its sentence."""
    out: dict[str, list[tuple[int, int]]] = {}
    for f in findings:
        spans = []
        for aid in f.get("assertions") or ():
            a = claims.get(aid)
            if a is None:
                continue
            for key in ("root_span", "target_span"):
                span = a.get(key) or ()
                if len(span) == 2 and span[1] > span[0]:
                    spans.append((int(span[0]), int(span[1])))
        if spans:
            out[f["id"]] = sorted(set(spans))
    return out


def _diff(db: Database, versions: dict[int, int], report: dict, params, shown: int) -> dict | None:
    """The change between two versions (by default the one before the shown version, and the shown one)."""
    if len(versions) < 2:
        return None
    new = _number(params, "to", versions, shown)
    old = _number(params, "from", versions, max((n for n in versions if n < new), default=min(versions)))
    if old == new:
        return {"from": old, "to": new, "title": None, "format": None, "lines": [],
                "findings": {"new": [], "resolved": []}}
    with db.session() as s:
        a, b = (s.execute(select(Version.title, Version.format, Version.body).where(Version.id == versions[n])).one()
                for n in (old, new))

        def findings_of(n: int) -> list[dict]:
            if n == shown:  # already read: the stored findings, without the waivers shown on them
                return [{**f, "suppressed": bool(f.get("suppressed")) and ("waiver" not in f or "withdrawn" in f)}
                        for f in report["findings"]]
            return (s.scalar(select(Version.report).where(Version.id == versions[n])) or {}).get("findings", [])

        return {"from": old, "to": new,
                "title": {"old": a.title, "new": b.title} if a.title != b.title else None,
                "format": {"old": a.format, "new": b.format} if a.format != b.format else None,
                "lines": line_diff(a.body, b.body),
                "findings": finding_diff(findings_of(old), findings_of(new))}


def _actions(article: dict, version, viewer: Viewer, current: bool, open_blockers: list[dict]) -> dict:
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
                    "refusals": refusals, "blockers": open_blockers[:LISTED_BLOCKERS],
                    "more_blockers": max(0, len(open_blockers) - LISTED_BLOCKERS)},
        "waive": review,
        "waive_blockers": review and not own,  # a version's submitter may not waive its blockers
        # claim decisions: four eyes as for waivers, and only while the article is under review
        "decide": review and not own and status in decisions.OPEN_STATUSES,
        "decide_refusal": "" if not review else (
            f"You ({viewer.actor.name}) submitted version {version.number}: another reviewer decides on its claims."
            if own else "" if status in decisions.OPEN_STATUSES else
            f"The article is {status.replace('_', ' ')}: claims are decided while it is under review."),
    }


def _page(request: Request, viewer: Viewer, article_id: int, as_json: bool, status: int = 200,
          notice: dict | None = None, params=None) -> Response:
    data, marked = article_data(request.app.state.db, article_id, viewer, params or request.query_params,
                                request.app.state.settings.config)
    done = request.query_params.get("done", "")
    if notice is None and done in DONE:
        notice = {"kind": "success", "message": DONE[done]}
    if as_json or request.query_params.get("format") == "json":
        return respond(request, viewer, "article.html", data, as_json=True, status=status)
    shown = params if params is not None else request.query_params
    back = urlencode([(k, v) for k, v in shown.items() if k in ("version", "text", "claims", "fpage", "group", "occ")])
    return respond(request, viewer, "article.html", data, status=status, notice=notice, marked=marked,
                   csrf=viewer.csrf, back=back, findings_by_id={f["id"]: f for f in data["findings"]},
                   vocabulary=catalogue(request.app.state.settings.config)["targets"])


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
