"""Layout shapes: every (root, target) pair a shape of the page can carry, beyond those the reader chose.

Proposing is for recall: a pair nobody proposes can never be scored back, so the shapes here are
generous and the scorer (``extractors.scorer``) decides. For each target mention:

- ``same-sentence`` / ``same-line``: a root in its sentence, or elsewhere on its line;
- ``row``: the root cell of its table row (``row-continuation``: of the last row above that gave
  one, for wrapped rows and multi-line cells); ``row-list``: a 'C5 – shoulder abduction' line;
- ``pair``: the root line paired with its line ('L2' / 'Hip flexion', 'Biceps reflex' / 'C5-C6');
- ``adjacent-before`` / ``adjacent-after``: a line of roots only just above or below it;
- ``lead``: the last line of roots only above it in its section (a lead-in, a card's front);
- ``heading`` / ``title``: the roots of its section heading or of the page title;
- ``paragraph``: the first root of its paragraph, where its sentence names none.

Each pair keeps every shape that offered it; a pair the reader also chose is the reader's claim
with those shapes added. The nearest few roots per shape are kept, so a page of 100,000 table rows
costs linear time.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import replace
from typing import TYPE_CHECKING

from .citations import find_markers
from .claims import Proposal
from .context import load_rules, triggers
from .cues import RELATION
from .layout import PageLayout, trim_span
from .pairing import Atom, Group
from .scope import is_primary, polarity_of
from .types import Article, Assertion

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from .lexicon import Lexicon
    from .mentions import Target

# at most this many roots per target and shape, nearest first
NEAREST = 4
# how far up a lead-in may govern (non-blank lines)
LEAD_REACH = 12


def propose(article: Article, doc: Doc, reader: list[Proposal], lex: Lexicon, layout: PageLayout,
            shape_claims: bool = True) -> list[Proposal]:
    """The reader's claims with the shapes that also carry them, then (``shape_claims``) the pairs only a
    shape offers."""
    text = article.plain
    cut = doc._.truncated_at
    if cut is not None:
        text = text[:cut]
    atoms = [Atom(a.roots, a.start, a.end) for g in doc._.root_groups for a in g.atoms
             if not a.is_level and a.start < len(text)]
    atom_starts = [a.start for a in atoms]
    targets = [t for t in doc._.targets if t.target and t.start < len(text)]
    sentences = [s for s in doc._.sentences if s[0] < len(text)]
    sent_starts = [s for s, _ in sentences]
    # (root, target, where the target is named) -> the shapes offering it and the nearest root mention
    offers: dict[tuple[str, str, int], tuple[set[str], list[Atom]]] = {}

    def offer(atom: Atom, t: Target, shape: str) -> None:
        for target in _meanings(t, layout, shape):
            for root in atom.roots:
                shapes, nearest_atom = offers.setdefault((root, target, t.start), (set(), [atom]))
                shapes.add(shape)
                if abs(atom.start - t.start) < abs(nearest_atom[0].start - t.start):
                    nearest_atom[0] = atom

    def atoms_in(start: int, end: int) -> list[Atom]:
        return atoms[bisect_left(atom_starts, start):bisect_left(atom_starts, end)]

    def nearest(found: list[Atom], pos: int) -> list[Atom]:
        return sorted(found, key=lambda a: abs(a.start - pos))[:NEAREST] if len(found) > NEAREST else found

    lines, blank_before, prev, nxt = layout.lines, layout.blank_before, layout.prev, layout.nxt
    line_atoms: dict[int, list[Atom]] = {}

    def on_line(li: int) -> list[Atom]:
        if li not in line_atoms:
            ln = lines[li]
            line_atoms[li] = atoms_in(ln.start, ln.end) if li >= 0 else []
        return line_atoms[li]

    line_targets: dict[int, int] = {}
    for t in targets:
        li = layout.line_at(t.start)
        line_targets[li] = line_targets.get(li, 0) + 1

    def roots_only(li: int) -> bool:
        return li >= 0 and bool(on_line(li)) and not line_targets.get(li)

    title_atoms = atoms_in(*article.title_span) if article.title_span[1] > article.title_span[0] else []
    lead_cache: dict[int, int] = {}

    for t in targets:
        li = layout.line_at(t.start)
        ln = lines[li]
        k = bisect_right(sent_starts, t.start) - 1
        s, e = sentences[k] if k >= 0 else (ln.start, ln.end)
        same_sentence = atoms_in(s, e)
        for a in nearest(same_sentence, t.start):
            offer(a, t, "same-sentence")
        others = [a for a in on_line(li) if not s <= a.start < e]
        for a in nearest(others, t.start):
            offer(a, t, "same-line")
        si = layout.structure_of[li]
        if si >= 0:
            st = layout.structures[si]
            if st.kind == "table":
                for a, shape in _row_roots(layout, st, li, t.start, on_line):
                    offer(a, t, shape)
            elif st.kind == "row-list":
                for a in on_line(li)[:1]:
                    offer(a, t, "row-list")
            elif st.kind == "pairs":
                pos = st.rows.index(li)
                partner = st.rows[pos - 1] if pos % 2 else st.rows[pos + 1]
                for a in on_line(partner)[:NEAREST]:
                    offer(a, t, "pair")
        if not on_line(li):
            if roots_only(prev[li]) and blank_before[li] <= 2:
                for a in on_line(prev[li])[:NEAREST]:
                    offer(a, t, "adjacent-before")
            if nxt[li] >= 0 and roots_only(nxt[li]) and blank_before[nxt[li]] <= 2:
                for a in on_line(nxt[li])[:NEAREST]:
                    offer(a, t, "adjacent-after")
            lead = _lead(layout, li, roots_only, lead_cache, article)
            if lead >= 0:
                for a in on_line(lead)[:NEAREST]:
                    offer(a, t, "lead")
            sec = article.section_at(t.start)
            if sec is not None and sec.level > 0:
                head = layout.line_at(sec.start)
                if 0 <= head < li and head != lead:
                    for a in on_line(head)[:NEAREST]:
                        offer(a, t, "heading")
        if not same_sentence:
            if title_atoms and not article.title_span[0] <= t.start < article.title_span[1]:
                for a in title_atoms[:NEAREST]:
                    offer(a, t, "title")
            block = _block_start(article, t.start)
            if block is not None:
                first = atoms_in(block, s)[:1]
                for a in first:
                    offer(a, t, "paragraph")

    # the reader's claims take the shapes that also carry them: one claim per root and target mention
    by_key: dict[tuple[str, str, int], list[Proposal]] = {}
    for p in reader:
        a = p.assertion
        by_key.setdefault((a.root, a.target, a.target_start), []).append(p)
    out = list(reader)
    rules = load_rules()
    trig_cache: dict[int, list] = {}
    target_at = {t.start: t for t in targets}
    target_starts = [t.start for t in targets]
    for key, (shapes, (atom,)) in offers.items():
        found = by_key.get(key)
        if found:
            for p in found:
                p.shapes |= shapes
            continue
        if not shape_claims:
            continue
        root, target, t_start = key
        t = target_at[t_start]
        if t.target != target:
            t = replace(t, target=target, kind="REFLEX")
        out.append(_shape_claim(article, text, layout, sentences, sent_starts, t, atom, root, shapes, lex, rules,
                                trig_cache, targets, target_starts))
    return out


def _meanings(t: Target, layout: PageLayout, shape: str) -> tuple[str, ...]:
    """What a target mention names here: a muscle in a table's reflex column names its reflex
    ('C5 | Deltoid, biceps | Biceps' with a Reflex header)."""
    if t.reflex and t.kind in ("MUSCLE", "MOVEMENT") and shape in ("row", "row-continuation", "same-line"):
        li = layout.line_at(t.start)
        if layout.role_at(li, t.start) == "reflex":
            return (t.reflex,)
    return (t.target,)


def _row_roots(layout: PageLayout, st, li: int, pos: int, on_line) -> list[tuple[Atom, str]]:
    """The root cell of a table row; for a row naming no root, the last row above that named one."""
    out = []
    cells = layout.cells.get(li, [])
    own = layout.cell_at(li, pos)
    mine = on_line(li)
    root_cols = [k for k, r in enumerate(st.roles) if r == "root"]
    if mine:
        for a in mine:
            k = layout.cell_at(li, a.start)
            if k != own and (k in root_cols or not root_cols):
                out.append((a, "row"))
        return out[:NEAREST]
    at = st.rows.index(li)
    for r in reversed(st.rows[:at]):
        found = on_line(r)
        if found:
            keep = [a for a in found if layout.cell_at(r, a.start) in root_cols] if root_cols else found[:1]
            return [(a, "row-continuation") for a in keep[:NEAREST]]
        if not cells:
            break
    return out


def _lead(layout: PageLayout, li: int, roots_only, cache: dict[int, int], article: Article) -> int:
    """The nearest roots-only line above ``li`` within reach and within its section (-1: none)."""
    if li in cache:
        return cache[li]
    j, steps, found = layout.prev[li], 0, -1
    sec = article.section_index(layout.lines[li].start)
    while j >= 0 and steps < LEAD_REACH:
        if article.section_index(layout.lines[j].start) != sec and layout.lines[j].kind != "heading":
            break
        if roots_only(j):
            found = j
            break
        j, steps = layout.prev[j], steps + 1
    cache[li] = found
    return found


def _block_start(article: Article, pos: int) -> int | None:
    blocks = article.blocks
    i = bisect_right([b.start for b in blocks], pos) - 1 if blocks else -1
    if i >= 0 and blocks[i].start <= pos < blocks[i].end and blocks[i].kind == "paragraph":
        return blocks[i].start
    return None


def _shape_claim(article: Article, text: str, layout: PageLayout, sentences, sent_starts, t: Target, atom: Atom,
                 root: str, shapes: set[str], lex: Lexicon, rules, trig_cache: dict, targets, target_starts
                 ) -> Proposal:
    """A pair only a shape offered, as a claim: its sentence (or its line, for rows and items), polarity and
    primacy read as for the reader's claims."""
    k = bisect_right(sent_starts, t.start) - 1
    s, e = trim_span(text, *sentences[k]) if k >= 0 else (t.start, t.end)
    li = layout.line_at(t.start)
    ln = layout.lines[li]
    inside = s <= atom.start < e
    if ln.kind in ("bullet", "table_row") or layout.structure_of[li] >= 0 or not inside:
        s, e = trim_span(text, ln.start, ln.end)
    if k not in trig_cache:
        ks, ke = sentences[k] if k >= 0 else (s, e)
        trig_cache[k] = triggers(text, ks, ke, rules, [(atom.start, atom.end)])
    group = Group((atom,), atom.start, atom.end, not inside)
    in_sentence = targets[bisect_left(target_starts, s):bisect_left(target_starts, e)]
    polarity = polarity_of(trig_cache[k], group, t, text, in_sentence, s, e)
    sec = article.sections[article.section_index(s)] if article.sections else None
    kind = lex.kinds[t.target]
    if (s, e) not in trig_cache:
        trig_cache[(s, e)] = tuple(dict.fromkeys(n for m in find_markers(text, s, e) for n in m.numbers))
    cites = trig_cache[(s, e)]
    a = Assertion(
        id="", article_id=article.id, root=root, target=t.target, target_kind=kind, relation=RELATION[kind],
        polarity=polarity, primary=inside and is_primary(text, s, group, t),
        section=sec.top if sec else "", subsection=sec.heading if sec and sec.level > 1 else "",
        sentence=" ".join(text[s:e].split()), start=s, end=e, root_start=atom.start, root_end=atom.end,
        target_start=t.start, target_end=t.end, citations=cites)
    return Proposal(a, "shape", reader=False, shapes=set(shapes), mention=t.kind, span_roots=len(atom.roots))
