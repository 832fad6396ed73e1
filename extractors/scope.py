"""Scope: what a negation, hedge or condition governs, and which claims a line states at all.

Polarity comes from ``extractors.context``: a trigger's scope must reach the pair's later member
(forward triggers) or its earlier member within its clause (backward ones); a conditional ("if it
were S1 …") makes the claim uncertain whatever else is said; a sentence that takes back the one
before it ("Wait, no") negates that sentence's claims.
"""

from __future__ import annotations

import re

from .context import Trigger
from .cues import CLAUSE_BREAK, PRIMARY
from .layout import Line
from .mentions import Target
from .pairing import Group
from .types import Article

_PRECEDENCE = {"CONDITIONAL": 3, "NEGATED_EXISTENCE": 2, "POSSIBLE_EXISTENCE": 1}


def polarity_of(trigs: list[Trigger], group: Group, target: Target, text: str, targets: list[Target],
              start: int, end: int) -> str:
    """'negated', 'uncertain' or 'affirmed' for one pair.

    - Phrasal triggers ('L5 rather than S1', 'S1, not L5,') deny only the mention right after them.
    - A forward trigger reaches the claim only through its later member: in "no evidence that
      S1 drives dorsiflexion, as it serves plantar flexion" the hedge stops before 'plantar
      flexion', so S1 -> plantar flexion stands.
    - A backward trigger ('is spared', 'is INCORRECT') reaches back within its clause, and not
      when another target stands after it in that clause.
    """
    first, last = (group, target) if group.start <= target.start else (target, group)
    if group.carried:  # the root came from elsewhere: the sentence's own hedges qualify the claim
        best = 0
        for tr in trigs:
            covers = tr.scope_start <= target.start < tr.scope_end or (
                tr.start >= target.end and not CLAUSE_BREAK.search(text, target.end, tr.start))
            if covers and not tr.rule.phrasal:
                best = max(best, _PRECEDENCE.get(tr.rule.category, 0))
        return {0: "affirmed", 1: "uncertain", 2: "negated", 3: "uncertain"}[best]
    inner = _shared_parenthesis(text, start, end, first, last)
    if inner is not None:  # '… but not their heels (foot drop, L4 or L5)': the parenthetical is a claim of its own
        trigs = [tr for tr in trigs if inner[0] <= tr.start < inner[1]]
    best = 0
    for tr in trigs:
        r = tr.rule
        phrasal = r.phrasal or (r.literal == "not" and text[max(0, tr.start - 200):tr.start].rstrip().endswith(","))
        if phrasal:
            # 'L5 over S1' compares roots; 'control over muscles that …' does not deny the muscles
            members = (group,) if r.literal == "over" else (first, last)
            applies = any(m.start - tr.end >= 0 and len(text[tr.end:m.start].split()) <= 2 for m in members)
        else:
            applies = False
            if r.direction in ("FORWARD", "BIDIRECTIONAL") and tr.end <= last.start and last.start < tr.scope_end:
                applies = True
            if r.direction in ("BACKWARD", "BIDIRECTIONAL") and tr.start >= first.end and (
                    tr.scope_start <= first.start or (tr.start >= last.end and tr.scope_start <= last.start)):
                clause_end = CLAUSE_BREAK.search(text, tr.end, end)
                stop = clause_end.start() if clause_end else end
                member = last if tr.start >= last.end else first
                if not CLAUSE_BREAK.search(text, member.end, tr.start) and not any(
                        tr.end <= t.start < stop for t in targets):
                    applies = True
        if applies:
            best = max(best, _PRECEDENCE.get(r.category, 0))
    return {0: "affirmed", 1: "uncertain", 2: "negated", 3: "uncertain"}[best]


def _shared_parenthesis(text: str, start: int, end: int, first, last) -> tuple[int, int] | None:
    """The parenthesis holding both members of a pair, when there is one."""
    opened = text.rfind("(", start, first.start)
    if opened < 0 or text.find(")", opened, first.start) >= 0:
        return None
    closed = text.find(")", last.end, end)
    if closed < 0 or text.find("(", last.end, closed) >= 0:
        return None
    return opened, closed


def is_primary(text: str, sent_start: int, group: Group, target: Target) -> bool:
    """A primacy cue ('primarily', 'mainly' …) between the pair or just before it.

    "The nerve root primarily responsible for dorsiflexion is L5, as shown by
    great toe strength": L5 is primary for dorsiflexion, not for great toe
    extension, whose pair starts after the cue.
    """
    first_start = min(group.start, target.start)
    last_start = max(group.start, target.start)
    lo = first_start
    for _ in range(4):  # back over four words
        k = text.rfind(" ", sent_start, max(sent_start, lo - 1))
        if k < 0:
            lo = sent_start
            break
        lo = k
    return bool(PRIMARY.search(text, lo, last_start))


RETRACT = re.compile(r"^\W*(?:wait|hmm|hm|no|actually|oops|sorry)\b[\s,.!—–-]*(?:no\b|that'?s\s+(?:wrong|not\s+right)"
                      r"|i\s+was\s+wrong|scratch\s+that|not\s+quite)", re.IGNORECASE)


def juxtaposed(text: str, line: Line, start: int, end: int, groups: list[Group], targets: list[Target],
                nerves: list[Target], article: Article) -> bool:
    """A title or heading that only puts a root beside a target states nothing.

    "Understanding the Brachioradialis Reflex and C6 Nerve Root", "Foot Drop - Common
    Peroneal Nerve (L4, L5, S1)": no verb links them ("Why C7 Matters for Wrist
    Extension" does).
    """
    title = article.title_span[0] <= start < max(article.title_span[1], article.title_span[0] + 1)
    if not (title or line.kind == "heading") or any(g.carried for g in groups):
        return False
    if _LINK_VERB.search(text, start, end):
        return False
    first_t = min(t.start for t in targets)
    first_g = min(g.start for g in groups)
    if nerves and all(any(0 <= g.start - n.end <= 40 for n in nerves) for g in groups):
        return True
    lo, hi = sorted((first_t, first_g))
    return bool(re.search(r"\band\b|\s[-–—]\s", text[lo:hi]))


_LINK_VERB = re.compile(r"\b(?:matters?|controls?|supplies|supply|innervat\w*|serves?|mediates?|tests?|drives?|"
                        r"responsible|involves?|is|are|for|from|by|via|=|:)\b|[:=]", re.IGNORECASE)
