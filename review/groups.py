"""Repeated findings as one group: the same rule saying the same thing (the same term, the same marker).

The Dr. Oracle seed says "plantar dorsiflexion" six times, so one rule fires six times with one
message; a reviewer reads that as one problem and decides it once (``waive_group``): one reason
covers every open occurrence, and a waiver is still recorded per occurrence, so each finding
shows its waiver and a new version carries each one where its evidence recurs. The dashboard
lists findings by these groups, as ``artgate check`` prints them.
"""

from __future__ import annotations

from sqlalchemy import select

from .db import Database
from .models import Finding, Waiver, utcnow
from .tokens import Actor
from .workflow import (
    AlreadyWaived,
    InvalidInput,
    NotFound,
    OwnSubmission,
    _current_version,
    _event,
    _lock,
    _refresh_verdict,
    article_dict,
    submitted_by,
    waiver_dict,
)


def group_key(f: dict) -> tuple:
    """What makes findings one group: rule, severity, message (any case) and suggestion."""
    return (f["rule"], f["severity"], f["message"].lower(), f.get("suggestion") or "")


def group_of(findings: list[dict], finding_id: str) -> list[dict]:
    """The findings in ``finding_id``'s group, in report order (empty when there is no such finding)."""
    f = next((f for f in findings if f["id"] == finding_id), None)
    if f is None:
        return []
    key = group_key(f)
    return [g for g in findings if group_key(g) == key]


def waive_group(db: Database, actor: Actor, article_id: int, finding_id: str, reason: str) -> dict:
    """Waive every open finding of ``finding_id``'s group in the current version, for one reason.

    One waiver per occurrence and one ``waived`` event naming them all. Four eyes as for one
    waiver: the version's submitter may not waive a group of blockers.
    """
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("a waiver needs a reason", "reason")
    with db.transaction() as s:
        art = _lock(s, article_id)
        version = _current_version(s, art)
        members = group_of(version.report["findings"], finding_id)
        if not members:
            raise NotFound(f"version {version.number} of article {article_id} has no finding {finding_id!r}",
                           "finding_id")
        first = members[0]
        rows = {f.fid: f for f in s.scalars(select(Finding).where(
            Finding.version_id == version.id, Finding.fid.in_([m["id"] for m in members])))}
        open_rows = [rows[m["id"]] for m in members if m["id"] in rows and not rows[m["id"]].suppressed
                     and not rows[m["id"]].waived]
        if not open_rows:
            raise AlreadyWaived(f"every finding of {finding_id}'s group ({len(members)}) is already waived, "
                                "suppressed or withdrawn", "finding_id")
        if first["severity"] == "blocker" and submitted_by(version, actor):
            raise OwnSubmission(f"version {version.number} was submitted by {version.submitted_by}; another "
                                "reviewer must waive its blockers", "finding_id")
        now = utcnow()
        waivers = []
        for f in open_rows:
            f.waived = True
            w = Waiver(version_id=version.id, fid=f.fid, rule=f.rule, evidence_key=f.evidence_key,
                       ordinal=f.ordinal, reason=reason, reviewer_id=actor.id, reviewer=actor.name, created_at=now)
            s.add(w)
            waivers.append(w)
        s.flush()
        before = art.verdict
        _refresh_verdict(s, art, version, now)
        fids = [f.fid for f in open_rows]
        _event(s, art, "waived", actor, art.status, art.status, reason,
               {"finding": fids[0], "findings": fids, "rule": first["rule"], "severity": first["severity"],
                "group": len(members), "verdict_before": before, "verdict": art.verdict}, now)
        out = article_dict(s, art)
        out["waivers"] = [waiver_dict(w, version.number) for w in waivers]
        return out
