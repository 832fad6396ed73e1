"""Spinal root notations, and telling roots from disc levels.

Roots are found with regular expressions over the text rather than token
patterns: tokenizers disagree on ``L4/L5`` (one token), ``L4-5`` (three) and
``C5–C6`` (one), and a character-level grammar handles all of them alike.

>>> [(a.roots, a.is_level) for g in find_root_groups("at the L4/L5 and L5/S1 levels") for a in g.atoms]
[(('L4', 'L5'), True), (('L5', 'S1'), True)]
>>> [a.roots for g in find_root_groups("the L4-5 roots and the fifth lumbar root") for a in g.atoms]
[('L4', 'L5'), ('L5',)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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

_SEG = r"(?<![A-Za-z0-9_])([CTLS])\s?([1-9]|1[0-2])(?![0-9A-Za-z])"
_DASH = r"\s?[-–—/]\s?"
_ATOM = re.compile(
    rf"{_SEG}(?:{_DASH}(?:([CTLS])\s?)?([1-9]|1[0-2])(?![0-9A-Za-z]))?"
    rf"|(?i:\b(?:the\s+)?({'|'.join(_ORDINALS)})\s+(cervical|thoracic|lumbar|sacral)\b)"
)
_COORD = re.compile(r"^\s*(?:,\s*(?:and|or|and/or)?|and/or|and|or|&|/)\s*$", re.IGNORECASE)
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
    if m.group(5):  # ordinal form
        num = _ORDINALS[m.group(5).lower()]
        region = _REGION_WORDS[m.group(6).lower()]
        if not _valid(region, num):
            return None
        return RootAtom(m.start(), m.end(), (f"{region}{num}",), False)
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
        return RootAtom(m.start(), m.start() + len(m.group(0).split("-")[0].split("/")[0].rstrip()),
                        (first,), False)
    roots = expand(first, f"{region2}{num2}")
    return RootAtom(m.start(), m.end(), roots, len(roots) == 2)


def find_root_groups(text: str, start: int = 0, end: int | None = None) -> list[RootGroup]:
    """Root groups in ``text[start:end]``, with disc levels marked (``is_level``)."""
    end = len(text) if end is None else end
    atoms: list[RootAtom] = []
    for m in _ATOM.finditer(text, start, end):
        a = _atom(m)
        if a is None:
            continue
        atoms.append(a)
    groups: list[list[RootAtom]] = []
    for a in atoms:
        if groups and _COORD.match(text[groups[-1][-1].end:a.start] or "?"):
            groups[-1].append(a)
        else:
            groups.append([a])
    out = []
    for g in groups:
        g_start, g_end = g[0].start, g[-1].end
        after = text[g_end:min(end, g_end + 40)]
        if _NOT_ROOT_AFTER.match(after):  # 'S1 and S2 heart sounds'
            continue
        before = text[max(start, g_start - 30):g_start]
        root_cue = bool(_ROOT_CUE.match(after))
        level_cue = bool(_LEVEL_CUE.match(after)) or bool(_LEVEL_BEFORE.search(before))
        marked = []
        for a in g:
            own_after = text[a.end:min(end, a.end + 40)]
            own_level = bool(_LEVEL_CUE.match(own_after))
            if root_cue and not own_level:
                is_level = False
            elif own_level:
                is_level = True
            elif level_cue:
                # 'at L4-5' / 'L4/L5 and L5/S1 levels': pairs are levels; a lone segment
                # is one too when the whole group is introduced as a level
                is_level = a.adjacent_pair or bool(_LEVEL_CUE.match(after))
            else:
                is_level = False
            marked.append(RootAtom(a.start, a.end, a.roots, a.adjacent_pair, is_level))
        out.append(RootGroup(g_start, g_end, tuple(marked)))
    return out
