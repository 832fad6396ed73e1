"""Submissions, the status machine and its gate, waivers, history and re-checks: plain functions.

Statuses::

    submitted → in_review → approved
                    ↓   ↑
          changes_requested      (an updated version goes back to submitted)
    any status except approved → rejected

Every function that decides something owns one short transaction
(``Database.transaction``) that locks the article row, reads what the decision
depends on (status, current version, its open blockers), and writes the new
state and its history event together. A submission checks its content *before*
that transaction (the check is pure and CPU-bound), then takes the same lock
to store the version, so "approve" and "a new version arrives" are ordered:
whichever commits second sees the other's result. That is why no article can
end up approved with an unwaived blocker on its current version.

The article's ``status`` is a cache of its last event's ``to_status``
(``status_from_history`` rebuilds it); the history itself is append-only.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from extractors.types import Report

from .checking import Content, check_content, ruleset_version
from .db import Database
from .models import Article, Claim, Delivery, Event, Finding, Version, Waiver, Webhook, utcnow
from .tokens import SYSTEM, Actor

STATUSES = ("submitted", "in_review", "approved", "changes_requested", "rejected")
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "submitted": ("in_review", "rejected"),
    "in_review": ("approved", "changes_requested", "rejected"),
    "changes_requested": ("in_review", "rejected"),
    "approved": (),
    "rejected": (),
}
REASON_REQUIRED = ("changes_requested", "rejected")
RESET_BY_NEW_VERSION = ("approved", "changes_requested")
SEVERITIES = ("blocker", "warning", "info")
# History events that are announced to webhooks (a carried waiver is part of its submission's event).
ANNOUNCED = ("submitted", "status_changed", "waived", "rechecked", "claim_decided")
# what an announced event's data adds to its webhook payload (which finding, which claim decision)
ANNOUNCED_DATA = ("finding", "findings", "decision", "withdrawn", "raised", "restored")


class WorkflowError(Exception):
    """A refused request, with a stable ``code`` and the ``field`` it is about (the API maps codes to 4xx)."""

    code = "invalid"

    def __init__(self, message: str, field: str | None = None, **extra):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra


class InvalidInput(WorkflowError):
    code = "invalid"


class NotFound(WorkflowError):
    code = "not_found"


class InvalidTransition(WorkflowError):
    code = "invalid_transition"


class Blocked(WorkflowError):
    code = "blocked"


class OwnSubmission(WorkflowError):
    code = "own_submission"


class AlreadyWaived(WorkflowError):
    code = "already_waived"


# ---------------------------------------------------------------------------------------------------------------
# Submissions


@dataclass
class Submission:
    """The outcome of submitting content: ``created`` (new article), ``new_version``, ``reverted``
    (the content of an earlier version, which becomes current again) or ``unchanged``."""

    outcome: str
    article: dict

    @property
    def changed(self) -> bool:
        return self.outcome != "unchanged"


def submit(db: Database, actor: Actor, content: Content, config: str | None = None,
           check: Callable[[Content], Report | dict] | None = None) -> Submission:
    """Store one submission: check it (outside any lock), then record the version in one transaction.

    Content identical to the current version returns at once without a check.
    """
    with db.session() as s:
        row = s.execute(
            select(Article.id, Version.sha256)
            .join(Version, (Version.article_id == Article.id) & (Version.number == Article.current_version))
            .where(Article.external_id == content.external_id)).first()
        if row is not None and row.sha256 == content.sha256:
            return Submission("unchanged", article_dict(s, s.get(Article, row.id)))
    report = (check or (lambda c: check_content(c, config)))(content)
    return store_submission(db, actor, content, report, config)


def _lazy_report(report: Report | dict, content: Content, config: str | None) -> Callable[[], Report]:
    """The check itself, for claim decisions (they re-run the rules on corrected claims). A check worker
    sends only the contract's dictionary; the content is then checked again here, and only when the
    version has decisions to apply or carry."""
    made: list[Report] = [] if isinstance(report, dict) else [report]

    def get() -> Report:
        if not made:
            made.append(check_content(content, config))
        return made[0]

    return get


def store_submission(db: Database, actor: Actor, content: Content, report: Report | dict,
                     config: str | None = None) -> Submission:
    """Record checked content as the article's current version (the locked half of ``submit``).

    ``report`` may already be the contract's dictionary (the service's check workers build it).
    """
    from reports.contract import report_dict

    from . import decisions as claim_decisions

    rd = report if isinstance(report, dict) else report_dict(report)
    checked = _lazy_report(report, content, config)
    now = utcnow()
    with db.transaction() as s:
        art = _lock_or_create(s, db.dialect, content, now)
        created = art.current_version == 0
        versions = [] if created else s.execute(select(Version.id, Version.number, Version.sha256).where(
            Version.article_id == art.id)).all()
        existing = next((v for v in versions if v.sha256 == content.sha256), None)
        previous_id = next((v.id for v in versions if v.number == art.current_version), None)
        if existing is not None and existing.number == art.current_version:
            return Submission("unchanged", article_dict(s, art))
        if existing is not None:
            version, outcome = s.get(Version, existing.id), "reverted"
            if version.ruleset != rd["ruleset"]["version"]:
                _replace_report(s, version, rd, now)
        else:
            version = Version(article_id=art.id, number=max((v.number for v in versions), default=0) + 1,
                              sha256=content.sha256, title=content.title, format=content.format, body=content.body,
                              submitted_by_id=actor.id, submitted_by=actor.name, submitted_at=now,
                              ruleset=rd["ruleset"]["version"], checked_at=now, report=rd, verdict=rd["verdict"])
            s.add(version)
            s.flush()
            _add_findings(s, version, rd)
            _add_claims(s, version, rd)
            outcome = "created" if created else "new_version"
        carried = _carry_waivers(s, previous_id, version, now) if previous_id is not None else []
        followed = claim_decisions.follow(s, version, checked, now, carry_from=previous_id)
        if followed.recomputed:
            rd = version.report
        before = None if created else art.status
        after = "submitted" if created or art.status in RESET_BY_NEW_VERSION else art.status
        # no title given: the article's own (its first line), the one its report shows
        title = content.title or rd["article"].get("title") or ""
        art.current_version, art.title, art.status = version.number, title[:500], after
        # a brand-new version without carried waivers has exactly the report's open findings
        _refresh_verdict(s, art, version, now, rd["counts"] if outcome != "reverted" and not carried else None)
        data = {"sha256": content.sha256, "outcome": outcome, "verdict": art.verdict, "counts": _counts(art)}
        if carried:
            data["carried_waivers"] = [w["finding"] for w in carried]
        if followed.carried:
            data["carried_claim_decisions"] = followed.carried
        _event(s, art, "submitted", actor, before, after, "", data, now)
        if outcome != "reverted":
            for f in waiver_requests(rd):
                _event(s, art, "waiver_requested", actor, after, after, f["suppression_reason"],
                       {"finding": f["id"], "rule": f["rule"], "severity": f["severity"]}, now)
        for w in carried:
            _event(s, art, "waiver_carried", actor, after, after, w["reason"], w, now)
        return Submission(outcome, _new_article_dict(art, version) if created else article_dict(s, art))


def waiver_requests(rd: dict) -> list[dict]:
    """Open blockers whose text asks to suppress them (``artgate-disable``): requests a reviewer must accept."""
    return [f for f in rd["findings"] if f["severity"] == "blocker" and not f.get("suppressed")
            and f.get("suppression_reason")]


def _new_article_dict(art: Article, version: Version) -> dict:
    """``article_dict`` of an article just created: its one version is known, no query needed."""
    out = article_dict(None, art, versions=False)
    out["versions"] = [{
        "version": version.number, "sha256": version.sha256, "format": version.format,
        "submitted_by": version.submitted_by, "submitted_at": version.submitted_at.isoformat(),
        "ruleset": version.ruleset, "verdict": version.verdict, "counts": _counts(version), "current": True}]
    return out


def _lock_or_create(s: Session, dialect: str, content: Content, now: datetime) -> Article:
    """The article row for ``external_id``, created if new, locked for the rest of the transaction.

    ``INSERT … ON CONFLICT DO NOTHING`` makes two first submissions at once
    safe: the second waits for the first's row, then locks it.
    """
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    s.execute(dialect_insert(Article).values(
        external_id=content.external_id, title=content.title, status="submitted", current_version=0,
        verdict="pass", n_blocker=0, n_warning=0, n_info=0, ruleset="", created_at=now, updated_at=now,
    ).on_conflict_do_nothing(index_elements=["external_id"]))
    return s.scalars(select(Article).where(Article.external_id == content.external_id).with_for_update()).one()


def evidence_key(finding: dict) -> str:
    """What makes two findings "the same": the rule and the quoted evidence texts, not their offsets."""
    h = hashlib.sha256(finding["rule"].encode("utf-8"))
    for ev in finding.get("evidence", ()):
        h.update(b"\x1f" + ev.get("text", "").encode("utf-8"))
    return h.hexdigest()


def _add_findings(s: Session, version: Version, rd: dict) -> None:
    seen: Counter = Counter()
    rows = []
    for f in rd["findings"]:
        key = evidence_key(f)
        rows.append({"version_id": version.id, "fid": f["id"], "rule": f["rule"], "severity": f["severity"],
                     "evidence_key": key, "ordinal": seen[key], "suppressed": bool(f.get("suppressed")),
                     "waived": False})
        seen[key] += 1
    if rows:
        s.execute(insert(Finding), rows)


def _add_claims(s: Session, version: Version, rd: dict) -> None:
    """The report's assertions as rows (the dashboard filters and counts by target and section)."""
    rows = [{"version_id": version.id, "aid": a["id"], "root": a["root"], "target": a["target"],
             "target_kind": a["target_kind"], "polarity": a["polarity"], "is_primary": bool(a["primary"]),
             "section": (a.get("section") or "")[:500], "subsection": (a.get("subsection") or "")[:500]}
            for a in rd["assertions"]]
    if rows:
        s.execute(insert(Claim), rows)


def _carry_waivers(s: Session, source_id: int, target: Version, now: datetime) -> list[dict]:
    """Copy the source version's waivers onto findings of the target where the same rule fires on the
    same quoted evidence (matched by evidence key and ordinal). Returns what was carried."""
    if source_id == target.id:
        return []
    waivers = s.scalars(select(Waiver).where(Waiver.version_id == source_id, Waiver.fid.is_not(None))).all()
    if not waivers:
        return []
    source_number = s.scalar(select(Version.number).where(Version.id == source_id))
    findings = {(f.evidence_key, f.ordinal): f for f in s.scalars(select(Finding).where(
        Finding.version_id == target.id))}
    carried = []
    for w in waivers:
        f = findings.get((w.evidence_key, w.ordinal))
        if f is None or f.suppressed or f.waived:
            continue
        f.waived = True
        s.add(Waiver(version_id=target.id, fid=f.fid, rule=w.rule, evidence_key=w.evidence_key, ordinal=w.ordinal,
                     reason=w.reason, reviewer_id=w.reviewer_id, reviewer=w.reviewer, created_at=now,
                     carried_from_id=w.id))
        carried.append({"finding": f.fid, "rule": w.rule, "reason": w.reason, "reviewer": w.reviewer,
                        "from_version": source_number, "from_finding": w.fid})
    s.flush()
    return carried


def _replace_report(s: Session, version: Version, rd: dict, now: datetime) -> list[dict]:
    """Put a fresh check's report on a version; its waivers follow their findings or lapse.

    Returns the waivers that lapsed because their finding no longer fires.
    """
    waivers = s.scalars(select(Waiver).where(Waiver.version_id == version.id, Waiver.fid.is_not(None))).all()
    old = [(w, w.fid) for w in waivers]
    for w in waivers:
        w.fid = None
    s.flush()
    s.execute(delete(Finding).where(Finding.version_id == version.id))
    s.execute(delete(Claim).where(Claim.version_id == version.id))
    _add_findings(s, version, rd)
    _add_claims(s, version, rd)
    findings = {(f.evidence_key, f.ordinal): f for f in s.scalars(select(Finding).where(
        Finding.version_id == version.id))}
    lapsed = []
    for w, fid in old:
        f = findings.get((w.evidence_key, w.ordinal))
        if f is None or f.suppressed:
            lapsed.append({"finding": fid, "rule": w.rule, "reason": w.reason})
            continue
        w.fid, f.waived = f.fid, True
    version.report, version.ruleset, version.checked_at = rd, rd["ruleset"]["version"], now
    s.flush()
    return lapsed


def _open_counts(s: Session, version_id: int) -> dict[str, int]:
    rows = s.execute(select(Finding.severity, func.count()).where(
        Finding.version_id == version_id, Finding.suppressed.is_(False), Finding.waived.is_(False),
    ).group_by(Finding.severity)).all()
    counts = dict.fromkeys(SEVERITIES, 0)
    counts.update({sev: n for sev, n in rows if sev in counts})
    return counts


def _refresh_verdict(s: Session, art: Article, version: Version, now: datetime,
                     counts: dict[str, int] | None = None) -> None:
    """Recompute the version's and the article's verdict and open counts (``counts`` when already known)."""
    counts = counts or _open_counts(s, version.id)
    verdict = "blocked" if counts["blocker"] else "pass"
    for row in (version, art):
        row.verdict, row.n_blocker, row.n_warning, row.n_info = (
            verdict, counts["blocker"], counts["warning"], counts["info"])
    art.ruleset = version.ruleset
    art.updated_at = now


def _counts(row: Article | Version) -> dict[str, int]:
    return {"blocker": row.n_blocker, "warning": row.n_warning, "info": row.n_info}


def _event(s: Session, art: Article, kind: str, actor: Actor, before: str | None, after: str | None, reason: str,
           data: dict, now: datetime) -> Event:
    """Append one history event and, for announced kinds, its outgoing webhook deliveries (the outbox)."""
    ev = Event(article_id=art.id, version=art.current_version, kind=kind, from_status=before, to_status=after,
               actor_id=actor.id, actor=actor.name, reason=reason, data=data, created_at=now)
    s.add(ev)
    with s.no_autoflush:
        hooks = s.scalars(select(Webhook.id).where(Webhook.active.is_(True))).all() if kind in ANNOUNCED else []
    if hooks:
        s.flush()  # the deliveries need the event's id
        payload = json.dumps({
            "event": kind, "event_id": ev.id, "article_id": art.id, "external_id": art.external_id,
            "version": art.current_version, "status": art.status, "verdict": art.verdict,
            "counts": _counts(art), "at": now.isoformat(), **{k: data[k] for k in ANNOUNCED_DATA if k in data},
        }, ensure_ascii=False)
        s.execute(insert(Delivery), [{
            "webhook_id": h, "event_id": ev.id, "payload": payload, "status": "pending", "attempts": 0,
            "next_attempt_at": now, "last_error": "", "created_at": now} for h in hooks])
        s.info["outbox"] = True
    return ev


# ---------------------------------------------------------------------------------------------------------------
# Status changes and waivers


def _lock(s: Session, article_id: int) -> Article:
    art = s.scalars(select(Article).where(Article.id == article_id).with_for_update()).first()
    if art is None:
        raise NotFound(f"no article with id {article_id}", "id")
    return art


def _current_version(s: Session, art: Article) -> Version:
    return s.scalars(select(Version).where(Version.article_id == art.id,
                                           Version.number == art.current_version)).one()


def transition(db: Database, actor: Actor, article_id: int, to: str, reason: str = "") -> dict:
    """Move an article to status ``to``; the gate refuses ``approved`` while an open blocker stands."""
    reason = (reason or "").strip()
    if to not in STATUSES:
        raise InvalidInput(f"'to' must be one of {', '.join(STATUSES[1:])}", "to")
    with db.transaction() as s:
        art = _lock(s, article_id)
        allowed = TRANSITIONS[art.status]
        if to not in allowed:
            raise InvalidTransition(
                f"an article that is {art.status} cannot move to {to}"
                + (f"; it can move to {', '.join(allowed)}" if allowed else "; no status change is possible"),
                "to", from_status=art.status, allowed=list(allowed))
        if to in REASON_REQUIRED and not reason:
            raise InvalidInput(f"moving an article to {to} needs a reason for the author", "reason")
        version = _current_version(s, art)
        if to == "approved":
            if submitted_by(version, actor):
                raise OwnSubmission(f"version {version.number} was submitted by {version.submitted_by}; "
                                    "another reviewer must approve it", "to")
            blocking = _open_blockers(s, version)
            if blocking:
                raise Blocked(f"version {version.number} has {len(blocking)} blocker finding(s) that are not "
                              "waived", "to", blocking=blocking)
        now = utcnow()
        before, art.status, art.updated_at = art.status, to, now
        _event(s, art, "status_changed", actor, before, to, reason, {"verdict": art.verdict}, now)
        return article_dict(s, art)


def submitted_by(version: Version, actor: Actor) -> bool:
    """Whether ``actor`` submitted ``version``: they may then neither approve it nor waive its blockers."""
    return version.submitted_by_id == actor.id or version.submitted_by == actor.name


def _open_blockers(s: Session, version: Version) -> list[dict]:
    fids = set(s.scalars(select(Finding.fid).where(
        Finding.version_id == version.id, Finding.severity == "blocker", Finding.suppressed.is_(False),
        Finding.waived.is_(False))))
    return [f for f in version.report["findings"] if f["id"] in fids]


def waive(db: Database, actor: Actor, article_id: int, finding_id: str, reason: str) -> dict:
    """Silence one finding of the current version, for a reason kept with the reviewer's name."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("a waiver needs a reason", "reason")
    with db.transaction() as s:
        art = _lock(s, article_id)
        version = _current_version(s, art)
        f = s.scalars(select(Finding).where(Finding.version_id == version.id, Finding.fid == finding_id)).first()
        if f is None:
            raise NotFound(f"version {version.number} of article {article_id} has no finding {finding_id!r}",
                           "finding_id")
        if f.suppressed:
            raise AlreadyWaived(f"finding {finding_id} is already suppressed in the article's text", "finding_id")
        if f.waived:
            raise AlreadyWaived(f"finding {finding_id} is already waived", "finding_id")
        if f.severity == "blocker" and submitted_by(version, actor):
            # four eyes, as for approval: the author of a version never clears its own blockers
            raise OwnSubmission(f"version {version.number} was submitted by {version.submitted_by}; another "
                                "reviewer must waive its blockers", "finding_id")
        now = utcnow()
        f.waived = True
        waiver = Waiver(version_id=version.id, fid=f.fid, rule=f.rule, evidence_key=f.evidence_key,
                        ordinal=f.ordinal, reason=reason, reviewer_id=actor.id, reviewer=actor.name, created_at=now)
        s.add(waiver)
        s.flush()
        before = art.verdict
        _refresh_verdict(s, art, version, now)
        _event(s, art, "waived", actor, art.status, art.status, reason,
               {"finding": f.fid, "rule": f.rule, "severity": f.severity, "verdict_before": before,
                "verdict": art.verdict}, now)
        out = article_dict(s, art)
        out["waiver"] = waiver_dict(waiver, version.number)
        return out


# ---------------------------------------------------------------------------------------------------------------
# Re-checks


@dataclass
class RecheckSummary:
    ruleset: str
    considered: int = 0
    rechecked: int = 0
    verdict_changed: int = 0
    reopened: list[int] = field(default_factory=list)  # approved articles sent back because of a new blocker
    skipped: int = 0  # a newer version arrived meanwhile (it was checked with the current rules)


def stale_versions(db: Database, ruleset: str, everything: bool = False) -> list[tuple]:
    """(article id, version id, content) of current versions checked under another ruleset."""
    with db.session() as s:
        q = (select(Article.id, Version.id, Article.external_id, Version.title, Version.body, Version.format)
             .join(Version, (Version.article_id == Article.id) & (Version.number == Article.current_version))
             .order_by(Article.id))
        if not everything:
            q = q.where(Version.ruleset != ruleset)
        return [(a, v, Content(x, t, b, f)) for a, v, x, t, b, f in s.execute(q)]


def recheck(db: Database, config: str | None = None, *, everything: bool = False,
            progress: Callable[[int, int], None] | None = None,
            check: Callable[[Content], Report] | None = None) -> RecheckSummary:
    """Check every current version again under the current ruleset, so no stored verdict goes stale.

    Each article is checked outside any lock and then updated in its own short
    transaction, so the service can keep running. An approved article that now
    has an open blocker goes back to ``submitted``, with the reason in its history.
    """
    summary = RecheckSummary(ruleset_version(config))
    todo = stale_versions(db, summary.ruleset, everything)
    summary.considered = len(todo)
    run = check or (lambda c: check_content(c, config))
    for i, (article_id, version_id, content) in enumerate(todo, start=1):
        result = apply_recheck(db, article_id, version_id, run(content))
        if result is None:
            summary.skipped += 1
        else:
            summary.rechecked += 1
            summary.verdict_changed += result["verdict_changed"]
            if result["reopened"]:
                summary.reopened.append(article_id)
        if progress:
            progress(i, len(todo))
    return summary


def apply_recheck(db: Database, article_id: int, version_id: int, report: Report) -> dict | None:
    """Store a re-check's report on the article's current version; None if that version is no longer current."""
    from reports.contract import report_dict

    from . import decisions as claim_decisions

    rd = report_dict(report)
    with db.transaction() as s:
        art = _lock(s, article_id)
        version = _current_version(s, art)
        if version.id != version_id:
            return None
        now = utcnow()
        ruleset_before, verdict_before = version.ruleset, art.verdict
        lapsed = _replace_report(s, version, rd, now)
        lapsed += claim_decisions.follow(s, version, report, now).lapsed_waivers
        _refresh_verdict(s, art, version, now)
        before = art.status
        reopened = art.status == "approved" and art.verdict == "blocked"
        reason = ""
        if reopened:
            art.status = "submitted"
            reason = f"ruleset {rd['ruleset']['version']} finds {art.n_blocker} open blocker(s) in the approved version"
        data = {"ruleset_before": ruleset_before, "ruleset": version.ruleset, "verdict_before": verdict_before,
                "verdict": art.verdict, "counts": _counts(art)}
        if lapsed:
            data["lapsed_waivers"] = lapsed
        _event(s, art, "rechecked", SYSTEM, before, art.status, reason, data, now)
        return {"verdict_changed": verdict_before != art.verdict, "reopened": reopened}


# ---------------------------------------------------------------------------------------------------------------
# Reading


def article_dict(s: Session | None, art: Article, versions: bool = True) -> dict:
    """The article as the API shows it; ``counts`` are its current version's open findings."""
    out = {
        "id": art.id, "external_id": art.external_id, "title": art.title, "version": art.current_version,
        "status": art.status, "verdict": art.verdict, "counts": _counts(art), "ruleset": art.ruleset,
        "created_at": art.created_at.isoformat(), "updated_at": art.updated_at.isoformat(),
    }
    if versions:
        rows = s.execute(select(Version.number, Version.sha256, Version.format, Version.submitted_by,
                                Version.submitted_at, Version.ruleset, Version.verdict, Version.n_blocker,
                                Version.n_warning, Version.n_info)
                         .where(Version.article_id == art.id).order_by(Version.number)).all()
        out["versions"] = [{
            "version": r.number, "sha256": r.sha256, "format": r.format, "submitted_by": r.submitted_by,
            "submitted_at": r.submitted_at.isoformat(), "ruleset": r.ruleset, "verdict": r.verdict,
            "counts": {"blocker": r.n_blocker, "warning": r.n_warning, "info": r.n_info},
            "current": r.number == art.current_version} for r in rows]
    return out


def get_article(db: Database, article_id: int) -> dict:
    with db.session() as s:
        art = s.get(Article, article_id)
        if art is None:
            raise NotFound(f"no article with id {article_id}", "id")
        return article_dict(s, art)


def waiver_dict(w: Waiver, version: int) -> dict:
    return {"finding": w.fid, "rule": w.rule, "reason": w.reason, "reviewer": w.reviewer,
            "at": w.created_at.isoformat(), "version": version, "carried": w.carried_from_id is not None}


def report(db: Database, article_id: int, number: int | None = None) -> dict:
    """A version's report (contract ``artgate.report/1``) with its waivers shown as suppressed findings.

    ``counts`` and ``verdict`` then count only open findings, as the gate does;
    ``review`` says which article, version and status the report belongs to.
    """
    with db.session() as s:
        art = s.get(Article, article_id)
        if art is None:
            raise NotFound(f"no article with id {article_id}", "id")
        n = art.current_version if number is None else number
        version = s.scalars(select(Version).where(Version.article_id == art.id, Version.number == n)).first()
        if version is None:
            raise NotFound(f"article {article_id} has no version {n}", "version")
        waivers = {w.fid: w for w in s.scalars(select(Waiver).where(Waiver.version_id == version.id,
                                                                     Waiver.fid.is_not(None)))}
        rd = dict(version.report)
        findings = []
        for f in rd["findings"]:
            w = waivers.get(f["id"])
            if w is not None:
                f = {**f, "suppressed": True, "suppression_reason": w.reason, "waiver": waiver_dict(w, n)}
            elif f["severity"] == "blocker" and f.get("suppression_reason") and not f.get("suppressed"):
                f = {**f, "waiver_request": {"reason": f["suppression_reason"], "by": version.submitted_by}}
            findings.append(f)
        rd["findings"] = findings
        rd["counts"] = {sev: sum(1 for f in findings if f["severity"] == sev and not f["suppressed"])
                        for sev in SEVERITIES}
        rd["verdict"] = "blocked" if rd["counts"]["blocker"] else "pass"
        rd["review"] = {"article_id": art.id, "external_id": art.external_id, "version": n,
                        "current": n == art.current_version, "status": art.status,
                        "submitted_by": version.submitted_by, "submitted_at": version.submitted_at.isoformat(),
                        "checked_at": version.checked_at.isoformat()}
        return rd


def event_dict(e: Event) -> dict:
    return {"id": e.id, "at": e.created_at.isoformat(), "kind": e.kind, "version": e.version, "actor": e.actor,
            "from_status": e.from_status, "to_status": e.to_status, "reason": e.reason, "data": e.data}


def events(db: Database, article_id: int) -> list[dict]:
    """The article's history, oldest first."""
    with db.session() as s:
        if s.get(Article, article_id) is None:
            raise NotFound(f"no article with id {article_id}", "id")
        return [event_dict(e) for e in s.scalars(select(Event).where(Event.article_id == article_id)
                                                 .order_by(Event.id))]


def status_from_history(history: Iterable[dict]) -> str | None:
    """The status an article's history leads to: the ``to_status`` of its last event."""
    status = None
    for e in history:
        status = e["to_status"] or status
    return status


def audit_status_cache(db: Database) -> list[tuple[int, str, str | None]]:
    """Articles whose cached status differs from their history: (id, cached, rebuilt). Empty when sound."""
    with db.session() as s:
        last = (select(Event.article_id, func.max(Event.id).label("last")).group_by(Event.article_id).subquery())
        rows = s.execute(select(Article.id, Article.status, Event.to_status)
                         .join(last, last.c.article_id == Article.id)
                         .join(Event, Event.id == last.c.last)).all()
        return [(a, cached, rebuilt) for a, cached, rebuilt in rows if cached != rebuilt]

