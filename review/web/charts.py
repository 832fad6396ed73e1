"""Inline SVG charts for the dashboard: no script, no external asset, every label escaped.

Colours are the dashboard's severity colours, each with a contrast ratio of
at least 4.5:1 on white, and every chart has a ``<title>`` and a table beside
it with the same numbers (a chart is never the only way to read them).
"""

from __future__ import annotations

from markupsafe import Markup, escape

COLOURS = {"blocker": "#a1111f", "warning": "#8a5300", "info": "#2f5f8f"}


def line_chart(labels: list[str], series: dict[str, list[int]], title: str, width: int = 720,
               height: int = 220) -> Markup:
    """One polyline per series over ``labels`` (the x axis), scaled to the largest value."""
    if len(labels) < 2:
        return Markup('<p class="muted">The trend appears after the second run.</p>')
    left, right, top, bottom = 44, 110, 16, 34
    peak = max(1, *(v for values in series.values() for v in values))
    step = (width - left - right) / (len(labels) - 1)

    def x(i: int) -> float:
        return left + i * step

    def y(v: int) -> float:
        return top + (height - top - bottom) * (1 - v / peak)

    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
             f'<line x1="{left}" y1="{y(0):.1f}" x2="{width - right}" y2="{y(0):.1f}" stroke="#5f6b76"/>',
             f'<text x="{left - 6}" y="{y(peak) + 4:.1f}" text-anchor="end" font-size="12">{peak}</text>',
             f'<text x="{left - 6}" y="{y(0) + 4:.1f}" text-anchor="end" font-size="12">0</text>']
    for k, (name, values) in enumerate(series.items()):
        colour = COLOURS.get(name, "#1b1f24")
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2.5" points="{points}">'
                     f"<title>{escape(name)}</title></polyline>")
        parts += [f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}"><title>{escape(name)}: {v} in '
                  f"{escape(labels[i])}</title></circle>" for i, v in enumerate(values)]
        parts.append(f'<text x="{width - right + 10}" y="{top + 14 + 18 * k}" font-size="13" fill="{colour}">'
                     f"{escape(name)}: {values[-1]}</text>")
    every = max(1, len(labels) // 8)
    parts += [f'<text x="{x(i):.1f}" y="{height - 12}" text-anchor="middle" font-size="11">{escape(label)}</text>'
              for i, label in enumerate(labels) if i % every == 0 or i == len(labels) - 1]
    return Markup("".join(parts) + "</svg>")


def sparkline(values: list[int], severity: str, label: str, width: int = 120, height: int = 28) -> Markup:
    """A small trend line for one rule's counts across runs."""
    if not values:
        return Markup("")
    peak = max(1, *values)
    step = (width - 4) / max(1, len(values) - 1)
    points = " ".join(f"{2 + i * step:.1f},{height - 3 - (height - 6) * v / peak:.1f}" for i, v in enumerate(values))
    colour = COLOURS.get(severity, "#1b1f24")
    return Markup(f'<svg class="spark" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
                  f'aria-label="{escape(label)}"><title>{escape(label)}</title>'
                  f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/></svg>')


def bar(value: int, peak: int, severity: str = "info", width: int = 160, height: int = 14) -> Markup:
    """A horizontal bar (SVG, so the page needs no inline style under its content security policy)."""
    w = 0 if peak <= 0 else round(width * value / peak, 1)
    colour = COLOURS.get(severity, "#2f5f8f")
    return Markup(f'<svg class="bar" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
                  f'aria-hidden="true"><rect x="0" y="0" width="{w}" height="{height}" rx="2" fill="{colour}"/></svg>')
