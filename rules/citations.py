"""Citation checks: markers in the text against the numbered reference list.

Markers are numbers a reader takes as citations ('… torque 2.', '2, 3',
'[4]', '1 and 1'; see ``extractors.citations``); references are numbered in
the order they are listed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from extractors.citations import Marker, find_markers
from extractors.types import Article

from .engine import CheckContext, Draft, rule

_LEAD = frozenset(" \t\n•●▪◦‣∙·*+-–—")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z•\[(])")
_STOP = frozenset({
    "the", "and", "for", "with", "from", "that", "this", "these", "those", "are", "was", "were", "has",
    "have", "had", "not", "but", "its", "their", "into", "onto", "over", "under", "than", "then", "also",
    "such", "can", "may", "more", "most", "other", "some", "any", "all", "each", "which", "who", "whom",
    "whose", "what", "when", "where", "why", "how", "about", "after", "before", "between", "during",
    "following", "among", "within", "without", "per", "via",
})


@dataclass(frozen=True)
class Cite:
    marker: Marker
    sentence: tuple[int, int]


def _find_cites(article: Article) -> tuple[Cite, ...]:
    out = []
    text = article.plain
    for b in article.blocks:
        if b.kind == "heading":
            continue
        starts = [b.start, *(m.end() for m in _SENTENCE_END.finditer(text, b.start, b.end))]
        ends = [*starts[1:], b.end]
        for s, e in zip(starts, ends, strict=True):
            while s < e and text[s] in _LEAD:
                s += 1
            for m in find_markers(text, s, e):
                out.append(Cite(m, (s, e)))
    return tuple(out)


def cites(ctx: CheckContext) -> tuple[Cite, ...]:
    """Every marker with its sentence, found once per check and shared by the citation rules."""
    if "cites" not in ctx.cache:
        ctx.cache["cites"] = _find_cites(ctx.article)
    return ctx.cache["cites"]


def _stems(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"[a-z]{3,}", text.lower()) if w not in _STOP}


@rule(
    "citations.repeated-marker", "warning",
    "One marker cites the same source twice ('1 and 1')",
    """A marker such as "1 and 1" names one source twice. It usually means a second,
    different source was meant and got the wrong number, so the claim is less supported
    than it looks.""",
    example_trigger="Title\n\nL5 supplies great toe extension 1 and 1.\n\nReferences\n\n1. A source.\n\n2. Another.",
    example_pass="Title\n\nL5 supplies great toe extension 1 and 2.\n\nReferences\n\n1. A source.\n\n2. Another.",
)
def repeated_marker(ctx: CheckContext) -> Iterable[Draft]:
    for c in cites(ctx):
        nums = c.marker.numbers
        repeated = sorted({n for n in nums if nums.count(n) > 1}, key=int)
        if repeated:
            written = ctx.article.text[c.marker.start:c.marker.end]
            yield Draft(f"the marker '{written}' cites source {', '.join(repeated)} more than once",
                        (ctx.evidence(c.marker.start, c.marker.end),), (),
                        "cite each source once; if a second source was meant, give its number")


@rule(
    "citations.missing-reference", "warning",
    "The text cites a number the reference list does not have",
    """Every number the text cites must have an entry in the reference list. A number
    past the end of the list often means the list lost an entry or the numbering shifted
    (see citations.shifted-numbering).""",
    example_trigger="Title\n\nL5 supplies great toe extension 2.\n\nReferences\n\n1. A source.",
    example_pass="Title\n\nL5 supplies great toe extension 1.\n\nReferences\n\n1. A source.",
)
def missing_reference(ctx: CheckContext) -> Iterable[Draft]:
    listed = {str(r.number) for r in ctx.article.references}
    if not listed:
        return  # bare numbers without any reference list are too weak a signal
    missing: dict[str, list[Cite]] = defaultdict(list)
    for c in cites(ctx):
        for n in dict.fromkeys(c.marker.numbers):
            if n not in listed:
                missing[n].append(c)
    for n, where in sorted(missing.items(), key=lambda kv: int(kv[0])):
        times = f"{len(where)} time{'s' if len(where) > 1 else ''}"
        yield Draft(f"the text cites source {n} ({times}) but the reference list has only "
                    f"{len(listed)} entr{'ies' if len(listed) > 1 else 'y'}",
                    tuple(ctx.evidence(c.marker.start, c.marker.end) for c in where), (),
                    f"add reference {n}, or correct the marker")


@rule(
    "citations.uncited-reference", "info",
    "A reference is listed but never cited",
    """A listed reference that no sentence cites supports nothing in the article; it may
    be left over from an earlier draft, or its citations carry the wrong number.""",
    example_trigger="Title\n\nL5 supplies great toe extension 1.\n\nReferences\n\n1. A source.\n\n2. Another.",
    example_pass="Title\n\nL5 supplies great toe extension 1, 2.\n\nReferences\n\n1. A source.\n\n2. Another.",
)
def uncited_reference(ctx: CheckContext) -> Iterable[Draft]:
    cited = {n for c in cites(ctx) for n in c.marker.numbers}
    if not cited:
        return
    for r in ctx.article.references:
        if str(r.number) not in cited:
            yield Draft(f"reference {r.number} ('{r.title}') is never cited", (ctx.evidence(r.start, r.end),), (),
                        "cite it where it supports a claim, or remove it")


@rule(
    "citations.shifted-numbering", "warning",
    "Claims citing n match reference n−1 far better: the numbering looks shifted",
    """When the sentences that cite source n share many words with the title of reference
    n−1 and few with reference n's, the markers were probably numbered against a list that
    has since gained or lost an entry. Each cited number is compared with the two titles
    by the share of the title's content words that appear in its citing sentences.""",
    example_trigger="Title\n\nFoot dystonia can follow lumbar canal stenosis 2.\n\nReferences\n\n"
                    "1. Foot dystonia and lumbar canal stenosis.\n\n2. Recovery after decompressive surgery.",
    example_pass="Title\n\nFoot dystonia can follow lumbar canal stenosis 1.\n\nReferences\n\n"
                 "1. Foot dystonia and lumbar canal stenosis.\n\n2. Recovery after decompressive surgery.",
)
def shifted_numbering(ctx: CheckContext) -> Iterable[Draft]:
    refs = {r.number: _stems(r.title) for r in ctx.article.references}
    if len(refs) < 2:
        return
    by_number: dict[int, list[Cite]] = defaultdict(list)
    for c in cites(ctx):
        for n in dict.fromkeys(c.marker.numbers):
            by_number[int(n)].append(c)
    shifted = []
    for n, where in sorted(by_number.items()):
        if n - 1 not in refs:
            continue
        words = set().union(*(_stems(ctx.article.plain[c.sentence[0]:c.sentence[1]]) for c in where))

        def score(k: int, words: set[str] = words) -> float:
            title = refs.get(k, set())
            return len(title & words) / len(title) if title else 0.0

        if score(n - 1) >= 0.5 and score(n - 1) >= 2 * score(n) + 0.2:
            shifted.append((n, where))
    if not shifted:
        return
    nums = [n for n, _ in shifted]
    cited = " and ".join(map(str, nums))
    matched = " and ".join(str(n - 1) for n in nums)
    evidence = tuple(dict.fromkeys(ctx.evidence(*c.sentence) for _, where in shifted for c in where))
    yield Draft(
        f"the reference numbering looks shifted by one: claims citing {cited} match the titles of "
        f"references {matched}",
        evidence, (),
        "renumber the markers (" + ", ".join(f"{n} → {n - 1}" for n in nums) + ") or restore the missing entry",
    )
