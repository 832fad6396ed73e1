"""Internal-consistency rules: what an article says against what it says elsewhere.

Only affirmed assertions count: "S1 is not responsible for dorsiflexion" and
"no evidence that S1 …" never make a conflict.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from extractors.roots import ORDER

from .engine import CheckContext, Draft, rule


def _roots(roots: Iterable[str]) -> str:
    return ", ".join(sorted(set(roots), key=ORDER.index))


@rule(
    "consistency.conflicting-roots", "blocker",
    "Two sections attribute the same movement or reflex to different roots",
    """An article that names one root for a movement in one section and a wholly
    different set of roots in another gives its reader two answers and no way to
    choose. Sections that overlap (one says L4 and L5, another L5) are not a
    conflict: one is less complete. Negated and hedged claims do not count. When
    the movement is the one the title asks about, the article answers its own
    question twice.""",
    example_trigger="From the Guidelines\n\nDorsiflexion is controlled by the L5 root.\n\n"
                    "From the Research\n\nDorsiflexion is controlled by the L3 and L4 roots.",
    example_pass="From the Guidelines\n\nDorsiflexion is controlled by the L4 and L5 roots.\n\n"
                 "From the Research\n\nDorsiflexion is controlled mainly by the L5 root.",
)
def conflicting_roots(ctx: CheckContext) -> Iterable[Draft]:
    by_target: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for a in ctx.assertions:
        if a.polarity == "affirmed" and a.section:
            by_target[a.target][a.section].append(a)
    for target, sections in by_target.items():
        names = list(sections)
        roots = {s: {a.root for a in sections[s]} for s in names}
        pairs = [(x, y) for i, x in enumerate(names) for y in names[i + 1:] if not roots[x] & roots[y]]
        if not pairs:
            continue
        involved = list(dict.fromkeys(s for p in pairs for s in p))
        parts = [f"{_roots(roots[s])} in '{s}'" for s in involved]
        message = f"{ctx.label(target)} is attributed to {parts[0]} but to " + " and to ".join(parts[1:])
        if target in ctx.title_targets:
            message += "; the article gives different answers to its own title question"
        rows = [a for s in involved for a in sections[s]]
        yield Draft(
            message,
            ctx.sentence_evidence(rows),
            tuple(a.id for a in rows),
            f"Make the sections agree. The reference table gives {ctx.reference.describe(target)}.",
        )


@rule(
    "consistency.antagonist-root", "blocker",
    "One root is named the main root of two opposing movements",
    """Antagonistic movements (dorsiflexion and plantar flexion, inversion and
    eversion, flexion and extension of one joint) are served by different main
    roots. An article that calls one root the main (primary) root of both
    contradicts itself, even when each claim sits in a different section. Roots
    merely shared by both movements are common and are not flagged; the rule needs
    a primacy cue ("primarily", "mainly") on both claims.""",
    example_trigger="L5 is primarily responsible for dorsiflexion. "
                    "The L5 root is mainly associated with plantar flexion.",
    example_pass="L5 is primarily responsible for dorsiflexion. S1 is mainly associated with plantar flexion.",
)
def antagonist_root(ctx: CheckContext) -> Iterable[Draft]:
    primary: dict[tuple[str, str], list] = defaultdict(list)
    for a in ctx.assertions:
        if a.polarity == "affirmed" and a.primary:
            primary[(a.root, a.target)].append(a)
    for x, y in ctx.reference.antagonists:
        for root in sorted({r for r, t in primary if t == x}, key=ORDER.index):
            if (root, y) not in primary:
                continue
            ax, ay = primary[(root, x)], primary[(root, y)]
            where_x = ", ".join(dict.fromkeys(f"'{a.section}'" for a in ax))
            where_y = ", ".join(dict.fromkeys(f"'{a.section}'" for a in ay))
            yield Draft(
                f"{root} is given as the main root of both {ctx.label(x)} ({where_x}) and "
                f"{ctx.label(y)} ({where_y}), which are antagonistic movements",
                ctx.sentence_evidence(ax + ay),
                tuple(a.id for a in ax + ay),
                f"Check both claims. Reference: {ctx.label(x)} {ctx.reference.describe(x)}; "
                f"{ctx.label(y)} {ctx.reference.describe(y)}.",
            )
