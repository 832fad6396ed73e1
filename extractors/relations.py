"""From mentions to assertions: which root does each movement or reflex belong to?

Within a sentence, clauses are cut at coordinating boundaries (', and', ', but',
', while', ';' …). A clause that names only targets ('…, but not with
dorsiflexion') or only roots ('…, and less often by an L4 root lesion') is
elliptical and joins its neighbour; then every target of a clause is linked to
every root of it. So "The L3 and L4 roots are associated with dorsiflexion,
while the L5 roots are associated with plantar flexion" gives L3, L4 ->
dorsiflexion and L5 -> plantar flexion, never L5 -> dorsiflexion.

Polarity comes from medspaCy ConText. A modifier applies to a root–target pair
when its scope reaches the pair's later member (forward modifiers) or earlier
member (backward ones): "S1 is not responsible for dorsiflexion" negates
S1 -> dorsiflexion, while in "no evidence that S1 drives dorsiflexion, as it
serves plantar flexion" the hedge stops at ', as it' and S1 -> plantar flexion
stays affirmed.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING

from spacy.tokens import Doc, Span

from .citations import find_markers
from .pipeline import LEVELS, TARGETS, get_nlp
from .types import ASSERTION_COLUMNS, Article, Assertion

if TYPE_CHECKING:
    import pandas as pd

_CLAUSE_BREAK = re.compile(
    r",\s*(?:and|but|while|whereas|whilst|although|though|yet|it|they|this|these)\b|;|:\s"
    r"|\s(?:while|whereas|whilst)\s",
    re.IGNORECASE,
)
_CONTRAST = re.compile(r",?\s*(?:but|while|whereas|whilst|although|though|yet)\b", re.IGNORECASE)
_SENSORY = re.compile(r"\b(?:numb|numbness|sensation|sensory|paraesthesi|paresthesi|tingling|dermatom|hypoaesthesi"
                      r"|hypoesthesi|anaesthesi|anesthesi)", re.IGNORECASE)
_PRIMARY = re.compile(
    r"\b(?:primar(?:y|ily)|main(?:ly)?|predominant(?:ly)?|chief(?:ly)?|principal(?:ly)?|mostly)\b",
    re.IGNORECASE,
)
_RELATION = {"movement": "controls", "reflex": "mediates"}


def extract(article: Article, doc: Doc | None = None) -> list[Assertion]:
    """All root–target assertions of an article, in text order."""
    return analyze(article, doc).assertions


def assertions_from_doc(article: Article, doc: Doc) -> list[Assertion]:
    lex = get_nlp().get_pipe("artgate_mentions").lexicon
    text = article.plain  # == doc.text, which spaCy rebuilds from tokens on every access
    groups = [list(atoms) for atoms in doc._.root_groups]
    cells = _table_reflexes(article, doc, lex)
    targets = sorted([*(t for t in doc.spans[TARGETS] if not any(c.start < t.end and t.start < c.end for c in cells)),
                      *cells], key=lambda sp: sp.start)
    out: list[Assertion] = []
    seen: set[tuple] = set()
    lead_in: tuple[list, int] | None = None  # root groups of a line like "L5 radiculopathy:", its block
    block_starts = [b.start for b in article.blocks]
    for sent in doc.sents:
        start, end = _trim(text, sent.start_char, sent.end_char)
        if start >= end:
            continue
        s_groups = [g for g in groups if sent.start <= g[0].start < sent.end]
        s_targets = [t for t in targets if sent.start <= t.start < sent.end]
        block = _block_at(article, block_starts, start)
        if lead_in and block is not None and block != lead_in[1] and article.blocks[block].kind not in (
                "bullet", "table_row"):
            lead_in = None
        sentence = text[start:end]
        if _STEM.search(sentence):
            lead_in = None
            continue
        if s_groups and not s_targets and (sentence.rstrip().endswith(":") or (
                block is not None and article.blocks[block].kind == "heading")):
            lead_in = (s_groups, block)
            continue
        if not s_targets:
            continue
        if s_groups:
            clauses = _clauses(text, sent, s_groups, s_targets)
        elif lead_in is not None:
            clauses = [(lead_in[0], s_targets)]
        else:
            continue
        section = article.section_at(start)
        top = section.top if section else ""
        sub = section.heading if section and section.level > 1 else ""
        cites = tuple(dict.fromkeys(n for m in find_markers(text, sent.start_char, sent.end_char)
                                    for n in m.numbers))
        for c_groups, c_targets in clauses:
            for group, t in _pairs(text, c_groups, c_targets):
                for r in group:
                    polarity = _polarity(doc, r, t, text, s_targets)
                    primary = _is_primary(text, doc, sent, r, t)
                    for root in r.kb_id_.split(","):
                        key = (sent.start, root, t.kb_id_, polarity)
                        if key in seen:
                            continue
                        seen.add(key)
                        kind = lex.kinds[t.kb_id_]
                        out.append(Assertion(
                            id="", article_id=article.id, root=root, target=t.kb_id_,
                            target_kind=kind, relation=_RELATION[kind], polarity=polarity,
                            primary=primary, section=top, subsection=sub,
                            sentence=" ".join(sentence.split()), start=start, end=end,
                            root_start=r.start_char, root_end=r.end_char,
                            target_start=t.start_char, target_end=t.end_char, citations=cites,
                        ))
    return [_with_id(a, i) for i, a in enumerate(out, start=1)]


_STEM = re.compile(r"\?\s*$|\bexcept\b\W*$|\bwhich of the following\b|\ball (?:of the following )?except\b",
                   re.IGNORECASE)
_TARGET_JOIN = re.compile(r"^[\s,;/()&]*(?:and/or|and|or)?[\s,()]*$", re.IGNORECASE)


def _block_at(article: Article, starts: list[int], offset: int) -> int | None:
    i = bisect_right(starts, offset) - 1
    if i >= 0 and offset < article.blocks[i].end:
        return i
    return None


def _pairs(text: str, groups: list[list[Span]], targets: list[Span]) -> list[tuple[list[Span], Span]]:
    """Which root group each target belongs to within one clause.

    Parallel lists pair in order when there are as many root groups as target
    groups ("quadriceps for L3, tibialis anterior for L4"; "hip flexion (L2),
    knee extension (L3)"); otherwise every target goes with every group
    ("foot drop … by an L5 radiculopathy and less often by an L4 lesion").
    """
    tgroups: list[list[Span]] = []
    for t in targets:
        if tgroups and _TARGET_JOIN.match(text[tgroups[-1][-1].end_char:t.start_char]):
            tgroups[-1].append(t)
        else:
            tgroups.append([t])
    if len(groups) >= 2 and len(groups) == len(tgroups):
        return [(g, t) for g, tg in zip(groups, tgroups, strict=True) for t in tg]
    return [(g, t) for g in groups for t in targets]


_REFLEX_HEADER = re.compile(r"\b(?:reflex(?:es)?|jerks?)\b", re.IGNORECASE)


def _cells(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Non-empty cells of a table row (cells are separated by ';' in the plain text)."""
    out = []
    for m in re.finditer(r"[^;\n]+", text[start:end]):
        raw = m.group()
        s = start + m.start() + len(raw) - len(raw.lstrip())
        e = start + m.end() - (len(raw) - len(raw.rstrip()))
        if s < e:
            out.append((s, e))
    return out


def _table_reflexes(article: Article, doc: Doc, lex) -> list[Span]:
    """Cells of a table's reflex column ('| L4 | ankle dorsiflexion | patellar |') as reflex targets.

    The first row of a table is its header; a header cell saying 'reflex' or
    'jerk' marks the column whose cells name reflexes by their short name.
    """
    text = article.plain
    out: list[Span] = []
    reflex_col: int | None = None
    in_table = False
    for b in article.blocks:
        if b.kind != "table_row":
            in_table, reflex_col = False, None
            continue
        cells = _cells(text, b.start, b.end)
        if not in_table:
            in_table = True
            reflex_col = next((i for i, (s, e) in enumerate(cells) if _REFLEX_HEADER.search(text[s:e])), None)
            continue
        if reflex_col is None or reflex_col >= len(cells):
            continue
        s, e = cells[reflex_col]
        entry = lex.phrases.get(" ".join(text[s:e].lower().split()) + " reflex")
        span = doc.char_span(s, e, alignment_mode="expand")
        if entry is not None and entry.target_kind == "reflex" and span is not None:
            out.append(Span(doc, span.start, span.end, label="REFLEX", kb_id=entry.target))
    return out


def _with_id(a: Assertion, i: int) -> Assertion:
    return Assertion(**{**a.__dict__, "id": f"a{i}"})


_LEAD = set(" \t\n•●▪◦‣∙·*+-–—")


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """A sentence span without its bullet glyph and surrounding whitespace."""
    while start < end and text[start] in _LEAD:
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


@dataclass
class _Clause:
    start: int
    end: int
    groups: list
    targets: list


def _clauses(text: str, sent: Span, groups: list[list[Span]], targets: list[Span]):
    """Clauses of a sentence as (root groups, targets), elliptical ones merged into a neighbour."""
    cuts = [sent.start_char, *(m.start() for m in _CLAUSE_BREAK.finditer(text, sent.start_char, sent.end_char)),
            sent.end_char]
    clauses = [_Clause(a, b, [g for g in groups if a <= g[0].start_char < b],
                       [t for t in targets if a <= t.start_char < b]) for a, b in pairwise(cuts)]
    kept = []
    for i, c in enumerate(clauses):
        nxt = clauses[i + 1] if i + 1 < len(clauses) else None
        if c.groups and not c.targets and nxt is not None and nxt.groups and (
                text.startswith(":", c.end) or _CONTRAST.match(text, c.end)):
            # "L5 versus S1 radiculopathy: L5 weakens …", "numbness … points to C8,
            # whereas a reduced triceps jerk points to C7": a roots-only clause that
            # introduces or is set against a clause with roots of its own adds none.
            continue
        if c.groups and not c.targets and _SENSORY.search(text, c.start, c.end):
            continue  # "numbness over the big toe in L5 radiculopathy" is no motor claim
        if c.groups or c.targets:
            kept.append(c)
    while len(kept) > 1:
        i = next((k for k, c in enumerate(kept) if not (c.groups and c.targets)), None)
        if i is None:
            break
        j = i - 1 if i > 0 else i + 1
        lo, hi = sorted((i, j))
        a, b = kept[lo], kept[hi]
        kept[lo:hi + 1] = [_Clause(a.start, b.end, a.groups + b.groups, a.targets + b.targets)]
    return [(c.groups, c.targets) for c in kept if c.groups and c.targets]


def _is_primary(text: str, doc: Doc, sent: Span, root: Span, target: Span) -> bool:
    """A primacy cue ('primarily', 'mainly' …) between the pair or just before it.

    "The nerve root primarily responsible for dorsiflexion is L5, as shown by
    great toe strength": L5 is primary for dorsiflexion, not for great toe
    extension, whose pair starts after the cue.
    """
    first, last = (root, target) if root.start < target.start else (target, root)
    lo = doc[max(first.start - 4, sent.start)].idx
    return bool(_PRIMARY.search(text, lo, last.start_char))


def _polarity(doc: Doc, root: Span, target: Span, text: str, targets: list[Span]) -> str:
    """'negated' or 'uncertain' if a ConText modifier reaches this pair, else 'affirmed'.

    - Phrasal modifiers ('L5 rather than S1', 'S1, not L5,') deny only the
      mention right after them.
    - A modifier before a member reaches the claim only through its later member:
      in "no evidence that S1 drives dorsiflexion, as it serves plantar flexion"
      the hedge stops before 'plantar flexion', so S1 -> plantar flexion stands.
    - A modifier after a member ('the ankle reflex may be weaker') reaches back
      only within its own clause, and not when it has an object of its own: in
      "L3 serves hip adduction and may serve hip flexion" 'may' hedges hip flexion.
    """
    first, last = (root, target) if root.start < target.start else (target, root)
    result = "affirmed"
    for member in (first, last):
        for mod in member._.modifiers:
            m_start, m_end = mod.modifier_span
            if _phrasal(doc, mod):
                applies = 0 <= member.start - m_end <= 2
            elif m_start < member.start:
                applies = member is last
            else:
                m_char = doc[m_start].idx
                clause_end = _CLAUSE_BREAK.search(text, m_char)
                stop = clause_end.start() if clause_end else len(text)
                applies = (not _CLAUSE_BREAK.search(text, member.end_char, m_char)
                           and not any(m_char < t.start_char < stop for t in targets))
            if not applies:
                continue
            if mod.category == "NEGATED_EXISTENCE":
                return "negated"
            if mod.category == "POSSIBLE_EXISTENCE":
                result = "uncertain"
    return result


def _phrasal(doc: Doc, mod) -> bool:
    if (mod.rule.metadata or {}).get("phrasal"):
        return True
    start = mod.modifier_span[0]
    return mod.rule.literal == "not" and start > 0 and doc[start - 1].text == ","


def title_targets(article: Article, doc: Doc | None = None) -> list[str]:
    """The targets the title (question) asks about, in order.

    When the title is part of the processed text, its mentions are read from
    the article's own doc; only a title kept outside the text (a JSON record's
    ``title``) is run through the pipeline on its own.
    """
    if not article.title.strip():
        return []
    s, e = article.title_span
    if doc is None or e <= s:
        doc, s, e = get_nlp()(article.title), 0, len(article.title)
    return list(dict.fromkeys(sp.kb_id_ for sp in doc.spans[TARGETS] if s <= sp.start_char < e))


@dataclass(frozen=True)
class LevelClaim:
    """'An L4-L5 herniation compresses the L5 root': a disc level said to affect a root."""

    level: str  # 'L4-L5'
    root: str
    start: int  # the sentence
    end: int
    far_lateral: bool  # 'far-lateral', 'foraminal', 'exiting' in the sentence


@dataclass(frozen=True)
class Extraction:
    """What the extraction step hands to the rules."""

    assertions: list[Assertion]
    title_targets: list[str]
    abbreviations: list[tuple[str, str, int, list[int]]] = field(default_factory=list)  # short, long, defined at, uses
    level_claims: list[LevelClaim] = field(default_factory=list)


def analyze(article: Article, doc: Doc | None = None) -> Extraction:
    """Run the pipeline once (unless ``doc`` is given) and extract everything the rules need."""
    if not article.plain.strip():
        return Extraction([], [])
    if doc is None:
        doc = get_nlp()(article.plain)
    return Extraction(assertions_from_doc(article, doc), title_targets(article, doc), abbreviations(doc),
                      level_claims(article, doc))


def abbreviations(doc: Doc) -> list[tuple[str, str, int, list[int]]]:
    """Abbreviations defined in the text: (short, long form, where the long form starts, every use)."""
    found: dict[str, tuple[str, int, list[int]]] = {}
    for short in doc._.abbreviations:
        long_form = short._.long_form
        entry = found.setdefault(short.text, (long_form.text, long_form.start_char, []))
        entry[2].append(short.start_char)
    return [(k, v[0], v[1], sorted(v[2])) for k, v in found.items()]


_FAR_LATERAL = re.compile(r"far[- ]lateral|extra-?foraminal|foraminal|exiting", re.IGNORECASE)


def level_claims(article: Article, doc: Doc) -> list[LevelClaim]:
    """Disc levels and the roots named with them in the same clause."""
    text = article.plain
    levels = list(doc.spans[LEVELS])
    roots = [sp for atoms in doc._.root_groups for sp in atoms]
    out = []
    for sent in doc.sents:
        s_levels = [lv for lv in levels if sent.start <= lv.start < sent.end]
        if not s_levels:
            continue
        cuts = [sent.start_char, *(m.start() for m in _CLAUSE_BREAK.finditer(text, sent.start_char, sent.end_char)),
                sent.end_char]
        start, end = _trim(text, sent.start_char, sent.end_char)
        far = bool(_FAR_LATERAL.search(text, start, end))
        for a, b in pairwise(cuts):
            for lv in (lv for lv in s_levels if a <= lv.start_char < b):
                pair = lv.kb_id_.split(",")
                if len(pair) != 2:
                    continue
                for r in (r for r in roots if a <= r.start_char < b):
                    for root in r.kb_id_.split(","):
                        out.append(LevelClaim(f"{pair[0]}-{pair[1]}", root, start, end, far))
    return out


def assertions_frame(assertions: list[Assertion]) -> pd.DataFrame:
    """The batch form: one row per assertion, exactly ``ASSERTION_COLUMNS``.

    pandas is imported here, not at module level: the single-article check
    never builds a frame and should not pay for the import.
    """
    import pandas as pd
    rows = [a.__dict__ for a in assertions]
    df = pd.DataFrame(rows, columns=list(ASSERTION_COLUMNS))
    return df.astype({"primary": bool}) if len(df) else df
