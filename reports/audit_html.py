"""The nightly audit's HTML page: one self-contained file (inline CSS and SVG, no scripts)."""

from __future__ import annotations

from html import escape

from .escape import plural

_CSS = """
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
header{background:#1b1f24;color:#fff;padding:14px 24px}header h1{font-size:18px;margin:0}
main{padding:16px 24px;max-width:1100px}section{background:#fff;border:1px solid #d8dde3;border-radius:6px;
margin:0 0 18px;padding:12px 18px}table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:4px 8px;
border-bottom:1px solid #eceff2;font-size:14px}.num{text-align:right;font-variant-numeric:tabular-nums}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{background:#fff;border:1px solid #d8dde3;border-radius:6px;
padding:10px 16px;min-width:120px}.card b{display:block;font-size:22px}.blocker{color:#a1111f}.warning{color:#b26b00}
.info{color:#3a6ea5}code{font-family:ui-monospace,monospace;font-size:13px}
"""


def run_labels(run_ids: list[str]) -> list[str]:
    """Short labels that tell runs apart: '12-07 02:00' from '20261207T020000-ab12cd' (UTC), with the
    seconds and then the run's suffix where two runs share the minute."""

    def label(rid: str, detail: int) -> str:
        stamp, _, suffix = rid.partition("-")
        if len(stamp) != 15 or stamp[8] != "T" or not (stamp[:8] + stamp[9:]).isdigit():
            return rid[:16]
        out = f"{stamp[4:6]}-{stamp[6:8]} {stamp[9:11]}:{stamp[11:13]}"
        if detail >= 1:
            out += f":{stamp[13:15]}"
        if detail >= 2 and suffix:
            out += f" {suffix[:6]}"
        return out

    for detail in range(3):
        labels = [label(r, detail) for r in run_ids]
        if len(set(labels)) == len(labels):
            return labels
    return labels


def _article(aid: str, details: dict) -> str:
    """An article id, linked to its findings below when the report lists them."""
    code = f"<code>{escape(aid)}</code>"
    return f'<a href="#{_anchor(aid)}">{code}</a>' if aid in details else code


def _anchor(aid: str) -> str:
    return "article-" + "".join(c if c.isalnum() or c in "-_" else f"_{ord(c):x}" for c in aid)


def trend_svg(history: list[dict], width: int = 640, height: int = 180) -> str:
    """Blockers and warnings per run as two polylines; no scripts, no external assets."""
    if len(history) < 2:
        return "<p>The trend appears after the second run.</p>"
    pad = 32
    series = {"blocker": "#a1111f", "warning": "#b26b00"}
    top = max(1, *(h.get("findings", {}).get(s, 0) for h in history for s in series))
    step = (width - 2 * pad) / (len(history) - 1)

    def y(v: int) -> float:
        return height - pad - (height - 2 * pad) * v / top

    parts = [f'<svg role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}"><title>Blockers and warnings per run</title>',
             f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="#999"/>',
             f'<text x="4" y="{pad}" font-size="11">{top}</text>',
             f'<text x="4" y="{height - pad}" font-size="11">0</text>']
    for sev, color in series.items():
        pts = " ".join(f"{pad + i * step:.1f},{y(h.get('findings', {}).get(sev, 0)):.1f}"
                       for i, h in enumerate(history))
        parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{pts}"><title>{sev}s'
                     "</title></polyline>")
    labels = run_labels([h["run_id"] for h in history])
    every = max(1, len(history) // 8)  # at most about eight labels, so they never overlap
    for i, h in enumerate(history):
        parts.append(f'<circle cx="{pad + i * step:.1f}" cy="{height - pad}" r="2" fill="#999"><title>'
                     f"run {escape(h['run_id'])}</title></circle>")
        if i % every == 0 or i == len(history) - 1:
            parts.append(f'<text x="{pad + i * step:.1f}" y="{height - 10}" font-size="10" text-anchor="middle">'
                         f"{escape(labels[i])}</text>")
    parts.append(f'<text x="{width - pad}" y="14" font-size="11" text-anchor="end" fill="#a1111f">blockers</text>'
                 f'<text x="{width - pad}" y="28" font-size="11" text-anchor="end" fill="#b26b00">warnings</text>')
    return "".join(parts) + "</svg>"


def render_audit_html(summary: dict, history: list[dict]) -> str:
    f = summary.get("findings", {})
    cards = "".join(f'<div class="card"><b class="{cls}">{escape(str(v))}</b>{escape(label)}</div>'
                    for label, v, cls in (
        ("articles", summary["articles"], ""), ("blocked", summary["blocked"], "blocker"),
        ("passed", summary["passed"], ""), ("bad items", summary["bad_items"], "warning"),
        ("blockers", f.get("blocker", 0), "blocker"), ("warnings", f.get("warning", 0), "warning"),
        ("info", f.get("info", 0), "info")))
    rules = "".join(f'<tr><td><code>{escape(r["rule"])}</code></td><td class="{r["severity"]}">{r["severity"]}'
                    f'</td><td class="num">{r["count"]}</td></tr>' for r in summary["by_rule"])
    details = summary.get("article_findings") or {}
    worst = "".join(f'<tr><td>{_article(a["article_id"], details)}</td><td>{escape(a["title"])}</td>'
                    f'<td class="num">{a["blockers"]}</td></tr>' for a in summary["most_blockers"])
    if summary.get("previous_run"):
        change = (f"<p>Since run <code>{escape(summary['previous_run'])}</code>: "
                  f"<b>{plural(summary['new_findings'], 'new finding')}</b>, "
                  f"<b>{summary['resolved_findings']:,}</b> resolved.</p>")
        for title, key in (("New", "new"), ("Resolved", "resolved")):
            rows = "".join(f'<tr><td>{_article(x["article_id"], details)}</td><td><code>{escape(x["rule"])}</code>'
                           f"</td><td>{escape(x['message'])}</td></tr>" for x in summary[key])
            if rows:
                change += f"<h3>{title}</h3><table>{rows}</table>"
    else:
        change = "<p>First run for this source: nothing to compare with yet.</p>"
    bad = "".join(f"<li><code>{escape(b['item'])}</code>: {escape(b['reason'])}</li>" for b in summary["unreadable"])
    bad += "".join(f"<li><code>{escape(m['article_id'])}</code>: {escape(', '.join(m['problems']))}</li>"
                   for m in summary["malformed"])
    found = "".join(
        f'<h3 id="{_anchor(aid)}"><code>{escape(aid)}</code></h3><ul>'
        + "".join(f'<li><span class="{f["severity"]}">{f["severity"]}</span> <code>{escape(f["rule"])}</code> '
                  f"{escape(f['message'])}</li>" for f in fs) + "</ul>"
        for aid, fs in details.items())
    found_html = (f"<section><h2>Findings of the articles above</h2>{found}<p>Every finding is in "
                  "<code>findings.parquet</code>.</p></section>") if found else ""
    run = summary.get("prefect_run")
    if run and run.get("url"):
        run_html = (f' · Prefect flow run <a href="{escape(run["url"])}"><code>{escape(run.get("name", ""))}</code>'
                    "</a>")
    elif run:
        run_html = f' · Prefect flow run <code>{escape(run.get("name", ""))}</code> (<code>{escape(run["id"])}</code>)'
    else:
        run_html = ""
    exp = summary.get("expectations")
    exp_html = "" if exp is None else (
        f"<section><h2>Assertion table checks</h2><p>{plural(exp['evaluated'], 'expectation')}, "
        f"{'all met' if exp['success'] else 'some failed'}.</p>"
        + "".join(f"<p class='warning'>{escape(x['meaning'])}: {plural(x['unexpected'], 'row')}</p>"
                  for x in exp["failed"])
        + "</section>")
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>artgate audit '
        f"{escape(summary['run_id'])}</title><style>{_CSS}</style></head><body><header><h1>artgate nightly audit · "
        f"{escape(summary['run_id'])}</h1></header><main>"
        f"<p>Source <code>{escape(summary.get('source', ''))}</code> · ruleset <code>"
        f"{escape(summary.get('ruleset', ''))}</code>{run_html}</p><div class='cards'>{cards}</div>"
        f"<section><h2>Trend</h2>{trend_svg(history)}</section>"
        f"<section><h2>What changed</h2>{change}</section>"
        f"<section><h2>Findings by rule</h2><table><tr><th>rule</th><th>severity</th><th class='num'>count</th>"
        f"</tr>{rules}</table></section>"
        f"<section><h2>Articles with the most blockers</h2><table>{worst or '<tr><td>none</td></tr>'}</table>"
        f"</section>{found_html}{exp_html}<section><h2>Bad items</h2><ul>{bad or '<li>none</li>'}</ul></section>"
        "</main></body></html>\n"
    )
