"""What a target mention means where it stands.

In a reflex context (a 'Reflex' column or lead-in, "DTR for C6", a list of reflexes) a muscle or a
short name means its reflex ("biceps C5/6" under "Tendon Reflexes" is the biceps reflex); a muscle
the page credits with a movement ("the tibialis posterior and the extensor hallucis longus, which
play roles in eversion and toe extension", "L4 ankle inversion (tibialis anterior and posterior)")
counts as that movement only; a bare action takes its body from its line ("Hip: flexion is L2").
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from .carryover import ReadingState, lead_roots
from .layout import Line
from .mentions import Target
from .pairing import TARGET_JOIN

if TYPE_CHECKING:
    from spacy.tokens import Doc


# a list introduced as reflexes: 'other reflexes: for example, the biceps reflex …, the brachioradialis …'
# 'the deep tendon reflexes to check during motor assessment are: Biceps (C5-C6), Triceps (C7-C8), …'
_REFLEX_LIST = re.compile(r"\breflexes\b(?:\s+(?!and\b|but\b|or\b)[\w-]+){0,6}?\s*(?::|,?\s*(?:such\s+as|for\s+example|"
                          r"e\.g\.|including|include|are\b))", re.IGNORECASE)
# a colon list announced as tendon reflexes is one without a reflex name in it
_TENDON_REFLEX_LIST = re.compile(r"\b(?:(?:deep\s+)?tendon\s+reflexes|DTRs)\b(?:\s+(?!and\b|but\b|or\b)[\w-]+){0,6}?"
                                 r"\s*(?:are\s*)?:", re.IGNORECASE)
# 'The reflex arc is started when … the triceps muscle …', 'the test activates the stretch receptors inside
# the biceps brachii muscle …': a reflex named by its muscle
_GENERIC_REFLEX = re.compile(r"\breflex\s+(?:arc|loop|pathway|hammer)|\bstretch\s+(?:reflex|receptors?)\b"
                             r"|\btap(?:ping|ped)?\s+(?:the|on|over)\b[^.]{0,30}\btendon\b", re.IGNORECASE)
# muscles with a tendon reflex outside the vocabulary (finger jerk, adductor and tibialis posterior reflexes)
_REFLEX_MUSCLES = frozenset({"finger_flexors", "hip_adductors", "tibialis_posterior", "hamstrings"})


_RELATIVE = re.compile(r"^\s*(?:muscles?\s*)?(?:\(\s*)?,?\s*(?:which|that|who)\s+(?:\w+\s+){0,3}?"
                       r"(?:act|acts|is|are|play|plays|help|helps|allow|allows|bends?|moves?|rotates?|stabili[sz]es?|"
                       r"responsible|produces?|performs?|pulls?|lifts?|raises?|curls?|extends?|flexes?|abducts?|"
                       r"adducts?)\b", re.IGNORECASE)


def reflex_context(text: str, start: int, end: int, targets: list[Target], candidates: list[Target], ctx: bool,
                    st: ReadingState) -> list[Target]:
    """In a reflex context muscles and short names mean their reflexes ('biceps C5/6' under 'Tendon Reflexes').

    ``candidates`` are the reflex names of this sentence (the caller finds them by bisection)."""
    sentence = text[start:end]
    listing = (bool(_REFLEX_LIST.search(sentence)) and any(t.kind == "REFLEX" for t in targets)) or bool(
        _GENERIC_REFLEX.search(sentence) or _TENDON_REFLEX_LIST.search(sentence))
    out = []
    for t in targets:
        if t.kind == "IN_REFLEX_COLUMN":
            if t.reflex:
                out.append(replace(t, target=t.reflex, kind="REFLEX"))
            continue
        if (ctx or listing) and t.reflex and t.kind in ("MUSCLE", "MOVEMENT"):
            out.append(replace(t, target=t.reflex, kind="REFLEX"))
        elif ctx and t.kind == "MUSCLE" and re.match(r"\W*(?:\w+\W+){0,1}$", text[start:t.start]) and re.match(
                r"\W*$", text[t.end:end]):
            # 'DTR for C8' answered 'Distal finger flexors': a reflex outside the vocabulary; 'DTR for C6'
            # answered 'Brachialis': a muscle with no tendon reflex at all, which the rules report
            if t.source not in _REFLEX_MUSCLES:
                st.misnamed.append((t.start, t.end, lead_roots(st)))
            continue
        else:
            out.append(t)
    for c in candidates:
        if start <= c.start < end and (ctx or listing or any(s <= c.start < e for s, e in st.reflex_cells)) and not any(
                o.start < c.end and c.start < o.end for o in out):
            out.append(replace(c, kind="REFLEX"))
    out.sort(key=lambda t: t.start)
    return out


def credit_muscles(text: str, targets: list[Target], start: int, end: int, table_like: bool = False) -> list[Target]:
    """A muscle the page credits with a movement counts as that movement only.

    "the tibialis posterior and the EHL muscles, which play roles in eversion and toe
    extension" names eversion and toe extension; "ankle inversion (tibialis anterior and
    posterior)" names inversion; "the flexor carpi ulnaris (which bends your wrist toward
    the pinky side)" names no movement of the vocabulary.
    """
    drop: set[int] = set()
    for k, t in enumerate(targets):
        if t.kind != "MUSCLE":
            continue
        # the muscle and any muscles coordinated after it
        j = k
        while j + 1 < len(targets) and targets[j + 1].kind == "MUSCLE" and TARGET_JOIN.match(
                text[targets[j].end:targets[j + 1].start]):
            j += 1
        tail = text[targets[j].end:end]
        rel = _RELATIVE.match(tail)
        if rel:
            stop = targets[j].end + (re.search(r"[;)]|,\s*(?:and|but)\b|$", tail).start())
            credited = [o for o in targets if targets[j].end < o.start < stop]
            if credited:
                drop.update(i for i in range(k, j + 1) if all(o.target != targets[i].target for o in credited))
            elif re.search(r"\b(?:bend|rotat|stabili[sz]|supinat|pronat|deviat|elevat|depress|oppos|tilt)",
                           tail[:stop - targets[j].end], re.IGNORECASE):
                drop.update(range(k, j + 1))
        # 'the gluteus maximus (hip flexor)': the page credits the muscle with the movement in parentheses
        nxt = targets[j + 1] if j + 1 < len(targets) else None
        if nxt is not None and nxt.kind in ("MOVEMENT", "TERM") and re.fullmatch(r"\s*\(\s*", text[
                targets[j].end:nxt.start]) and text[nxt.end:nxt.end + 3].lstrip().startswith(")"):
            drop.update(i for i in range(k, j + 1) if targets[i].target != nxt.target)
        # 'ankle inversion (tibialis anterior and posterior)', 'knee extension – quadriceps'; a muscle
        # coordinated with the movement names a movement of its own ('wrist extension and biceps strength')
        gap = text[targets[k - 1].end:t.start] if k > 0 else ""
        if k > 0 and targets[k - 1].kind in ("MOVEMENT", "TERM") and re.fullmatch(
                r"\s*[(–—-]\s*|\s*[(–—-]?\s*(?:\w+\s*){0,2}[,&]?\s*", gap) and not _COORDINATED.match(gap):
            head = targets[k - 1]
            i = k
            while i < len(targets) and targets[i].kind == "MUSCLE" and (i == k or TARGET_JOIN.match(
                    text[targets[i - 1].end:targets[i].start])):
                if targets[i].target != head.target:
                    drop.add(i)
                i += 1
    if table_like:
        movements = {t.target for t in targets if t.kind in ("MOVEMENT", "TERM")}
        if movements:
            drop.update(k for k, t in enumerate(targets) if t.kind == "MUSCLE" and t.target not in movements)
    return [t for k, t in enumerate(targets) if k not in drop]


_COORDINATED = re.compile(r"\s*,?\s*(?:and|or|as\s+well\s+as|plus)(?:\s+(?:the|a|an|its|their|your))?\s*$",
                          re.IGNORECASE)
# possessive blanks and a label opening on a letter: a line of a thousand blanks cannot make it backtrack
_BODY_LABEL = re.compile(r"\s*+[•●▪◦*+–—-]?\s*+([A-Za-z][A-Za-z ]{1,19}?)\s*:")
_HAND = re.compile(r"\(\s*(?:small\s+)?(?:intrinsic\s+)?muscles?\s+of\s+the\s+hand\s*\)", re.IGNORECASE)
_PLUS_BEFORE = re.compile(r"\(\s*\+\s*$")


def bare_actions(matcher, doc: Doc, text: str, line: Line, start: int, end: int,
                  targets: list[Target]) -> tuple[list[Target], list[Target]]:
    """'Hip: flexion is L2, L3 and extension is L4, L5'; '(+adduction …)' after 'hip flexion'; '(… of the hand)'.

    Returns the targets and the anchors: a bare action whose movement is outside the vocabulary
    ('Toes: … flexion is S2, S3') holds its place in the list without making a claim.
    """
    label = _BODY_LABEL.match(text, line.start, line.end)
    body = matcher.grammar.bodies.get(tuple(label.group(1).lower().split())) if label else None
    hand = _HAND.search(text, start, end)
    plus = "+" in text[start:end]
    if body is None and hand is None and not plus:
        return [], []  # no body for a bare 'flexion' to take
    out, anchors = [], []
    for s, e, action in matcher.bare_actions(doc._.words, text, start, end):
        if any(t.start <= s < t.end for t in targets):
            continue
        b = body
        before = [t for t in targets if t.end <= s and t.body]
        if b is None and before and plus and _PLUS_BEFORE.search(text, max(start, s - 4), s):
            b = before[-1].body
        if b is None and hand:
            b = "finger"
        if b is None:
            continue
        t = matcher.combo(b, action)
        if t:
            out.append(Target(s, e, t, "MOVEMENT", f"{b}:{action}", matcher.movement_reflexes.get(t), b))
        else:
            anchors.append(Target(s, e, None, "MOVEMENT", f"{b}:{action}", None, b))
    return out, anchors
