"""Claims checked against the graded reference table of roots (``rules/data/myotomes.json``).

Every root of a movement or reflex in the table carries the published sources
that give it, so each verdict can say who stands behind it:

- a root in the standard set passes;
- a root only variant sources give is ``info`` naming them
  (``reference.disputed-root``): L4 for hip flexion is in Kendall and in
  StatPearls (the iliacus through the femoral nerve, L2-L4), not in the
  key-muscle tables;
- a root no source gives is a ``warning`` naming the sources consulted
  (``reference.contradicts-table``); so is a variant that is the only root the
  article gives and the main root of the opposite movement (S1 for foot
  inversion), the classic confusion of a movement with its antagonist;
- a root called the *main* one is checked against the primary roots: a variant
  named as the main root, or among the main roots ("primarily L2-L4" for hip
  flexion, whose main roots are L1 and L2), is a warning
  (``reference.variant-as-main``), unless the roots called main hold every
  primary root ("the knee jerk is primarily L2-L4": L3 and L4 are in it, and L2
  is judged as a plain variant); a standard root called the main root where the
  sources name another is info (``reference.main-root``), and a warning where it
  is the opposite movement's one main root (``reference.opposite-main-root``:
  "wrist flexion is primarily C6");
- two opposing movements given each other's main roots (C6 for wrist flexion
  and C7 for wrist extension) is a warning (``reference.swapped-roots``);
- a plain denial of a main root ("the L4 root does not serve dorsiflexion") is a
  warning (``reference.denied-main-root``).

Claims made through a nerve ("the deep peroneal nerve (L4, L5, S1) supplies the
toe extensors") arrive as one claim per root and are judged root by root; a
finding on such a root names the nerve's range it came from (``rules.scope``).
A movement kept at an injury level below all its roots is not checked. A
root written in parentheses inside a list of roots ("L5, S1, (S2)") marks a
minor contribution and is not checked. Only gating claims count (``ctx.assertions``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from extractors.roots import ORDER

from .engine import CheckContext, Draft, rule
from .reference import RefEntry
from .scope import NOT_MAIN, denial_names_root, kept_below, nerve_range, quote

_POLICY = """Every root of a movement or reflex in the reference table carries the published
sources that give it: the ISNCSCI key muscles and non-key muscle functions, O'Brien's Aids to the
Examination of the Peripheral Nervous System, Fuller's Neurological Examination Made Easy, Magee's
Orthopedic Physical Assessment, Kendall's Muscles: Testing and Function, Gray's Anatomy (Standring),
StatPearls, segmental muscle charts and teaching sites. A claimed root in the standard set passes. A
root only variant sources give is info naming them (reference.disputed-root). A root no source gives is
a warning naming the sources consulted (reference.contradicts-table); so is a variant that is the only
root the article gives and the main root of the opposite movement (S1 for foot inversion). Claims
through a nerve's root range ("Tibial (L4-S3): plantar flexion") are judged root by root like any
other, and the finding says which nerve's range the root came from: the range is right as the
nerve's, but a reader takes it for the movement's own roots. A movement said to be kept (preserved,
intact) at an injury or lesion of a root below all its roots ("a C7-C8 injury: the biceps are
preserved") makes no claim that the root serves it. A root called the main one is checked against the
primary roots: a variant named a main root is a warning (reference.variant-as-main), unless the roots
named as the main ones hold every primary root, as a range read as the standard set does ("the knee
jerk is primarily L2-L4", whose primaries L3 and L4 are in it): its variant is then judged as a plain
claim (info). Another standard root called the main one is info (reference.main-root), and a warning
where the sources name it, and it alone, the main root of the opposite movement ("wrist flexion is
primarily C6", the wrist-extension key root; reference.opposite-main-root), unless the sentence calls
the root the main one of several movements at once ("C8 primarily affects finger extension and
flexion" lists the root's functions). Two opposing movements given each other's main roots is
reference.swapped-roots. A plain denial of a root the sources name the main one ("the L4 root does not
serve dorsiflexion") is a warning (reference.denied-main-root); a denial of a root's primacy ("not
mainly L5") or of a contributing root ("elbow extension is C7, not C6") is not reported, nor is one
the page contradicts itself (consistency.denied-claim). A muscle's roots count for a movement only
when it is a prime mover of it. Negated and hedged claims are not checked against the table except by
reference.denied-main-root; claims below the gate threshold are not checked; a root named as a
contribution ("primarily C6, with some C7") or in parentheses after a list ("L5, S1, (S2)") is a
minor one. The table is data with a version, named in every finding; an editorial board can replace
it (configuration key 'reference')."""


def _claims(ctx: CheckContext) -> list[tuple[str, str, list, str]]:
    """Affirmed (root, target) claims with their rows and standing: standard, variant, variant-alone or none."""
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
            alone = not roots_for[target] & set(e.standard)
            standing = "variant-alone" if alone and root in _opposite_primaries(ctx, target) else "variant"
        else:
            standing = "none"
        if standing in ("none", "variant-alone"):
            rows = [a for a in rows if not kept_below(ctx, a, e.standard)]
            if not rows:
                continue  # a movement kept at an injury level below its roots: no claim against the table
        out.append((root, target, rows, standing))
    return out


def _opposite_primaries(ctx: CheckContext, target: str) -> set[str]:
    return {r for o in ctx.reference.antagonist_of(target) if o in ctx.reference.entries
            for r in ctx.reference.entries[o].primaries}


_AFTER_ROOTS = re.compile(r"[CTLS]\d{1,2}\s*[,;]?\s*\($")


def _minor(text: str, start: int, end: int) -> bool:
    """'L5, S1, (S2)': a root in its own parentheses right after other roots is a minor contribution.

    A root in parentheses after a word is the claim itself: "Ankle jerk (L5/S1)", "plantar flexion (S1)".
    """
    return text[end:end + 1] == ")" and bool(_AFTER_ROOTS.search(text, max(0, start - 12), start))


def _roots(roots: Iterable[str]) -> str:
    return ", ".join(sorted(set(roots), key=ORDER.index))


def _names(names: Iterable[str]) -> str:
    return "; ".join(dict.fromkeys(names))


def _only(names: Iterable[str]) -> str:
    """'only Gray's Anatomy gives it' / 'only Kendall …; StatPearls … give it'."""
    names = list(dict.fromkeys(names))
    return f"only {_names(names)} {'gives' if len(names) == 1 else 'give'} it"


def _standard(e: RefEntry) -> str:
    """'L4, L5 (primary L4)' — with the other primaries where the sources name more than one."""
    return f"{', '.join(e.standard)} (primary {' or '.join(e.primaries)})"


def _main(e: RefEntry) -> str:
    """'L4 (ISNCSCI …; Magee …)': the main roots and the sources that name them."""
    return f"{' or '.join(e.primaries)} ({_names(e.main_sources())})"


@rule(
    "reference.contradicts-table", "warning",
    "A root claimed for a movement or reflex is one no source of the reference table gives",
    _POLICY,
    example_trigger="The L3 root controls ankle dorsiflexion.",
    example_pass="The L4 root controls ankle dorsiflexion.",
)
def contradicts_table(ctx: CheckContext) -> Iterable[Draft]:
    for root, target, rows, standing in _claims(ctx):
        if standing not in ("none", "variant-alone"):
            continue
        e = ctx.reference.entries[target]
        ref = f"the reference table ({ctx.reference.name})"
        if standing == "variant-alone":
            opposite = ", ".join(ctx.label(o) for o in ctx.reference.antagonist_of(target)
                                 if ctx.reference.entries.get(o) and root in ctx.reference.entries[o].primaries)
            message = (f"{root} → {ctx.label(target)} is a variant ({_only(e.sources_for(root))}), is "
                       f"the only root the article gives for it, and is the main root of the opposite movement "
                       f"({opposite}); {ref} gives {_standard(e)}; sources: {_names(e.sources)}")
        else:
            message = (f"{root} → {ctx.label(target)} contradicts {ref}: no source it consults gives {root}; it "
                       f"gives {_standard(e)}" + (f", and as variants {', '.join(e.variants)}" if e.variants else "")
                       + f"; sources consulted: {_names(e.sources)}")
        suggestion = f"Check the claim against the sources; the reference gives {', '.join(e.standard)}."
        found = next((r for r in (nerve_range(ctx, a) for a in rows) if r is not None), None)
        if found is not None:
            nerve = f"the {found.nerve}" if found.nerve else "a nerve"
            message += (f"; {root} comes from the root range the page gives {nerve} "
                        f"('{' '.join(ctx.article.plain[found.start:found.end].split())}')")
            suggestion = (f"A nerve's range spans every muscle it supplies: give {ctx.label(target)} its own roots "
                          f"({', '.join(e.standard)}), or say that the range is the nerve's.")
        yield Draft(message, ctx.sentence_evidence(rows), tuple(a.id for a in rows), suggestion)


@rule(
    "reference.disputed-root", "info",
    "A root only some sources give (a variant), with the sources that give it",
    _POLICY,
    example_trigger="Hip flexion is served by L2, L3 and L4.",
    example_pass="Hip flexion is served by L2 and L3.",
)
def disputed_root(ctx: CheckContext) -> Iterable[Draft]:
    for root, target, rows, standing in _claims(ctx):
        if standing != "variant":
            continue
        e = ctx.reference.entries[target]
        yield Draft(
            f"{root} → {ctx.label(target)} is a variant: {_only(e.sources_for(root))}; the standard "
            f"set is {_standard(e)} ({ctx.reference.name}; sources: "
            f"{_names(s for r in e.standard for s in e.sources_for(r))})",
            ctx.sentence_evidence(rows), tuple(a.id for a in rows),
            f"Say that the contribution is minor or disputed, or cite the source that gives it "
            f"({_names(e.sources_for(root))}).",
        )


def _main_claims(ctx: CheckContext) -> Iterable[tuple[str, RefEntry, list, list[str]]]:
    """Per sentence and target, the roots called the main one (rows and roots, in root order).

    Not counted: a root in parentheses after a list ("L5, S1, (S2)") and a root named as a contribution
    ("primarily C6, with some C7").
    """
    by_key: dict[tuple[int, str], list] = defaultdict(list)
    text = ctx.article.plain
    for a in ctx.assertions:
        if a.polarity == "affirmed" and a.primary and a.target in ctx.reference.entries and not _minor(
                text, a.root_start, a.root_end) and not _CONTRIBUTION.search(
                text, max(a.start, a.root_start - 60), a.root_start):
            by_key[(a.start, a.target)].append(a)
    for (_, target), rows in by_key.items():
        yield target, ctx.reference.entries[target], rows, sorted({a.root for a in rows}, key=ORDER.index)


_CONTRIBUTION = re.compile(r"\b(?:contribut\w*|lesser|minor|smaller|some|partly|partially|also)\b(?:\W+\w+){0,4}\W*$",
                           re.IGNORECASE)


@rule(
    "reference.variant-as-main", "warning",
    "A root only variant sources give is called the main root of a movement or reflex",
    _POLICY,
    example_trigger="Knee flexion is mainly served by the L4 root.",
    example_pass="Knee flexion is mainly served by the S1 root.",
)
def variant_as_main(ctx: CheckContext) -> Iterable[Draft]:
    for target, e, rows, named in _main_claims(ctx):
        variants = [r for r in named if r in e.variants]
        if not variants or set(e.primaries) <= set(named):
            continue  # a range holding every main root ("primarily L2-L4" for the knee jerk): disputed-root
        given = "; ".join(f"{r} only in {_names(e.sources_for(r))}" for r in variants)
        keep = [a for a in rows if a.root in variants]
        called = (f"is called the main root of {ctx.label(target)}" if len(named) == 1 else
                  f"is named among the main roots of {ctx.label(target)} ({_roots(named)})")
        yield Draft(
            f"{_roots(variants)} {called}, but only some sources give it at all ({given}); the main root is "
            f"{_main(e)} ({ctx.reference.name})",
            ctx.sentence_evidence(keep), tuple(a.id for a in keep),
            f"Name the main root the sources give ({' or '.join(e.primaries)}), or drop 'main'.",
        )


def _opposite_main(ctx: CheckContext, target: str, e: RefEntry, rows: list, named: list[str]) -> dict[str, str]:
    """Standard roots called the main one that are, by every source naming one, the opposite movement's main root.

    Not where the sentence calls the root the main one of several movements ("C8 primarily affects
    finger extension and finger flexion"): that lists the root's functions rather than ranking the
    roots of one movement.
    """
    if set(named) & set(e.primaries):
        return {}  # the page names this movement's own main root too
    out = {}
    for r in named:
        if r not in e.standard:
            continue
        said = {a.target for a in ctx.assertions if a.polarity == "affirmed" and a.primary and a.root == r
                and any(a.start == x.start for x in rows if x.root == r)}
        if len(said) > 1:
            continue
        for o in ctx.reference.antagonist_of(target):
            eo = ctx.reference.entries.get(o)
            if eo and eo.primaries == (r,):
                out[r] = o
    return out


@rule(
    "reference.main-root", "info",
    "A standard root is called the main root where the sources name another",
    _POLICY,
    example_trigger="Ankle dorsiflexion is mainly controlled by the L5 root.",
    example_pass="Ankle dorsiflexion is mainly controlled by the L4 root.",
)
def main_root(ctx: CheckContext) -> Iterable[Draft]:
    for target, e, rows, named in _main_claims(ctx):
        if set(named) & set(e.primaries) or set(named) & set(e.variants):
            continue  # names the main root among others, or reference.variant-as-main
        standard = [r for r in named if r in e.standard and r not in _opposite_main(ctx, target, e, rows, named)]
        if not standard:
            continue  # reference.contradicts-table or reference.opposite-main-root
        keep = [a for a in rows if a.root in standard]
        yield Draft(
            f"{_roots(standard)} is called the main root of {ctx.label(target)}; it is in the standard set, but "
            f"the sources name {_main(e)} the main root ({ctx.reference.name})",
            ctx.sentence_evidence(keep), tuple(a.id for a in keep),
            f"Say '{_roots(standard)} contributes', or name {' or '.join(e.primaries)} as the main root.",
        )


@rule(
    "reference.opposite-main-root", "warning",
    "A movement's main root is said to be the main root of its opposite movement",
    _POLICY,
    example_trigger="Wrist flexion is primarily a C6 function.",
    example_pass="Wrist flexion is primarily a C7 function, with some C6.",
)
def opposite_main_root(ctx: CheckContext) -> Iterable[Draft]:
    for target, e, rows, named in _main_claims(ctx):
        for root, opposite in _opposite_main(ctx, target, e, rows, named).items():
            keep = [a for a in rows if a.root == root]
            eo = ctx.reference.entries[opposite]
            yield Draft(
                f"{root} is called the main root of {ctx.label(target)}, but the sources name it the main root of "
                f"the opposite movement, {ctx.label(opposite)} ({_main(eo)}); for {ctx.label(target)} they give it "
                f"only as a contributing root, and name {_main(e)} the main one ({ctx.reference.name})",
                ctx.sentence_evidence(keep), tuple(a.id for a in keep),
                f"Check whether the movements are swapped: {ctx.label(target)} {' or '.join(e.primaries)}, "
                f"{ctx.label(opposite)} {root}.",
            )


@rule(
    "reference.swapped-roots", "warning",
    "Two opposing movements are each given the other's main root",
    _POLICY,
    example_trigger="C6 – wrist flexion\nC7 – wrist extension",
    example_pass="C6 – wrist extension\nC7 – wrist flexion",
)
def swapped_roots(ctx: CheckContext) -> Iterable[Draft]:
    roots: dict[str, set[str]] = defaultdict(set)
    rows: dict[str, list] = defaultdict(list)
    for a in ctx.assertions:
        if a.polarity == "affirmed" and a.target in ctx.reference.entries:
            roots[a.target].add(a.root)
            rows[a.target].append(a)
    for x, y in ctx.reference.antagonists:
        ex, ey = ctx.reference.entries.get(x), ctx.reference.entries.get(y)
        if not ex or not ey or not roots[x] or not roots[y]:
            continue
        px, py = set(ex.primaries), set(ey.primaries)
        if px & py or roots[x] & px or roots[y] & py or not roots[x] & py or not roots[y] & px:
            continue
        given_x, given_y = sorted(roots[x] & py, key=ORDER.index), sorted(roots[y] & px, key=ORDER.index)
        keep = [a for a in rows[x] if a.root in given_x] + [a for a in rows[y] if a.root in given_y]
        yield Draft(
            f"the article gives {ctx.label(x)} {_roots(given_x)} and {ctx.label(y)} {_roots(given_y)}: each "
            f"movement gets the other's main root, and never its own (the sources: {ctx.label(x)} {_main(ex)}; "
            f"{ctx.label(y)} {_main(ey)}; {ctx.reference.name})",
            ctx.sentence_evidence(keep), tuple(a.id for a in keep),
            f"Check whether the two are swapped: {ctx.label(x)} {' or '.join(ex.primaries)}, "
            f"{ctx.label(y)} {' or '.join(ey.primaries)}.",
        )



@rule(
    "reference.denied-main-root", "warning",
    "A root the sources name the main root of a movement or reflex is denied it",
    _POLICY,
    example_trigger="Option C is incorrect: the L4 root does not serve ankle dorsiflexion.",
    example_pass="Option C is incorrect: the S1 root does not serve ankle dorsiflexion.",
)
def denied_main_root(ctx: CheckContext) -> Iterable[Draft]:
    text = ctx.article.plain
    affirmed = {(a.root, a.target) for a in ctx.assertions if a.polarity == "affirmed"}
    by_pair: dict[tuple[str, str], list] = defaultdict(list)
    for a in ctx.assertions:
        e = ctx.reference.entries.get(a.target)
        if (a.polarity != "negated" or e is None or a.root not in e.primaries or (a.root, a.target) in affirmed
                or NOT_MAIN.search(text, a.start, a.end) or not denial_names_root(ctx, a)):
            continue  # affirmed elsewhere on the page: consistency.denied-claim
        by_pair[(a.root, a.target)].append(a)
    for (root, target), rows in by_pair.items():
        e = ctx.reference.entries[target]
        yield Draft(
            f"the article denies {root} → {ctx.label(target)} ({quote(text, rows[0])}), but the sources name "
            f"{root} the main root of {ctx.label(target)}: {_names(e.primary_by[root])} ({ctx.reference.name}; "
            f"standard set {_standard(e)})",
            ctx.sentence_evidence(rows), tuple(a.id for a in rows),
            f"Check the denial: {root} is a main root of {ctx.label(target)}. If the point is that another root "
            f"is the main one, say so ('not mainly {root}') rather than denying it.",
        )


_NO_MUSCLES = re.compile(
    r"(?<![A-Za-z0-9])(?P<root>[CTLS]\d{1,2})(?:\s+(?:spinal\s+)?(?:nerve\s+)?(?:roots?|nerves?))?\s+"
    r"(?:does\s*n[o’']t|doesn[’']t|does\s+not|do\s+not|don[’']t|has\s+no|have\s+no|supplies\s+no|innervates\s+no|"
    r"serves\s+no|controls\s+no)\s+(?:(?:supply|innervate|serve|control|have)\s+)?(?:any\s+)?"
    r"(?:muscles?|motor\s+(?:function|supply|fibres|fibers|innervation)|movements?)"
    r"(?=\s*(?:[,.;:)]|$|\s+(?:but|at\s+all|and|whatsoever)\b))", re.IGNORECASE)


@rule(
    "reference.root-without-muscles", "warning",
    "A root the sources give for movements is said to supply no muscle",
    """A sentence such as "The C7 nerve doesn't supply any muscles" denies what every myotome
    table gives: the C7 root serves elbow extension, wrist flexion and finger extension. The
    finding lists the movements and reflexes the reference table gives the root in their
    standard sets, with the sources. Roots the table gives to no movement (T2 to T12, say) and
    qualified statements ("does not supply any muscles of the hand") are not reported.""",
    example_trigger="The C7 nerve doesn't supply any muscles, only skin of the forearm.",
    example_pass="The C7 nerve supplies the triceps, and skin of the forearm.",
)
def root_without_muscles(ctx: CheckContext) -> Iterable[Draft]:
    text = ctx.article.plain
    for m in _NO_MUSCLES.finditer(text):
        root = m.group("root").upper()
        served = [t for t, e in ctx.reference.entries.items() if root in e.standard]
        if not served:
            continue
        main = [t for t in served if root in ctx.reference.entries[t].primaries]
        sources = _names(s for t in main for s in ctx.reference.entries[t].primary_by[root]) if main else _names(
            s for t in served for s in ctx.reference.entries[t].sources_for(root))
        yield Draft(
            f"'{m.group(0)}': the reference table ({ctx.reference.name}) gives {root} for "
            f"{', '.join(ctx.label(t) for t in served)}"
            + (f", and names it the main root of {', '.join(ctx.label(t) for t in main)}" if main else "")
            + f"; sources: {sources}",
            (ctx.evidence(m.start(), m.end()),), (),
            f"Say which muscles {root} supplies, or what the sentence means to exclude.",
        )
