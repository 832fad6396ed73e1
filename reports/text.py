"""The human-readable report: what a reviewer reads in a terminal.

Findings that repeat (the same term six times) are shown once with every
place they occur; each place gives its section and line, and quotes the text
with the offending words marked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from extractors.types import Article, Evidence, Finding, Report

from .escape import LineIndex, counts_phrase, one_line, plural

_COLOR = {"blocker": "\033[1;31m", "warning": "\033[33m", "info": "\033[36m", "pass": "\033[1;32m",
          "blocked": "\033[1;31m", "dim": "\033[2m", "mark": "\033[1m"}
_RESET = "\033[0m"
_SEV_ORDER = {"blocker": 0, "warning": 1, "info": 2}


class _Style:
    def __init__(self, color: bool):
        self.color = color

    def __call__(self, key: str, s: str) -> str:
        return f"{_COLOR[key]}{s}{_RESET}" if self.color else s


def _quote(article: Article, ev: Evidence, style: _Style, width: int = 150) -> str:
    text = article.text
    if ev.end - ev.start >= 60:  # a sentence: show it, shortened
        body = one_line(" ".join(text[ev.start:ev.end].split()))
        return f'"{body[:width - 1] + "…" if len(body) > width else body}"'
    left = one_line(re.sub(r"\s+", " ", text[max(0, ev.start - 45):ev.start].split("\n")[-1]).lstrip())
    right = one_line(re.sub(r"\s+", " ", text[ev.end:ev.end + 45].split("\n")[0]).rstrip())
    mark = style("mark", f"»{one_line(text[ev.start:ev.end])}«")
    return f'"…{left}{mark}{right}…"'


def _groups(findings: Iterable[Finding]) -> list[list[Finding]]:
    groups: dict[tuple, list[Finding]] = {}
    for f in findings:
        key = (f.rule, f.severity, f.message.lower(), f.suggestion, f.suppressed)
        groups.setdefault(key, []).append(f)
    return sorted(groups.values(), key=lambda g: (_SEV_ORDER[g[0].severity], g[0].suppressed))


def render_report(report: Report, color: bool = False) -> str:
    """One article: every field from the input (names, titles, messages, quotes) shown with controls escaped."""
    style = _Style(color)
    a = report.article
    lines_of = LineIndex(a.text)
    counts = {s: sum(1 for f in report.findings if f.severity == s and not f.suppressed) for s in _SEV_ORDER}
    verdict = report.verdict.upper()
    lines = [
        f"{one_line(a.source)}  {style(report.verdict, verdict)}  "
        f"({counts_phrase(counts)} · {plural(len(report.assertions), 'assertion')})",
    ]
    if a.title:
        lines.append(style("dim", f'  "{one_line(a.title)}" · status: {one_line(a.status)}'))
    for group in _groups(report.findings):
        f = group[0]
        evidence = [e for g in group for e in g.evidence]
        times = f"  ({plural(len(group), 'occurrence')})" if len(group) > 1 else ""
        tag = " (suppressed: " + one_line(f.suppression_reason) + ")" if f.suppressed else ""
        lines.append("")
        lines.append(f"  {style(f.severity, f.severity)}  {one_line(f.rule)}{times}{tag}")
        lines.append(f"    {one_line(f.message)}")
        for ev in evidence:
            line, col = lines_of.line_col(ev.start)
            where = f"{one_line(ev.section) or '(no section)'}, line {line}:{col}"
            lines.append(f"    {style('dim', '·')} {where}  {_quote(a, ev, style)}")
        if f.suggestion:
            lines.append(f"    suggestion: {one_line(f.suggestion)}")
    return "\n".join(lines) + "\n"


def render_text(reports: list[Report], color: bool = False) -> str:
    out = [render_report(r, color) for r in reports]
    if len(reports) > 1:
        blocked = sum(1 for r in reports if r.verdict == "blocked")
        out.append(f"{plural(len(reports), 'article')}: {blocked:,} blocked, {len(reports) - blocked:,} passed.\n")
    return "\n".join(out)
