"""YAML rule packs: rules as data, validated on load.

A pack file names its ``pack`` and maps rule keys to rules; the id of a rule
is ``<pack>.<key>``. Supported type today: ``existence`` (a term must not
appear), with an optional ``suggest`` that can follow the title question.
Patterns are matched case-insensitively over the article's content (never
boilerplate or the reference list).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from importlib import resources

import yaml

from extractors.errors import DataFileError, Errors
from extractors.types import SEVERITIES

from .engine import CheckContext, Draft, Rule

_PACK_KEYS = {"pack", "rules"}
_RULE_KEYS = {"type", "level", "message", "summary", "explanation", "tokens", "suggest", "example_trigger",
              "example_pass"}
_SUGGEST_KEYS = {"default", "by_title_target"}
TYPES = ("existence",)


def load_pack(text: str, path: str) -> list[Rule]:
    """Rules from one YAML pack; ``DataFileError`` names the file (and line where YAML knows it)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else path
        raise DataFileError(Errors.E010.format(path=where, reason=getattr(exc, "problem", exc))) from exc
    if not isinstance(data, dict):
        raise DataFileError(Errors.E010.format(path=path, reason="a pack is a mapping with 'pack' and 'rules'"))
    unknown = set(data) - _PACK_KEYS
    if unknown:
        raise DataFileError(Errors.E011.format(path=path, keys=sorted(unknown), allowed=sorted(_PACK_KEYS)))
    pack = data.get("pack")
    if not isinstance(pack, str) or not re.fullmatch(r"[a-z][a-z0-9-]*", pack):
        raise DataFileError(Errors.E010.format(path=path, reason="'pack' must be a lower-case name"))
    rules = []
    for key, spec in (data.get("rules") or {}).items():
        rules.append(_rule(pack, str(key), spec, path))
    return rules


def _rule(pack: str, key: str, spec: object, path: str) -> Rule:
    where = f"{path} (rule {key})"
    if not isinstance(spec, dict):
        raise DataFileError(Errors.E010.format(path=where, reason="a rule is a mapping"))
    unknown = set(spec) - _RULE_KEYS
    if unknown:
        raise DataFileError(Errors.E011.format(path=where, keys=sorted(unknown), allowed=sorted(_RULE_KEYS)))
    if spec.get("type") not in TYPES:
        raise DataFileError(Errors.E010.format(path=where, reason=f"'type' must be one of {TYPES}"))
    if spec.get("level") not in SEVERITIES:
        raise DataFileError(Errors.E010.format(path=where, reason=f"'level' must be one of {SEVERITIES}"))
    message = spec.get("message")
    if not isinstance(message, str) or not message.strip():
        raise DataFileError(Errors.E010.format(path=where, reason="'message' is missing"))
    tokens = spec.get("tokens") or []
    if not tokens:
        raise DataFileError(Errors.E010.format(path=where, reason="'tokens' lists no pattern"))
    compiled = []
    for t in tokens:
        try:
            compiled.append(re.compile(rf"(?<!\w)(?:{t})(?!\w)", re.IGNORECASE))
        except re.error as exc:
            raise DataFileError(Errors.E012.format(path=where, pattern=t, reason=exc)) from exc
    suggest = spec.get("suggest") or {}
    if not isinstance(suggest, dict) or set(suggest) - _SUGGEST_KEYS:
        raise DataFileError(Errors.E010.format(path=where, reason=f"'suggest' keys are {sorted(_SUGGEST_KEYS)}"))

    def check(ctx: CheckContext) -> Iterable[Draft]:
        suggestion = suggest.get("default", "")
        for target in ctx.title_targets:
            if target in (suggest.get("by_title_target") or {}):
                suggestion = suggest["by_title_target"][target]
                break
        text = ctx.article.plain
        hits = sorted({(m.start(), m.end()) for rx in compiled for m in rx.finditer(text)})
        for s, e in hits:
            yield Draft(message.format(match=ctx.article.text[s:e]), (ctx.evidence(s, e),), (), suggestion)

    explanation = " ".join(str(spec.get("explanation", "")).split())
    summary = spec.get("summary") or explanation.split(". ")[0].rstrip(".")
    return Rule(f"{pack}.{key}", spec["level"], summary, explanation, check,
                spec.get("example_trigger", ""), spec.get("example_pass", ""))


def load_default_packs() -> list[Rule]:
    ref = resources.files("rules") / "data" / "terminology.yaml"
    return load_pack(ref.read_text(encoding="utf-8"), "rules/data/terminology.yaml")
