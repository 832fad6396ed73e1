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
    example_trigger="Which root controls dorsiflexion?\n\nFrom the Guidelines\n\nDorsiflexion is controlled by "
                    "the L5 root.\n\nFrom the Research\n\nDorsiflexion is controlled by the L3 and L4 roots.",
    example_pass="Which root controls dorsiflexion?\n\nFrom the Guidelines\n\nDorsiflexion is controlled by the "
                 "L4 and L5 roots.\n\nFrom the Research\n\nDorsiflexion is controlled mainly by the L5 root.",
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
    """Antagonistic movements (dorsiflexion and plantar flexion, flexion and
    extension of one joint) are mostly served by different roots. An article that
    calls one root the main (primary) root of both contradicts itself where the
    reference table's standard roots of the two movements do not share that root:
    L5 as the main root of dorsiflexion (standard L4, L5) and of plantar flexion
    (S1, S2). Where the standard sets overlap (inversion L4, L5 and eversion L5, S1
    share L5) a page may name the shared root for both, and nothing is flagged. The
    rule needs a primacy cue ("primarily", "mainly") on both claims.""",
    example_trigger="L5 is primarily responsible for dorsiflexion. "
                    "The L5 root is mainly associated with plantar flexion.",
    example_pass="L5 is the main root of foot inversion. L5 is also the main root of foot eversion.",
)
def antagonist_root(ctx: CheckContext) -> Iterable[Draft]:
    primary: dict[tuple[str, str], list] = defaultdict(list)
    for a in ctx.assertions:
        if a.polarity == "affirmed" and a.primary:
            primary[(a.root, a.target)].append(a)
    for x, y in ctx.reference.antagonists:
        ex, ey = ctx.reference.entries.get(x), ctx.reference.entries.get(y)
        shared = set(ex.standard) & set(ey.standard) if ex and ey else set()
        for root in sorted({r for r, t in primary if t == x}, key=ORDER.index):
            if (root, y) not in primary or root in shared:
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


@rule(
    "consistency.conflicting-primary", "warning",
    "Two sentences of one section name different main roots for one movement",
    """Within one section, "L5 is primarily associated with plantar flexion" and "S1 is
    primarily associated with plantar flexion" cannot both hold: a movement has one main
    root. Sentences that merely name different contributing roots are not flagged; only
    claims marked as primary ("primarily", "mainly") are compared.""",
    example_trigger="The L5 roots are primarily associated with plantar flexion. "
                    "The S1 roots are mainly responsible for plantar flexion.",
    example_pass="The S1 roots are primarily associated with plantar flexion. "
                 "The S2 roots also contribute to plantar flexion.",
)
def conflicting_primary(ctx: CheckContext) -> Iterable[Draft]:
    by_key: dict[tuple[str, str], dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for a in ctx.assertions:
        if a.polarity == "affirmed" and a.primary:
            by_key[(a.section, a.target)][a.start].append(a)
    for (section, target), sentences in by_key.items():
        root_sets = {start: {a.root for a in rows} for start, rows in sentences.items()}
        starts = list(root_sets)
        if not any(not root_sets[x] & root_sets[y] for i, x in enumerate(starts) for y in starts[i + 1:]):
            continue
        rows = [a for s in starts for a in sentences[s]]
        named = " and ".join(dict.fromkeys(_roots(root_sets[s]) for s in starts))
        yield Draft(f"'{section or 'the article'}' names {named} as the main root of {ctx.label(target)}",
                    ctx.sentence_evidence(rows), tuple(a.id for a in rows),
                    f"Keep one main root. Reference: {ctx.reference.describe(target)}.")


@rule(
    "consistency.title-answer", "warning",
    "Sections answer the title question with different roots",
    """When the title asks which root serves a movement, each section's answer is the set
    of roots it affirms for that movement. Sections whose answers differ (one says L4 and
    L5, another only L5) leave the reader unsure; disjoint answers are also reported as the
    blocker consistency.conflicting-roots.""",
    example_trigger="Which root serves dorsiflexion?\n\nFrom the Guidelines\n\nDorsiflexion is served by L4 and L5."
                    "\n\nFrom the Research\n\nDorsiflexion is served by L5.",
    example_pass="Which root serves dorsiflexion?\n\nFrom the Guidelines\n\nDorsiflexion is served by L4 and L5."
                 "\n\nFrom the Research\n\nDorsiflexion is served by the L4 and L5 roots.",
)
def title_answer(ctx: CheckContext) -> Iterable[Draft]:
    for target in ctx.title_targets:
        sections: dict[str, list] = defaultdict(list)
        for a in ctx.assertions:
            if a.polarity == "affirmed" and a.target == target and a.section:
                sections[a.section].append(a)
        answers = {s: frozenset(a.root for a in rows) for s, rows in sections.items()}
        if len(set(answers.values())) < 2:
            continue
        parts = "; ".join(f"'{s}': {_roots(r)}" for s, r in answers.items())
        rows = [a for s in answers for a in sections[s]]
        yield Draft(f"the title asks about {ctx.label(target)}, and the sections answer differently ({parts})",
                    ctx.sentence_evidence(rows), tuple(a.id for a in rows),
                    f"Give one answer throughout. Reference: {ctx.reference.describe(target)}.")


@rule(
    "consistency.disc-level-root", "warning",
    "A disc level is said to affect a root it does not usually compress",
    """A posterolateral lumbar disc herniation compresses the traversing root (L4-L5 → L5,
    L5-S1 → S1); a far-lateral one the exiting root (L4-L5 → L4). In the neck the root
    below the disc's upper vertebra is affected (C5-C6 → C6). A claim that a level
    affects another root contradicts the usual pattern (warning); an exiting lumbar root
    without the words far-lateral or foraminal is reported as info.""",
    example_trigger="An L4-L5 disc herniation compresses the S1 root, weakening plantar flexion.",
    example_pass="An L4-L5 disc herniation compresses the L5 root, weakening great toe extension.",
)
def disc_level_root(ctx: CheckContext) -> Iterable[Draft]:
    for claim in ctx.level_claims:
        usual = ctx.reference.disc_levels.get(claim.level)
        if usual is None or claim.root == usual:
            continue
        upper = claim.level.split("-")[0]
        if claim.level.startswith("L") and claim.root == upper:
            continue  # exiting root: far-lateral pattern, reported by consistency.disc-level-exiting
        yield Draft(f"{claim.level} is said to affect {claim.root}; a herniation at {claim.level} usually "
                    f"compresses {usual}" + (f" (far-lateral: {upper})" if claim.level.startswith("L") else ""),
                    (ctx.evidence(claim.start, claim.end),), (),
                    f"Check the level or the root (usual pattern: {claim.level} → {usual}).")


@rule(
    "consistency.disc-level-exiting", "info",
    "A lumbar level is said to affect its exiting root without saying far-lateral",
    """At a lumbar level the exiting root (the upper one: L4 at L4-L5) is compressed only by
    a far-lateral or foraminal herniation; the usual posterolateral herniation compresses
    the traversing root. Saying which kind avoids a reader taking it for an error.""",
    example_trigger="An L4-L5 disc herniation compresses the L4 root.",
    example_pass="A far-lateral L4-L5 disc herniation compresses the exiting L4 root.",
)
def disc_level_exiting(ctx: CheckContext) -> Iterable[Draft]:
    for claim in ctx.level_claims:
        usual = ctx.reference.disc_levels.get(claim.level)
        upper = claim.level.split("-")[0]
        if usual and claim.level.startswith("L") and claim.root == upper != usual and not claim.far_lateral:
            yield Draft(f"{claim.level} is said to affect the exiting root {upper}; that needs a far-lateral "
                        f"herniation (a posterolateral one compresses {usual})",
                        (ctx.evidence(claim.start, claim.end),), (), "Say 'far-lateral' or 'foraminal' if meant.")


@rule(
    "consistency.no-such-reflex", "warning",
    "A muscle without a tendon reflex is given as a root's reflex",
    """Where the page lists tendon reflexes ("DTR for C6", a "Reflexes:" lead-in, a reflex
    column), each entry should name a reflex. A muscle that has no tendon reflex of its own
    (the brachialis, for instance) answers with the wrong muscle: the C6 reflexes are the
    biceps and brachioradialis (supinator) reflexes. Muscles with a recognised reflex outside
    the vocabulary (the finger flexors, the hip adductors) are not reported.""",
    example_trigger="DTR for C6\nBrachialis",
    example_pass="DTR for C6\nBrachioradialis",
)
def no_such_reflex(ctx: CheckContext) -> Iterable[Draft]:
    for start, end, roots in ctx.misnamed_reflexes:
        name = ctx.article.text[start:end]
        given = f" for {_roots(roots)}" if roots else ""
        expected = sorted({t for t, e in ctx.reference.entries.items() if ctx.lexicon.kinds.get(t) == "reflex"
                           and set(roots) & set(e.standard)}) if roots else []
        hint = f"; the reference gives {', '.join(ctx.label(t) for t in expected)}" if expected else ""
        yield Draft(f"'{name}' is given as a tendon reflex{given}, but it has no tendon reflex{hint}",
                    (ctx.evidence(start, end),), (), "Name the reflex that tests this root.")
