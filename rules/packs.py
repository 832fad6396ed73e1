"""YAML rule packs: rules as data, validated on load, in the spirit of Vale's styles.

A pack file names its ``pack`` and maps rule keys to rules; a rule's id is
``<pack>.<key>``. Every rule has ``type``, ``level`` and ``message`` (with
``{match}`` and other fields filled in) and an ``explanation``. Types:

- ``existence``: any of ``tokens`` (regular expressions) must not appear.
- ``substitution``: ``swap`` maps a pattern to the preferred wording.
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

from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path

import regex
import yaml

from extractors.errors import DataFileError, Errors
from extractors.types import SEVERITIES

from .engine import CheckContext, Draft, Rule

TYPES = ("existence", "substitution", "consistency", "conditional")
_PACK_KEYS = {"pack", "rules"}
_COMMON = {"type", "level", "message", "summary", "explanation", "example_trigger", "example_pass"}
_TYPE_KEYS = {
    "existence": {"tokens", "suggest"},
    "substitution": {"swap"},
    "consistency": {"either"},
    "conditional": {"first", "exceptions"},
}
_SUGGEST_KEYS = {"default", "by_title_target"}


class _Loc:
    """Line numbers of the YAML nodes, so errors can say 'house.yaml:12'."""

    def __init__(self, path: str):
        self.path = path
        self.lines: dict[tuple, int] = {}

    def at(self, *keys: object) -> str:
        for n in range(len(keys), -1, -1):
            if keys[:n] in self.lines:
                return f"{self.path}:{self.lines[keys[:n]]}"
        return self.path


def _to_python(node: yaml.Node, loc: _Loc, path: tuple = ()) -> object:
    loc.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out = {}
        for k, v in node.value:
            key = yaml.safe_load(yaml.serialize(k)) if not isinstance(k, yaml.ScalarNode) else k.value
            loc.lines[(*path, key)] = k.start_mark.line + 1
            out[key] = _to_python(v, loc, (*path, key))
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(v, loc, (*path, i)) for i, v in enumerate(node.value)]
    return yaml.safe_load(yaml.serialize(node))


def load_pack(text: str, path: str) -> list[Rule]:
    """Rules from one YAML pack; ``DataFileError`` names the file and line of the problem."""
    loc = _Loc(path)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else path
        raise DataFileError(Errors.E010.format(path=where, reason=getattr(exc, "problem", exc))) from exc
    data = _to_python(node, loc) if node is not None else None
    if not isinstance(data, dict):
        raise DataFileError(Errors.E010.format(path=path, reason="a pack is a mapping with 'pack' and 'rules'"))
    unknown = set(data) - _PACK_KEYS
    if unknown:
        raise DataFileError(Errors.E011.format(path=loc.at(sorted(unknown)[0]), keys=sorted(unknown),
                                               allowed=sorted(_PACK_KEYS)))
    pack = data.get("pack")
    if not isinstance(pack, str) or not regex.fullmatch(r"[a-z][a-z0-9-]*", pack):
        raise DataFileError(Errors.E010.format(path=loc.at("pack"), reason="'pack' must be a lower-case name"))
    rules = data.get("rules") or {}
    if not isinstance(rules, dict):
        raise DataFileError(Errors.E010.format(path=loc.at("rules"), reason="'rules' maps rule names to rules"))
    return [_rule(pack, str(key), spec, loc) for key, spec in rules.items()]


def _fail(loc: _Loc, keys: tuple, reason: str) -> DataFileError:
    return DataFileError(Errors.E010.format(path=loc.at("rules", *keys), reason=reason))


def _compile(pattern: object, loc: _Loc, keys: tuple, flags: int = regex.IGNORECASE) -> regex.Pattern:
    if not isinstance(pattern, str) or not pattern:
        raise _fail(loc, keys, "a pattern must be a non-empty string")
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


def _finditer(rx: regex.Pattern, ctx: CheckContext, rule_id: str) -> list[tuple[int, int]]:
    """Matches in the article's content; on a time-out, a rules.pattern-timeout problem and no matches."""
    try:
        return [(m.start(), m.end()) for m in rx.finditer(ctx.article.plain, timeout=ctx.pattern_timeout_s)]
    except TimeoutError:
        ctx.problems.append(Draft(
            f"{rule_id}: pattern {rx.pattern[10:-7]!r} did not finish within {ctx.pattern_timeout_s:g} s on this "
            "article; the rule was skipped",
            suggestion="simplify the pattern (nested quantifiers such as (a+)+ backtrack without end)"))
        return []


def _existence(rule_id: str, spec: dict, loc: _Loc, key: str):
    tokens = spec.get("tokens") or []
    if not isinstance(tokens, list) or not tokens:
        raise _fail(loc, (key,), "'tokens' lists no pattern")
    compiled = [_compile(t, loc, (key, "tokens", i)) for i, t in enumerate(tokens)]
    suggest = spec.get("suggest") or {}
    if not isinstance(suggest, dict) or set(suggest) - _SUGGEST_KEYS:
        raise _fail(loc, (key, "suggest"), f"'suggest' keys are {sorted(_SUGGEST_KEYS)}")
    message = spec["message"]

    def check(ctx: CheckContext) -> Iterable[Draft]:
        suggestion = suggest.get("default", "")
        by_title = suggest.get("by_title_target") or {}
        for target in ctx.title_targets:
            if target in by_title:
                suggestion = by_title[target]
                break
        hits = sorted({h for rx in compiled for h in _finditer(rx, ctx, rule_id)})
        for s, e in hits:
            yield Draft(message.format(match=ctx.article.text[s:e]), (ctx.evidence(s, e),), (), suggestion)

    return check


def _substitution(rule_id: str, spec: dict, loc: _Loc, key: str):
    swap = spec.get("swap")
    if not isinstance(swap, dict) or not swap:
        raise _fail(loc, (key, "swap"), "'swap' maps patterns to preferred wording")
    pairs = [(_compile(p, loc, (key, "swap", p)), str(r)) for p, r in swap.items()]
    message = spec["message"]

    def check(ctx: CheckContext) -> Iterable[Draft]:
        for rx, better in pairs:
            for s, e in _finditer(rx, ctx, rule_id):
                yield Draft(message.format(match=ctx.article.text[s:e], suggestion=better),
                            (ctx.evidence(s, e),), (), better)

    return check


def _consistency(rule_id: str, spec: dict, loc: _Loc, key: str):
    either = spec.get("either")
    if not isinstance(either, dict) or len(either) != 2:
        raise _fail(loc, (key, "either"), "'either' names exactly two spellings: {name: pattern, name: pattern}")
    (n1, p1), (n2, p2) = either.items()
    rx1, rx2 = _compile(p1, loc, (key, "either", n1)), _compile(p2, loc, (key, "either", n2))
    message = spec["message"]

    def check(ctx: CheckContext) -> Iterable[Draft]:
        a, b = _finditer(rx1, ctx, rule_id), _finditer(rx2, ctx, rule_id)
        if not a or not b:
            return
        # the spelling used first is the article's; one finding lists every use of the other
        keep, other, other_name = (n1, b, n2) if a[0] < b[0] else (n2, a, n1)
        s, e = other[0]
        yield Draft(message.format(match=ctx.article.text[s:e], first=keep, second=other_name,
                                   uses='once' if len(other) == 1 else f'{len(other)} times'),
                    tuple(ctx.evidence(s, e) for s, e in other), (), keep)

    return check


def _conditional(rule_id: str, spec: dict, loc: _Loc, key: str):
    first = _compile(spec.get("first", r"[A-Z]{2,6}s?"), loc, (key, "first"), flags=0)
    exceptions = set(spec.get("exceptions") or [])
    message = spec["message"]

    def check(ctx: CheckContext) -> Iterable[Draft]:
        defined = {short: (long_form, at) for short, long_form, at, _ in ctx.abbreviations}
        seen: set[str] = set()
        for s, e in _finditer(first, ctx, rule_id):
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

    return check


@lru_cache(maxsize=1)
def load_default_packs() -> tuple[Rule, ...]:
    ref = resources.files("rules") / "data" / "terminology.yaml"
    return tuple(load_pack(ref.read_text(encoding="utf-8"), "rules/data/terminology.yaml"))


def load_pack_paths(paths: Iterable[Path]) -> list[Rule]:
    """Rules from user packs: YAML files, or folders of them."""
    out: list[Rule] = []
    for p in paths:
        files = sorted(p.glob("*.y*ml")) if p.is_dir() else [p]
        for f in files:
            try:
                text = f.read_text(encoding="utf-8")
            except OSError as exc:
                raise DataFileError(Errors.E010.format(path=f, reason=exc.strerror or exc)) from exc
            out.extend(load_pack(text, str(f)))
    return out
