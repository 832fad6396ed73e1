"""SARIF 2.1.0: one result per finding, with file, line and column, so CI systems annotate the article.

Severity maps to SARIF levels: blocker → error, warning → warning, info → note.
Columns count Unicode code points (``columnKind``), which is what artgate's
offsets are. Suppressed findings carry an ``inSource`` suppression with the
reason. Articles read from a JSON record have offsets into the record's body,
not the file, so their results name the file without a region.
"""

from __future__ import annotations

from functools import lru_cache

from extractors.types import Article, Evidence, Finding, Report

from .contract import dumps_json
from .escape import LineIndex, uri

LEVEL = {"blocker": "error", "warning": "warning", "info": "note"}
SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"


@lru_cache(maxsize=4)
def _lines(text: str) -> LineIndex:
    return LineIndex(text)


def _region(article: Article, ev: Evidence) -> dict:
    sl, sc = _lines(article.text).line_col(ev.start)
    el, ec = _lines(article.text).line_col(ev.end)
    return {"startLine": sl, "startColumn": sc, "endLine": el, "endColumn": ec, "charOffset": ev.start,
            "charLength": ev.end - ev.start, "snippet": {"text": article.text[ev.start:ev.end]}}


def _location(article: Article, ev: Evidence | None) -> dict:
    loc: dict = {"artifactLocation": {"uri": uri(article.source)}}
    if ev is not None and article.metadata.get("container") != "json":
        loc["region"] = _region(article, ev)
    return {"physicalLocation": loc}


def _result(article: Article, f: Finding, rule_index: dict[str, int]) -> dict:
    evidence = list(f.evidence)
    res: dict = {
        "ruleId": f.rule,
        "ruleIndex": rule_index[f.rule],
        "level": LEVEL[f.severity],
        "message": {"text": f.message + (f" Suggestion: {f.suggestion}" if f.suggestion else "")},
        "locations": [_location(article, evidence[0] if evidence else None)],
        "properties": {"severity": f.severity, "findingId": f.id, "articleId": article.id,
                       "assertions": list(f.assertions)},
    }
    if len(evidence) > 1:
        res["relatedLocations"] = [{"id": i, **_location(article, ev), "message": {"text": ev.section or "evidence"}}
                                   for i, ev in enumerate(evidence[1:], start=1)]
    if f.suppressed:
        res["suppressions"] = [{"kind": "inSource", "justification": f.suppression_reason}]
    return res


def render_sarif(reports: list[Report], ruleset) -> str:
    """SARIF for the reports; ``ruleset`` (rules.engine.Ruleset) describes every rule, packs included."""
    from rules.engine import ENGINE_RULES, all_rules

    known = {r.id: r for r in all_rules(ruleset.config)}
    version = ruleset.version
    used = list(dict.fromkeys(f.rule for r in reports for f in r.findings))
    rules = []
    for rid in used:
        r = known.get(rid)
        summary = r.summary if r else ENGINE_RULES.get(rid, rid)
        entry = {"id": rid, "name": rid, "shortDescription": {"text": summary}}
        if r:
            entry["fullDescription"] = {"text": r.explanation or summary}
            entry["defaultConfiguration"] = {"level": LEVEL[r.severity]}
        rules.append(entry)
    index = {rid: i for i, rid in enumerate(used)}
    run = {
        "tool": {"driver": {"name": "artgate", "version": version, "rules": rules}},
        "columnKind": "unicodeCodePoints",
        "artifacts": [{"location": {"uri": uri(r.article.source)}, "hashes": {"sha-256": r.article.content_sha256}}
                      for r in reports],
        "results": [_result(r.article, f, index) for r in reports for f in r.findings],
    }
    return dumps_json({"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"
