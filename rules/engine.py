"""The rule engine: a registry of rules, each with an id, a severity and an explanation.

A rule is a function from a ``CheckContext`` to draft findings. Code rules
register with ``@rule(...)``; data rules come from YAML packs (``rules.packs``).
A ``Ruleset`` is every rule as configured (severities, disabled rules, extra
packs, the reference table); ``Ruleset.check`` runs them, numbers the
findings, turns input problems into ``ingest.*`` findings and applies inline
suppressions, so a malformed article still gets a full report.
"""

from __future__ import annotations

import bisect
import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources

from extractors.datafiles import read_data_file
from extractors.lexicon import Lexicon, load_lexicon
from extractors.limits import MAX_ROOT_MENTIONS
from extractors.types import Article, Assertion, Evidence, Finding, Report, Severity

from .config import DEFAULT, Config, load_config
from .reference import ReferenceTable, load_reference

VERSION = "0.1.0"
_RANK = {"info": 0, "warning": 1, "blocker": 2}


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
    abbreviations: list = field(default_factory=list)  # (short, long, definition start, [occurrence starts])
    level_claims: list = field(default_factory=list)  # extractors.relations.LevelClaim
    pattern_timeout_s: float = 1.0
    problems: list[Draft] = field(default_factory=list)  # rules.* problems found while checking
    # when all pack rules together must have finished on this article (``packs_timeout_s``)
    packs_deadline: float = float("inf")
    packs_deadline_s: float = 5.0
    cache: dict = field(default_factory=dict)  # values several rules share, computed once per check
    misnamed_reflexes: list = field(default_factory=list)  # (start, end, roots): a muscle named as a reflex it lacks
    # claims below the gate threshold: shown to the reviewer, never the ground of a warning or blocker
    unsure: list[Assertion] = field(default_factory=list)
    gate_threshold: float = 0.0  # the confidence a claim a rule derives itself needs before it may gate

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
    source: str = "built-in"


_CODE_RULES: dict[str, Rule] = {}


def rule(id: str, severity: Severity, summary: str, explanation: str, example_trigger: str = "",
         example_pass: str = "") -> Callable:
    """Register a code rule: ``@rule("consistency.x", "blocker", "…", "…")``."""

    def register(fn: Callable[[CheckContext], Iterable[Draft]]) -> Callable:
        _CODE_RULES[id] = Rule(id, severity, summary, " ".join(explanation.split()), fn,
                               example_trigger, example_pass)
        return fn

    return register


def _code_rules() -> list[Rule]:
    from . import citations, consistency, table  # noqa: F401  (importing registers the rules)

    return list(_CODE_RULES.values())


# Findings the engine itself may emit, listed so `artgate rules` and configuration know them.
ENGINE_RULES = {
    "rules.pattern-timeout": "A pack rule did not finish within its time budget on this article (reported at the "
                             "rule's own level)",
    "suppression.missing-reason": "An artgate-disable directive gives no reason, so it is not honoured",
    "suppression.unknown-rule": "An artgate-disable directive names a rule that does not exist",
    "claims.check-claim": "Extraction is not sure the page makes these claims: a reviewer should check them",
}


@dataclass(frozen=True)
class Ruleset:
    rules: tuple[Rule, ...]
    reference: ReferenceTable
    config: Config
    version: str

    def known(self, rule_id: str) -> bool:
        return rule_id in ENGINE_RULES or rule_id.startswith(("ingest.", "extraction.")) or any(
            r.id == rule_id for r in all_rules(self.config))

    def check(self, article: Article, extraction, suppress_blockers: bool | None = None) -> Report:
        """All findings for one article, numbered ``f1``, ``f2`` … in a stable order.

        ``suppress_blockers`` False (the service) makes an in-text directive on a blocker a waiver
        request: the finding stays open, carrying the directive's reason, until a reviewer waives it.
        None follows ``suppress_blockers_in_text`` in the configuration.
        """
        threshold = self.threshold
        sure = [a for a in extraction.assertions if a.confidence >= threshold]
        unsure = [a for a in extraction.assertions if a.confidence < threshold]
        ctx = CheckContext(article, sure, list(extraction.title_targets), self.reference,
                           load_lexicon(), list(getattr(extraction, "abbreviations", [])),
                           list(getattr(extraction, "level_claims", [])), self.config.pattern_timeout_s,
                           misnamed_reflexes=list(getattr(extraction, "misnamed_reflexes", [])), unsure=unsure,
                           gate_threshold=threshold)
        raw: list[tuple[str, str, Draft]] = [
            (p.rule, p.severity, Draft(p.message)) for p in article.problems]
        timeouts: list[tuple[str, str, Draft]] = []
        if article.plain.strip():
            ctx.packs_deadline = time.monotonic() + self.config.packs_timeout_s
            ctx.packs_deadline_s = self.config.packs_timeout_s
            for r in self.rules:
                before = len(ctx.problems)
                found = [(r.id, r.severity, d) for d in r.check(ctx)]
                if unsure and r.source == "built-in" and found:
                    found = _robust(r, found, ctx, unsure)
                raw.extend(found)
                # a rule that did not finish reports at its own level: a blocker rule that ran out of time blocks
                own = self.config.severity.get(r.id, r.severity)
                timeouts.extend(("rules.pattern-timeout", own, d) for d in ctx.problems[before:])
            raw.extend(timeouts)
            raw.extend(("claims.check-claim", "info", d) for d in _unsure_claims(ctx, threshold))
        cut = getattr(extraction, "truncated_at", None)
        if cut is not None:
            line, _ = article.line_col(cut)
            raw.append(("extraction.truncated", "warning", Draft(
                f"the article names more than {MAX_ROOT_MENTIONS:,} spinal roots; claims from line {line:,} on were "
                "not checked", (ctx.evidence(cut, min(len(article.text), cut + 40)),),
                suggestion="split the article, or check it in parts")))
        raw.extend(self._suppression_problems(article, ctx))
        findings = []
        index = _suppression_index(article)
        honour_blockers = self.config.suppress_blockers_in_text if suppress_blockers is None else suppress_blockers
        for i, (rid, sev, d) in enumerate(raw, start=1):
            level = self.config.severity.get(rid, sev)
            if rid == "rules.pattern-timeout":  # configuration may raise it, never lower the rule's own level
                level = max(level, sev, key=_RANK.__getitem__)
            f = Finding(f"f{i}", rid, level, d.message, d.evidence, d.assertions, d.suggestion)
            reason = _suppressed_by(index, f)
            if reason and f.severity == "blocker" and not honour_blockers:
                # a request, not a decision: the blocker stands until a reviewer accepts it
                findings.append(replace(f, message=f"{f.message} (the text asks to suppress this blocker: "
                                                   f"{reason!r}; a reviewer must accept it)",
                                        suppression_reason=reason))
                continue
            findings.append(replace(f, suppressed=True, suppression_reason=reason) if reason else f)
        return Report(article, self.version, tuple(extraction.assertions), tuple(findings), extraction)

    @property
    def threshold(self) -> float:
        """The confidence a claim needs to gate: the configured one, else the claim scorer's."""
        if self.config.gate_threshold is not None:
            return self.config.gate_threshold
        from extractors.scorer import gate_threshold

        return gate_threshold()

    def _suppression_problems(self, article: Article, ctx: CheckContext) -> list[tuple[str, str, Draft]]:
        out = []
        for s in article.suppressions:
            ev = (ctx.evidence(*s.directive),)
            if not s.reason:
                out.append(("suppression.missing-reason", "warning", Draft(
                    f"the directive disabling {s.rule} gives no reason, so it is ignored", ev,
                    suggestion=f"write it as artgate-disable {s.rule}: <why this is correct here>")))
            elif not self.known(s.rule):
                out.append(("suppression.unknown-rule", "warning", Draft(
                    f"the directive names {s.rule!r}, which is not a rule", ev,
                    suggestion="run 'artgate rules' for the rule ids")))
        return out


def _robust(rule: Rule, found: list[tuple[str, str, Draft]], ctx: CheckContext,
            unsure: list[Assertion]) -> list[tuple[str, str, Draft]]:
    """The findings of a claims rule that hold whatever the claims below the gate turn out to be.

    A finding rests on gating claims; but a rule that compares claims ("the sections answer the title
    differently") can also find something in what is *missing*, and a claim below the gate may be the
    one missing. So the rule runs again with every claim, and a finding stands only where that run
    finds the same kind of thing on the same evidence.
    """
    whole = replace(ctx, assertions=[*ctx.assertions, *unsure], unsure=[], cache={}, problems=[], gate_threshold=0.0)
    again = [d.evidence for d in rule.check(whole)]

    def held(d: Draft) -> bool:
        return not d.evidence or any(s.start < e.end and e.start < s.end for ev in again for e in ev
                                     for s in d.evidence)

    return [f for f in found if held(f[2])]


def _unsure_claims(ctx: CheckContext, threshold: float) -> list[Draft]:
    """One 'check this claim' note per sentence holding claims below the gate threshold."""
    by_sentence: dict[tuple[int, int], list[Assertion]] = {}
    for a in ctx.unsure:
        by_sentence.setdefault((a.start, a.end), []).append(a)
    out = []
    for (start, end), claims in by_sentence.items():
        said = "; ".join(dict.fromkeys(
            f"{a.root} → {ctx.label(a.target)}{'' if a.polarity == 'affirmed' else f' ({a.polarity})'} "
            f"(confidence {a.confidence:.2f})" for a in claims))
        out.append(Draft(
            f"check this claim: extraction is not sure the page says {said}; below the gate threshold "
            f"{threshold:.2f}, it raises no warning or blocker", (ctx.evidence(start, end),),
            tuple(a.id for a in claims),
            suggestion="confirm or correct the claim; a clearer sentence makes it certain"))
    return out


def _suppression_index(article: Article) -> dict[str, tuple[list[int], list]]:
    """Honoured suppressions by rule, ordered by start, so each lookup is a bisection."""
    by_rule: dict[str, list] = {}
    for s in article.suppressions:
        if s.reason:
            by_rule.setdefault(s.rule, []).append(s)
    out = {}
    for rule, items in by_rule.items():
        items.sort(key=lambda s: s.start)  # stable: the first directive for a block wins
        out[rule] = ([s.start for s in items], items)
    return out


def _suppressed_by(index: dict[str, tuple[list[int], list]], f: Finding) -> str:
    """The reason when every piece of the finding's evidence lies in a block suppressed for its rule."""
    if f.rule not in index or not f.evidence:
        return ""
    starts, items = index[f.rule]
    reasons = []
    for ev in f.evidence:
        i = bisect.bisect_right(starts, ev.start)
        if i == 0:
            return ""
        # blocks do not overlap, so the only block that can hold the evidence is the last one
        # starting at or before it; several directives on one block share its start: the first wins
        found = items[bisect.bisect_left(starts, starts[i - 1])]
        if not (found.start <= ev.start and ev.end <= found.end):
            return ""
        reasons.append(found.reason)
    return "; ".join(dict.fromkeys(reasons))


@lru_cache(maxsize=8)
def all_rules(config: Config = DEFAULT) -> tuple[Rule, ...]:
    """Every rule known under ``config``, enabled or not: pack rules first, then code rules."""
    from .packs import load_default_packs, load_pack_paths

    return (*load_default_packs(), *load_pack_paths(config.packs), *_code_rules())


def _digest(config: Config) -> str:
    h = hashlib.sha256()
    for pkg, names in (("extractors", ("lexicon.json", "context_rules.json", "layout.json", "claim_scorer.json")),
                       ("rules", ("terminology.yaml", "myotomes.json"))):
        for name in names:
            path = resources.files(pkg) / "data" / name
            if path.is_file():
                h.update(path.read_bytes())
    if config.path:
        from .packs import PACK_MAX_BYTES, pack_files

        h.update(read_data_file(config.path).encode())
        for f in pack_files(config.packs):  # exactly the files loaded, each bounded
            h.update(read_data_file(f, PACK_MAX_BYTES).encode())
        if config.reference:
            h.update(read_data_file(config.reference).encode())
    return h.hexdigest()[:10]


_BY_VERSION: dict[str, Ruleset] = {}


@lru_cache(maxsize=8)
def _ruleset(config: Config) -> Ruleset:
    rules = tuple(r for r in all_rules(config) if r.id not in config.disable)
    ruleset = Ruleset(rules, load_reference(config.reference), config, f"{VERSION}+{_digest(config)}")
    _BY_VERSION[ruleset.version] = ruleset
    return ruleset


def loaded_ruleset(version: str) -> Ruleset | None:
    """The ruleset of that version if this process loaded it: every report names the ruleset that made it."""
    return _BY_VERSION.get(version)


def load_ruleset(config_path: str | None = None) -> Ruleset:
    """The configured ruleset (the nearest artgate.toml unless a path is given); cached per config."""
    return _ruleset(load_config(config_path))


def ruleset_version(config_path: str | None = None) -> str:
    """Package version plus a digest of every data file and setting that shapes extraction or rules.

    Two runs with the same version and the same article content give the same report.
    """
    return load_ruleset(config_path).version
