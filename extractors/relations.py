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
from itertools import pairwise
from typing import TYPE_CHECKING

from spacy.tokens import Doc, Span

from .citations import find_markers
from .pipeline import TARGETS, get_nlp
from .types import ASSERTION_COLUMNS, Article, Assertion, Mention

if TYPE_CHECKING:
    import pandas as pd

_CLAUSE_BREAK = re.compile(
    r",\s*(?:and|but|while|whereas|whilst|although|though|yet)\b|;|\s(?:while|whereas|whilst)\s",
    re.IGNORECASE,
)
_PRIMARY = re.compile(
    r"\b(?:primar(?:y|ily)|main(?:ly)?|predominant(?:ly)?|chief(?:ly)?|principal(?:ly)?|mostly)\b",
    re.IGNORECASE,
)
_RELATION = {"movement": "controls", "reflex": "mediates"}


def extract(article: Article, doc: Doc | None = None) -> list[Assertion]:
    """All root–target assertions of an article, in text order."""
    if not article.plain.strip():
        return []
    if doc is None:
        doc = get_nlp()(article.plain)
    return assertions_from_doc(article, doc)


def assertions_from_doc(article: Article, doc: Doc) -> list[Assertion]:
    lex = get_nlp().get_pipe("artgate_mentions").lexicon
    text = article.plain  # == doc.text, which spaCy rebuilds from tokens on every access
    group_of: dict[int, int] = {}
    for gi, atoms in enumerate(doc._.root_groups):
        for sp in atoms:
            group_of[sp.start] = gi
    targets = list(doc.spans[TARGETS])
    roots = [sp for atoms in doc._.root_groups for sp in atoms]
    out: list[Assertion] = []
    seen: set[tuple] = set()
    for sent in doc.sents:
        s_roots = [r for r in roots if sent.start <= r.start < sent.end]
        s_targets = [t for t in targets if sent.start <= t.start < sent.end]
        if not s_roots or not s_targets or sent.text.rstrip().endswith("?"):
            continue
        start, end = _trim(text, sent.start_char, sent.end_char)
        section = article.section_at(start)
        top = section.top if section else ""
        sub = section.heading if section and section.level > 1 else ""
        cites = tuple(dict.fromkeys(n for m in find_markers(text, sent.start_char, sent.end_char)
                                    for n in m.numbers))
        for clause_roots, clause_targets in _clauses(text, sent, s_roots, s_targets):
            for r in clause_roots:
                for t in clause_targets:
                    polarity = _polarity(r, t)
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
                            sentence=" ".join(text[start:end].split()),
                            start=start, end=end,
                            root_start=r.start_char, root_end=r.end_char,
                            target_start=t.start_char, target_end=t.end_char, citations=cites,
                        ))
    return [_with_id(a, i) for i, a in enumerate(out, start=1)]


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


def _clauses(text: str, sent: Span, s_roots: list[Span], s_targets: list[Span]):
    """Clauses of a sentence as (roots, targets), elliptical ones merged into a neighbour."""
    cuts = [sent.start_char]
    for m in _CLAUSE_BREAK.finditer(text, sent.start_char, sent.end_char):
        cuts.append(m.start())
    cuts.append(sent.end_char)
    clauses = []
    for a, b in pairwise(cuts):
        clauses.append([[r for r in s_roots if a <= r.start_char < b],
                        [t for t in s_targets if a <= t.start_char < b], a, b])
    clauses = [c for c in clauses if c[0] or c[1]]
    merged = True
    while merged and len(clauses) > 1:
        merged = False
        for i, c in enumerate(clauses):
            if c[0] and c[1]:
                continue
            j = i - 1 if i > 0 else i + 1
            lo, hi = min(i, j), max(i, j)
            a, b = clauses[lo], clauses[hi]
            clauses[lo:hi + 1] = [[a[0] + b[0], a[1] + b[1], a[2], b[3]]]
            merged = True
            break
    return [(c[0], c[1]) for c in clauses if c[0] and c[1]]


def _is_primary(text: str, doc: Doc, sent: Span, root: Span, target: Span) -> bool:
    """A primacy cue ('primarily', 'mainly' …) between the pair or just before it.

    "The nerve root primarily responsible for dorsiflexion is L5, as shown by
    great toe strength": L5 is primary for dorsiflexion, not for great toe
    extension, whose pair starts after the cue.
    """
    first, last = (root, target) if root.start < target.start else (target, root)
    lo = doc[max(first.start - 4, sent.start)].idx
    return bool(_PRIMARY.search(text, lo, last.start_char))


def _polarity(root: Span, target: Span) -> str:
    """'negated' or 'uncertain' if a ConText modifier reaches this pair, else 'affirmed'."""
    first, last = (root, target) if root.start < target.start else (target, root)
    result = "affirmed"
    for member, wanted in ((last, ("FORWARD", "BIDIRECTIONAL")), (first, ("BACKWARD", "BIDIRECTIONAL"))):
        for mod in member._.modifiers:
            if mod.direction.upper() not in wanted:
                continue
            # the modifier must sit outside the pair's span on its own side
            if mod.direction.upper() == "FORWARD" and mod.modifier_span[0] > last.start:
                continue
            if mod.category == "NEGATED_EXISTENCE":
                return "negated"
            if mod.category == "POSSIBLE_EXISTENCE":
                result = "uncertain"
    return result


def mentions(doc: Doc) -> list[Mention]:
    """Every recognised span of a processed doc, as plain data."""
    out = []
    for key in ("artgate_roots", "artgate_levels", TARGETS):
        for sp in doc.spans[key]:
            out.append(Mention(sp.label_, sp.kb_id_, sp.start_char, sp.end_char, sp.text))
    return sorted(out, key=lambda m: m.start)


def title_targets(title: str) -> list[str]:
    """The targets a title (question) asks about, in order."""
    if not title.strip():
        return []
    doc = get_nlp()(title)
    return list(dict.fromkeys(sp.kb_id_ for sp in doc.spans[TARGETS]))


def assertions_frame(assertions: list[Assertion]) -> pd.DataFrame:
    """The batch form: one row per assertion, exactly ``ASSERTION_COLUMNS``.

    pandas is imported here, not at module level: the single-article check
    never builds a frame and should not pay for the import.
    """
    import pandas as pd
    rows = [a.__dict__ for a in assertions]
    df = pd.DataFrame(rows, columns=list(ASSERTION_COLUMNS))
    return df.astype({"primary": bool}) if len(df) else df
