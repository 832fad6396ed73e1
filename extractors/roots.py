"""Spinal root notations, and telling roots from disc levels.

Roots are found with regular expressions over the text rather than token
patterns: tokenizers disagree on ``L4/L5`` (one token), ``L4-5`` (three) and
``C5–C6`` (one), and a character-level grammar handles all of them alike.
Notations seen on real pages: ``L5``, ``L 5``, ``L4/L5``, ``L4-5``, ``L5 to S2``,
``C5,6`` and ``C7, 8`` (the region written once), fused ``L123`` / ``L45`` /
``L5S1`` from lecture notes, ordinal words ("the fifth lumbar root", "the second
to the fourth lumbar nerves"), and ``C8 (and T1)``.

>>> [(a.roots, a.is_level) for g in find_root_groups("at the L4/L5 and L5/S1 levels") for a in g.atoms]
[(('L4', 'L5'), True), (('L5', 'S1'), True)]
>>> [a.roots for g in find_root_groups("the L4-5 roots and the fifth lumbar root") for a in g.atoms]
[('L4', 'L5'), ('L5',)]
>>> [r for g in find_root_groups("Deltoid (C5,6); L123 hip flexion; L5S1 knee flexion") for r in g.roots]
['C5', 'C6', 'L1', 'L2', 'L3', 'L5', 'S1']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

REGIONS: tuple[tuple[str, int], ...] = (("C", 8), ("T", 12), ("L", 5), ("S", 5))
ORDER: tuple[str, ...] = tuple(f"{r}{i}" for r, n in REGIONS for i in range(1, n + 1))
_INDEX = {r: i for i, r in enumerate(ORDER)}
ALL_ROOTS = frozenset(ORDER)

_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
    "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "6th": 6, "7th": 7, "8th": 8,
}
_REGION_WORDS = {"cervical": "C", "thoracic": "T", "lumbar": "L", "sacral": "S"}

# A root may follow a lower-case letter directly: table cells flattened without a space ('Elbow flexionC5/6',
# 'Knee JerkL3/4'); after a capital or a digit it is part of a code ('MRI', 'HbA1c').
# a root may be glued to the capitalised word of the next cell ('C5Shoulder cap'), never to a letter or digit
_SEG = r"(?<![A-Z0-9_])([CTLS])(?:\s|-(?=\d))?([1-9]|1[0-2])(?![0-9a-z]|[A-Z](?![a-z]))"
_DASHES = "-–—‐‑‒−/"
_SPLIT_DASH = re.compile(rf"[\s{re.escape(_DASHES)}]")  # '-' first in _DASHES would make '\s-–' a range
_DASH = rf"(?:\s?[{_DASHES}]\s?|\s+(?:to|through|thru)\s+(?=[CTLS]\s?\d))"
_ORDINAL_WORDS = "|".join(_ORDINALS)
_REGION = "cervical|thoracic|lumbar|sacral"
_ATOM = re.compile(
    rf"{_SEG}(?:{_DASH}(?:([CTLS])\s?)?([1-9]|1[0-2])(?![0-9A-Za-z]))?"
    rf"|(?i:\b(?:the\s+)?({_ORDINAL_WORDS})\s+(?:(?:to|through|-|–)\s+(?:the\s+)?({_ORDINAL_WORDS})\s+)?"
    rf"({_REGION})\b)"
    rf"|(?<![A-Z0-9_])([CLS])([1-8])([1-8])([1-8])?(?![0-9A-Za-z])"  # fused: L123, L45, C34
    rf"|(?<![A-Z0-9_])([CTLS])([1-8])([CTLS])([1-5])(?![0-9A-Za-z])"  # fused across regions: L5S1, C8T1
    rf"|(?i:\b({_REGION})\s+(?:(?:spinal\s+)?(?:nerve\s+root|nerve|root)\s+)?([1-9]|1[0-2])\b"  # 'cervical nerve 7',
    r"(?!\s*[-–/]\s*\d|\s*(?:vertebra|disc|disk)))"  # 'cervical 6'; 'lumbar 4-5' is a disc level
)
# Where an atom can start: a segment letter before a digit, or an ordinal or region word. Trying
# _ATOM only there is several times faster than letting its alternation scan every position.
_STARTS = re.compile(rf"(?<![A-Z0-9_])[CTLS](?=[\s-]?\d)|(?i:\b(?:{_ORDINAL_WORDS}|{_REGION})\b)")
# ', 6', ' and 7', '/8' after a root: the next segment of the same region ("C5,6", "C7, 8", "C6, 7, 8")
_BARE = re.compile(r"(\s*+(?:,\s*+(?:and\s+|or\s+)?|(?<=\s)(?:and|or|&)\s+)\(?)([cltsCLTS](?=\d))?([1-9]|1[0-2])"
                   r"(?![0-9A-Za-z%])"
                   r"(?!\s*(?:weeks?|months?|years?|days?|hours?|mm|cm|kg|patients?|cases?|%|times|degrees?|°))",
                   re.IGNORECASE)
_COORD = re.compile(r"^[\s()]*(?:,[\s()]*(?:and|or|and/or)?|and/or|and|or|&|/)[\s()]*$|^\s+$", re.IGNORECASE)
_NOT_ROOT_AFTER = re.compile(
    r"^[\s-]*(?:weighted|hyperintens|hypointens|heart|sound|vertebral\s+bod|vertebra|pedicle|spinous"
    r"|lamina|transverse|fracture|burst)",
    re.IGNORECASE,
)
_ROOT_CUE = re.compile(
    r"^[\s-]*(?:(?:nerve|spinal)\s+)?(?:roots?|radiculopath|myotom|dermatom|innervat|spinal\s+nerves?"
    r"|nerves?\b|radicular|root\s+lesion)",
    re.IGNORECASE,
)
_LEVEL_CUE = re.compile(
    r"^[\s-]*(?:(?:intervertebral|lumbar|cervical|thoracic|disc|disk)\s+)?(?:levels?\b|discs?\b|disks?\b"
    r"|interspaces?|intervertebral|herniat|prolaps|protrusion|extrusion|bulg|segments?\b|spaces?\b"
    r"|foram|facets?\b|stenosis|fusion|laminectom|discectom|vertebra|pedicle|spondylolisthesis)",
    re.IGNORECASE,
)
_NOT_ROOT_BEFORE = re.compile(r"(?:vertebra[el]?|vertebral\s+bod(?:y|ies)(?:\s+of)?)\s*$", re.IGNORECASE)
_SEGMENT_LEVEL = re.compile(r"^[\s-]*(?:levels?|segments?)\b(?!\s+(?:of\s+the\s+)?(?:disc|disk|vertebra))",
                            re.IGNORECASE)
_LEVEL_BEFORE = re.compile(r"(?:\bat(?:\s+the)?(?:\s+level\s+of)?|\bbetween|\blevel\s+of)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class RootAtom:
    """One written notation: 'L5', 'L4/L5', 'L4-5', 'L4–S1', 'the fifth lumbar root'."""

    start: int
    end: int
    roots: tuple[str, ...]
    adjacent_pair: bool  # two neighbouring segments: could be a disc level
    is_level: bool = False


@dataclass(frozen=True)
class RootGroup:
    """Atoms joined by coordination ('L3 and L4', 'C5, C6 and C7'): they share one predicate."""

    start: int
    end: int
    atoms: tuple[RootAtom, ...]

    @property
    def roots(self) -> tuple[str, ...]:
        out: list[str] = []
        for a in self.atoms:
            if not a.is_level:
                out.extend(r for r in a.roots if r not in out)
        return tuple(out)


def _valid(region: str, num: int) -> bool:
    return f"{region}{num}" in _INDEX


def expand(first: str, last: str) -> tuple[str, ...]:
    """All roots from ``first`` to ``last`` inclusive ('L4', 'S1' -> L4, L5, S1)."""
    i, j = _INDEX[first], _INDEX[last]
    if j < i:
        i, j = j, i
    return ORDER[i:j + 1]


def _atom(m: re.Match) -> RootAtom | None:
    if m.group(5):  # ordinal form, possibly a range ('the second to the fourth lumbar nerves')
        region = _REGION_WORDS[m.group(7).lower()]
        first, last = _ORDINALS[m.group(5).lower()], _ORDINALS[(m.group(6) or m.group(5)).lower()]
        if not (_valid(region, first) and _valid(region, last)) or last < first:
            return None
        roots = expand(f"{region}{first}", f"{region}{last}")
        return RootAtom(m.start(), m.end(), roots, len(roots) == 2)
    if m.group(8):  # fused digits: each digit a segment, strictly consecutive (L123, L45)
        region = m.group(8)
        nums = [int(d) for d in (m.group(9), m.group(10), m.group(11)) if d]
        if any(b != a + 1 for a, b in pairwise(nums)) or not all(_valid(region, n) for n in nums):
            return None
        return RootAtom(m.start(), m.end(), tuple(f"{region}{n}" for n in nums), len(nums) == 2)
    if m.group(16):  # 'cervical nerve 7'
        region, num = _REGION_WORDS[m.group(16).lower()], int(m.group(17))
        return RootAtom(m.start(), m.end(), (f"{region}{num}",), False) if _valid(region, num) else None
    if m.group(12):  # fused across regions: L5S1, C8T1
        a, b = f"{m.group(12)}{m.group(13)}", f"{m.group(14)}{m.group(15)}"
        if a not in _INDEX or b not in _INDEX or _INDEX[b] != _INDEX[a] + 1:
            return None
        return RootAtom(m.start(), m.end(), (a, b), True)
    region, num = m.group(1), int(m.group(2))
    if not _valid(region, num):
        return None
    first = f"{region}{num}"
    if m.group(4) is None:
        return RootAtom(m.start(), m.end(), (first,), False)
    region2 = m.group(3) or region
    num2 = int(m.group(4))
    if not _valid(region2, num2) or _INDEX[f"{region2}{num2}"] <= _INDEX[first]:
        # 'L5-1' style or a descending pair: keep only the first root
        return RootAtom(m.start(), m.start() + len(_SPLIT_DASH.split(m.group(0))[0]), (first,), False)
    roots = expand(first, f"{region2}{num2}")
    return RootAtom(m.start(), m.end(), roots, len(roots) == 2)


def _continuations(text: str, atom: RootAtom, end: int) -> list[RootAtom]:
    """Bare segment numbers after a root that continue it: 'C5,6', 'C7, 8', 'C6, 7 and 8'."""
    out: list[RootAtom] = []
    region, last = atom.roots[-1][0], int(atom.roots[-1][1:])
    pos = atom.end
    while True:
        m = _BARE.match(text, pos, end)
        if m is None or (m.group(2) and m.group(2).upper() != region) or int(m.group(3)) <= last or not _valid(
                region, int(m.group(3))):
            return out
        last = int(m.group(3))
        out.append(RootAtom(m.start(2) if m.group(2) else m.start(3), m.end(3), (f"{region}{last}",), False))
        pos = m.end()


def root_starts(text: str):
    """Every place a root notation may start (cheap: a regular expression, no parsing)."""
    return _STARTS.finditer(text)


def find_root_groups(text: str, start: int = 0, end: int | None = None) -> list[RootGroup]:
    """Root groups in ``text[start:end]``, with disc levels marked (``is_level``)."""
    end = len(text) if end is None else end
    atoms: list[RootAtom] = []
    for s in _STARTS.finditer(text, start, end):
        m = _ATOM.match(text, s.start(), end)
        if m is None:
            continue
        a = _atom(m)
        if a is None or (atoms and a.start < atoms[-1].end):
            continue
        atoms.append(a)
        if len(a.roots) == 1 and not m.group(5):
            atoms.extend(_continuations(text, a, end))
    groups: list[list[RootAtom]] = []
    for a in atoms:
        prev = groups[-1][-1] if groups else None
        gap = text[prev.end:a.start] if prev else "?"
        joined = prev is not None and _COORD.match(gap or "?") and (
            gap.strip() or (len(a.roots) == 1 and _INDEX[a.roots[0]] == _INDEX[prev.roots[-1]] + 1)) and not (
            len(a.roots) == 1 and a.roots[0] in {r for b in groups[-1] for r in b.roots})  # 'L4 or L5, and L5 …'

        if joined:  # plain spaces join only consecutive single segments ('L3 L4 & L5', 'S1 S2')
            groups[-1].append(a)
        else:
            groups.append([a])
    disc_of = _disc_columns(atoms, text)
    out = []
    for g in groups:
        g_start, g_end = g[0].start, g[-1].end
        after = text[g_end:min(end, g_end + 40)]
        if _NOT_ROOT_AFTER.match(after):  # 'S1 and S2 heart sounds'
            continue
        before = text[max(start, g_start - 30):g_start]
        if _NOT_ROOT_BEFORE.search(before):  # 'between vertebrae C7 and C6'
            continue
        root_cue = bool(_ROOT_CUE.match(after))
        level_cue = bool(_LEVEL_CUE.match(after)) or bool(_LEVEL_BEFORE.search(before))
        marked = []
        for a in g:
            own_after = text[a.end:min(end, a.end + 40)]
            # 'the C7 and C8 levels' are segments (roots); only a pair is a disc level by the word alone
            own_level = bool(_LEVEL_CUE.match(own_after)) and not (
                len(a.roots) == 1 and _SEGMENT_LEVEL.match(own_after))
            if a.start in disc_of:
                is_level = True
            elif root_cue and not own_level:
                is_level = False
            elif own_level:
                is_level = True
            elif level_cue:
                # 'at L4-5' / 'L4/L5 and L5/S1 levels': pairs are levels; a lone segment
                # is one too when the whole group is introduced as a level
                is_level = a.adjacent_pair or (bool(_LEVEL_CUE.match(after)) and not (
                    len(a.roots) == 1 and _SEGMENT_LEVEL.match(after)))
            else:
                is_level = False
            marked.append(RootAtom(a.start, a.end, a.roots, a.adjacent_pair, is_level))
        out.append(RootGroup(g_start, g_end, tuple(marked)))
    return out


def _disc_columns(atoms: list[RootAtom], text: str) -> set[int]:
    """Pairs standing right after the root they compress, as in a root/disc table row.

    "C6 C 5-6 Radial forearm …", "S1 L5-S1 Lateral foot …": a single root followed by
    the adjacent pair that contains it (C7-T1 for C8) is the row's disc column.
    """
    out = set()
    for a, b in pairwise(atoms):
        if len(a.roots) == 1 and b.adjacent_pair and not text[a.end:b.start].strip():
            r = a.roots[0]
            if r in b.roots or (r == "C8" and b.roots == ("C7", "T1")):
                out.add(b.start)
    return out
