"""Claims checked against the reference table of roots (``rules/data/myotomes.json``).

Policy (from the table's sources, which disagree at the edges, and the
reference facts: "a root that only a variant source gives is at most info"):
a root in the standard set passes. A root only some teaching sources give (a
variant) is "disputed" and reported as ``info`` — real teaching pages give
S2 for knee flexion or C8 for wrist extension, and a gate that warns on them
is ignored. One exception: a variant that is the primary root of the
movement's antagonist and is the only root the article gives (S1 for foot
inversion, S1 being eversion's main root) is a ``warning``, because giving a
movement its opposite's root is the classic confusion. Any other root
contradicts the reference: ``warning``. A root written in parentheses inside a
list of roots ("L5, S1, (S2)") marks a minor contribution and is not checked.
Each finding names the reference, its version and sources.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from .engine import CheckContext, Draft, rule

_EXPLANATION = """Published myotome tables disagree at the edges, so the reference gives each
movement and reflex a primary root, a standard set (ISNCSCI key muscles, O'Brien, Fuller) and
variants that only some teaching sources give. A claimed root outside both contradicts the
reference. A variant root alone is disputed and reported as a warning; next to a standard root
it is reported as info (see reference.disputed-root). Negated and hedged claims are not checked.
The table is data with a version; an editorial board can replace it (configuration key
'reference')."""


def _claims(ctx: CheckContext) -> list[tuple[str, str, list, str]]:
    """Affirmed (root, target) claims with their rows and standing: standard, disputed, alone or contradicts."""
    by_pair: dict[tuple[str, str], list] = defaultdict(list)
    text = ctx.article.plain
    for a in ctx.assertions:
        if a.polarity == "affirmed" and a.target in ctx.reference.entries and not _minor(
                text, a.root_start, a.root_end):
            by_pair[(a.root, a.target)].append(a)
    roots_for: dict[str, set[str]] = defaultdict(set)
    for root, target in by_pair:
        roots_for[target].add(root)
    out = []
    for (root, target), rows in by_pair.items():
        e = ctx.reference.entries[target]
        if root in e.standard:
            standing = "standard"
        elif root in e.variants:
            opposite = {ctx.reference.entries[o].primary for o in ctx.reference.antagonist_of(target)
                        if o in ctx.reference.entries}
            alone = not roots_for[target] & set(e.standard)
            standing = "disputed-alone" if alone and root in opposite else "disputed"
        else:
            standing = "contradicts"
        out.append((root, target, rows, standing))
    return out


def _minor(text: str, start: int, end: int) -> bool:
    """'L5, S1, (S2)': a root in its own parentheses after other roots is a minor contribution."""
    before = text[max(0, start - 3):start]
    return before.endswith("(") and text[end:end + 1] == ")" and bool(re.search(r"[,\s]\(?$", before[:-1] or " "))


def _ref_name(ctx: CheckContext) -> str:
    return f"{ctx.reference.title} v{ctx.reference.version}"


@rule(
    "reference.contradicts-table", "warning",
    "A root claimed for a movement or reflex is not in the reference table's set for it",
    _EXPLANATION,
    example_trigger="The L3 root controls ankle dorsiflexion.",
    example_pass="The L4 root controls ankle dorsiflexion.",
)
def contradicts_table(ctx: CheckContext) -> Iterable[Draft]:
    for root, target, rows, standing in _claims(ctx):
        if standing not in ("contradicts", "disputed-alone"):
            continue
        e = ctx.reference.entries[target]
        ref = f"the reference table ({_ref_name(ctx)})"
        if standing == "disputed-alone":
            opposite = ", ".join(ctx.label(o) for o in ctx.reference.antagonist_of(target)
                                 if ctx.reference.entries.get(o) and ctx.reference.entries[o].primary == root)
            head = (f"{root} → {ctx.label(target)} is disputed, is the only root the article gives for it, and is the "
                    f"main root of the opposite movement ({opposite}): only some sources give {root}, and {ref} gives")
        else:
            head = f"{root} → {ctx.label(target)} contradicts {ref}, which gives"
        yield Draft(
            f"{head} {', '.join(e.standard)} (primary {e.primary}); sources: {'; '.join(e.sources)}",
            ctx.sentence_evidence(rows), tuple(a.id for a in rows),
            f"Check the claim against the sources; the reference gives {', '.join(e.standard)}.",
        )


@rule(
    "reference.disputed-root", "info",
    "A root only some sources give, named beside a standard root",
    _EXPLANATION,
    example_trigger="Shoulder abduction is served by C5, C6 and C4.",
    example_pass="Shoulder abduction is served by C5 and C6.",
)
def disputed_root(ctx: CheckContext) -> Iterable[Draft]:
    for root, target, rows, standing in _claims(ctx):
        e = ctx.reference.entries[target]
        if standing == "disputed":
            yield Draft(
                f"{root} → {ctx.label(target)} is disputed: only some sources give it; the standard set is "
                f"{', '.join(e.standard)} ({_ref_name(ctx)}; sources: {'; '.join(e.sources)})",
                ctx.sentence_evidence(rows), tuple(a.id for a in rows),
                "Say that the contribution is disputed, or cite the source that gives it.",
            )
