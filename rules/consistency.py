"""Internal-consistency rules: what an article says against what it says elsewhere.

Only affirmed assertions count: "S1 is not responsible for dorsiflexion" and
"no evidence that S1 …" never make a conflict.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from extractors.roots import ORDER

from .engine import CheckContext, Draft, rule
from .scope import NOT_MAIN, denial_names_root, quote


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


_FAR_LATERAL = re.compile(r"far[- ]?lateral|extra-?foraminal|(?<!\w)foraminal|intra-?foraminal", re.IGNORECASE)


def _disc(ctx: CheckContext, claim) -> tuple[str | None, str]:
    """The root a herniation at the claim's level usually compresses, and how the claimed root stands to it.

    'usual'; 'exiting' (a lumbar level's upper root, which only a far-lateral herniation reaches);
    'other'; or None for a level the table does not know.
    """
    usual = ctx.reference.disc_levels.get(claim.level)
    if usual is None:
        return None, ""
    if claim.root == usual:
        return usual, "usual"
    upper = claim.level.split("-")[0]
    return usual, "exiting" if claim.level.startswith("L") and claim.root == upper else "other"


def _usual_pattern(ctx: CheckContext, claim) -> bool:
    """Said as the usual pattern ('typically', 'most commonly' …), and not of a far-lateral herniation.

    'Exiting' alone does not make a herniation far-lateral: "an L5-S1 disc typically compresses the
    exiting L5 root" still misstates the usual pattern.
    """
    if not claim.frequency:
        return False
    standing = _disc(ctx, claim)[1]
    if standing == "other":
        return True
    return standing == "exiting" and not _FAR_LATERAL.search(ctx.article.plain, claim.start, claim.end)


@rule(
    "consistency.disc-level-root", "warning",
    "A disc level is said to affect a root it does not usually compress",
    """A posterolateral lumbar disc herniation compresses the traversing root (L4-L5 → L5,
    L5-S1 → S1); a far-lateral one the exiting root (L4-L5 → L4). In the neck a herniation
    compresses the root that exits at its level, which takes the number of the lower vertebra
    (C5-C6 → C6). A claim that a level affects another root contradicts the usual pattern
    (warning); an exiting lumbar root without the words far-lateral or foraminal is reported as
    info (consistency.disc-level-exiting), and a claim said as the usual pattern ('typically',
    'most commonly') by consistency.disc-level-usual.""",
    example_trigger="An L4-L5 disc herniation compresses the S1 root, weakening plantar flexion.",
    example_pass="An L4-L5 disc herniation compresses the L5 root, weakening great toe extension.",
)
def disc_level_root(ctx: CheckContext) -> Iterable[Draft]:
    for claim in ctx.level_claims:
        usual, standing = _disc(ctx, claim)
        if standing != "other" or _usual_pattern(ctx, claim):
            continue
        upper = claim.level.split("-")[0]
        yield Draft(f"{claim.level} is said to affect {claim.root}; a herniation at {claim.level} usually "
                    f"compresses {usual}" + (f" (far-lateral: {upper})" if claim.level.startswith("L") else ""),
                    (ctx.evidence(claim.start, claim.end),), (),
                    f"Check the level or the root (usual pattern: {claim.level} → {usual}).")


@rule(
    "consistency.disc-level-exiting", "info",
    "A lumbar level is said to affect its exiting root without saying far-lateral",
    """At a lumbar level the exiting root (the upper one: L4 at L4-L5) is compressed only by
    a far-lateral or foraminal herniation; the usual posterolateral herniation compresses
    the traversing root. Saying which kind avoids a reader taking it for an error. Said as the
    usual pattern ('typically compresses L4'), the claim is wrong: consistency.disc-level-usual.""",
    example_trigger="An L4-L5 disc herniation compresses the L4 root.",
    example_pass="A far-lateral L4-L5 disc herniation compresses the exiting L4 root.",
)
def disc_level_exiting(ctx: CheckContext) -> Iterable[Draft]:
    for claim in ctx.level_claims:
        usual, standing = _disc(ctx, claim)
        if standing == "exiting" and not claim.far_lateral and not _usual_pattern(ctx, claim):
            yield Draft(f"{claim.level} is said to affect the exiting root {claim.root}; that needs a far-lateral "
                        f"herniation (a posterolateral one compresses {usual})",
                        (ctx.evidence(claim.start, claim.end),), (), "Say 'far-lateral' or 'foraminal' if meant.")


@rule(
    "consistency.disc-level-usual", "warning",
    "A disc level is said to usually compress a root that the usual herniation does not reach",
    """Said as the usual pattern ('typically', 'usually', 'most commonly', 'classically'), a
    disc level → root claim must name the root the usual herniation compresses. In the lumbar
    spine a root leaves below the vertebra of its number, so at L4-L5 the exiting root is L4
    and the traversing root L5; the usual herniation is posterolateral and compresses the
    traversing root (L4-L5 → L5, L5-S1 → S1), and only a far-lateral or foraminal one the
    exiting root. 'An L5-S1 disc typically compresses the L5 root' is therefore wrong unless it
    says far-lateral or foraminal ('exiting' alone is not enough). The neck is numbered the
    other way: there are eight cervical roots and seven cervical vertebrae, roots C1-C7 leave
    above the vertebra of their number and C8 between C7 and T1, so the root exiting at
    C5-C6 is C6, and a C5-C6 herniation, posterolateral or foraminal, usually compresses C6,
    the root exiting at that level; C5 left the canal a level higher, at C4-C5. Applying the
    lumbar rule to the neck (C5-C6 → C7) or the lumbar naming (C5-C6 → C5) is the error this
    catches. Said without a frequency word, an exiting lumbar root is info
    (consistency.disc-level-exiting) and any other root a warning (consistency.disc-level-root).""",
    example_trigger="An L5-S1 disc herniation typically compresses the L5 root.",
    example_pass="An L5-S1 disc herniation typically compresses the S1 root.",
)
def disc_level_usual(ctx: CheckContext) -> Iterable[Draft]:
    for claim in ctx.level_claims:
        if not _usual_pattern(ctx, claim):
            continue
        usual, standing = _disc(ctx, claim)
        level, root, said = claim.level, claim.root, claim.frequency
        if level.startswith("C"):
            why = (f"a herniation at {level} usually compresses {usual}, the root that exits at that level "
                   f"(C1-C7 leave above the vertebra of their number, C8 between C7 and T1)")
        elif standing == "exiting":
            why = (f"{root} is the root exiting at {level}, which only a far-lateral or foraminal herniation "
                   f"reaches; the usual, posterolateral herniation compresses the traversing {usual} root")
        else:
            why = (f"a herniation at {level} compresses the traversing {usual} root (posterolateral, the usual "
                   f"kind) or the exiting {level.split('-')[0]} root (far-lateral)")
        yield Draft(f"{level} is said to '{said}' affect {root}, but {why}", (ctx.evidence(claim.start, claim.end),),
                    (), f"Write {level} → {usual}, or say which herniation (far-lateral, foraminal) is meant.")


def _where(ctx: CheckContext, rows: list) -> str:
    return ", ".join(dict.fromkeys(f"'{a.section}'" if a.section else "the article" for a in rows))


@rule(
    "consistency.denied-claim", "warning",
    "The article affirms a root for a movement in one place and denies it in another",
    """A page that says "compression of the L4 root weakens ankle dorsiflexion" and later
    dismisses "weak ankle dorsiflexion" as not typical of an L4 lesion gives its reader both
    answers. The same root and movement or reflex affirmed in one sentence and negated in
    another is reported with both places quoted: a sentence, a bullet, a rejected MCQ option
    ("Option C (weak dorsiflexion) is not typical of L4"), or a disc level the page itself
    maps to the root ("an L5-S1 herniation typically compresses L5" and then "weak
    dorsiflexion is not expected with an L5-S1 herniation"). A denial that the root is the
    main or the specific one ("L2 is not the dominant root of hip adduction") contradicts only
    a claim that it is the main one, not a claim that it contributes. A denial counts where it
    says what it denies: its sentence names the root (or the disc level), or says the movement
    belongs to another root ("the other options involve different nerve roots"); a negation in a
    sentence that names neither ("3: difficult to assess; can consider full strength if …", "a
    normal reaction … indicates no …") is about a grade or a response, not the root. Both claims
    must be at or above the gate threshold; hedged claims never count.""",
    example_trigger="Which finding fits L4 compression?\n\nCompression of the L4 root weakens ankle dorsiflexion."
                    "\n\nOption C (weak ankle dorsiflexion) is not typical of an L4 lesion.",
    example_pass="Which finding fits L4 compression?\n\nCompression of the L4 root weakens ankle dorsiflexion."
                 "\n\nOption C (weak plantar flexion) is not typical of an L4 lesion.",
)
def denied_claim(ctx: CheckContext) -> Iterable[Draft]:
    from .levels import level_readings

    text = ctx.article.plain
    affirmed: dict[tuple[str, str], list] = defaultdict(list)
    denied: dict[tuple[str, str], list] = defaultdict(list)
    for a in ctx.assertions:
        if a.polarity == "affirmed":
            affirmed[(a.root, a.target)].append((a, None))
        elif a.polarity == "negated" and denial_names_root(ctx, a):
            denied[(a.root, a.target)].append((a, None))
    for reading in level_readings(ctx):
        a = reading.assertion
        if a.polarity == "negated":
            denied[(a.root, a.target)].append((a, reading))
    for key in sorted(denied, key=lambda k: (ORDER.index(k[0]), k[1])):
        pairs = []
        for n, reading in denied[key]:
            not_main = bool(NOT_MAIN.search(text, n.start, n.end))
            for a, _ in affirmed.get(key, []):
                apart = a.end <= n.start or n.end <= a.start
                if apart and (a.primary or not not_main):
                    pairs.append((a, n, reading))
        if not pairs:
            continue
        yes = list({id(a): a for a, _, _ in pairs}.values())
        no = list({id(n): n for _, n, _ in pairs}.values())
        readings = list({r.level: r for _, _, r in pairs if r is not None}.values())
        root, target = key
        via = "".join(f"; the page maps the {r.level} level to {root} ('"
                      f"{' '.join(text[r.mapped_at[0]:r.mapped_at[1]].split())[:90]}')" for r in readings)
        evidence = ctx.sentence_evidence(yes + no) + tuple(ctx.evidence(*r.mapped_at) for r in readings)
        said, unsaid = _where(ctx, yes), _where(ctx, no)
        places = (f"affirmed ({quote(text, yes[0])}) and denied ({quote(text, no[0])}) in {said}" if said == unsaid
                  else f"affirmed in {said} ({quote(text, yes[0])}) and denied in {unsaid} ({quote(text, no[0])})")
        yield Draft(
            f"{root} → {ctx.label(target)} is {places}{via}",
            tuple(dict.fromkeys(evidence)), tuple(a.id for a in yes) + tuple(n.id for n in no if "@" not in n.id),
            "Keep one answer: remove the denial or the claim, or say what the denial is about.",
        )


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
