"""Numeric citation markers: 'torque 2.', 'movements 2, 3.', 'provided by 1 and 1,', '[4]'.

Bare numbers are only markers where a reader would take them as such: at the
end of a sentence or clause after a word, or after 'by', 'in', 'see' … and
followed by punctuation. '6 weeks', '90%' and years are never markers.

>>> [m.numbers for m in find_markers("as stimulation can produce dorsiflexion torque 2.")]
[('2',)]
>>> [m.numbers for m in find_markers("According to the evidence provided by 1 and 1, a focused exam")]
[('1', '1')]
>>> find_markers("improvements seen at 6 weeks post-surgery")
[]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LIST = r"\d{1,2}(?:\s*(?:,|and|&)\s*\d{1,2})*"
_BRACKETED = re.compile(r"\[(\d{1,3}(?:\s*[,–-]\s*\d{1,3})*)\]")
_AFTER_CUE = re.compile(
    rf"\b(?:by|in|from|see|per|cf\.?|references?|refs?\.?)\s+({_LIST})(?=\s*[,.;:)]|\s*$)",
    re.IGNORECASE,
)
_TRAILING = re.compile(rf"(?<=[A-Za-z)\]])\s+({_LIST})(?=\s*[.;]?\s*(?:$|\n))")


@dataclass(frozen=True)
class Marker:
    start: int
    end: int
    numbers: tuple[str, ...]  # as written, repeats kept ('1 and 1' -> ('1', '1'))


def _numbers(s: str) -> tuple[str, ...]:
    out: list[str] = []
    for part in re.split(r"\s*(?:,|and|&)\s*", s.strip()):
        if "-" in part or "–" in part:
            a, _, b = re.split(r"\s*([-–])\s*", part)
            if a.isdigit() and b.isdigit() and int(a) <= int(b) <= int(a) + 50:
                out.extend(str(i) for i in range(int(a), int(b) + 1))
        elif part.isdigit():
            out.append(str(int(part)))
    return tuple(out)


def find_markers(text: str, start: int = 0, end: int | None = None) -> list[Marker]:
    """Citation markers inside ``text[start:end]``, offsets into ``text``."""
    end = len(text) if end is None else end
    chunk = text[start:end]
    found: dict[int, Marker] = {}
    for rx in (_BRACKETED, _AFTER_CUE, _TRAILING):
        for m in rx.finditer(chunk):
            s, e = start + m.start(1), start + m.end(1)
            if any(s < o.end and o.start < e for o in found.values()):
                continue
            nums = _numbers(m.group(1))
            if nums:
                found[s] = Marker(s, e, nums)
    return [found[k] for k in sorted(found)]
