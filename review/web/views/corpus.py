"""The corpus (``GET /corpus``): for each movement and reflex, which roots the articles give it.

One article's checks find contradictions inside it; this page finds them
between articles, for the editor who owns the whole site. It reads the
claims of every article's current version (the ``claims`` rows) and, per
target:

- how many articles give each root (affirmed), give it as the main root, or deny it;
- the majority: the roots more than half of the articles that give the target
  any root agree on (none when opinion is split evenly);
- the articles that disagree: one that gives a root outside the majority, or
  one that gives a root the reference table does not list (nor as a variant),
  or denies one it lists as standard.

Hedged claims (``uncertain``) are counted apart and never make an article
disagree.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import and_, case, func, select

from ...db import Database
from ...models import Article, Claim, Version
from ..auth import Viewer
from ..charts import bar
from ..render import respond
from . import BadParameter, signed_in

router = APIRouter()

SHOWN_PER_TARGET = 25
KINDS = ("movement", "reflex")


def _root_order(root: str) -> tuple:
    return ("CTLS".find(root[:1]), int(root[1:]) if root[1:].isdigit() else 0)


def corpus_data(db: Database, kind: str = "", config: str | None = None) -> dict:
    from extractors.lexicon import load_lexicon
    from rules.engine import load_ruleset

    reference = load_ruleset(config).reference
    lexicon = load_lexicon()
    primary = func.max(case((Claim.is_primary, 1), else_=0)).label("primary")
    q = (select(Claim.target, Claim.target_kind, Claim.root, Claim.polarity, primary, Article.id, Article.external_id,
                Article.title)
         .join(Version, Version.id == Claim.version_id)
         .join(Article, and_(Article.id == Version.article_id, Article.current_version == Version.number))
         .group_by(Claim.target, Claim.target_kind, Claim.root, Claim.polarity, Article.id, Article.external_id,
                   Article.title))
    if kind:
        q = q.where(Claim.target_kind == kind)
    targets: dict[str, dict] = {}
    with db.session() as s:
        n_articles = s.scalar(select(func.count()).select_from(Article)) or 0
        for target, target_kind, root, polarity, primary, aid, external_id, title in s.execute(q):
            t = targets.setdefault(target, {"target": target, "kind": target_kind, "label": lexicon.label(target),
                                            "articles": {}})
            a = t["articles"].setdefault(aid, {"id": aid, "external_id": external_id, "title": title,
                                               "affirmed": set(), "primary": set(), "negated": set(),
                                               "uncertain": set()})
            a[polarity if polarity in ("affirmed", "negated", "uncertain") else "uncertain"].add(root)
            if primary and polarity == "affirmed":
                a["primary"].add(root)
    out = [_target(t, reference.entries.get(name)) for name, t in targets.items()]
    out.sort(key=lambda t: (-t["n_articles"], t["label"]))
    return {"kind": kind, "kinds": list(KINDS), "articles_in_store": n_articles, "targets": out,
            "disagreements": sum(t["n_disagreeing"] for t in out)}


def _target(t: dict, entry) -> dict:
    articles = list(t["articles"].values())
    giving = [a for a in articles if a["affirmed"]]
    roots: dict[str, dict] = {}
    for a in articles:
        for key in ("affirmed", "primary", "negated", "uncertain"):
            for root in a[key]:
                roots.setdefault(root, {"root": root, "affirmed": 0, "primary": 0, "negated": 0, "uncertain": 0})
                roots[root][key] += 1
    majority = sorted((r for r, c in roots.items() if c["affirmed"] * 2 > len(giving)), key=_root_order)
    listed = set(entry.standard) | {entry.primary} if entry else set()
    allowed = listed | set(entry.variants) if entry else set()
    disagreeing = []
    for a in articles:
        reasons = []
        off_majority = sorted(a["affirmed"] - set(majority), key=_root_order) if majority else []
        if off_majority:
            reasons.append({"kind": "majority", "roots": off_majority})
        if entry:
            outside = sorted(a["affirmed"] - allowed, key=_root_order)
            denied = sorted(a["negated"] & listed, key=_root_order)
            if outside:
                reasons.append({"kind": "reference", "roots": outside})
            if denied:
                reasons.append({"kind": "denies", "roots": denied})
        if reasons:
            disagreeing.append({"id": a["id"], "external_id": a["external_id"], "title": a["title"],
                                "roots": sorted(a["affirmed"], key=_root_order),
                                "primary": sorted(a["primary"], key=_root_order), "reasons": reasons})
    disagreeing.sort(key=lambda a: (-len(a["reasons"]), a["external_id"]))
    for r in roots.values():
        r["in_reference"] = ("primary" if entry and r["root"] == entry.primary else "standard"
                             if entry and r["root"] in entry.standard else "variant"
                             if entry and r["root"] in entry.variants else "no" if entry else "unknown")
        r["in_majority"] = r["root"] in majority
    return {
        "target": t["target"], "kind": t["kind"], "label": t["label"], "n_articles": len(articles),
        "n_giving": len(giving), "majority": majority,
        "reference": ({"primary": entry.primary, "standard": list(entry.standard), "variants": list(entry.variants)}
                      if entry else None),
        "roots": sorted(roots.values(), key=lambda r: (-r["affirmed"], _root_order(r["root"]))),
        "n_disagreeing": len(disagreeing), "disagreeing": disagreeing[:SHOWN_PER_TARGET],
    }


def _corpus(request: Request, viewer: Viewer, as_json: bool) -> Response:
    kind = (request.query_params.get("kind") or "").strip()
    if kind and kind not in KINDS:
        raise BadParameter("kind", f"kind must be one of {', '.join(KINDS)} (got {kind!r})")
    data = corpus_data(request.app.state.db, kind, request.app.state.settings.config)
    bars = {(t["target"], r["root"]): bar(r["affirmed"], t["n_giving"],
                                          "info" if r["in_majority"] else "warning")
            for t in data["targets"] for r in t["roots"]}
    return respond(request, viewer, "corpus.html", data, as_json=as_json, bars=bars)


@router.get("/corpus", include_in_schema=False)
def corpus(request: Request, viewer: Annotated[Viewer, Depends(signed_in)]) -> Response:
    return _corpus(request, viewer, False)


@router.get("/corpus.json", include_in_schema=False)
def corpus_json(request: Request, viewer: Annotated[Viewer, Depends(signed_in)]) -> Response:
    return _corpus(request, viewer, True)
