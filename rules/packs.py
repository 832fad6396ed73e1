"""YAML rule packs: rules as data, validated on load, in the spirit of Vale's styles.

A pack file names its ``pack`` and maps rule keys to rules; a rule's id is
``<pack>.<key>``. Every rule has ``type``, ``level`` and ``message`` (with
``{match}`` and other fields filled in) and an ``explanation``. Types:

- ``existence``: any of ``tokens`` (regular expressions) must not appear.
- ``substitution``: ``swap`` maps a pattern to the preferred wording.

  Both take an optional ``qualified_by`` with ``before`` and/or ``after``
  patterns: a use is not reported where the text right after it matches
  ``after`` ("ankle flexion (dorsiflexion)") or the text right before it ends
  with ``before`` ("dorsiflexion, or ankle flexion"), and once the article has
  qualified a term so, its other uses are not reported either.
- ``consistency``: ``either`` names two spellings; an article uses one (the one
  it uses first); one finding lists every use of the other.
- ``conditional``: an abbreviation (``first`` pattern) must be defined before
  use, as "long form (ABBR)"; definitions come from scispaCy's
  AbbreviationDetector; ``exceptions`` lists abbreviations needing none.

Patterns match case-insensitively (``conditional`` is case-sensitive) over the
article's content, never its boilerplate or reference list. They run on the
``regex`` engine with a time budget per rule and article
(``pattern_timeout_s``): a pattern that backtracks catastrophically ends in a
``rules.pattern-timeout`` finding instead of a hung check.
"""

from __future__ import annotations

import string
import time
from collections.abc import Callable, Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path

import regex
import yaml

from extractors.datafiles import read_data_file
from extractors.errors import DataFileError, Errors
from extractors.types import SEVERITIES

from .engine import CheckContext, Draft, Rule

TYPES = ("existence", "substitution", "consistency", "conditional")
_PACK_KEYS = {"pack", "rules"}
_COMMON = {"type", "level", "message", "summary", "explanation", "example_trigger", "example_pass"}
_TYPE_KEYS = {
    "existence": {"tokens", "suggest", "qualified_by"},
    "substitution": {"swap", "qualified_by"},
    "consistency": {"either"},
    "conditional": {"first", "exceptions"},
}
_SUGGEST_KEYS = {"default", "by_title_target"}


class _Loc:
    """Line numbers of the YAML nodes, so errors can say 'house.yaml:12'."""

    def __init__(self, path: str):
        self.path = path
        self.pack = "?"  # the pack's name, once read
        self.lines: dict[tuple, int] = {}

    def at(self, *keys: object) -> str:
        for n in range(len(keys), -1, -1):
            if keys[:n] in self.lines:
                return f"{self.path}:{self.lines[keys[:n]]}"
        return self.path


PACK_MAX_BYTES = 1_000_000
MAX_VALUES = 100_000  # after expanding aliases: a "billion laughs" pack stops here
MAX_DEPTH = 64
_YAML = "tag:yaml.org,2002:"
_PLAIN_TAGS = {_YAML + t for t in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp")}


class _Builder:
    """YAML nodes to plain Python values, within limits, recording each value's line.

    ``yaml.compose`` builds the node graph without constructing anything (so no
    tag can run code); this walk then refuses every tag but plain data, mapping
    keys that are not scalars, nesting deeper than ``MAX_DEPTH`` (an alias that
    contains itself) and more than ``MAX_VALUES`` values once aliases are
    expanded (an alias bomb), each with the file and line.
    """

    def __init__(self, loc: _Loc):
        self.loc, self.values = loc, 0
        self.constructor = yaml.SafeLoader("")

    def fail(self, node: yaml.Node, reason: str) -> DataFileError:
        return DataFileError(Errors.E010.format(path=f"{self.loc.path}:{node.start_mark.line + 1}", reason=reason))

    def check(self, node: yaml.Node, depth: int) -> None:
        self.values += 1
        if self.values > MAX_VALUES:
            raise self.fail(node, f"more than {MAX_VALUES:,} values once aliases are expanded (an alias bomb?)")
        if depth > MAX_DEPTH:
            raise self.fail(node, f"nested deeper than {MAX_DEPTH} levels (an alias that contains itself?)")
        if node.tag not in _PLAIN_TAGS:
            tag = "!!" + node.tag.removeprefix(_YAML) if node.tag.startswith(_YAML) else node.tag
            raise self.fail(node, f"the tag {tag!r} is not allowed: a pack holds plain data "
                                  "(strings, numbers, lists, mappings)")

    def scalar(self, node: yaml.Node) -> object:
        try:
            return self.constructor.construct_object(node)
        except yaml.YAMLError as exc:
            raise self.fail(node, str(getattr(exc, "problem", exc))) from exc

    def build(self, node: yaml.Node, path: tuple = (), depth: int = 0) -> object:
        self.check(node, depth)
        self.loc.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            out = {}
            for k, v in node.value:
                self.check(k, depth + 1)
                if not isinstance(k, yaml.ScalarNode):
                    raise self.fail(k, "a mapping key must be a plain name, not a list or mapping")
                key = self.scalar(k)
                self.loc.lines[(*path, key)] = k.start_mark.line + 1
                out[key] = self.build(v, (*path, key), depth + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(v, (*path, i), depth + 1) for i, v in enumerate(node.value)]
        return self.scalar(node)


def load_pack(text: str, path: str) -> list[Rule]:
    """Rules from one YAML pack; ``DataFileError`` names the file and line of the problem."""
    loc = _Loc(path)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else path
        raise DataFileError(Errors.E010.format(path=where, reason=getattr(exc, "problem", exc))) from exc
    except RecursionError as exc:
        raise DataFileError(Errors.E010.format(path=path, reason="nested too deeply")) from exc
    data = _Builder(loc).build(node) if node is not None else None
    if not isinstance(data, dict):
        raise DataFileError(Errors.E010.format(path=path, reason="a pack is a mapping with 'pack' and 'rules'"))
    unknown = set(data) - _PACK_KEYS
    if unknown:
        raise DataFileError(Errors.E011.format(path=loc.at(sorted(map(str, unknown))[0]),
                                               keys=sorted(map(str, unknown)), allowed=sorted(_PACK_KEYS)))
    pack = data.get("pack")
    if not isinstance(pack, str) or not regex.fullmatch(r"[a-z][a-z0-9-]*", pack):
        raise DataFileError(Errors.E010.format(path=loc.at("pack"), reason="'pack' must be a lower-case name"))
    loc.pack = pack
    rules = data.get("rules") or {}
    if not isinstance(rules, dict):
        raise DataFileError(Errors.E010.format(path=loc.at("rules"), reason="'rules' maps rule names to rules"))
    for key in rules:
        if not isinstance(key, str) or not regex.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", key):
            raise DataFileError(Errors.E010.format(path=loc.at("rules", key), reason=(
                f"rule name {key!r}: use letters, digits, '-' and '_' (it becomes the rule id {pack}.NAME)")))
    return [_rule(pack, key, spec, loc) for key, spec in rules.items()]


def _fail(loc: _Loc, keys: tuple, reason: str) -> DataFileError:
    return DataFileError(Errors.E010.format(path=loc.at("rules", *keys), reason=reason))


MAX_PATTERN_CHARS = 2_000
MAX_REPEAT = 1_000  # one counted repeat, a{n} or a{m,n}
MAX_NESTED_REPEAT = 10_000  # counted repeats multiplied through their nesting: (?:a{100}){100}
_COUNTED = regex.compile(r"\{\s*(\d*)\s*(?:,\s*(\d*)\s*)?\}")


def repeat_size(pattern: str) -> tuple[int, int]:
    """The largest counted repeat of ``pattern``, and the largest product of counted repeats along one nesting path.

    The regular expression engine unrolls a counted repeat when it compiles
    it, so ``a{4294967294}`` or ``(?:(?:a{1000}){1000}){20}`` asks for gigabytes
    before any text is read. Escapes and character classes are skipped; a
    bound left open (``{m,}``) counts its lower bound.
    """
    stack = [1]  # the largest product inside each open group
    last = 1  # the product of the atom just closed (a group's, or 1 for a character)
    best, single, i, n = 1, 1, 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            i += 2
            last = 1
            continue
        if c == "[":  # a class: skip to its closing bracket (']' first in the class is literal)
            j = i + 1
            if j < n and pattern[j] == "^":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            i, last = j + 1, 1
            continue
        if c == "(":
            stack.append(1)
            i += 1
            continue
        if c == ")" and len(stack) > 1:
            last = stack.pop()
            i += 1
            continue
        if c == "{":
            m = _COUNTED.match(pattern, i)
            if m and (m.group(1) or m.group(2)):
                count = max(int(m.group(1) or 0), int(m.group(2) or 0) if m.group(2) is not None else 0)
                single = max(single, count)
                last = last * max(count, 1)
                stack[-1] = max(stack[-1], last)
                best = max(best, last * max(stack[:-1], default=1))
                i = m.end()
                continue
        last = 1
        stack[-1] = max(stack[-1], 1)
        i += 1
    products = 1
    for v in stack:
        products *= v
    return single, max(best, products)


def _compile(pattern: object, loc: _Loc, keys: tuple, flags: int = regex.IGNORECASE) -> regex.Pattern:
    if not isinstance(pattern, str) or not pattern:
        raise _fail(loc, keys, "a pattern must be a non-empty string")
    if len(pattern) > MAX_PATTERN_CHARS:
        raise _fail(loc, keys, f"rule {loc.pack}.{keys[0]}: the pattern is {len(pattern):,} characters long; "
                               f"the limit is {MAX_PATTERN_CHARS:,}")
    single, size = repeat_size(pattern)
    if single > MAX_REPEAT or size > MAX_NESTED_REPEAT:
        size = max(single, size)
        raise _fail(loc, keys, f"rule {loc.pack}.{keys[0]}: the pattern {pattern[:60]!r} repeats {size:,} "
                               "times once its counted repeats are multiplied out; "
                               f"the limit is {MAX_REPEAT:,} for one repeat and "
                               f"{MAX_NESTED_REPEAT:,} for nested ones")
    try:
        return regex.compile(rf"(?<!\w)(?:{pattern})(?!\w)", flags | regex.V0)
    except regex.error as exc:
        raise DataFileError(Errors.E012.format(path=loc.at("rules", *keys), pattern=pattern, reason=exc)) from exc


def _rule(pack: str, key: str, spec: object, loc: _Loc) -> Rule:
    if not isinstance(spec, dict):
        raise _fail(loc, (key,), "a rule is a mapping")
    kind = spec.get("type")
    if kind not in TYPES:
        raise _fail(loc, (key, "type"), f"'type' must be one of {TYPES}")
    allowed = _COMMON | _TYPE_KEYS[kind]
    unknown = set(spec) - allowed
    if unknown:
        first = sorted(unknown)[0]
        raise DataFileError(Errors.E011.format(path=loc.at("rules", key, first), keys=sorted(unknown),
                                               allowed=sorted(allowed)))
    if spec.get("level") not in SEVERITIES:
        raise _fail(loc, (key, "level"), f"'level' must be one of {SEVERITIES}")
    message = spec.get("message")
    if not isinstance(message, str) or not message.strip():
        raise _fail(loc, (key,), "'message' is missing")
    rule_id = f"{pack}.{key}"
    check = {"existence": _existence, "substitution": _substitution, "consistency": _consistency,
             "conditional": _conditional}[kind](rule_id, spec, loc, key)
    explanation = " ".join(str(spec.get("explanation", "")).split())
    summary = spec.get("summary") or explanation.split(". ")[0].rstrip(".") or message
    return Rule(rule_id, spec["level"], summary, explanation, check, spec.get("example_trigger", ""),
                spec.get("example_pass", ""), source=loc.path)


class _Budget:
    """The time budget of one rule on one article (``pattern_timeout_s``), shared by all its patterns.

    The deadline is wall-clock and set when the rule starts, so ten slow
    patterns share one budget instead of getting one each, and the time to walk
    the matches and build findings counts too. The ``regex`` engine's own
    ``timeout`` (also wall-clock, over a whole ``finditer``) gets whatever is
    left. A rule out of time reports one ``rules.pattern-timeout`` and no
    findings: a partial answer would read as a complete one.
    """

    def __init__(self, ctx: CheckContext, rule_id: str):
        self.ctx, self.rule_id = ctx, rule_id
        own = time.monotonic() + ctx.pattern_timeout_s
        self.shared = ctx.packs_deadline < own  # the packs' common budget ends first
        self.deadline = min(own, ctx.packs_deadline)
        self.expired = False

    def _expire(self, rx: regex.Pattern | None) -> None:
        if not self.expired:
            self.expired = True
            at = f" (at pattern {rx.pattern[10:-7]!r})" if rx is not None else ""
            budget = (f"the budget of all pack rules together ({self.ctx.packs_deadline_s:g} s) was spent"
                      if self.shared else f"it did not finish within its budget of {self.ctx.pattern_timeout_s:g} s")
            self.ctx.problems.append(Draft(
                f"{self.rule_id}: {budget} on this article{at}; the rule was not checked, so its findings are "
                "unknown",
                suggestion="simplify the pattern (nested quantifiers such as (a+)+ backtrack without end), "
                           "or raise pattern_timeout_s / packs_timeout_s"))

    def finditer(self, rx: regex.Pattern) -> list[tuple[int, int]]:
        """Spans of ``rx`` in the article's content, or none once the budget is spent."""
        left = self.deadline - time.monotonic()
        if self.expired or left <= 0:
            self._expire(rx)
            return []
        try:
            return [(m.start(), m.end()) for m in rx.finditer(self.ctx.article.plain, timeout=left)]
        except TimeoutError:
            self._expire(rx)
            return []

    def run(self, method: Callable, text: str, pos: int, endpos: int) -> object:
        """``method(text, pos, endpos)`` of a compiled pattern within what is left of the budget (None when spent)."""
        left = self.deadline - time.monotonic()
        if self.expired or left <= 0:
            self._expire(None)
            return None
        try:
            return method(text, pos, endpos, timeout=left)
        except TimeoutError:
            self._expire(None)
            return None

    def out_of_time(self) -> bool:
        if not self.expired and time.monotonic() > self.deadline:
            self._expire(None)
        return self.expired


def _budgeted(rule_id: str, drafts: Callable[[CheckContext, _Budget], Iterable[Draft]]):
    """A rule's check: its drafts when the rule finished within its budget, else none."""

    def check(ctx: CheckContext) -> list[Draft]:
        budget = _Budget(ctx, rule_id)
        out = []
        for d in drafts(ctx, budget):
            if len(out) % 64 == 0 and budget.out_of_time():
                break
            out.append(d)
        return [] if budget.out_of_time() else out

    return check


def _template(spec: dict, loc: _Loc, key: str, fields: set[str]) -> str:
    """The rule's message, checked on load: only the fields this rule type fills, no attribute access."""
    message = spec["message"]
    try:
        used = [f for _, f, _, _ in string.Formatter().parse(message) if f is not None]
    except ValueError as exc:
        raise _fail(loc, (key, "message"), f"bad message template ({exc})") from exc
    bad = [f for f in used if f not in fields]
    if bad:
        raise _fail(loc, (key, "message"), f"the message may use {sorted('{' + f + '}' for f in fields)}, "
                                           f"not {['{' + f + '}' for f in bad]}")
    return message


_QUALIFIER_KEYS = {"before", "after"}
_WINDOW = 80  # characters either side of a use that a qualifier is looked for in


def _qualifier(spec: dict, loc: _Loc, key: str) -> Callable[[str, list[tuple[int, int]], _Budget],
                                                              list[tuple[int, int]]]:
    """The uses still to report: those of terms the article never qualifies right beside a use."""
    q = spec.get("qualified_by")
    if q is None:
        return lambda text, hits, budget: hits
    if not isinstance(q, dict) or not q or set(q) - _QUALIFIER_KEYS:
        raise _fail(loc, (key, "qualified_by"), f"'qualified_by' has {sorted(_QUALIFIER_KEYS)}, each a pattern")
    for k, v in q.items():
        if not isinstance(v, str) or not v:
            raise _fail(loc, (key, "qualified_by", k), "a pattern must be a non-empty string")
    try:
        after = regex.compile(q["after"], regex.IGNORECASE | regex.V0) if "after" in q else None
        before = regex.compile(rf"(?:{q['before']})\Z", regex.IGNORECASE | regex.V0) if "before" in q else None
    except regex.error as exc:
        raise DataFileError(Errors.E012.format(path=loc.at("rules", key, "qualified_by"),
                                               pattern=q.get("after") or q.get("before"), reason=exc)) from exc

    def term(text: str, s: int, e: int) -> str:
        return " ".join(regex.split(r"[\s-]+", text[s:e].lower()))

    def qualified(text: str, s: int, e: int, budget: _Budget) -> bool:
        return bool((after is not None and budget.run(after.match, text, e, min(len(text), e + _WINDOW)))
                    or (before is not None and budget.run(before.search, text, max(0, s - _WINDOW), s)))

    def unqualified(text: str, hits: list[tuple[int, int]], budget: _Budget) -> list[tuple[int, int]]:
        said = {term(text, s, e) for s, e in hits if qualified(text, s, e, budget)}
        return [(s, e) for s, e in hits if term(text, s, e) not in said]

    return unqualified


def _existence(rule_id: str, spec: dict, loc: _Loc, key: str):
    tokens = spec.get("tokens") or []
    if not isinstance(tokens, list) or not tokens:
        raise _fail(loc, (key,), "'tokens' lists no pattern")
    compiled = [_compile(t, loc, (key, "tokens", i)) for i, t in enumerate(tokens)]
    suggest = spec.get("suggest") or {}
    if not isinstance(suggest, dict) or set(suggest) - _SUGGEST_KEYS:
        raise _fail(loc, (key, "suggest"), f"'suggest' keys are {sorted(_SUGGEST_KEYS)}")
    message = _template(spec, loc, key, {"match"})
    unqualified = _qualifier(spec, loc, key)

    def drafts(ctx: CheckContext, budget: _Budget) -> Iterable[Draft]:
        suggestion = suggest.get("default", "")
        by_title = suggest.get("by_title_target") or {}
        for target in ctx.title_targets:
            if target in by_title:
                suggestion = by_title[target]
                break
        hits = unqualified(ctx.article.plain, sorted({h for rx in compiled for h in budget.finditer(rx)}), budget)
        for s, e in hits:
            yield Draft(message.format(match=ctx.article.text[s:e]), (ctx.evidence(s, e),), (), suggestion)

    return _budgeted(rule_id, drafts)


def _substitution(rule_id: str, spec: dict, loc: _Loc, key: str):
    swap = spec.get("swap")
    if not isinstance(swap, dict) or not swap:
        raise _fail(loc, (key, "swap"), "'swap' maps patterns to preferred wording")
    pairs = [(_compile(p, loc, (key, "swap", p)), str(r)) for p, r in swap.items()]
    message = _template(spec, loc, key, {"match", "suggestion"})
    unqualified = _qualifier(spec, loc, key)

    def drafts(ctx: CheckContext, budget: _Budget) -> Iterable[Draft]:
        for rx, better in pairs:
            for s, e in unqualified(ctx.article.plain, budget.finditer(rx), budget):
                yield Draft(message.format(match=ctx.article.text[s:e], suggestion=better),
                            (ctx.evidence(s, e),), (), better)

    return _budgeted(rule_id, drafts)


def _consistency(rule_id: str, spec: dict, loc: _Loc, key: str):
    either = spec.get("either")
    if not isinstance(either, dict) or len(either) != 2:
        raise _fail(loc, (key, "either"), "'either' names exactly two spellings: {name: pattern, name: pattern}")
    (n1, p1), (n2, p2) = either.items()
    rx1, rx2 = _compile(p1, loc, (key, "either", n1)), _compile(p2, loc, (key, "either", n2))
    message = _template(spec, loc, key, {"match", "first", "second", "uses"})

    def drafts(ctx: CheckContext, budget: _Budget) -> Iterable[Draft]:
        a, b = budget.finditer(rx1), budget.finditer(rx2)
        if not a or not b:
            return
        # the spelling used first is the article's; one finding lists every use of the other
        keep, other, other_name = (n1, b, n2) if a[0] < b[0] else (n2, a, n1)
        s, e = other[0]
        yield Draft(message.format(match=ctx.article.text[s:e], first=keep, second=other_name,
                                   uses='once' if len(other) == 1 else f'{len(other)} times'),
                    tuple(ctx.evidence(s, e) for s, e in other), (), keep)

    return _budgeted(rule_id, drafts)


def _conditional(rule_id: str, spec: dict, loc: _Loc, key: str):
    first = _compile(spec.get("first", r"[A-Z]{2,6}s?"), loc, (key, "first"), flags=0)
    exceptions = set(spec.get("exceptions") or [])
    message = _template(spec, loc, key, {"match", "how"})

    def drafts(ctx: CheckContext, budget: _Budget) -> Iterable[Draft]:
        defined = {short: (long_form, at) for short, long_form, at, _ in ctx.abbreviations}
        seen: set[str] = set()
        for s, e in budget.finditer(first):
            word = ctx.article.text[s:e]
            base = word[:-1] if word.endswith("s") and word[:-1] in defined else word
            if base in exceptions or base in seen:
                continue
            long_form, at = defined.get(base, (None, None))
            if at is not None and s >= at:
                continue  # the definition itself or a later use
            seen.add(base)
            how = f"before its definition ('{long_form} ({base})')" if long_form else "without a definition"
            yield Draft(message.format(match=word, how=how), (ctx.evidence(s, e),), (),
                        f"write '{long_form} ({base})' at first use" if long_form
                        else f"spell out {base} at first use, followed by ({base})")

    return _budgeted(rule_id, drafts)


@lru_cache(maxsize=1)
def load_default_packs() -> tuple[Rule, ...]:
    ref = resources.files("rules") / "data" / "terminology.yaml"
    return tuple(load_pack(ref.read_text(encoding="utf-8"), "rules/data/terminology.yaml"))


def pack_files(paths: Iterable[Path]) -> list[Path]:
    """The pack files configured: each file named, and the ``.yaml``/``.yml`` files of each folder named.

    A folder holding no pack is an error, not silence (``packs = ["/etc"]`` would
    otherwise load nothing and say nothing).
    """
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(f for f in p.iterdir() if f.suffix.lower() in (".yaml", ".yml"))
            if not found:
                raise DataFileError(Errors.E010.format(path=p, reason="a folder of packs with no .yaml or .yml file"))
            out.extend(found)
        else:
            out.append(p)
    return out


def load_pack_paths(paths: Iterable[Path]) -> list[Rule]:
    """Rules from user packs: YAML files, or folders of them (regular files of at most 1 MB each)."""
    out: list[Rule] = []
    for f in pack_files(paths):
        out.extend(load_pack(read_data_file(f, PACK_MAX_BYTES), str(f)))
    return out
