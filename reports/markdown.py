"""Markdown for a pull-request or review comment: a verdict line and a findings table per article."""

from __future__ import annotations

from extractors.types import Report

from .escape import LineIndex, counts_phrase, md_code, md_text, plural

_ORDER = {"blocker": 0, "warning": 1, "info": 2}


def render_report(report: Report) -> str:
    """One article's verdict and findings table; every field from the input is escaped (``reports.escape``)."""
    a = report.article
    lines_of = LineIndex(a.text)
    counts = {s: sum(1 for f in report.findings if f.severity == s and not f.suppressed) for s in _ORDER}
    verdict = "**BLOCKED**" if report.verdict == "blocked" else "**PASS**"
    lines = [
        f"### {md_code(a.source)} — {verdict}",
        "",
        f"{counts_phrase(counts)} · {plural(len(report.assertions), 'assertion')} · "
        f"ruleset {md_code(report.ruleset_version)}",
        "",
    ]
    if not report.findings:
        return "\n".join(lines) + "No findings.\n"
    lines += ["| severity | rule | where | finding | suggestion |", "|---|---|---|---|---|"]
    for f in sorted(report.findings, key=lambda f: (f.suppressed, _ORDER[f.severity])):
        where = "<br>".join(
            f"{md_text(ev.section) or '—'}, line {lines_of.line_col(ev.start)[0]}" for ev in f.evidence[:3])
        if len(f.evidence) > 3:
            where += f"<br>… {len(f.evidence) - 3} more"
        quote = f" — “{md_text(f.evidence[0].text[:120])}”" if f.evidence else ""
        sev = f"~~{f.severity}~~ (suppressed: {md_text(f.suppression_reason)})" if f.suppressed else f.severity
        lines.append(f"| {sev} | {md_code(f.rule, in_table=True)} | {where or '—'} | {md_text(f.message)}{quote} | "
                     f"{md_text(f.suggestion)} |")
    return "\n".join(lines) + "\n"


def render_markdown(reports: list[Report]) -> str:
    blocked = sum(1 for r in reports if r.verdict == "blocked")
    head = f"## artgate: {blocked:,} of {plural(len(reports), 'article')} blocked\n\n"
    return head + "\n".join(render_report(r) for r in reports)
