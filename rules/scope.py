"""Where a claimed root came from, when it is not the page's plain word for the movement.

- **A nerve's root range.** "Tibial (L4-S3): plantarflexion, inversion", "the sciatic nerve
  (L4, L5, S1) supplies the adductor magnus", "the radial nerve … originating from the C5-C8
  nerve roots". The range is the nerve's, the union over every muscle (and skin) it supplies;
  the rules still judge each root against the movement's sources, as the policy says, and name
  the nerve's range in the finding so the reviewer sees why the root is there. ``nerve_range``
  finds the range a claim's root was written in: after a nerve's name (with or without "nerve",
  "N."), after "arises / originates / is derived from" said of a nerve, or in a "Nerve roots |
  C5-C7" cell near the nerve's name; never a range the page calls a myotome.
- **An injury level that keeps a movement.** "A C7-C8 injury … the biceps would be preserved":
  a movement kept at a cord level is served by that level or any above it, so a level below all
  of the movement's roots says nothing against the table (``kept_below``).
- **What a denial denies.** ``NOT_MAIN`` (a denial of primacy, "not mainly L5") and
  ``denial_names_root`` (a denial that names its root, or says the movement is another root's).

All are read from the page's own text at the claim's offsets; nothing here changes a claim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from extractors.datafiles import packaged_json
from extractors.roots import ORDER, find_root_groups
from extractors.types import Assertion

from .engine import CheckContext

_WINDOW = 160  # characters read before a root group for the nerve or the origin phrase
_NEARBY = 400  # how far back a subjectless origin phrase or a roots cell may find its nerve


@dataclass(frozen=True)
class NerveRange:
    """The root range a page gives a nerve, as written (``start``, ``end``) and as roots."""

    start: int
    end: int
    roots: tuple[str, ...]
    nerve: str  # the nerve as the page names it ('Tibial', 'sciatic nerve'); '' when named only nearby


@lru_cache(maxsize=1)
def _nerve_names() -> str:
    """Peripheral nerves from the lexicon (with and without the word 'nerve'), plexuses, trunks and cords."""
    names = packaged_json("extractors", "lexicon.json")[0].get("nerves", {}).get("names", [])
    bare = {re.escape(n[: -len(" nerve")] if n.endswith(" nerve") else n) for n in names}
    words = "|".join(sorted(bare, key=len, reverse=True)).replace(r"\ ", r"\s+")
    return (rf"\b(?:{words})\b(?:\s+(?:nerves?\b|nn?\.|N\b|neurological\b))?"
            r"|\b(?:lumbar|sacral|lumbosacral|brachial|cervical)\s+plexus\b"
            r"|\b(?:upper|middle|lower|lateral|medial|posterior)\s+(?:trunk|cord)\b")


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern, re.Pattern, re.Pattern, re.Pattern]:
    nerve = _nerve_names()
    lead = (r"(?:(?:which\s+)?(?:is\s+)?"
            r"(?:primarily|mainly|mostly|chiefly|from|the|its|of|roots?|nerve\s+roots?|segments?|levels?)\s+)*")
    after_nerve = re.compile(rf"(?P<nerve>{nerve})\s*(?:[(:,=|–—-]\s*)?{lead}$", re.IGNORECASE)
    origin = re.compile(
        r"\b(?:aris\w*|originat\w*|deriv\w*|formed|forms|stem\w*|emerg\w*|comes|coming)\s+(?:from|by|of|in)\s+"
        r"(?:the\s+)?(?:(?:anterior|ventral)\s+rami\s+of\s+(?:the\s+)?)?(?:(?:spinal\s+)?(?:nerve\s+)?roots?\s+"
        r"(?:of\s+)?)?$", re.IGNORECASE)
    cell = re.compile(r"(?:^|\n|\|)[ \t]*(?:nerve\s+)?roots?(?:\s+(?:of\s+origin|values?))?[ \t]*[|:;][ \t]*$",
                      re.IGNORECASE)
    return after_nerve, origin, cell, re.compile(nerve, re.IGNORECASE)


# a nerve as the subject: 'the femoral nerve', 'this nerve', 'the plexus', but never 'the S1 nerve root'
_NERVE_WORD = re.compile(r"\bnerves?\b(?!\s+roots?\b)|\bplexus\b", re.IGNORECASE)
_CLAUSE_START = re.compile(r"[.;!?\n](?=[^.;!?\n]*$)")
_CALLED_MYOTOME = re.compile(r"\s*(?:spinal\s+)?(?:myotomes?|segments?\s+of\s+the\s+myotome)\b", re.IGNORECASE)
_JOIN = re.compile(r"\s*(?:(?:spinal\s+)?(?:nerve\s+)?roots?\s*)?(?:,|\band\b|&|\bor\b)\s*$", re.IGNORECASE)


def nerve_range(ctx: CheckContext, a: Assertion) -> NerveRange | None:
    """The nerve's root range the claim's root was written in, or None when the root is the page's own claim."""
    key = ("nerve_range", a.root_start, a.root_end)
    if key not in ctx.cache:
        ctx.cache[key] = nerve_range_at(ctx.article.plain, a.root_start, a.root_end)
    return ctx.cache[key]


def nerve_range_at(text: str, start: int, end: int) -> NerveRange | None:
    """The nerve's range holding the root written at ``text[start:end]``, if it is one."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    groups = find_root_groups(text, line_start, line_end if line_end >= 0 else len(text))
    at = next((i for i, g in enumerate(groups) if g.start <= start and end <= g.end), None)
    if at is None:
        return None
    first = at  # 'the C5-C8 nerve roots and T1 nerve root': a group joined to the one before it
    while first > 0 and _JOIN.search(text, groups[first - 1].end, groups[first].start):
        first -= 1
    g = groups[first]
    last = at  # the groups joined after it belong to the same range
    while last + 1 < len(groups) and _JOIN.search(text, groups[last].end, groups[last + 1].start):
        last += 1
    roots = tuple(dict.fromkeys(r for x in groups[first:last + 1] for r in x.roots))
    if _CALLED_MYOTOME.match(text, groups[last].end):
        return None  # 'the femoral nerve (L2-L4 myotome)': the page calls the range the movement's own
    nerve = _named_before(text, g.start, len(roots) > 1)
    if nerve is None:
        return None
    return NerveRange(g.start, groups[last].end, tuple(sorted(roots, key=ORDER.index)), nerve)


def _named_before(text: str, at: int, several: bool) -> str | None:
    """The nerve whose range starts at ``at``: named right before it, or the subject of an origin phrase."""
    after_nerve, origin, cell, nerve = _patterns()
    before = text[max(0, at - _WINDOW):at]
    m = after_nerve.search(before)
    if m:
        return " ".join(m.group("nerve").split())
    m = origin.search(before)
    if m:
        clause = before[: m.start()]
        cut = _CLAUSE_START.search(clause)
        subject = clause[cut.end():] if cut else clause
        named = nerve.search(subject)
        if named:
            return " ".join(named.group(0).split())
        if _NERVE_WORD.search(subject):
            return "nerve"
        # subjectless ('- Originates from roots C5, C6, C7'): only a nerve arises from several roots
        return "" if several and not subject.strip(" \t•●▪◦‣∙·*+-–—") else None
    if cell.search(before) and nerve.search(text, max(0, at - _NEARBY), at):
        return ""
    return None


_KEPT = re.compile(
    r"\b(?:preserved|intact|retained|spared|maintained|unaffected|still\s+(?:be\s+)?(?:able|present|possible|"
    r"function\w*|work\w*)|remain\w*\s+(?:intact|functional|strong|normal|preserved|possible))\b", re.IGNORECASE)
_LEVEL = re.compile(r"injur|tetrapleg|quadripleg|parapleg|\blevels?\b|\bSCI\b|lesion|spinal\s+cord", re.IGNORECASE)


def kept_below(ctx: CheckContext, a: Assertion, standard: tuple[str, ...]) -> bool:
    """A movement said to be kept (preserved, intact) at an injury or lesion of a root below all its roots.

    "A C7-C8 injury … the biceps would be preserved": the biceps (C5, C6) are served above the level,
    so the sentence is right and makes no claim that C7 or C8 serves elbow flexion.
    """
    if not standard or ORDER.index(a.root) <= max(ORDER.index(r) for r in standard):
        return False
    text = ctx.article.plain
    if not _KEPT.search(text, a.start, a.end):
        return False
    near = text[max(0, a.root_start - 80):a.root_end + 40]
    return bool(_LEVEL.search(near) or _LEVEL.search(text, a.start, a.end))


# "is not the dominant function of L2", "do not primarily influence", "not specific to": a denial
# that the root is the main or the specific one, which a plain contribution elsewhere does not contradict;
# so is a denial beside the main root ("the deltoid is NOT C6: it is primarily C5")
NOT_MAIN = re.compile(
    r"(?:\bnot?\b|n[’']t\b|\bnever\b)\W+(?:\w+\W+){0,3}?(?:only|sole|solely|specific|specifically|exclusive\w*|"
    r"directly|exact\w*|definitive\w*)\b"
    r"|\b(?:main|mainly|primary|primarily|principal|chief|dominant|predominant\w*|key|major)\b", re.IGNORECASE)

# "the other movements involve different nerve roots", "does not reflect this myotome": a denial that
# says the movement belongs to another root names what it denies, though its root is the question's
_OTHER_ROOT = re.compile(
    r"\b(?:different|other|another|separate)\s+(?:\w+[\s-]+){0,2}?(?:roots?|myotomes?|levels?|segments?|spinal\s+nerves?)\b"
    r"|\b(?:this|that|the\s+same)\s+(?:nerve\s+)?(?:root|myotome|level|segment)\b", re.IGNORECASE)


def denial_names_root(ctx: CheckContext, a: Assertion) -> bool:
    """A denial that says which root it denies: the root is written in its sentence, or the sentence says the
    movement belongs to another root or not to this one.

    A negation in a sentence that names neither ('3: difficult to assess; can consider full strength if …',
    'a normal reaction … indicates no …') is about something else: a grade, the reflex's normal response.
    """
    if a.start <= a.root_start < a.end:
        return True
    return bool(_OTHER_ROOT.search(ctx.article.plain, a.start, a.end))


def quote(text: str, a: Assertion) -> str:
    """The claim's sentence in quotes, cut at 80 characters, for a message."""
    said = " ".join(text[a.start:a.end].split())
    return f"'{said[:80]}…'" if len(said) > 80 else f"'{said}'"
