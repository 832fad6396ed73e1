"""Every rule (``GET /rules``): what it checks, its examples, and how often it fires and is waived.

The explanations and examples are the ones ``artgate explain`` prints
(``rules.engine.all_rules`` under the service's configuration). The counts
are over the current versions in the store: ``fired`` is findings of the
rule that are not suppressed in the text, ``waived`` how many of those a
reviewer waived. A rule that reviewers waive most of the time (more than
half, once it fired at least ``MIN_FIRED`` times) is flagged: either it is
wrong too often, or the articles need fixing rather than waiving.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import and_, case, func, select

from ...db import Database
from ...models import Article, Finding, Version
from ..auth import Viewer
from ..render import respond
from . import signed_in

router = APIRouter()

MIN_FIRED = 3
WAIVED_SHARE = 0.5


def rule_counts(db: Database) -> dict[str, dict]:
    """Per rule: findings on current versions (open or waived) and waivers, and suppressions in the text."""
    with db.session() as s:
        rows = s.execute(
            select(Finding.rule,
                   func.sum(case((Finding.suppressed.is_(False), 1), else_=0)),
                   func.sum(case((and_(Finding.suppressed.is_(False), Finding.waived.is_(True)), 1), else_=0)),
                   func.sum(case((Finding.suppressed.is_(True), 1), else_=0)),
                   func.count(func.distinct(Version.article_id)))
            .join(Version, Version.id == Finding.version_id)
            .join(Article, and_(Article.id == Version.article_id, Article.current_version == Version.number))
            .group_by(Finding.rule)).all()
    return {rule: {"fired": int(fired or 0), "waived": int(waived or 0), "suppressed": int(suppressed or 0),
                   "articles": int(articles or 0)} for rule, fired, waived, suppressed, articles in rows}


def rules_data(db: Database, config: str | None = None) -> dict:
    from rules.engine import ENGINE_RULES, all_rules, load_ruleset

    ruleset = load_ruleset(config)
    enabled = {r.id for r in ruleset.rules}
    counts = rule_counts(db)
    empty = {"fired": 0, "waived": 0, "suppressed": 0, "articles": 0}
    out = []
    for r in all_rules(ruleset.config):
        out.append({"id": r.id, "severity": ruleset.config.severity.get(r.id, r.severity), "summary": r.summary,
                    "explanation": r.explanation, "example_trigger": r.example_trigger,
                    "example_pass": r.example_pass, "source": str(r.source), "enabled": r.id in enabled,
                    **counts.get(r.id, empty)})
    for rid, summary in ENGINE_RULES.items():
        out.append({"id": rid, "severity": ruleset.config.severity.get(rid, "warning"), "summary": summary,
                    "explanation": f"{summary}.", "example_trigger": "", "example_pass": "", "source": "engine",
                    "enabled": True, **counts.get(rid, empty)})
    known = {r["id"] for r in out}
    for rid in sorted(set(counts) - known):  # ingest.*, extraction.* and rules of an earlier ruleset
        out.append({"id": rid, "severity": "", "summary": "a finding the engine or the ingest step reports",
                    "explanation": "", "example_trigger": "", "example_pass": "", "source": "engine",
                    "enabled": True, **counts[rid]})
    for r in out:
        r["waived_share"] = round(r["waived"] / r["fired"], 3) if r["fired"] else None
        r["needs_attention"] = r["fired"] >= MIN_FIRED and r["waived"] > WAIVED_SHARE * r["fired"]
    return {"ruleset": ruleset.version, "rules": out, "flagged": [r["id"] for r in out if r["needs_attention"]],
            "min_fired": MIN_FIRED, "waived_share": WAIVED_SHARE}


def _rules(request: Request, viewer: Viewer, as_json: bool) -> Response:
    data = rules_data(request.app.state.db, request.app.state.settings.config)
    return respond(request, viewer, "rules.html", data, as_json=as_json)


@router.get("/rules", include_in_schema=False)
def rules(request: Request, viewer: Annotated[Viewer, Depends(signed_in)]) -> Response:
    return _rules(request, viewer, False)


@router.get("/rules.json", include_in_schema=False)
def rules_json(request: Request, viewer: Annotated[Viewer, Depends(signed_in)]) -> Response:
    return _rules(request, viewer, True)
