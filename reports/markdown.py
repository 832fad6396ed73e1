"""Markdown for a pull-request or review comment: a verdict line and a findings table per article."""

from __future__ import annotations

from extractors.types import Report

_ORDER = {"blocker": 0, "warning": 1, "info": 2}


def _cell(s: str) -> str:
    return " ".join(s.split()).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def render_report(report: Report) -> str:
    a = report.article
    counts = {s: sum(1 for f in report.findings if f.severity == s and not f.suppressed) for s in _ORDER}
    verdict = "**BLOCKED**" if report.verdict == "blocked" else "**PASS**"
    lines = [
        f"### `{a.source}` — {verdict}",
        "",
        f"{counts['blocker']} blockers, {counts['warning']} warnings, {counts['info']} info · "
        f"{len(report.assertions)} assertions · ruleset `{report.ruleset_version}`",
        "",
    ]
    if not report.findings:
        return "\n".join(lines) + "No findings.\n"
    lines += ["| severity | rule | where | finding | suggestion |", "|---|---|---|---|---|"]
    for f in sorted(report.findings, key=lambda f: (f.suppressed, _ORDER[f.severity])):
        where = "<br>".join(
            f"{_cell(ev.section) or '—'}, line {a.line_col(ev.start)[0]}" for ev in f.evidence[:3])
        if len(f.evidence) > 3:
            where += f"<br>… {len(f.evidence) - 3} more"
        quote = f" — “{_cell(f.evidence[0].text[:120])}”" if f.evidence else ""
        sev = f"~~{f.severity}~~ (suppressed: {_cell(f.suppression_reason)})" if f.suppressed else f.severity
        lines.append(f"| {sev} | `{f.rule}` | {where or '—'} | {_cell(f.message)}{quote} | {_cell(f.suggestion)} |")
    return "\n".join(lines) + "\n"


def render_markdown(reports: list[Report]) -> str:
    blocked = sum(1 for r in reports if r.verdict == "blocked")
    head = f"## artgate: {blocked} of {len(reports)} article{'s' if len(reports) != 1 else ''} blocked\n\n"
    return head + "\n".join(render_report(r) for r in reports)
