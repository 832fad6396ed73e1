"""The machine-readable report (schema ``artgate.report/1``) as JSON and JSON Lines.

The fields here are a contract with editorial tools, CI jobs and dashboards:
add fields freely, never rename or drop one, and bump ``SCHEMA`` on a change
that is not backwards compatible. ``schema/report.schema.json`` checks it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from extractors.types import Report

SCHEMA = "artgate.report/1"


def report_dict(report: Report) -> dict:
    a = report.article
    return {
        "schema": SCHEMA,
        "article": {
            "id": a.id,
            "title": a.title,
            "source": a.source,
            "content_sha256": a.content_sha256,
            "status": a.status,
            "format": a.format,
            "sections": a.content_sections,
            "references": [{"number": r.number, "title": r.title, "text": r.text} for r in a.references],
            "metadata": dict(a.metadata),
        },
        "ruleset": {"version": report.ruleset_version},
        "assertions": [
            {
                "id": x.id, "root": x.root, "target": x.target, "target_kind": x.target_kind,
                "relation": x.relation, "polarity": x.polarity, "primary": x.primary,
                "section": x.section, "subsection": x.subsection, "sentence": x.sentence,
                "start": x.start, "end": x.end, "citations": list(x.citations),
                "root_span": [x.root_start, x.root_end], "target_span": [x.target_start, x.target_end],
                "confidence": round(x.confidence, 4),
            }
            for x in report.assertions
        ],
        "findings": [f.to_dict() for f in report.findings],
        "counts": {sev: sum(1 for f in report.findings if f.severity == sev and not f.suppressed)
                   for sev in ("blocker", "warning", "info")},
        "verdict": report.verdict,
    }


def dumps_json(payload: object, indent: int | None = None) -> str:
    """JSON text with U+2028/U+2029 escaped: legal raw in JSON strings, but line breaks to many readers
    (``str.splitlines``, JavaScript), so a JSON Lines record could be split in two."""
    text = json.dumps(payload, ensure_ascii=False, indent=indent)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def render_json(reports: Iterable[Report], single: bool) -> str:
    """One object for a single article, else an array."""
    items = [report_dict(r) for r in reports]
    payload = items[0] if single and len(items) == 1 else items
    return dumps_json(payload, indent=2) + "\n"


def render_jsonl(reports: Iterable[Report]) -> str:
    return "".join(dumps_json(report_dict(r)) + "\n" for r in reports)
