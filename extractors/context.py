"""Negation and hedging: trigger phrases and the stretch of text each one governs.

The ConText algorithm (Harkema et al., 2009) in the shape this project needs:
a trigger (``not``, ``no evidence``, ``if``) governs the text after it
(``FORWARD``), before it (``BACKWARD``) or both, up to a terminator
(``but``, ``which``, ``;`` …) or the end of the sentence; a pseudo-trigger
(``not only``) blocks the triggers it overlaps. The rules are data
(``data/context_rules.json``), validated on load like every data file here.

Categories:

- ``NEGATED_EXISTENCE`` — the claim is denied ("not", "spared", "is INCORRECT");
- ``POSSIBLE_EXISTENCE`` — the claim is hedged ("may be associated", "no direct
  evidence"); a trigger with ``"link": true`` ("may", "could") hedges only a link
  ("may contribute", "could be L5"), not a symptom ("may be weak");
- ``CONDITIONAL`` — the claim is hypothetical ("if it were S1, dorsiflexion would
  be spared"): it wins over negation, since nothing is asserted either way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .datafiles import read_json
from .errors import DataFileError, Errors

CATEGORIES = ("NEGATED_EXISTENCE", "POSSIBLE_EXISTENCE", "CONDITIONAL", "PSEUDO", "TERMINATE")
DIRECTIONS = ("FORWARD", "BACKWARD", "BIDIRECTIONAL", "PSEUDO", "TERMINATE")
_RULE_KEYS = {"literal", "category", "direction", "max_scope", "metadata"}
_META_KEYS = {"phrasal", "link"}
_FILE_KEYS = {"about", "context_rules", "link_words"}


@dataclass(frozen=True)
class Rule:
    literal: str
    category: str
    direction: str
    max_scope: int | None = None  # in words
    phrasal: bool = False  # 'rather than S1': denies only the mention right after it
    link: bool = False  # hedges only a link predicate or a root


@dataclass(frozen=True)
class Trigger:
    rule: Rule
    start: int
    end: int
    scope_start: int  # what the trigger governs, in characters
    scope_end: int


@dataclass(frozen=True)
class Rules:
    rules: tuple[Rule, ...]
    pattern: re.Pattern
    by_literal: dict[str, Rule]
    link_words: re.Pattern
    by_first: dict[str, list[tuple[tuple[str, ...], Rule]]]  # first token -> (tokens, rule), longest first


def rules_from_dict(data: object, path: str) -> Rules:
    if not isinstance(data, dict):
        raise DataFileError(Errors.E010.format(path=path, reason="top level must be an object"))
    unknown = set(data) - _FILE_KEYS
    if unknown:
        raise DataFileError(Errors.E011.format(path=path, keys=sorted(unknown), allowed=sorted(_FILE_KEYS)))
    rules = []
    for n, r in enumerate(data.get("context_rules", []), start=1):
        where = f"{path} (rule {n})"
        if not isinstance(r, dict):
            raise DataFileError(Errors.E010.format(path=where, reason="a rule must be an object"))
        bad = set(r) - _RULE_KEYS
        if bad:
            raise DataFileError(Errors.E011.format(path=where, keys=sorted(bad), allowed=sorted(_RULE_KEYS)))
        meta = r.get("metadata") or {}
        if set(meta) - _META_KEYS:
            raise DataFileError(Errors.E011.format(path=where, keys=sorted(set(meta) - _META_KEYS),
                                                   allowed=sorted(_META_KEYS)))
        if r.get("category") not in CATEGORIES or r.get("direction") not in DIRECTIONS:
            raise DataFileError(Errors.E010.format(
                path=where, reason=f"category must be one of {CATEGORIES} and direction one of {DIRECTIONS}"))
        if not isinstance(r.get("literal"), str) or not r["literal"].strip():
            raise DataFileError(Errors.E010.format(path=where, reason="'literal' must be a non-empty string"))
        rules.append(Rule(" ".join(r["literal"].lower().split()), r["category"], r["direction"], r.get("max_scope"),
                          bool(meta.get("phrasal")), bool(meta.get("link"))))
    by_literal = {r.literal: r for r in rules}
    alternatives = sorted(by_literal, key=len, reverse=True)

    def alternative(lit: str) -> str:
        core = r"\s+".join(re.escape(w) for w in lit.split()).replace("'", "['’]")
        return (r"(?<![\w-])" if lit[0].isalnum() else "") + core + (r"(?![\w-])" if lit[-1].isalnum() else "")

    body = "|".join(alternative(lit) for lit in alternatives)
    pattern = re.compile(body if body else r"(?!x)x", re.IGNORECASE)
    words = data.get("link_words", [])
    link = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")", re.IGNORECASE) if words else \
        re.compile(r"(?!x)x")
    by_first: dict[str, list[tuple[tuple[str, ...], Rule]]] = {}
    for lit, rule in by_literal.items():
        toks = tuple(_TOKEN.findall(lit.replace("’", "'")))
        if toks:
            by_first.setdefault(toks[0], []).append((toks, rule))
    for entries in by_first.values():
        entries.sort(key=lambda e: -len(e[0]))
    return Rules(tuple(rules), pattern, by_literal, link, by_first)


@lru_cache(maxsize=4)
def load_rules(path: str | None = None) -> Rules:
    if path:
        return rules_from_dict(read_json(path), path)
    ref = resources.files("extractors") / "data" / "context_rules.json"
    import json

    return rules_from_dict(json.loads(ref.read_text(encoding="utf-8")), "extractors/data/context_rules.json")


_WORDS = re.compile(r"\S+")
# tokens for matching triggers: words (with an inner apostrophe: "don't") and single punctuation marks
_TOKEN = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?|[^\sA-Za-z0-9]")
# what follows 'if' in a hypothesis about which root or answer it is
_HYPOTHESIS = re.compile(r"\s+(?!there\b)(?:\w+\s+){0,3}?\w+(?:\s+(?:is|were|was|are|be)|['’]s)\s+"
                         r"(?:about\s+|at\s+|in\s+|from\s+|the\s+)?(?:the\s+)?[CTLS]\s?\d", re.IGNORECASE)


def triggers(text: str, start: int, end: int, rules: Rules, roots: list[tuple[int, int]] = ()) -> list[Trigger]:
    """The triggers of one sentence ``text[start:end]`` with their scopes.

    ``roots`` (character spans) let a link-only trigger ('could be L5') fire before a root.
    """
    found = []
    low = text[start:end].lower().replace("’", "'")
    if len(low) == end - start:  # lower-casing kept every offset (it does but for a few letters, e.g. 'İ')
        toks = [(m.start() + start, m.end() + start, m.group()) for m in _TOKEN.finditer(low)]
    else:
        toks = [(m.start(), m.end(), m.group().lower().replace("’", "'")) for m in _TOKEN.finditer(text, start, end)]
    words = [t[2] for t in toks]
    i = 0
    while i < len(toks):
        for lit, rule in rules.by_first.get(words[i], ()):
            if tuple(words[i:i + len(lit)]) == lit:
                found.append((toks[i][0], toks[i + len(lit) - 1][1], rule))
                i += len(lit) - 1
                break
        i += 1
    pseudo = [(s, e) for s, e, r in found if r.category == "PSEUDO"]
    found = [(s, e, r) for s, e, r in found if r.category == "PSEUDO" or not any(
        ps <= s < pe or ps < e <= pe for ps, pe in pseudo)]
    terms = sorted(s for s, _, r in found if r.category == "TERMINATE")
    quotes = [(m.start(), m.end()) for m in _QUOTED.finditer(text, start, end)]
    out = []
    for s, e, r in found:
        if r.category in ("PSEUDO", "TERMINATE"):
            continue
        if r.category == "CONDITIONAL" and r.literal == "if" and not _HYPOTHESIS.match(text, e):
            continue  # 'if there is an issue with L4 …' states a rule; 'if it were S1 …' a hypothesis
        if r.link and not _link_ahead(text[e:min(end, e + 60)], rules) and not (
                re.match(r"\s+(?:also\s+|well\s+)?be\b", text[e:e + 12]) and any(e <= rs <= e + 25 for rs, _ in roots)):
            continue
        fwd_end, back_start = end, start
        if r.direction in ("FORWARD", "BIDIRECTIONAL"):
            nxt = next((t for t in terms if t >= e), None)
            fwd_end = min(end, nxt) if nxt is not None else end
            if r.max_scope:
                words = list(_WORDS.finditer(text, e, fwd_end))
                if len(words) > r.max_scope:
                    fwd_end = words[r.max_scope - 1].end()
        if r.direction in ("BACKWARD", "BIDIRECTIONAL"):
            prv = next((t for t in reversed(terms) if t < s), None)
            back_start = max(start, prv) if prv is not None else start
        scope_start = back_start if r.direction in ("BACKWARD", "BIDIRECTIONAL") else e
        scope_end = fwd_end if r.direction in ("FORWARD", "BIDIRECTIONAL") else s
        quote = next(((qs, qe) for qs, qe in quotes if qs <= s < qe), None)
        if quote is not None:
            # 'C7: "No zombies in heaven" — wrist flexion': a trigger inside a quotation (a mnemonic, a
            # patient's words) governs only the quotation
            scope_start, scope_end = max(scope_start, quote[0]), min(scope_end, quote[1])
        out.append(Trigger(r, s, e, scope_start, scope_end))
    return out


# a quotation of two words or more: "…", “…”, or ‘…’ opened after a space
_QUOTED = re.compile(r'"[^"\n]{2,200}?\s[^"\n]{1,200}?"|“[^”\n]{2,400}?”|(?:(?<=\s)|^)‘[^’\n]{2,200}?\s[^’\n]{1,200}?’')


def _link_ahead(after: str, rules: Rules) -> bool:
    """A link predicate within the next four words ('may also be associated with')."""
    words = _WORDS.findall(after)[:4]
    return any(rules.link_words.match(w) for w in words)
