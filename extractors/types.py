"""The data types every stage passes on: plain, frozen, and free of spaCy objects.

Every span anywhere is a pair of character offsets into ``Article.text``, so
``article.text[start:end]`` is always the evidence a finding quotes.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import asdict, dataclass, field, fields
from functools import cached_property
from typing import Literal

Severity = Literal["blocker", "warning", "info"]
Polarity = Literal["affirmed", "negated", "uncertain"]
SEVERITIES: tuple[str, ...] = ("blocker", "warning", "info")
POLARITIES: tuple[str, ...] = ("affirmed", "negated", "uncertain")


@dataclass(frozen=True)
class Section:
    """A heading and the text it governs.

    ``kind`` says what the text is for: ``content`` (a source of assertions),
    ``references``, ``boilerplate`` (site chrome, disclaimers) or ``title``.
    ``top`` names the top-level section a sub-heading belongs to; assertions
    are reported against it ("From the Research", not its sub-headings).
    """

    heading: str
    level: int
    start: int
    end: int
    kind: str = "content"
    top: str = ""


@dataclass(frozen=True)
class Block:
    """One paragraph, bullet, heading or table row: sentences never cross blocks."""

    kind: str  # paragraph | bullet | heading | table_row
    start: int
    end: int
    section: int  # index into Article.sections


@dataclass(frozen=True)
class Reference:
    number: int
    text: str
    title: str
    start: int
    end: int
    label: str = ""


@dataclass(frozen=True)
class Suppression:
    """An inline directive silencing one rule for the block (paragraph, bullet …) after it.

    ``start``/``end`` span that block; ``directive`` spans the directive itself.
    An empty ``reason`` is reported and not honoured.
    """

    rule: str
    reason: str
    start: int
    end: int
    directive: tuple[int, int]


@dataclass(frozen=True)
class Problem:
    """Something wrong with the input itself, found while reading it."""

    rule: str  # ingest.*
    severity: Severity
    message: str


@dataclass(frozen=True)
class Article:
    """One article, decoded once.

    ``text`` is the article as read (after decoding); ``plain`` has the same
    length with markup and non-content regions (boilerplate, references)
    blanked out, so the NLP pipeline sees only prose and offsets stay valid.
    """

    id: str
    source: str
    text: str
    plain: str
    content_sha256: str
    format: str
    title: str = ""
    title_span: tuple[int, int] = (0, 0)
    status: str = "unknown"
    sections: tuple[Section, ...] = ()
    blocks: tuple[Block, ...] = ()
    references: tuple[Reference, ...] = ()
    metadata: dict = field(default_factory=dict, hash=False, compare=False)
    problems: tuple[Problem, ...] = ()
    suppressions: tuple[Suppression, ...] = ()

    @property
    def content_sections(self) -> list[str]:
        """Names of the top-level content sections, in order."""
        seen: list[str] = []
        for s in self.sections:
            if s.kind == "content" and s.top and s.top not in seen:
                seen.append(s.top)
        return seen

    def section_at(self, offset: int) -> Section | None:
        """The innermost section containing ``offset`` (by bisection: long articles have many)."""
        i = self.section_index(offset)
        return self.sections[i] if i >= 0 else None

    def section_index(self, offset: int) -> int:
        """Index into ``sections`` of the innermost section containing ``offset``, or -1."""
        order, starts = self._sections_by_start
        k = bisect_right(starts, offset) - 1
        best = -1
        while k >= 0:
            i = order[k]
            s = self.sections[i]
            if s.start <= offset < s.end and (best < 0 or s.level >= self.sections[best].level):
                best = i
                if s.level >= 2:
                    break
            if s.level == 1 and s.start <= offset < s.end:
                break
            k -= 1
        return best

    @cached_property
    def _sections_by_start(self) -> tuple[list[int], list[int]]:
        order = sorted(range(len(self.sections)), key=lambda i: self.sections[i].start)
        return order, [self.sections[i].start for i in order]

    @cached_property
    def _line_starts(self) -> list[int]:
        return [0, *(m.end() for m in re.finditer("\n", self.text))]

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column of a character offset (for SARIF and editors)."""
        starts = self._line_starts
        i = bisect_right(starts, offset) - 1
        return i + 1, offset - starts[i] + 1


@dataclass(frozen=True)
class Assertion:
    """One root–target claim of one sentence. The DataFrame form has exactly these columns."""

    id: str
    article_id: str
    root: str
    target: str
    target_kind: str
    relation: str
    polarity: str
    primary: bool
    section: str
    subsection: str
    sentence: str
    start: int
    end: int
    root_start: int
    root_end: int
    target_start: int
    target_end: int
    citations: tuple[str, ...] = ()
    # How sure extraction is that the page makes this claim (0–1, calibrated on labelled real pages).
    # Rules read only claims at or above the gate threshold; the rest are shown to the reviewer.
    confidence: float = 1.0


ASSERTION_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(Assertion))


@dataclass(frozen=True)
class Evidence:
    section: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Finding:
    id: str
    rule: str
    severity: Severity
    message: str
    evidence: tuple[Evidence, ...] = ()
    assertions: tuple[str, ...] = ()
    suggestion: str = ""
    suppressed: bool = False
    suppression_reason: str = ""

    def to_dict(self) -> dict:
        d = asdict(self)
        d["evidence"] = [asdict(e) for e in self.evidence]
        d["assertions"] = list(self.assertions)
        return d


@dataclass(frozen=True)
class Report:
    article: Article
    ruleset_version: str
    assertions: tuple[Assertion, ...]
    findings: tuple[Finding, ...]
    # what the rules read (``extractors.relations.Extraction``), so they can run again over claims a reviewer
    # corrected without extracting again; not part of the report's contract
    extraction: object = field(default=None, compare=False, repr=False)

    @property
    def verdict(self) -> str:
        blocked = any(f.severity == "blocker" and not f.suppressed for f in self.findings)
        return "blocked" if blocked else "pass"
