"""The rule engine: a registry of rules, each with an id, a severity and an explanation.

A rule is a function from a ``CheckContext`` to draft findings. Code rules
register with ``@rule(...)``; data rules come from YAML packs (``rules.packs``).
``check`` runs them all, numbers the findings and turns input problems into
``ingest.*`` findings, so a malformed article still gets a full report.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from extractors.lexicon import Lexicon, load_lexicon
from extractors.types import Article, Assertion, Evidence, Finding, Report, Severity

from .reference import ReferenceTable, load_reference

VERSION = "0.1.0"


@dataclass(frozen=True)
class Draft:
    """A finding before it is numbered."""

    message: str
    evidence: tuple[Evidence, ...] = ()
    assertions: tuple[str, ...] = ()
    suggestion: str = ""


@dataclass
class CheckContext:
    article: Article
    assertions: list[Assertion]
    title_targets: list[str]
    reference: ReferenceTable
    lexicon: Lexicon
    _cache: dict = field(default_factory=dict)

    def evidence(self, start: int, end: int) -> Evidence:
        sec = self.article.section_at(start)
        name = (sec.top or sec.heading) if sec else ""
        return Evidence(name, start, end, self.article.text[start:end])

    def sentence_evidence(self, assertions: Iterable[Assertion]) -> tuple[Evidence, ...]:
        spans = dict.fromkeys((a.start, a.end) for a in assertions)
        return tuple(self.evidence(s, e) for s, e in spans)

    def label(self, target: str) -> str:
        return self.lexicon.label(target)


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    summary: str
    explanation: str
    check: Callable[[CheckContext], Iterable[Draft]]
    example_trigger: str = ""
    example_pass: str = ""


_CODE_RULES: dict[str, Rule] = {}


def rule(id: str, severity: Severity, summary: str, explanation: str, example_trigger: str = "",
         example_pass: str = "") -> Callable:
    """Register a code rule: ``@rule("consistency.x", "blocker", "…", "…")``."""

    def register(fn: Callable[[CheckContext], Iterable[Draft]]) -> Callable:
        _CODE_RULES[id] = Rule(id, severity, summary, " ".join(explanation.split()), fn,
                               example_trigger, example_pass)
        return fn

    return register


@lru_cache(maxsize=1)
def all_rules() -> tuple[Rule, ...]:
    """Every rule, pack rules first (they read the text), then code rules."""
    from . import consistency  # noqa: F401  (registers the code rules)
    from .packs import load_default_packs

    return (*load_default_packs(), *_CODE_RULES.values())


@lru_cache(maxsize=1)
def ruleset_version() -> str:
    """Package version plus a digest of every data file that shapes extraction or rules.

    Two runs with the same version and the same article content give the same report.
    """
    h = hashlib.sha256()
    for pkg, names in (("extractors", ("lexicon.json", "context_rules.json", "layout.json")),
                       ("rules", ("terminology.yaml", "myotomes.json"))):
        for name in names:
            h.update((resources.files(pkg) / "data" / name).read_bytes())
    return f"{VERSION}+{h.hexdigest()[:10]}"


def check(article: Article, assertions: list[Assertion], title_targets: list[str]) -> Report:
    """All findings for one article, numbered ``f1``, ``f2`` … in a stable order."""
    ctx = CheckContext(article, assertions, title_targets, load_reference(), load_lexicon())
    findings: list[Finding] = []
    for p in article.problems:
        findings.append(Finding(f"f{len(findings) + 1}", p.rule, p.severity, p.message))
    if article.plain.strip():
        for r in all_rules():
            for d in r.check(ctx):
                findings.append(Finding(f"f{len(findings) + 1}", r.id, r.severity, d.message, d.evidence,
                                        d.assertions, d.suggestion))
    return Report(article, ruleset_version(), tuple(assertions), tuple(findings))
