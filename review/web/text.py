"""An article's text with its findings' evidence marked, and the difference between two versions.

Marking: evidence spans overlap (a term inside a sentence that two findings
quote), so the text is cut at every span boundary and each piece covered by
evidence becomes one ``<mark>`` listing every finding that covers it
(``data-findings="f1 f13"``) and coloured by the most severe open one. The
first piece of each evidence gets an anchor ``ev-<finding>-<n>``, so a link
from a finding scrolls to it even without JavaScript. A sweep over the
boundaries keeps this linear in the text and the number of spans.

Every piece of text goes through ``markupsafe.escape``: the article's own
markup is shown as text, never interpreted.
"""

from __future__ import annotations

import difflib
import itertools
from bisect import bisect_right

from markupsafe import Markup, escape

RANK = {"blocker": 0, "warning": 1, "info": 2}


def line_starts(text: str) -> list[int]:
    return [0, *(i + 1 for i, ch in enumerate(text) if ch == "\n")]


def line_of(starts: list[int], offset: int) -> int:
    """1-based line number of a character offset."""
    return bisect_right(starts, offset)


def marked_text(text: str, findings: list[dict]) -> Markup:
    """The text as HTML with every finding's evidence inside ``<mark>`` elements carrying the finding ids."""
    spans = []  # (start, end, finding id, evidence index, severity or "" when waived/suppressed)
    for f in findings:
        for k, ev in enumerate(f.get("evidence") or ()):
            start, end = max(0, int(ev["start"])), min(len(text), int(ev["end"]))
            if end > start:
                spans.append((start, end, f["id"], k, "" if f.get("suppressed") else f["severity"]))
    if not spans:
        return escape(text)
    opening: dict[int, list[int]] = {}
    closing: dict[int, list[int]] = {}
    for i, (start, end, *_rest) in enumerate(spans):
        opening.setdefault(start, []).append(i)
        closing.setdefault(end, []).append(i)
    cuts = sorted({0, len(text), *opening, *closing})
    active: set[int] = set()
    out: list[str] = []
    for a, b in itertools.pairwise(cuts):
        active.difference_update(closing.get(a, ()))
        starting = opening.get(a, ())
        active.update(starting)
        out.extend(f'<span class="anchor" id="ev-{escape(spans[i][2])}-{spans[i][3]}"></span>' for i in starting)
        piece = escape(text[a:b])
        if not active:
            out.append(piece)
            continue
        covering = sorted(active)
        ids = " ".join(dict.fromkeys(spans[i][2] for i in covering))
        open_sev = [spans[i][4] for i in covering if spans[i][4]]
        cls = f"sev-{min(open_sev, key=RANK.__getitem__)}" if open_sev else "sev-closed"
        if " " in ids:
            cls += " nested"  # quoted by more than one finding (a term inside a quoted sentence)
        out.append(f'<mark class="{cls}" data-findings="{escape(ids)}" tabindex="-1">{piece}</mark>')
    return Markup("".join(out))


def line_diff(old: str, new: str, context: int = 2) -> list[dict]:
    """The lines that changed from ``old`` to ``new``, with ``context`` lines around each change.

    Rows: ``{"op": "equal"|"delete"|"insert"|"skip", "old": n, "new": n, "text": line}``;
    a ``skip`` row stands for unchanged lines left out.
    """
    a, b = old.splitlines(), new.splitlines()
    rows: list[dict] = []
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
        if rows:
            rows.append({"op": "skip", "old": None, "new": None, "text": ""})
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += [{"op": "equal", "old": i + 1, "new": j + 1, "text": a[i]}
                         for i, j in zip(range(i1, i2), range(j1, j2), strict=True)]
                continue
            rows += [{"op": "delete", "old": i + 1, "new": None, "text": a[i]} for i in range(i1, i2)]
            rows += [{"op": "insert", "old": None, "new": j + 1, "text": b[j]} for j in range(j1, j2)]
    return rows


def finding_key(f: dict) -> tuple:
    """What makes a finding "the same" in two versions: its rule and quoted evidence, not its offsets or id."""
    return (f["rule"], tuple(ev.get("text", "") for ev in f.get("evidence") or ()))


def finding_diff(old: list[dict], new: list[dict]) -> dict:
    """Open findings that the newer version added or resolved."""
    def open_keys(findings: list[dict]) -> dict[tuple, dict]:
        return {finding_key(f): f for f in findings if not f.get("suppressed")}

    before, after = open_keys(old), open_keys(new)
    pick = ("id", "rule", "severity", "message")
    return {"new": [{k: f[k] for k in pick} for key, f in after.items() if key not in before],
            "resolved": [{k: f[k] for k in pick} for key, f in before.items() if key not in after]}
