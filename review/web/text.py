"""An article's text with its findings' evidence marked, and the difference between two versions.

Marking: evidence spans overlap (a term inside a sentence that two findings
quote), so the text is cut at every span boundary and each piece covered by
evidence becomes one ``<mark>`` listing every finding that covers it
(``data-findings="f1 f13"``) and coloured by the most severe open one. The
first piece of each evidence gets an anchor ``ev-<finding>-<n>``, so a link
from a finding scrolls to it even without JavaScript. A sweep over the
boundaries keeps this linear in the text and the number of spans. A long
article is marked one window of its text at a time (``text_windows``).

Every piece of text goes through ``markupsafe.escape``: the article's own
markup is shown as text, never interpreted.
"""

from __future__ import annotations

import difflib
import itertools
import re
from bisect import bisect_right

from markupsafe import Markup, escape

RANK = {"blocker": 0, "warning": 1, "info": 2}
SENTENCE = 60  # evidence this long quotes a sentence, not a term (as the text report quotes it)
LONG_DIFF = 2000  # lines: a longer changed part is diffed with the matcher's heuristic for recurring lines


def line_starts(text: str) -> list[int]:
    return [0, *(m.end() for m in re.finditer("\n", text))]


def line_of(starts: list[int], offset: int) -> int:
    """1-based line number of a character offset."""
    return bisect_right(starts, offset)


def text_windows(text: str, size: int) -> list[tuple[int, int]]:
    """The text cut into windows of about ``size`` characters, each ending at a line end where one is near.

    A long article is shown a window at a time, so the page stays small; a line longer than
    twice ``size`` is cut inside.
    """
    out, at = [], 0
    while at < len(text):
        cut = text.find("\n", min(len(text), at + size))
        end = len(text) if cut < 0 else cut + 1
        if end - at > 2 * size:
            end = at + size
        out.append((at, end))
        at = end
    return out or [(0, 0)]


def marked_text(text: str, findings: list[dict], start: int = 0, end: int | None = None,
                words: dict[str, list[tuple[int, int]]] | None = None) -> Markup:
    """The text from ``start`` to ``end`` as HTML, every finding's evidence inside ``<mark>`` carrying its id.

    Offsets stay those of the whole text, so a window is marked exactly as the whole would be.

    Evidence that quotes a whole sentence (a finding resting on claims, or any evidence of
    ``SENTENCE`` characters or more) is marked lightly; the words a finding is about are marked
    ``word`` on top: a term or a citation marker, and ``words[finding]``, the root and target of
    the claims a sentence-level finding rests on. So a sentence's highlight never hides
    which words matter.
    """
    end = len(text) if end is None else end
    spans = []  # (start, end, finding id, evidence index or -1, severity or "" when closed, a word?)
    for f in findings:
        sev = "" if f.get("suppressed") else f["severity"]
        rests_on_claims = bool(f.get("assertions"))
        for k, ev in enumerate(f.get("evidence") or ()):
            a, b = max(start, int(ev["start"])), min(end, int(ev["end"]))
            if b > a:
                word = not rests_on_claims and int(ev["end"]) - int(ev["start"]) < SENTENCE
                spans.append((a, b, f["id"], k if a == int(ev["start"]) else -1, sev, word))
        for a, b in (words or {}).get(f["id"], ()):
            a, b = max(start, a), min(end, b)
            if b > a:
                spans.append((a, b, f["id"], -1, sev, True))
    if not spans:
        return escape(text[start:end])
    opening: dict[int, list[int]] = {}
    closing: dict[int, list[int]] = {}
    for i, (a, b, *_rest) in enumerate(spans):
        opening.setdefault(a, []).append(i)
        closing.setdefault(b, []).append(i)
    cuts = sorted({start, end, *opening, *closing})
    active: set[int] = set()
    out: list[str] = []
    for a, b in itertools.pairwise(cuts):
        active.difference_update(closing.get(a, ()))
        starting = opening.get(a, ())
        active.update(starting)
        out.extend(f'<span class="anchor" id="ev-{escape(spans[i][2])}-{spans[i][3]}"></span>' for i in starting
                   if spans[i][3] >= 0)
        piece = escape(text[a:b])
        if not active:
            out.append(piece)
            continue
        covering = sorted(active)
        ids = " ".join(dict.fromkeys(spans[i][2] for i in covering))
        open_sev = [spans[i][4] for i in covering if spans[i][4]]
        cls = f"sev-{min(open_sev, key=RANK.__getitem__)}" if open_sev else "sev-closed"
        if any(spans[i][5] for i in covering):
            cls += " word"  # the words a finding is about, never hidden by a sentence's highlight
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
    # Lines both versions begin and end with are equal: only the part between them (with the context
    # lines around it) goes to the matcher. On a long middle, lines that recur all over it are left to
    # the matcher's "popular line" heuristic, which keeps a 1 MB article's diff at milliseconds
    # rather than seconds.
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    lo, cut = max(0, head - context), max(0, tail - context)
    a_mid, b_mid = a[lo:len(a) - cut], b[lo:len(b) - cut]
    matcher = difflib.SequenceMatcher(None, a_mid, b_mid, autojunk=max(len(a_mid), len(b_mid)) > LONG_DIFF)
    rows: list[dict] = []
    for group in matcher.get_grouped_opcodes(context):
        group = [(tag, i1 + lo, i2 + lo, j1 + lo, j2 + lo) for tag, i1, i2, j1, j2 in group]
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
