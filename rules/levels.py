"""Claims a page makes of a disc level it has itself mapped to a root.

Extraction reads "an L5-S1 herniation typically compresses the L5 root" as a
level claim (L5-S1 → L5), and never reads a disc level as a root: so "weak
dorsiflexion is not expected with an L5-S1 herniation" makes no claim at all.
Read with the page's own mapping, it says the L5 root does not weaken
dorsiflexion. This module re-reads each line that names such a level, with the
level written as the root the page maps it to ("an L5 root herniation"),
through the same extraction, and returns what it says at the page's own offsets.

Only levels extraction did not read as roots are re-read, never the level
claim's own sentence, and at most ``MAX_LINES`` lines per article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from extractors.types import Assertion

from .engine import CheckContext

MAX_LINES = 50
_PREFIX = "Level\n\n"  # a title line, so the re-read line is body text


@dataclass(frozen=True)
class LevelReading:
    """A claim read from a line naming ``level``, which the page maps to ``assertion.root``."""

    assertion: Assertion  # offsets are the page's own
    level: str
    mapped_at: tuple[int, int]  # the sentence of the page's level claim


def _pattern(level: str) -> re.Pattern:
    """'L4-L5' as written on pages: L4-L5, L4/L5, L4–5, L4 L5."""
    upper, lower = level.split("-")
    short = lower[1:] if lower[0] == upper[0] else None
    tail = rf"(?:{lower}|{short})" if short else lower
    return re.compile(rf"(?<![A-Za-z0-9]){upper}\s?(?:[-/–—]|\s)\s?{tail}(?!\d)")


def level_readings(ctx: CheckContext) -> list[LevelReading]:
    """Claims the page makes of its mapped levels, at or above the gate threshold, computed once per check."""
    if "level_readings" not in ctx.cache:
        ctx.cache["level_readings"] = _read(ctx)
    return ctx.cache["level_readings"]


def _read(ctx: CheckContext) -> list[LevelReading]:
    from extractors.ingest import parse
    from extractors.relations import analyze

    text = ctx.article.plain
    mapped: dict[str, tuple[str, tuple[int, int]]] = {}
    for claim in ctx.level_claims:
        mapped.setdefault(claim.level, (claim.root, (claim.start, claim.end)))
    if not mapped:
        return []
    as_roots = [(a.root_start, a.root_end) for a in (*ctx.assertions, *ctx.unsure)]
    lines: dict[tuple[int, int], list[tuple[int, int, str]]] = {}
    for level, (_, own) in mapped.items():
        for m in _pattern(level).finditer(text):
            s, e = m.span()
            if own[0] <= s < own[1] or any(rs < e and s < re_ for rs, re_ in as_roots):
                continue
            start = text.rfind("\n", 0, s) + 1
            end = text.find("\n", e)
            lines.setdefault((start, end if end >= 0 else len(text)), []).append((s, e, level))
    out = []
    for (start, end), spots in list(lines.items())[:MAX_LINES]:
        spots.sort()
        line, moves, at = [], [], start  # moves: (new start, new end, old start, old end) of each written root
        for s, e, level in spots:
            line.append(text[at:s])
            written = f"{mapped[level][0]} root"
            new_s = len(_PREFIX) + sum(map(len, line))
            moves.append((new_s, new_s + len(written), s, e, level))
            line.append(written)
            at = e
        line.append(text[at:end])

        def old(pos: int, moves: list = moves, start: int = start) -> int:
            """An offset of the re-read line as an offset of the page."""
            delta = start - len(_PREFIX)
            for ns, ne, os_, oe, _ in moves:
                if pos < ns:
                    break
                if pos < ne:
                    return os_ if pos == ns else oe
                delta = oe - ne
            return pos + delta

        for a in analyze(parse(_PREFIX + "".join(line), ctx.article.source)).assertions:
            spot = next((m for m in moves if m[0] <= a.root_start < m[1]), None)
            if spot is None or a.confidence < ctx.gate_threshold:
                continue
            s_, e_ = old(a.start), old(a.end)
            moved = replace(a, id=f"{a.id}@{spot[4]}", start=s_, end=e_, root_start=spot[2], root_end=spot[3],
                            target_start=old(a.target_start), target_end=old(a.target_end),
                            section=_section(ctx, s_), sentence=text[s_:e_])
            out.append(LevelReading(moved, spot[4], mapped[spot[4]][1]))
    return out


def _section(ctx: CheckContext, at: int) -> str:
    sec = ctx.article.section_at(at)
    return (sec.top or sec.heading) if sec else ""
