"""The page as lines: each line's kind (paragraph, bullet, heading, table row), indent and size, the
cells of a table row and their column roles, and the spans of sentences trimmed of bullet glyphs.

Pure functions of the text and the article's blocks: no reading state.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from itertools import pairwise

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
    cells: list[tuple[int, int]] | None = None  # a table row's cells, as the layout reader split them
    roles: list[str] | None = None  # its table's column roles, from the header (or the root column found)


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


def column_roles(text: str, line: Line) -> list[str]:
    roles = []
    for s, e in cells_of(text, line):
        cell = text[s:e]
        roles.append(next((name for name, rx in _COLUMN_ROLES if rx.search(cell)), "other"))
    return roles


def cells_of(text: str, line: Line) -> list[tuple[int, int]]:
    """A table row's cells: as the layout reader split them, else by the ';' an HTML table leaves."""
    return line.cells if line.cells is not None else row_cells(text, line.start, line.end)


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


# ---------------------------------------------------------------------------------------------------------------
# The layout reader: tables, row lists and root/target line pairs, whatever the text encoding of the layout.

# A header cell's role: what its column holds ('Myotome | Function', 'Root | Motor | Reflex | Sensory').
_HEADER_ROLES = (
    ("disc", re.compile(r"\b(?:disc|disk|interspace)\b", re.IGNORECASE)),
    ("sensory", re.compile(r"\b(?:sensory|sensation|dermatomes?|skin|numbness|pain|paraesthesi\w*|paresthesi\w*)\b",
                           re.IGNORECASE)),
    ("reflex", re.compile(r"\b(?:reflex(?:es)?|DTRs?|jerks?)\b", re.IGNORECASE)),
    ("root", re.compile(r"\b(?:roots?|segments?|myotomes?|levels?|nerve)\b", re.IGNORECASE)),
    ("motor", re.compile(r"\b(?:motor|muscles?|movements?|actions?|functions?|weakness|power|strength|tests?|"
                         r"motions?)\b", re.IGNORECASE)),
)
_PIPE = re.compile(r"\|")
_SPACED = re.compile(r"\S(?: {2,}|\t+)\S")
_SPACE_SPLIT = re.compile(r" {2,}|\t+")
# a cell glued to the next where a flattened table lost its separators: 'Lateral upper armDeltoid, bicepsBiceps'
_GLUE = re.compile(r"(?<=[a-z)\]%])(?=[A-Z][a-z])|(?<![A-Za-z][CTLS]\d)(?<=[CTLS]\d)(?=[A-Z][a-z])")
_ROOT_LEAD = re.compile(r"[\s•●▪◦‣∙·*+–—-]*(?:[CTLS]\s?\d|(?i:cervical|thoracic|lumbar|sacral)\s+\d)")


@dataclass
class Structure:
    """Lines read together: a table (rows of cells), a row list ('C5 – shoulder abduction' lines) or
    root/target line pairs ('L2' then 'Hip flexion', 'Biceps reflex' then 'C5-C6')."""

    kind: str  # table | row-list | pairs
    encoding: str  # pipe | tab | spaces | semicolon | glued | lines
    rows: list[int]  # line indices, in order
    roles: list[str] = field(default_factory=list)  # column roles from the header row
    header: int = -1  # the header row's line index


@dataclass
class PageLayout:
    lines: list[Line]
    starts: list[int]
    blank_before: list[int]  # blank lines between a line and the non-blank line before it
    prev: list[int]  # the previous non-blank line's index (-1 at the top)
    nxt: list[int]  # the next non-blank line's index (-1 at the end)
    structures: list[Structure]
    structure_of: list[int]  # per line: index into ``structures``, or -1
    cells: dict[int, list[tuple[int, int]]]  # per table line: its cells

    def line_at(self, pos: int) -> int:
        return bisect_right(self.starts, pos) - 1

    def cell_at(self, li: int, pos: int) -> int:
        for k, (s, e) in enumerate(self.cells.get(li, ())):
            if s <= pos < e:
                return k
        return -1

    def role_at(self, li: int, pos: int) -> str:
        """The column role of the cell holding ``pos`` on line ``li`` ('' outside tables or without a header)."""
        k = self.cell_at(li, pos)
        si = self.structure_of[li]
        if k < 0 or si < 0:
            return ""
        roles = self.structures[si].roles
        return roles[k] if k < len(roles) else ""


def split_cells(text: str, start: int, end: int, encoding: str, source: str | None = None) -> list[tuple[int, int]]:
    """The cells of one line in a given encoding, as trimmed spans.

    A pipe table keeps its empty cells (as empty spans), so a cell's index is its column; ``source``
    is the article's own text, where the pipes still stand (the plain text may have turned them into
    ';', like the semicolons inside a cell).
    """
    if encoding == "semicolon":
        return row_cells(text, start, end)
    if encoding == "pipe":
        src = source if source is not None else text
        bars = [m.start() for m in _PIPE.finditer(src, start, end)]
        lead = not src[start:bars[0]].strip() if bars else False
        trail = not src[bars[-1] + 1:end].strip() if bars else False
        cuts = [start, *bars, end]
        spans = [(a if a == start else a + 1, b) for a, b in pairwise(cuts)]
        if lead:
            spans = spans[1:]
        if trail:
            spans = spans[:-1]
        out = []
        for a, b in spans:
            a, b = _strip(text, a, b, " \t;")
            out.append((a, b) if text[a:b].strip("-–—: ") else (a, a))
        return out if any(a < b for a, b in out) else []
    if encoding == "spaces":
        cuts = [(m.start(), m.end()) for m in _SPACE_SPLIT.finditer(text, start, end)]
        edges = [start, *(x for c in cuts for x in c), end]
        spans = list(zip(edges[::2], edges[1::2], strict=False))
    elif encoding == "glued":
        cuts = [start, *(m.start() for m in _GLUE.finditer(text, start, end)), end]
        spans = list(pairwise(cuts))
    else:
        return [(start, end)]
    out = []
    for a, b in spans:
        a, b = _strip(text, a, b, " \t")
        if a < b and text[a:b].strip("-–—:| "):
            out.append((a, b))
    return out


def _strip(text: str, a: int, b: int, chars: str) -> tuple[int, int]:
    """The span [a, b) of ``text`` without the ``chars`` at either end."""
    while a < b and text[a] in chars:
        a += 1
    while b > a and text[b - 1] in chars:
        b -= 1
    return a, b


def _encoding(text: str, line: Line, source: str) -> str:
    s, e = line.start, line.end
    if e - s > 4000:
        return ""
    if source.count("|", s, e) >= 2:
        return "pipe"
    if line.kind == "table_row":
        return "semicolon"
    body = text[s + line.indent:e]
    if line.words <= 40 and ("  " in body or "\t" in body) and _SPACED.search(text, s + line.indent, e):
        return "spaces"  # the substring test first: most lines have no run of spaces, and it is cheap
    if _ROOT_LEAD.match(text, s, e) and _GLUE.search(text, s, e):
        return "glued"
    return ""


def read_layout(article: Article, text: str, root_starts: list[int], target_starts: list[int]) -> PageLayout:
    """The page's lines and the structures they form.

    ``root_starts``/``target_starts`` are where root and target mentions begin (sorted): a row list
    and a line pair are recognised by what their lines name. Linear in the text.
    """
    lines, starts = read_lines(article, text)
    source = article.text
    n = len(lines)
    blank = [not text[ln.start:ln.end].strip() for ln in lines]
    blank_before, prev, nxt = [0] * n, [-1] * n, [-1] * n
    last, run = -1, 0
    for i in range(n):
        if blank[i]:
            run += 1
            continue
        prev[i], blank_before[i] = last, run
        if last >= 0:
            nxt[last] = i
        last, run = i, 0

    def count(starts_: list[int], ln: Line) -> int:
        return bisect_left(starts_, ln.end) - bisect_left(starts_, ln.start)

    n_roots = [0 if blank[i] else count(root_starts, ln) for i, ln in enumerate(lines)]
    n_targets = [0 if blank[i] else count(target_starts, ln) for i, ln in enumerate(lines)]
    structures: list[Structure] = []
    structure_of = [-1] * n
    cells: dict[int, list[tuple[int, int]]] = {}

    # tables: runs of lines of one encoding with two or more cells each
    i = 0
    while i < n:
        if blank[i]:
            i += 1
            continue
        enc = _encoding(text, lines[i], source)
        row = split_cells(text, lines[i].start, lines[i].end, enc, source) if enc else []
        if len(row) < 2:
            i += 1
            continue
        rows, row_cells_ = [i], {i: row}
        j = nxt[i]
        while j >= 0 and blank_before[j] <= 1:
            enc_j = _encoding(text, lines[j], source)
            if enc_j != enc and not (enc == "glued" and enc_j == "" and n_roots[j] == 0 and n_targets[j]):
                break
            cj = split_cells(text, lines[j].start, lines[j].end, enc, source)
            # '| Gluteus maximus (hip extensors) |', 'Thigh adductors ;': a wrapped row; '---|---|': the rule
            if len(cj) < 2 and enc not in ("glued", "pipe", "semicolon"):
                break
            rows.append(j)
            row_cells_[j] = cj
            j = nxt[j]
        if enc == "glued" and prev[i] >= 0 and structure_of[prev[i]] < 0 and not n_roots[prev[i]] and \
                len(split_cells(text, lines[prev[i]].start, lines[prev[i]].end, "glued")) >= 3:
            rows.insert(0, prev[i])  # 'NerveSensory LossMotor WeaknessReflex' above 'C5 (5%)Lateral upper arm…'
            row_cells_[prev[i]] = split_cells(text, lines[prev[i]].start, lines[prev[i]].end, "glued")
        if len(rows) >= 2 or (enc == "pipe" and text.count("|", lines[i].start, lines[i].end) >= 6):
            st = Structure("table", enc, rows)
            _header(text, st, row_cells_, n_roots, lines)
            for r in rows:
                structure_of[r] = len(structures)
                cells[r] = row_cells_[r]
            structures.append(st)
            i = rows[-1] + 1
        else:
            i += 1

    # row lists and root/target line pairs, among lines no table holds
    i = 0
    while i < n:
        if blank[i] or structure_of[i] >= 0:
            i += 1
            continue
        if n_roots[i] and n_targets[i] and _ROOT_LEAD.match(text, lines[i].start, lines[i].end) and \
                lines[i].words <= 25:
            rows = [i]
            j = nxt[i]
            while j >= 0 and structure_of[j] < 0 and blank_before[j] <= 2 and n_roots[j] and \
                    _ROOT_LEAD.match(text, lines[j].start, lines[j].end) and lines[j].words <= 25:
                rows.append(j)
                j = nxt[j]
            if len(rows) >= 2:
                for r in rows:
                    structure_of[r] = len(structures)
                structures.append(Structure("row-list", "lines", rows))
                i = rows[-1] + 1
                continue
        pair = _pair_kind(i, nxt, n_roots, n_targets, lines, structure_of)
        if pair:
            rows = [i, nxt[i]]
            j = nxt[nxt[i]]
            while j >= 0 and nxt[j] >= 0 and _pair_kind(j, nxt, n_roots, n_targets, lines, structure_of) == pair:
                rows += [j, nxt[j]]
                j = nxt[nxt[j]]
            if len(rows) >= 4:
                for r in rows:
                    structure_of[r] = len(structures)
                structures.append(Structure("pairs", pair, rows))
                i = rows[-1] + 1
                continue
        i += 1
    return PageLayout(lines, starts, blank_before, prev, nxt, structures, structure_of, cells)


def _pair_kind(i: int, nxt: list[int], n_roots: list[int], n_targets: list[int], lines: list[Line],
               structure_of: list[int]) -> str:
    """'root-target' for a roots-only line followed by a targets-only one, 'target-root' the other way."""
    j = nxt[i]
    if j < 0 or structure_of[j] >= 0 or lines[i].words > 8 or lines[j].words > 12:
        return ""
    if n_roots[i] and not n_targets[i] and n_targets[j] and not n_roots[j]:
        return "root-target"
    if n_targets[i] and not n_roots[i] and n_roots[j] and not n_targets[j]:
        return "target-root"
    return ""


def _header(text: str, st: Structure, row_cells_: dict[int, list[tuple[int, int]]], n_roots: list[int],
            lines: list[Line]) -> None:
    """The header row (the first row naming no root) and the role of each column; a column whose rows
    mostly open with a root is the root column whatever its header says."""
    first = st.rows[0]
    if n_roots[first] == 0:
        st.header = first
        st.roles = [next((name for name, rx in _HEADER_ROLES if rx.search(text[s:e])), "other")
                    for s, e in row_cells_[first]]
    width = max(len(c) for c in row_cells_.values())
    hits = [0] * width
    for r in st.rows:
        for k, (s, e) in enumerate(row_cells_[r][:width]):
            if e > s and _ROOT_LEAD.match(text, s, e):
                hits[k] += 1
    body = max(1, len(st.rows) - (1 if st.header >= 0 else 0))
    if not st.roles:
        st.roles = [""] * width
    while len(st.roles) < width:
        st.roles.append("")
    for k, h in enumerate(hits):
        if h * 2 >= body and st.roles[k] in ("", "other", "motor"):
            st.roles[k] = "root"
