"""The page as lines: each line's kind (paragraph, bullet, heading, table row), indent and size, the
cells of a table row and their column roles, and the spans of sentences trimmed of bullet glyphs.

Pure functions of the text and the article's blocks: no reading state.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from .types import Article

_COLUMN_ROLES = (
    ("disc", re.compile(r"\b(?:disc|disk|interspace)\b", re.IGNORECASE)),
    ("sensory", re.compile(r"\b(?:sensory|sensation|dermatomes?|skin|numbness)\b", re.IGNORECASE)),
    ("reflex", re.compile(r"\b(?:reflex(?:es)?|DTRs?|jerks?)\b", re.IGNORECASE)),
    ("root", re.compile(r"\b(?:roots?|segments?|myotomes?|levels?)\b", re.IGNORECASE)),
)


@dataclass
class Line:
    start: int
    end: int
    indent: int
    kind: str  # paragraph | bullet | heading | table_row
    words: int


def read_lines(article: Article, text: str) -> tuple[list[Line], list[int]]:
    """Every line of the text with its indent, kind (from the article's blocks) and word count."""
    out, starts = [], []
    pos = 0
    blocks = article.blocks
    block_starts = [b.start for b in blocks]
    for raw in text.split("\n"):
        s, e = pos, pos + len(raw)
        stripped = raw.lstrip(" \t•●▪◦‣∙·*+-–—")
        indent = len(raw) - len(raw.lstrip(" \t"))
        i = bisect_right(block_starts, s) - 1
        kind = blocks[i].kind if i >= 0 and s < blocks[i].end else "paragraph"
        if kind == "paragraph":
            shown = article.text[s:e].lstrip()
            if shown.startswith(("•", "●", "▪", "◦", "- ", "* ", "+ ")) or (shown[:1].isdigit() and _NUMBERED.match(
                    shown)):
                kind = "bullet"
        out.append(Line(s, e, indent, kind, len(stripped.split())))
        starts.append(s)
        pos = e + 1
    return out, starts


def complete_line(text: str, start: int, end: int) -> bool:
    """A line of a paragraph that is an item of its own: it opens after a line that ended a sentence (or
    opens the paragraph) and ends one itself ('Deltoid (C5,6) –ask patient to … ‘Don’t let me …’.' on a
    line of its own), where a hard-wrapped line of prose stops mid-sentence."""
    before = text[max(0, start - 300):start].rstrip(" \t")
    opens = not before or before.endswith("\n\n") or not before.endswith("\n") or bool(
        _ITEM_END.search(before[:-1].rstrip()))
    return opens and bool(_ITEM_END.search(text, max(start, end - 3), end)) and text[start:start + 1].isupper()


_ITEM_END = re.compile(r"[.!?:’”\")]$")


def column_roles(text: str, start: int, end: int) -> list[str]:
    roles = []
    for s, e in row_cells(text, start, end):
        cell = text[s:e]
        roles.append(next((name for name, rx in _COLUMN_ROLES if rx.search(cell)), "other"))
    return roles


def row_cells(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cells of a table row (cells are separated by ';' in the plain text)."""
    out = []
    for m in re.finditer(r"[^;\n]+", text[start:end]):
        raw = m.group()
        s = start + m.start() + len(raw) - len(raw.lstrip())
        e = start + m.end() - (len(raw) - len(raw.rstrip()))
        if s < e:
            out.append((s, e))
    return out


ROLE_WORD = re.compile(r"(?i)^(?:nerve\s+)?(?:roots?|discs?|disks?|levels?|sensory|sensation|dermatomes?|motor|"
                        r"muscles?|movements?|actions?|reflex(?:es)?|nerves?|myotomes?|weakness|power|function)$")


def reflex_label_line(text: str, line: Line) -> bool:
    """'DTR for C5-6', 'L4 DTR & Nerve | Patella', 'Deep tendon reflex: patellar' — a line about a reflex."""
    line_text = text[line.start:min(line.end, line.start + 200)]  # a label stands at the start of its line
    return bool(re.search(r"\bDTRs?\b", line_text) or re.match(
        r"\W*(?:\w+\s+){0,2}(?:deep\s+tendon\s+reflex(?:es)?|tendon\s+reflex(?:es)?|reflex(?:es)?|reflex\s+jerks|jerks)"
        r"\s*(?:for\b|:|&|\()",
        line_text, re.IGNORECASE))


_NUMBERED = re.compile(r"\d{1,3}[.)]\s")


def next_indent(lines: list[Line], li: int, text: str) -> int:
    """Indent of the next non-blank line after line ``li``."""
    for ln in lines[li + 1:]:
        if text[ln.start:ln.end].strip():
            return ln.indent
    return -1


_LEAD = set(" \t\n•●▪◦‣∙·*+-–—;")


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """A sentence span without its bullet glyph and surrounding whitespace."""
    while start < end and text[start] in _LEAD:
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] == ";"):
        end -= 1
    return start, end


def starting_in(items: list, starts: list[int], start: int, end: int) -> list:
    """The items (sorted by start) that start in [start, end), found by bisection."""
    return items[bisect_left(starts, start):bisect_left(starts, end)]


def any_starting_in(groups, starts, start: int, end: int) -> bool:
    i = bisect_left(starts, start)
    return i < len(groups) and groups[i].start < end
