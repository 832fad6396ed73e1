"""Pairing shapes within one sentence: which root does each movement or reflex belong to?

In order of how tightly they bind:

1. **Attachment.** A root written right after a target, muscle or nerve belongs to it: "plantar
   flexion (S1)", "Deltoid (C5,6)", "hip flexion (iliopsoas): L2, L3, L4", "biceps C5/6", "the
   femoral nerve (L2–L4)". A root line written as a label belongs to the targets after it:
   "C6-7: wrist flexion/extension".
2. **Items.** Within a clause, a parallel list pairs item by item: "hip flexion is associated with
   L2-L3, knee extension with L3-L4, and foot inversion falls under L4". Items naming only targets
   or only roots join their neighbour in the direction the list runs.
3. **Clauses.** A sentence is cut at coordinating boundaries (', and', ', but', ', while', ';' …);
   an elliptical clause joins its neighbour ("…, but not with dorsiflexion"); a roots-only clause
   set against another with roots of its own adds none ("numbness points to C8, whereas a reduced
   triceps jerk points to C7").

Each pair says which shape made it (``how``), which the claim scorer reads.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate, pairwise

from .cues import CLAUSE_BREAK, CONTRAST, SENSORY
from .layout import starting_in
from .mentions import Target


@dataclass(frozen=True)
class Atom:
    roots: tuple[str, ...]
    start: int
    end: int


@dataclass(frozen=True)
class Group:
    """Coordinated roots sharing one predicate; ``start``/``end`` where they (or what stands for them) are."""

    atoms: tuple[Atom, ...]
    start: int
    end: int
    carried: bool = False  # from a heading, a lead-in, an antecedent or a nerve
    via: str = ""  # where carried roots came from ('lead', 'antecedent', 'title' …), for the claim scorer


TARGET_JOIN = re.compile(r"^[\s,;/()&+]*(?:and/or|and|or|plus)?[\s,()]*$", re.IGNORECASE)
_COMMA_JOIN = re.compile(r"[\s()]*(?:,|and|or|&|/|,?\s*and|,?\s*or)[\s()]*|\s*/\s*")
_AND_JOIN = re.compile(r"[\s()]*(?:and|or|&|/|,?\s*and)[\s()]*|\s*/\s*")
# a root right after a target / nerve: 'plantar flexion (S1)', 'biceps C5/6', 'hip flexion (iliopsoas): L2, L3'
ATTACH_AFTER = re.compile(r"^\s*(?:\([^()\n]{0,40}\)\s*)?[:(–—-]?\s*(?:\(\s*(?:which\s+(?:is|are)|i\.?e\.?|mainly|"
                           r"mostly|primarily|usually)?\s*)?$", re.IGNORECASE)
# a root label before its targets: 'C6-7: wrist flexion', 'L2: hip flexion', 'C5 deltoid', 'C5 – Feel alive – Shoulder'
_LABEL_GAP = re.compile(r"^\s*(?:[:–—-]\s*)?$")
_RIGHT_AFTER = re.compile(r"\s*[)\]]\s*")
_CONTRASTED = re.compile(r"\s*,?\s*(?:but\s+|and\s+)?(?:not|rather\s+than|instead\s+of|as\s+opposed\s+to|never)\s+"
                         r"(?:the\s+)?", re.IGNORECASE)


def link_pairs(text: str, start: int, end: int, groups: list[Group], targets: list[Target],
               nerves: list[Target] = (), table: bool = False) -> list[tuple[Group, Target, str]]:
    """(group, target, shape) triples of one sentence: parentheticals, attachments, then clauses and items.

    The shape names how the pair was made (``paren``, ``attach``, ``open-paren``, ``label``,
    ``nerve-clause``, ``carried``, ``row``, ``items``, ``in-order``, ``clause``), for the claim scorer.
    """
    pairs: list[tuple[Group, Target, str]] = []
    # a parenthetical naming roots and targets is a claim of its own: '(foot drop, L4 or L5)',
    # '(though some sources say C7, 8 does both finger extension and flexion)'
    for m in re.finditer(r"\(([^()]{3,200})\)", text[start:end]):
        ps, pe = start + m.start(1), start + m.end(1)
        inner_g = [g for g in groups if ps <= g.start < pe and not g.carried]
        inner_t = [t for t in targets if ps <= t.start < pe]
        if inner_g and inner_t:
            pairs += [(g, t, "paren") for g, t, _ in _items(text, inner_g, inner_t)]
            groups = [g for g in groups if g not in inner_g]
            targets = [t for t in targets if t not in inner_t]
    free_g = list(groups)
    bound_t: set[int] = set()
    led = _root_led_series(text, groups, targets)
    for g in groups:
        if g.carried:
            continue
        opened = text.rfind("(", start, g.start)  # within the sentence: never a copy of the text before it
        in_parens = opened >= 0 and opened > text.rfind(")", start, g.start)
        if len(groups) == 1 and not in_parens:
            break
        before = [k for k, t in enumerate(targets) if t.end <= g.start]
        if before and g not in led and ATTACH_AFTER.match(text[targets[before[-1]].end:g.start]):
            # 'plantar flexion (S1)', 'hip flexion (iliopsoas): L2, L3', 'biceps C5/6'; coordinated targets
            # before it share the root unless only a comma joins them ('triceps, biceps (C5/6)')
            ks = [before[-1]]
            # a bare root in parentheses closes a comma list ('gluteus maximus, peronei, extensors of toes
            # (first sacral)'); '(which is C5/6)' is about the last item only
            bare = not re.search(r"\(\s*(?:which|that|i\.?e\.?|mainly|mostly|primarily|usually)\b",
                                 text[targets[before[-1]].end:g.start], re.IGNORECASE)
            join = _COMMA_JOIN if bare else _AND_JOIN
            while ks[0] > 0 and ks[0] - 1 not in bound_t and join.fullmatch(
                    text[targets[ks[0] - 1].end:targets[ks[0]].start]) and not any(
                    targets[ks[0] - 1].end <= o.start < targets[ks[0]].start for o in groups):
                ks.insert(0, ks[0] - 1)
            for k in ks:
                pairs.append((g, targets[k], "attach"))
                bound_t.add(k)
            free_g.remove(g)
            # 'Triceps reflex — C7, not C6', 'ankle jerk (S1 rather than L5)': the root set against the
            # attached one is about the same targets (its polarity is the contrast's)
            for o in groups:
                if o is not g and not o.carried and o in free_g and o.start >= g.end and _CONTRASTED.fullmatch(
                        text, g.end, o.start):
                    pairs += [(o, targets[k], "attach") for k in ks]
                    free_g.remove(o)
            continue
        after = [k for k, t in enumerate(targets) if t.start >= g.end and k not in bound_t]
        nxt_g = min((o.start for o in groups if o.start > g.start), default=end)
        if after and _OPEN_PAREN.match(text[g.end:targets[after[0]].start]):
            # 'L3 (knee extensors 3/5)': targets in parentheses after a root
            close = text.find(")", g.end, end)
            for k in after:
                if targets[k].start < (close if close > 0 else end):
                    pairs.append((g, targets[k], "open-paren"))
                    bound_t.add(k)
            free_g.remove(g)
        elif len(groups) > 1 and after and _LABEL_GAP.match(text[g.end:targets[after[0]].start]):
            # 'C5 deltoid C6 wrist extension', 'C6-7: wrist flexion/extension'
            for k in after:
                if targets[k].start < nxt_g:
                    pairs.append((g, targets[k], "label"))
                    bound_t.add(k)
            free_g.remove(g)
    # 'tib post (L5) inverts the foot': the action written right after a muscle's attached root is the muscle's
    attached = [(g, t) for g, t, how in pairs if how == "attach"]
    for k, t in enumerate(targets):
        if k in bound_t:
            continue
        owner = next((g for g, _ in attached if g.end <= t.start and _RIGHT_AFTER.fullmatch(text, g.end, t.start)),
                     None)
        if owner is not None:
            pairs.append((owner, t, "attach"))
            bound_t.add(k)
    free_t = [t for k, t in enumerate(targets) if k not in bound_t]
    # targets in a relative clause of a nerve belong to the nerve: '… or with the femoral nerve, which
    # innervates the quadriceps' names no root for the quadriceps unless the nerve's roots are known
    for n in nerves:
        tail = re.match(r",?\s*(?:which|that)\b[^,;]*", text[n.end:end])
        near = [g for g in free_g if g.end <= n.start]
        coordinated = near and re.search(r"\b(?:or|and)\b", text[near[-1].end:n.start]) and not re.search(
            r"\b(?:contribut|form|suppl|innervat|compos|mak)", text[near[-1].end:n.start])
        if tail and coordinated:
            inside = [t for t in free_t if n.end <= t.start < n.end + tail.end()]
            own = [g for g in free_g if g.carried and g.start == n.start]
            pairs += [(g, t, "nerve-clause") for g in own for t in inside]
            free_t = [t for t in free_t if t not in inside]
    if not free_g or not free_t:
        return pairs
    if all(g.carried for g in free_g):  # roots from an antecedent or a heading govern the whole sentence
        return pairs + [(g, t, "carried") for g in free_g for t in free_t]
    if table and len(free_g) == 1:  # a row's root cell governs its other cells
        return pairs + [(free_g[0], t, "row") for t in free_t]
    for c_groups, c_targets in _clauses(text, start, end, free_g, free_t, table, nerves):
        pairs += _items(text, c_groups, c_targets, end)
    return pairs


def _root_led_series(text: str, groups: list[Group], targets: list[Target]) -> list[Group]:
    """The roots of a run-on list led by root labels ('C5 - Shoulder abduction C6 - Elbow flexion C7- Elbow
    extension'), each governing the targets up to the next. A series opens with a labelled root and ends on
    a target, so 'biceps C5-6 - triceps C7' (targets labelled by the roots after them) is not one."""
    real = [g for g in groups if not g.carried]
    if len(real) < 2 or not targets:
        return []
    labelled = []
    for g in real:
        nxt = next((t for t in targets if t.start >= g.end), None)
        if nxt is not None and _DASH_LABEL.fullmatch(text, g.end, nxt.start):
            labelled.append(g)
    if len(labelled) < 2 or labelled[0] is not real[0] or real[0].start > targets[0].start:
        return []
    if max(g.end for g in real) > max(t.start for t in targets):
        return []
    return labelled


_DASH_LABEL = re.compile(r"\s*[:–—-]+\s*")


@dataclass
class _Clause:
    start: int
    end: int
    groups: list
    targets: list


def _clauses(text: str, start: int, end: int, groups: list[Group], targets: list[Target], table: bool = False,
             nerves: list[Target] = ()):
    """Clauses of a sentence as (root groups, targets), elliptical ones merged into a neighbour.

    An item led by a nerve that the item gives no root for ('…; deep peroneal nerve: supplies the
    tibialis anterior, …') is that nerve's, and never takes the roots of another item of the sentence.
    """
    spans = sorted([(g.start, g.end) for g in groups] + [(t.start, t.end) for t in targets])
    reach = list(accumulate((e for _, e in spans), max))  # the furthest end of the spans up to each one
    cuts = [start, *(m.start() for m in CLAUSE_BREAK.finditer(text, start, end)
                     if not _inside(m.start(), spans, reach) and not (table and m.group() == ";")), end]
    groups, targets = sorted(groups, key=lambda g: g.start), sorted(targets, key=lambda t: t.start)
    g_starts, t_starts = [g.start for g in groups], [t.start for t in targets]
    clauses = [_Clause(a, b, starting_in(groups, g_starts, a, b), starting_in(targets, t_starts, a, b))
               for a, b in pairwise(cuts)]
    kept = []
    for i, c in enumerate(clauses):
        label = clauses[i - 1] if i else None
        if label is not None and not c.groups and not label.groups and text.startswith(":", c.start) and any(
                label.start <= n.start and n.end <= label.end for n in nerves):
            continue  # the item of a nerve named without a root
        nxt = clauses[i + 1] if i + 1 < len(clauses) else None
        if c.groups and not c.targets and nxt is not None and nxt.groups and (
                text.startswith(":", c.end) or CONTRAST.match(text, c.end)) and (
                not nxt.targets or min(g.start for g in nxt.groups) < min(t.start for t in nxt.targets)):
            continue  # "L5 versus S1 radiculopathy: L5 weakens …": a roots-only clause introducing others
        if c.groups and not c.targets and SENSORY.search(text, c.start, c.end) and not all(
                g.carried for g in c.groups):
            continue  # "numbness over the big toe in L5 radiculopathy" is no motor claim
        if c.groups or c.targets:
            kept.append(c)
    condition = bool(_CONDITION_START.match(text, start))  # 'When the S1 nerve is affected, A, and B': all follow
    kept = [c for c in kept if c.groups or condition or _elliptical(text, c)
            or text[max(start, c.start - 2):c.start + 1].strip().startswith(":") or text[c.start:c.start + 1] == ":"]
    while len(kept) > 1:
        i = next((k for k, c in enumerate(kept) if not (c.groups and c.targets)), None)
        if i is None:
            break
        j = i - 1 if i > 0 else i + 1
        lo, hi = sorted((i, j))
        a, b = kept[lo], kept[hi]
        kept[lo:hi + 1] = [_Clause(a.start, b.end, a.groups + b.groups, a.targets + b.targets)]
    return [(c.groups, c.targets) for c in kept if c.groups and c.targets]


def _elliptical(text: str, c: _Clause) -> bool:
    """A targets-only clause that leans on its neighbour ('…, but not with dorsiflexion', '…, and great toe
    extension, which is …'), not one with a predicate of its own ('…, and foot drop without inversion weakness
    is more likely peroneal')."""
    head = re.split(r"\b(?:which|that|who)\b", text[c.start:c.end], maxsplit=1)[0]
    return not _FINITE.search(head) or bool(_PRONOUN_CLAUSE.match(text, c.start))


_CONDITION_START = re.compile(r"\W*(?:if|when|whenever|with|in)\b[^,]{0,60}\b[CTLS]\s?\d", re.IGNORECASE)
_PRONOUN_CLAUSE = re.compile(r"\W*(?:and|but|while|yet)?\s*(?:it|they|this\s+root|these\s+roots)\b", re.IGNORECASE)
# a root label opening a list row: 'C6- ECR, …', 'L4-5-- Extensor digitorum; …', 'L34   knee extension'
ROW_LABEL = re.compile(r"\s*(?:[:;–—-]+\s|\s{2,})")
_LONG_WORD = re.compile(r"[A-Za-z]{3,}")
_FINITE = re.compile(r"\b(?:is|are|was|were|has|have|had|will|would|can|could|may|might|should|does|do|did)\b",
                     re.IGNORECASE)


def _inside(pos: int, spans: list[tuple[int, int]], reach: list[int]) -> bool:
    """Is ``pos`` inside one of the mention ``spans`` (sorted by start)? It is when some span starting at or
    before it ends after it: ``reach`` holds the furthest end so far, so one bisection answers."""
    i = bisect_right(spans, (pos, 1 << 62)) - 1
    return i >= 0 and reach[i] > pos


_ITEM_SEP = re.compile(r",|;|/|\band\b|\bor\b|\s[–—-]\s")


def _items(text: str, groups: list[Group], targets: list[Target], end: int | None = None
           ) -> list[tuple[Group, Target, str]]:
    """Pairs within one clause; a parallel list pairs item by item."""
    if len(groups) == 1 or len(targets) == 1:
        return [(g, t, "clause") for g in groups for t in targets]
    mentions = sorted([*((g.start, g.end, "R", g) for g in groups), *((t.start, t.end, "T", t) for t in targets)],
                      key=lambda m: m[0])
    items: list[list] = [[mentions[0]]]
    for prev, cur in pairwise(mentions):
        gap = text[prev[1]:cur[0]]
        if (_ITEM_SEP.search(gap) and not re.fullmatch(r"[\s(),]*", gap)) or (
                re.search(r"[,;]", gap) and prev[2] != cur[2]):
            items.append([cur])
        else:
            items[-1].append(cur)
    both = [it for it in items if {m[2] for m in it} == {"R", "T"}]
    if not both:
        return _in_order(text, groups, targets)
    votes = sum(1 if next(m for m in it if m[2] in "RT")[2] == "T" else -1 for it in both)
    t_first = votes >= 0
    merged: list[list] = [list(it) for it in items]
    for k, it in enumerate(items):
        kinds = {m[2] for m in it}
        if kinds == {"R", "T"}:
            continue
        stop = items[k + 1][0][0] if k + 1 < len(items) else (end if end is not None else it[-1][1])
        if kinds == {"R"} and len(_LONG_WORD.findall(text, it[0][0], it[-1][1])) + len(
                _LONG_WORD.findall(text, it[-1][1], stop)) > 3:
            merged[k] = []  # 'the L5 root is usually omitted from exam': a root with a predicate of its own
            continue
        order = range(k + 1, len(items)) if (kinds == {"T"}) == t_first else range(k - 1, -1, -1)
        other = range(k - 1, -1, -1) if (kinds == {"T"}) == t_first else range(k + 1, len(items))
        want = "R" if kinds == {"T"} else "T"
        dest = next((j for j in order if want in {m[2] for m in items[j]}), None)
        if dest is None and kinds == {"T"}:
            dest = next((j for j in other if want in {m[2] for m in items[j]}), None)
        if dest is not None:
            merged[dest] += it
        merged[k] = [m for m in merged[k] if m not in it]
    pairs = []
    for it in merged:
        gs = [m[3] for m in it if m[2] == "R"]
        ts = [m[3] for m in it if m[2] == "T"]
        pairs += [(g, t, "items") for g in gs for t in ts]
    return pairs


def _in_order(text: str, groups: list[Group], targets: list[Target]) -> list[tuple[Group, Target, str]]:
    """Parallel lists pair in order when there are as many root groups as target groups."""
    tgroups: list[list[Target]] = []
    for t in targets:
        if tgroups and TARGET_JOIN.match(text[tgroups[-1][-1].end:t.start]):
            tgroups[-1].append(t)
        else:
            tgroups.append([t])
    if len(groups) >= 2 and len(groups) == len(tgroups):
        return [(g, t, "in-order") for g, tg in zip(groups, tgroups, strict=True) for t in tg]
    return [(g, t, "clause") for g in groups for t in targets]


# 'L3 (knee extensors 3/5)', 'L1 (lower trunk, hip flexors 2/5)': a root followed by its targets in parentheses
_OPEN_PAREN = re.compile(r"\s*\((?:[^()\n]{0,30}?[,;]\s*)?\s*$")


def sentence_groups(groups, starts, start: int, end: int) -> list[Group]:
    out = []
    for g in starting_in(groups, starts, start, end):
        atoms = tuple(Atom(a.roots, a.start, a.end) for a in g.atoms if not a.is_level)
        if atoms:
            out.append(Group(atoms, atoms[0].start, atoms[-1].end))
    return out
