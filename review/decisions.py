"""Reviewers' decisions about claims, and the findings that follow them.

A reviewer marks an extracted claim *wrong* (the page does not say it), *corrects* it (another
root, target or polarity), *confirms* it (it gates whatever its confidence), *adds* a claim the
extractor missed by selecting its sentence, or *retracts* an earlier decision. Each decision is a
row of ``claim_decisions`` (append-only, per version, with who and when); the latest decision
about a claim is the one that holds. What the decisions change is derived, never edited by hand:
a version's stored report is the check of its text with its decisions applied —

1. the extraction's claims with each claim's holding decision applied (``apply_decisions``): a
   wrong claim leaves the list, a corrected one takes its new values, a corrected or confirmed
   one gets confidence 1, an added one joins (ids after the extractor's last);
2. the rules run again over that list, with the rest of the extraction as it was
   (``Ruleset.check``), so a correction can raise a finding as well as clear one;
3. the findings of the check *without* decisions keep their ids: one the decided check no
   longer makes is *withdrawn* (kept, suppressed, naming the decisions it rested on), one only
   the decided check makes is new, numbered after the last (``decided_report``).

The report, its findings and claims rows, the verdict, the queue and the corpus view therefore
all follow the decisions. ``follow`` runs these steps inside the transactions that store a
report (a submission, a re-check, a decision); a new version first takes over each decision of
the version it replaces where the same sentence carries the same claim (the n-th such claim, as
waivers are carried). Four eyes, as for waivers: a version's submitter decides nothing about
its claims.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from extractors.types import POLARITIES, Assertion, Report

from .checking import Content, check_content
from .db import Database
from .models import Article, ClaimDecision, Version, Waiver, utcnow
from .tokens import Actor
from .workflow import (
    InvalidInput,
    NotFound,
    OwnSubmission,
    WorkflowError,
    _current_version,
    _event,
    _lock,
    _refresh_verdict,
    _replace_report,
    article_dict,
    evidence_key,
    submitted_by,
)

KINDS = ("wrong", "corrected", "confirmed", "added", "retracted")
# what a request asks for → the kind stored
VERBS = {"wrong": "wrong", "correct": "corrected", "confirm": "confirmed", "retract": "retracted"}
OPEN_STATUSES = ("submitted", "in_review", "changes_requested")
ROOT = re.compile(r"^(C[1-8]|T([1-9]|1[0-2])|L[1-5]|S[1-5])$")
MAX_SENTENCE = 2000


class Closed(WorkflowError):
    code = "closed"


class Stale(WorkflowError):
    code = "conflict"


class AlreadyDecided(WorkflowError):
    code = "already_decided"


ERROR_STATUS = {"closed": 409, "conflict": 409, "already_decided": 409}


# ---------------------------------------------------------------------------------------------------------------
# Applying decisions (pure: no database)


def claim_key(a: Assertion) -> tuple[str, str, str, str]:
    """What names an extracted claim across checks and versions: its sentence, root, target and polarity."""
    return (a.sentence, a.root, a.target, a.polarity)


def _subject_key(d: ClaimDecision) -> tuple:
    return (d.sentence, d.root, d.target, d.polarity, d.ordinal)


def keyed_claims(claims: Sequence[Assertion]) -> list[tuple]:
    """Each extracted claim's (sentence, root, target, polarity, ordinal): the n-th such claim of the version."""
    seen: Counter = Counter()
    out = []
    for a in claims:
        k = claim_key(a)
        out.append((*k, seen[k]))
        seen[k] += 1
    return out


@dataclass
class Applied:
    """The claims of a version with its decisions applied."""

    claims: list[Assertion]  # what the rules read: extracted claims (minus wrong ones) then added ones
    withdrawn: list[Assertion]  # claims marked wrong (extracted or added)
    holding: dict[str, ClaimDecision] = field(default_factory=dict)  # claim id → the decision that holds on it
    subjects: dict[str, tuple] = field(default_factory=dict)  # claim id → ("x", key) or ("d", added decision id)
    lapsed: list[ClaimDecision] = field(default_factory=list)  # decisions whose claim this text no longer has
    originals: dict[str, Assertion] = field(default_factory=dict)  # claim id → the claim before its decision

    def claim(self, claim_id: str) -> Assertion | None:
        return next((a for a in (*self.claims, *self.withdrawn) if a.id == claim_id), None)


def _target_kind(target: str) -> str:
    from extractors.lexicon import load_lexicon

    return load_lexicon().kinds.get(target, "movement")


def _section(article, start: int) -> tuple[str, str]:
    sec = article.section_at(start) if article is not None else None
    return (sec.top if sec else "", sec.heading if sec and sec.level > 1 else "")


def _with_decision(a: Assertion, d: ClaimDecision | None) -> Assertion:
    if d is None or d.kind == "retracted":
        return a
    if d.kind == "corrected":
        target = d.new_target or a.target
        return replace(a, root=d.new_root or a.root, target=target, target_kind=_target_kind(target),
                       polarity=d.new_polarity or a.polarity, confidence=1.0)
    if d.kind == "confirmed":
        return replace(a, confidence=1.0)
    return a


def apply_decisions(claims: Sequence[Assertion], decisions: Sequence[ClaimDecision], text: str,
                    article=None) -> Applied:
    """The claims with each one's latest decision applied (``decisions`` in the order they were made)."""
    keys = keyed_claims(claims)
    keyed = {k: i for i, k in enumerate(keys)}
    on_extracted: dict[int, ClaimDecision] = {}
    added: dict[int, list] = {}  # added decision id → [the added decision, the latest decision about it]
    lapsed = []
    for d in sorted(decisions, key=lambda d: d.id):
        if d.kind == "added":
            if text[d.start:d.end] == d.sentence:
                added[d.id] = [d, None]
            else:
                lapsed.append(d)
        elif d.subject_id is not None:
            if d.subject_id in added:
                added[d.subject_id][1] = None if d.kind == "retracted" else d  # back to the claim as added
            else:
                lapsed.append(d)
        else:
            i = keyed.get(_subject_key(d))
            if i is None:
                lapsed.append(d)
            else:
                on_extracted[i] = d
    out = Applied([], [])
    for i, a in enumerate(claims):
        d = on_extracted.get(i)
        out.subjects[a.id] = ("x", keys[i])
        out.originals[a.id] = a
        if d is not None and d.kind != "retracted":
            out.holding[a.id] = d
        (out.withdrawn if d is not None and d.kind == "wrong" else out.claims).append(_with_decision(a, d))
    base = max((int(a.id[1:]) for a in claims if a.id[1:].isdigit()), default=0)
    numbered = sorted(d.id for d in decisions if d.kind == "added")
    for decision_id, (d, last) in added.items():
        aid = f"a{base + 1 + numbered.index(decision_id)}"
        section, subsection = _section(article, d.start)
        claim = Assertion(aid, article.id if article is not None else "", d.root, d.target, _target_kind(d.target),
                          "reviewer", d.polarity, False, section, subsection, d.sentence, d.start, d.end,
                          d.start, d.start, d.start, d.start, confidence=1.0)
        out.subjects[aid] = ("d", decision_id)
        out.originals[aid] = claim
        out.holding[aid] = last if last is not None else d
        (out.withdrawn if last is not None and last.kind == "wrong" else out.claims).append(
            _with_decision(claim, last))
    out.lapsed = lapsed
    return out


def decided_report(report: Report, decisions: Sequence[ClaimDecision], ruleset=None) -> dict:
    """The report of ``report``'s text with ``decisions`` applied (contract ``artgate.report/1`` plus review fields).

    ``report`` is the check without decisions; its findings keep their ids (withdrawn ones stay,
    suppressed); findings only the decided check makes get ids after the last.
    """
    from reports.contract import report_dict

    raw = report_dict(report)
    if not decisions:
        return raw
    ruleset = ruleset or ruleset_of(report)
    extraction = report.extraction
    if extraction is None:  # a report made outside Ruleset.check: extract again (slower, same result)
        from extractors.relations import analyze

        extraction = analyze(report.article)
    applied = apply_decisions(report.assertions, decisions, report.article.text, report.article)
    decided = report_dict(ruleset.check(report.article, replace(extraction, assertions=applied.claims)))
    by_claim = {aid: d for aid, d in applied.holding.items()}
    rd = {**raw, "assertions": [_claim_dict(a, by_claim.get(a["id"]), applied) for a in decided["assertions"]]}
    rd["withdrawn_assertions"] = [
        _claim_dict(a, by_claim.get(a["id"]), applied)
        for a in report_dict(replace(report, assertions=tuple(applied.withdrawn), findings=()))["assertions"]]
    rd["findings"] = _merge_findings(raw["findings"], decided["findings"], applied)
    rd["counts"] = {sev: sum(1 for f in rd["findings"] if f["severity"] == sev and not f["suppressed"])
                    for sev in ("blocker", "warning", "info")}
    rd["verdict"] = "blocked" if rd["counts"]["blocker"] else "pass"
    ordered = sorted(decisions, key=lambda d: d.id)
    lapsed = {d.id for d in applied.lapsed}
    rd["claim_decisions"] = {"through": ordered[-1].id, "applied": [d.id for d in ordered if d.id not in lapsed],
                             "lapsed": sorted(lapsed)}
    return rd


def _claim_dict(a: dict, d: ClaimDecision | None, applied: Applied) -> dict:
    if d is None:
        return a
    original = applied.originals.get(a["id"])
    review = {"decision": d.id, "kind": d.kind, "reviewer": d.reviewer, "at": d.created_at.isoformat(),
              "reason": d.reason}
    if original is not None and d.kind == "corrected":
        review["extracted"] = {"root": original.root, "target": original.target, "polarity": original.polarity}
    if applied.subjects.get(a["id"], ("x",))[0] == "d":
        review["added"] = True
    return {**a, "review": review}


def _decisions_on(claim_ids, applied: Applied) -> list[int]:
    return sorted({applied.holding[c].id for c in claim_ids if c in applied.holding})


def _merge_findings(base: list[dict], decided: list[dict], applied: Applied) -> list[dict]:
    """``base``'s findings by id, as the decided check makes them, withdrawn where it does not; then new ones."""
    index: dict[tuple, int] = {}
    seen: Counter = Counter()
    for i, f in enumerate(base):
        k = evidence_key(f)
        index[(k, seen[k])] = i
        seen[k] += 1
    out = list(base)
    matched, unmatched = set(), []
    seen.clear()
    for f in decided:
        k = evidence_key(f)
        i = index.get((k, seen[k]))
        seen[k] += 1
        if i is None:
            unmatched.append(f)
        else:
            out[i] = {**f, "id": base[i]["id"]}
            matched.add(i)
    new = []
    for f in unmatched:  # the same finding on fewer or more claims: same rule, same message, other evidence
        said = (f["rule"], f["severity"], f["message"])
        i = next((i for i, b in enumerate(base) if i not in matched and (b["rule"], b["severity"], b["message"]) ==
                  said), None)
        if i is None:
            new.append(f)
        else:
            out[i] = {**f, "id": base[i]["id"]}
            matched.add(i)
    everything = sorted({d.id for d in applied.holding.values()})
    for i, f in enumerate(base):
        if i in matched:
            continue
        on = _decisions_on(f.get("assertions") or (), applied) or everything
        claims = [c for c in f.get("assertions") or () if c in applied.holding]
        out[i] = {**f, "suppressed": True,
                  "suppression_reason": _withdrawn_reason(claims, applied) or "withdrawn after the claim decisions",
                  "withdrawn": {"decisions": on, "claims": claims}}
    last = max((int(f["id"][1:]) for f in base if f["id"][1:].isdigit()), default=0)
    for n, f in enumerate(new, start=1):
        out.append({**f, "id": f"f{last + n}",
                    "raised": {"decisions": _decisions_on(f.get("assertions") or (), applied) or everything}})
    return out


VERB_OF = {"wrong": "marked wrong", "corrected": "corrected", "confirmed": "confirmed", "added": "added",
           "retracted": "retracted"}


def _withdrawn_reason(claims: list[str], applied: Applied) -> str:
    """Why a finding is withdrawn: the decisions on the claims it rested on, else every decision that holds."""
    parts = []
    for c in claims or [c for c in applied.holding][:3]:
        d = applied.holding[c]
        a = applied.originals.get(c)
        what = f"{c} ({claim_text(a.root, a.target, a.polarity)})" if a is not None else c
        parts.append(f"claim {what} {VERB_OF[d.kind]} by {d.reviewer}" + (f": {d.reason}" if d.reason else ""))
    if not parts:
        return ""
    more = "" if claims or len(applied.holding) <= 3 else f"; and {len(applied.holding) - 3} more decisions"
    return ("withdrawn: " if claims else "withdrawn: the rules no longer find it after the claim decisions: ") + \
        "; ".join(parts) + more


def ruleset_of(report: Report, config: str | None = None):
    """The ruleset that made ``report`` (by its version), loading the configured one if needed."""
    from rules.engine import load_ruleset, loaded_ruleset

    found = loaded_ruleset(report.ruleset_version)
    if found is not None:
        return found
    for candidate in (config, os.environ.get("ARTGATE_CONFIG") or None, None):
        ruleset = load_ruleset(candidate)
        if ruleset.version == report.ruleset_version:
            return ruleset
    raise RuntimeError(f"no ruleset of version {report.ruleset_version} is loaded in this process")


# ---------------------------------------------------------------------------------------------------------------
# Carrying decisions to another version (pure)


def _occurrence(text: str, sentence: str, start: int) -> int:
    """How many times ``sentence`` occurs in ``text`` before ``start``."""
    n, at = 0, text.find(sentence)
    while 0 <= at < start:
        n += 1
        at = text.find(sentence, at + 1)
    return n


def _nth(text: str, sentence: str, n: int) -> int:
    at = text.find(sentence)
    while at >= 0 and n > 0:
        at = text.find(sentence, at + 1)
        n -= 1
    return at


@dataclass(frozen=True)
class Carry:
    """One decision to copy onto the new version, at its new place."""

    row: ClaimDecision
    start: int
    end: int


def carry_plan(decisions: Sequence[ClaimDecision], old_text: str, claims: Sequence[Assertion], new_text: str,
               taken: Sequence[ClaimDecision] = ()) -> list[Carry]:
    """The decisions that hold on the old version and find their claim in the new one, oldest first.

    An extracted claim is found where the same sentence carries the same claim (the n-th such
    claim); an added claim where its sentence occurs again (the n-th occurrence), unless the
    extractor now finds that claim there itself. Claims the new version already has decisions
    about (``taken``) keep them.
    """
    latest: dict[tuple, ClaimDecision] = {}
    added: dict[int, list] = {}
    for d in sorted(decisions, key=lambda d: d.id):
        if d.kind == "added":
            added[d.id] = [d, None]
        elif d.subject_id is not None:
            if d.subject_id in added:
                added[d.subject_id][1] = None if d.kind == "retracted" else d
        else:
            latest[_subject_key(d)] = d
    keyed = {k: i for i, k in enumerate(keyed_claims(claims))}
    taken_keys = {_subject_key(d) for d in taken if d.kind != "added" and d.subject_id is None}
    taken_added = {(d.sentence, d.start, d.root, d.target, d.polarity) for d in taken if d.kind == "added"}
    plan = []
    for key, d in latest.items():
        i = keyed.get(key)
        if d.kind == "retracted" or i is None or key in taken_keys:
            continue
        plan.append(Carry(d, claims[i].start, claims[i].end))
    for d, last in added.values():
        if last is not None and last.kind == "wrong":
            continue
        at = _nth(new_text, d.sentence, _occurrence(old_text, d.sentence, d.start))
        if at < 0 or (d.sentence, at, d.root, d.target, d.polarity) in taken_added:
            continue
        end = at + len(d.sentence)
        values = (last.new_root or d.root, last.new_target or d.target, last.new_polarity or d.polarity) \
            if last is not None and last.kind == "corrected" else (d.root, d.target, d.polarity)
        if any(a.start <= at and end <= a.end and (a.root, a.target, a.polarity) == values for a in claims):
            continue  # the extractor finds it now
        plan.append(Carry(d, at, end))
        if last is not None:
            plan.append(Carry(last, at, end))
    return sorted(plan, key=lambda c: c.row.id)


# ---------------------------------------------------------------------------------------------------------------
# In the store


def rows_of(s: Session, version_id: int) -> list[ClaimDecision]:
    return list(s.scalars(select(ClaimDecision).where(ClaimDecision.version_id == version_id)
                          .order_by(ClaimDecision.id)))


@dataclass
class Followed:
    recomputed: bool = False
    carried: list[dict] = field(default_factory=list)  # decisions taken over from the version before
    lapsed_waivers: list[dict] = field(default_factory=list)  # waivers of findings a retraction took away again


def follow(s: Session, version: Version, report: Report | Callable[[], Report], now: datetime,
           carry_from: int | None = None, ruleset=None) -> Followed:
    """Make the version's stored report the check with its claim decisions applied (inside the caller's transaction).

    ``report`` is the check of the version's text without decisions (or a function giving it, called
    only when there are decisions to carry or apply). With ``carry_from``, the decisions of that
    version are first carried over where their claims are found. Nothing is done when the stored
    report already reflects every decision.
    """
    get = report if callable(report) else (lambda: report)
    out = Followed()
    if carry_from is not None and carry_from != version.id:
        out.carried = _carry(s, carry_from, version, get, now)
    rows = rows_of(s, version.id)
    if not rows or (version.report.get("claim_decisions") or {}).get("through") == rows[-1].id:
        return out
    rd = decided_report(get(), rows, ruleset)
    holding = {w.id: w.fid for w in s.scalars(select(Waiver).where(Waiver.version_id == version.id,
                                                                   Waiver.fid.is_not(None)))}
    lapsed = _replace_report(s, version, rd, now)
    kept = _keep_waivers(s, version, rd, holding)
    out.lapsed_waivers = [w for w in lapsed if w["finding"] not in kept]
    out.recomputed = True
    return out


def _keep_waivers(s: Session, version: Version, rd: dict, holding: dict[int, str]) -> set[str]:
    """Waivers stay on their findings through claim decisions, even where the evidence changed.

    ``_replace_report`` keeps a waiver where the same rule quotes the same evidence; a finding
    the decisions withdrew, or that now quotes fewer sentences, keeps its id here (``holding``
    maps each waiver that held to its finding), so its waiver stays, and retracting the
    decision brings the finding back waived. Findings the decisions raised have no stable id
    and keep waivers by their evidence only. Returns the ids of the findings whose waivers stayed.
    """
    from .models import Finding

    stable = {f["id"]: f["rule"] for f in rd["findings"] if not f.get("raised")}
    lapsed = [w for w in s.scalars(select(Waiver).where(Waiver.id.in_(list(holding)), Waiver.fid.is_(None)))
              if stable.get(holding[w.id]) == w.rule] if holding else []
    if not lapsed:
        return set()
    rows = {f.fid: f for f in s.scalars(select(Finding).where(
        Finding.version_id == version.id, Finding.fid.in_([holding[w.id] for w in lapsed])))}
    kept = set()
    for w in lapsed:
        f = rows.get(holding[w.id])
        if f is not None and not f.waived:
            w.fid, f.waived = f.fid, True
            kept.add(f.fid)
    s.flush()
    return kept


def _carry(s: Session, source_id: int, target: Version, get: Callable[[], Report], now: datetime) -> list[dict]:
    rows = rows_of(s, source_id)
    if not rows:
        return []
    report = get()
    source = s.execute(select(Version.number, Version.body).where(Version.id == source_id)).one()
    plan = carry_plan(rows, source.body, report.assertions, report.article.text, rows_of(s, target.id))
    copies: dict[int, int] = {}
    out = []
    for c in plan:
        d = c.row
        copy = ClaimDecision(version_id=target.id, kind=d.kind, aid=d.aid,
                             subject_id=copies.get(d.subject_id) if d.subject_id is not None else None,
                             sentence=d.sentence, start=c.start, end=c.end, root=d.root, target=d.target,
                             polarity=d.polarity, ordinal=d.ordinal, new_root=d.new_root, new_target=d.new_target,
                             new_polarity=d.new_polarity, reason=d.reason, reviewer_id=d.reviewer_id,
                             reviewer=d.reviewer, created_at=now, carried_from_id=d.id)
        s.add(copy)
        s.flush()
        copies[d.id] = copy.id
        out.append({"decision": copy.id, "kind": d.kind, "claim": _claim_text(copy), "reviewer": d.reviewer,
                    "from_version": source.number, "from_decision": d.id})
    return out


def claim_text(root: str, target: str, polarity: str) -> str:
    """'L5 → ankle dorsiflexion', with the polarity when it is not affirmed."""
    return f"{root} → {target.replace('_', ' ')}" + ("" if polarity == "affirmed" else f" ({polarity})")


def _claim_text(d: ClaimDecision) -> str:
    text = claim_text(d.root, d.target, d.polarity)
    if d.kind == "corrected":
        text += ", corrected to " + claim_text(d.new_root or d.root, d.new_target or d.target,
                                               d.new_polarity or d.polarity)
    return text


def decision_dict(d: ClaimDecision, version: int | None = None) -> dict:
    out = {"id": d.id, "kind": d.kind, "claim": d.aid, "sentence": d.sentence, "start": d.start, "end": d.end,
           "root": d.root, "target": d.target, "polarity": d.polarity, "reason": d.reason, "reviewer": d.reviewer,
           "at": d.created_at.isoformat(), "carried": d.carried_from_id is not None}
    if d.kind == "corrected":
        out["correction"] = {"root": d.new_root or d.root, "target": d.new_target or d.target,
                             "polarity": d.new_polarity or d.polarity}
    if d.subject_id is not None:
        out["about_added"] = d.subject_id
    if version is not None:
        out["version"] = version
    return out


# ---------------------------------------------------------------------------------------------------------------
# Deciding


def _read(db: Database, actor: Actor, article_id: int) -> tuple[int, Content]:
    """The current version's id and content, refusing early what the locked check would refuse anyway."""
    with db.session() as s:
        art = s.get(Article, article_id)
        if art is None:
            raise NotFound(f"no article with id {article_id}", "id")
        version = _current_version(s, art)
        _may_decide(art, version, actor)
        return version.id, Content(art.external_id, version.title, version.body, version.format)


def _may_decide(art: Article, version: Version, actor: Actor) -> None:
    if art.status not in OPEN_STATUSES:
        raise Closed(f"the article is {art.status.replace('_', ' ')}: claims are decided while it is under review",
                     "id")
    if submitted_by(version, actor):
        raise OwnSubmission(f"version {version.number} was submitted by {version.submitted_by}; another reviewer "
                            "must decide on its claims", "claim_id")


def _root(value: str | None, field_name: str = "root") -> str:
    root = (value or "").strip().upper()
    if not ROOT.match(root):
        raise InvalidInput(f"{field_name} must be a spinal root such as C5, T1, L5 or S1 (got {value!r})", field_name)
    return root


def _target(value: str | None, field_name: str = "target") -> str:
    from extractors.lexicon import load_lexicon

    target = (value or "").strip().lower().replace(" ", "_").replace("-", "_")
    labels = load_lexicon().labels
    if target not in labels:
        raise InvalidInput(f"{field_name} must be a movement or reflex of the vocabulary, such as ankle_dorsiflexion "
                           f"(got {value!r})", field_name)
    return target


def _polarity(value: str | None, field_name: str = "polarity") -> str:
    polarity = (value or "").strip().lower()
    if polarity not in POLARITIES:
        raise InvalidInput(f"{field_name} must be one of {', '.join(POLARITIES)} (got {value!r})", field_name)
    return polarity


def _decide(db: Database, actor: Actor, article_id: int, config: str | None, build) -> dict:
    """Check the current version outside any lock, then record the decision ``build`` makes and follow it.

    ``build(s, version, report, applied)`` returns the new row (or raises a refusal); it runs
    in the transaction, against the decisions as they stand there.
    """
    from rules.engine import load_ruleset

    version_id, content = _read(db, actor, article_id)
    report = check_content(content, config)
    ruleset = load_ruleset(config)
    with db.transaction() as s:
        art = _lock(s, article_id)
        version = _current_version(s, art)
        if version.id != version_id:
            raise Stale(f"version {version.number} arrived while the decision was being made; decide on it", "id")
        _may_decide(art, version, actor)
        applied = apply_decisions(report.assertions, rows_of(s, version.id), report.article.text, report.article)
        row = build(s, version, report, applied)
        now = utcnow()
        row.version_id, row.reviewer_id, row.reviewer, row.created_at = version.id, actor.id, actor.name, now
        s.add(row)
        s.flush()
        before = version.report
        verdict_before = art.verdict
        followed = follow(s, version, report, now, ruleset=ruleset)
        _refresh_verdict(s, art, version, now)
        effect = _effect(before, version.report)
        data = {"decision": decision_dict(row, version.number), **effect, "verdict_before": verdict_before,
                "verdict": art.verdict}
        if followed.lapsed_waivers:
            data["lapsed_waivers"] = followed.lapsed_waivers
        _event(s, art, "claim_decided", actor, art.status, art.status, row.reason, data, now)
        out = article_dict(s, art)
        out.update({"decision": data["decision"], **effect})
        return out


def _effect(before: dict, after: dict) -> dict:
    """Findings this decision withdrew and raised (ids), and those it brought back."""
    def marked(rd: dict, key: str) -> set[str]:
        return {f["id"] for f in rd.get("findings", ()) if f.get(key)}

    def ids(rd: dict) -> set[str]:
        return {f["id"] for f in rd.get("findings", ())}

    was_withdrawn, now_withdrawn = marked(before, "withdrawn"), marked(after, "withdrawn")
    return {"withdrawn": sorted(now_withdrawn - was_withdrawn, key=_fnum),
            "raised": sorted(ids(after) - ids(before), key=_fnum),
            "restored": sorted((was_withdrawn - now_withdrawn) & ids(after), key=_fnum)}


def _fnum(fid: str) -> int:
    return int(fid[1:]) if fid[1:].isdigit() else 0


def decide(db: Database, actor: Actor, article_id: int, claim_id: str, verb: str, *, reason: str = "",
           root: str | None = None, target: str | None = None, polarity: str | None = None,
           expect: dict | None = None, config: str | None = None) -> dict:
    """Decide about one claim of the current version: ``wrong``, ``correct``, ``confirm`` or ``retract``.

    ``expect`` (root, target, polarity) is the claim as the reviewer saw it: a claim that has
    changed since (another decision, a re-check) is refused rather than decided blind.
    """
    kind = VERBS.get(verb)
    if kind is None:
        raise InvalidInput(f"decision must be one of {', '.join(VERBS)} (got {verb!r})", "decision")
    reason = (reason or "").strip()
    if kind == "wrong" and not reason:
        raise InvalidInput("marking a claim wrong needs a reason: what the page says instead", "reason")
    new = {}
    if kind == "corrected":
        new = {"root": _root(root) if root else None, "target": _target(target) if target else None,
               "polarity": _polarity(polarity) if polarity else None}
        if not any(new.values()):
            raise InvalidInput("a correction gives a new root, target or polarity", "root")

    def build(_s: Session, version: Version, _report: Report, applied: Applied) -> ClaimDecision:
        claim = applied.claim(claim_id)
        if claim is None:
            raise NotFound(f"version {version.number} has no claim {claim_id!r}", "claim_id")
        if expect and any(expect.get(k) and expect[k] != getattr(claim, k) for k in ("root", "target", "polarity")):
            raise Stale(f"claim {claim_id} is now {claim.root} → {claim.target} ({claim.polarity}); reload the page "
                        "and decide again", "claim_id")
        holding = applied.holding.get(claim_id)
        subject = applied.subjects[claim_id]
        if kind == "retracted" and (holding is None or holding.kind == "added"):
            raise AlreadyDecided(f"claim {claim_id} has no decision to retract" if holding is None else
                                 f"claim {claim_id} was added by {holding.reviewer}; mark it wrong to remove it",
                                 "claim_id")
        if holding is not None and holding.kind == kind and kind in ("wrong", "confirmed"):
            raise AlreadyDecided(f"claim {claim_id} is already {'marked wrong' if kind == 'wrong' else 'confirmed'} "
                                 f"(by {holding.reviewer})", "claim_id")
        if kind == "corrected":
            values = (new["root"] or claim.root, new["target"] or claim.target, new["polarity"] or claim.polarity)
            if values == (claim.root, claim.target, claim.polarity):
                raise InvalidInput(f"claim {claim_id} already says {claim.root} → {claim.target} ({claim.polarity})",
                                   "root")
        original = applied.originals[claim_id]
        row = ClaimDecision(kind=kind, aid=claim_id, sentence=original.sentence, start=original.start,
                            end=original.end, root=original.root, target=original.target,
                            polarity=original.polarity, ordinal=subject[1][-1] if subject[0] == "x" else 0,
                            subject_id=subject[1] if subject[0] == "d" else None, reason=reason,
                            new_root=new.get("root"), new_target=new.get("target"), new_polarity=new.get("polarity"))
        return row

    return _decide(db, actor, article_id, config, build)


def locate(text: str, *, start: int | None = None, end: int | None = None, sentence: str | None = None,
           near: int | None = None) -> tuple[int, int]:
    """The span of a sentence a reviewer selected: by offsets, or by its text (the occurrence nearest ``near``).

    Whitespace at either end is left out; a sentence lies within one line, as the extractor reads them.
    """
    if start is not None or end is not None:
        if start is None or end is None or not 0 <= start < end <= len(text):
            raise InvalidInput(f"start and end must select text within the version's {len(text):,} characters",
                               "start")
        if sentence is not None and " ".join(sentence.split()) != " ".join(text[start:end].split()):
            raise InvalidInput("the sentence is not the text between start and end", "sentence")
    else:
        wanted = (sentence or "").strip()
        if not wanted:
            raise InvalidInput("select the sentence that makes the claim (or give start and end)", "sentence")
        spans = [(m.start(), m.end()) for m in re.finditer(re.escape(wanted), text)]
        if not spans:
            loose = r"\s+".join(re.escape(w) for w in wanted.split())
            spans = [(m.start(), m.end()) for m in re.finditer(loose, text)]
        if not spans:
            raise InvalidInput("the sentence does not occur in the version's text", "sentence")
        if len(spans) > 1 and near is None:
            raise InvalidInput(f"the sentence occurs {len(spans)} times in the text; select the one you mean",
                               "sentence")
        start, end = min(spans, key=lambda sp: abs(sp[0] - (near or 0)))
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        raise InvalidInput("the selection is only white space", "sentence")
    if "\n" in text[start:end] or "\r" in text[start:end]:
        raise InvalidInput("a claim's sentence lies within one line: select part of one line", "sentence")
    if end - start > MAX_SENTENCE:
        raise InvalidInput(f"the selection is over {MAX_SENTENCE:,} characters: select the one sentence", "sentence")
    return start, end


def add_claim(db: Database, actor: Actor, article_id: int, *, root: str, target: str, polarity: str = "affirmed",
              start: int | None = None, end: int | None = None, sentence: str | None = None,
              near: int | None = None, reason: str = "", config: str | None = None) -> dict:
    """Add a claim the extractor missed, in a sentence of the current version the reviewer selected."""
    values = (_root(root), _target(target), _polarity(polarity))
    reason = (reason or "").strip()

    def build(s: Session, version: Version, report: Report, applied: Applied) -> ClaimDecision:
        text = report.article.text
        a, b = locate(text, start=start, end=end, sentence=sentence, near=near)
        for c in applied.claims:
            if c.start <= a and b <= c.end and (c.root, c.target, c.polarity) == values:
                raise AlreadyDecided(f"claim {c.id} already says {c.root} → {c.target} ({c.polarity}) in this "
                                     "sentence" + ("; confirm it instead" if c.confidence < 1 else ""), "sentence")
        base = max((int(x.id[1:]) for x in report.assertions if x.id[1:].isdigit()), default=0)
        added = sum(1 for d in rows_of(s, version.id) if d.kind == "added")
        return ClaimDecision(kind="added", aid=f"a{base + added + 1}", sentence=text[a:b], start=a, end=b,
                             root=values[0], target=values[1], polarity=values[2], ordinal=0, reason=reason)

    return _decide(db, actor, article_id, config, build)


# ---------------------------------------------------------------------------------------------------------------
# Reading


def claims(db: Database, article_id: int, number: int | None = None) -> dict:
    """A version's claims with the decisions that hold on them, its withdrawn claims, and every decision made."""
    with db.session() as s:
        art = s.get(Article, article_id)
        if art is None:
            raise NotFound(f"no article with id {article_id}", "id")
        n = art.current_version if number is None else number
        version = s.scalars(select(Version).where(Version.article_id == art.id, Version.number == n)).first()
        if version is None:
            raise NotFound(f"article {article_id} has no version {n}", "version")
        rd = version.report
        return {"article_id": art.id, "version": n, "current": n == art.current_version,
                "assertions": rd.get("assertions", []), "withdrawn_assertions": rd.get("withdrawn_assertions", []),
                "lapsed": (rd.get("claim_decisions") or {}).get("lapsed", []),
                "decisions": [decision_dict(d, n) for d in rows_of(s, version.id)]}
