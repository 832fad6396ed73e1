"""One self-contained HTML file: each article with its findings' evidence highlighted and linked.

No scripts, no external assets (inline CSS only), so it renders offline and
anywhere. Every piece of article text and every message is HTML-escaped: an
article containing ``<script>`` shows it as text and never runs it.
Overlapping evidence (a term inside a sentence) is drawn by splitting the text
at every span boundary and marking each piece with its most severe finding.
"""

from __future__ import annotations

import itertools
from html import escape

from extractors.types import Report

from .escape import LineIndex, counts_phrase, plural

_RANK = {"blocker": 0, "warning": 1, "info": 2}
_CSS = """
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
header{background:#1b1f24;color:#fff;padding:14px 24px}header h1{font-size:18px;margin:0}
main{padding:16px 24px;max-width:1200px}
section.article{background:#fff;border:1px solid #d8dde3;border-radius:6px;margin:0 0 24px;padding:16px 20px}
.verdict{font-weight:700;padding:2px 8px;border-radius:4px}.blocked{background:#fde7e9;color:#a1111f}
.pass{background:#e4f6e8;color:#136c2e}
ol.findings{padding-left:20px}ol.findings li{margin:6px 0}
.sev{font-size:12px;font-weight:700;text-transform:uppercase;padding:1px 6px;border-radius:3px;margin-right:6px}
.sev-blocker{background:#a1111f;color:#fff}.sev-warning{background:#b26b00;color:#fff}.sev-info{background:#3a6ea5;color:#fff}
.suppressed{opacity:.55}.rule{font-family:ui-monospace,monospace;font-size:13px}
pre.text{white-space:pre-wrap;font:14px/1.55 ui-monospace,SFMono-Regular,Menlo,monospace;background:#fbfbfc;
border:1px solid #e3e6ea;padding:12px;border-radius:4px}
mark{padding:0 1px;border-radius:2px}mark.m-blocker{background:#ffc9cf}mark.m-warning{background:#ffe2a8}
mark.m-info{background:#d3e6fb}a.ev{font-size:12px;margin-right:6px}
"""


def _marked_text(report: Report, prefix: str) -> str:
    text = report.article.text
    spans = []  # (start, end, severity, anchor)
    for f in report.findings:
        for k, ev in enumerate(f.evidence):
            if ev.end > ev.start:
                spans.append((ev.start, ev.end, "info" if f.suppressed else f.severity, f"{prefix}-{f.id}-{k}"))
    cuts = sorted({0, len(text), *(s for s, _, _, _ in spans), *(e for _, e, _, _ in spans)})
    starts: dict[int, list[str]] = {}
    for s, _, _, anchor in spans:
        starts.setdefault(s, []).append(anchor)
    opening: dict[int, list[str]] = {}
    closing: dict[int, list[str]] = {}
    for s, e, sev, _ in spans:
        opening.setdefault(s, []).append(sev)
        closing.setdefault(e, []).append(sev)
    # one sweep over the cuts, counting the open spans per severity: linear in text and spans
    active = dict.fromkeys(_RANK, 0)
    out = []
    for a, b in itertools.pairwise(cuts):
        for sev in closing.get(a, ()):
            active[sev] -= 1
        for sev in opening.get(a, ()):
            active[sev] += 1
        anchors = "".join(f'<a id="{x}"></a>' for x in starts.get(a, []))
        piece = escape(text[a:b])
        sev = next((sev for sev in _RANK if active[sev] > 0), None)
        out.append(f'{anchors}<mark class="m-{sev}">{piece}</mark>' if sev else anchors + piece)
    return "".join(out)


def _article(report: Report, n: int) -> str:
    a = report.article
    lines_of = LineIndex(a.text)
    prefix = f"a{n}"
    items = []
    for f in sorted(report.findings, key=lambda f: (f.suppressed, _RANK[f.severity])):
        links = "".join(
            f'<a class="ev" href="#{prefix}-{f.id}-{k}">{escape(ev.section or "evidence")}, line '
            f"{lines_of.line_col(ev.start)[0]}</a>" for k, ev in enumerate(f.evidence))
        sup = f" <em>(suppressed: {escape(f.suppression_reason)})</em>" if f.suppressed else ""
        sugg = f"<br><small>Suggestion: {escape(f.suggestion)}</small>" if f.suggestion else ""
        items.append(
            f'<li class="{"suppressed" if f.suppressed else ""}"><span class="sev sev-{f.severity}">'
            f'{f.severity}</span><span class="rule">{escape(f.rule)}</span>{sup}<br>{escape(f.message)}{sugg}'
            f"<br>{links}</li>")
    counts = {s: sum(1 for f in report.findings if f.severity == s and not f.suppressed) for s in _RANK}
    return (
        f'<section class="article" id="{prefix}"><h2>{escape(a.title or a.id)}</h2>'
        f'<p><span class="verdict {report.verdict}">{report.verdict.upper()}</span> '
        f"{escape(a.source)} · status {escape(a.status)} · {counts_phrase(counts)} · "
        f"{plural(len(report.assertions), 'assertion')}</p>"
        f'<ol class="findings">{"".join(items) or "<li>No findings.</li>"}</ol>'
        f'<pre class="text">{_marked_text(report, prefix)}</pre></section>'
    )


def render_html(reports: list[Report]) -> str:
    blocked = sum(1 for r in reports if r.verdict == "blocked")
    body = "".join(_article(r, i) for i, r in enumerate(reports, start=1))
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>artgate report</title><style>{_CSS}</style></head><body>"
        f"<header><h1>artgate · {blocked:,} of {plural(len(reports), 'article')} blocked</h1></header>"
        f"<main>{body}</main></body></html>\n"
    )
