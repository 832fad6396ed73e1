"""The vocabulary of targets, muscles and signs, loaded from data and validated.

The lexicon is data (``data/lexicon.json``) in the spirit of medspaCy's rule
files: one loader, unknown keys rejected with the file named. A phrase maps to
one ``Entry``: the target it names and what kind of mention names it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .datafiles import packaged_json, read_json
from .errors import DataFileError, Errors

TARGET_KINDS = ("movement", "reflex")
_TOP_KEYS = {"version", "about", "targets", "muscles", "signs", "blocking", "reflex_names", "movement_reflexes",
             "grammar", "nerves"}
_TARGET_KEYS = {"kind", "label", "synonyms"}
_MUSCLE_KEYS = {"target", "synonyms", "reflex"}
_GRAMMAR_KEYS = {"about", "actions", "two_word_actions", "bodies", "combinations", "fillers"}


@dataclass(frozen=True)
class Entry:
    """What a phrase names: ``target`` (a vocabulary id), via a mention of ``mention_kind``."""

    target: str
    target_kind: str  # movement | reflex
    mention_kind: str  # MOVEMENT | REFLEX | MUSCLE | TERM
    source_id: str  # the target id, muscle id or sign phrase


@dataclass(frozen=True)
class Lexicon:
    version: str
    labels: dict[str, str]  # target id -> human label
    kinds: dict[str, str]  # target id -> movement | reflex
    phrases: dict[str, Entry]  # lower-cased phrase -> entry

    def label(self, target: str) -> str:
        return self.labels.get(target, target.replace("_", " "))


def _plural(phrase: str) -> str | None:
    head, _, last = phrase.rpartition(" ")
    if last.endswith("s") or not last[-1:].isalpha() or len(last) < 3:
        return None
    suffix = "es" if last.endswith(("x", "ch", "sh")) else "s"
    return f"{head} {last}{suffix}".strip()


_DETERMINERS = ("the", "your", "their", "his", "her", "a")


_LAY_VERBS = {"lift", "pull", "push", "point", "bend", "raise", "straighten", "spread", "walk", "stand", "bring",
              "cock", "rise", "press", "kick", "curl", "squeeze", "grip", "make", "stretch", "open", "abduct"}


def _variants(phrase: str) -> list[str]:
    """'lift the foot' also as 'lift your foot', 'lifts the foot' … (patient pages say it so)."""
    words = phrase.split()
    forms = [phrase]
    if len(words) > 1 and words[0] in _LAY_VERBS:
        verb = words[0]
        third = verb + ("es" if verb.endswith(("sh", "ch", "ss", "x")) else "s")
        forms.append(" ".join([third, *words[1:]]))
    if "the" not in words:
        return forms
    return [" ".join(d if w == "the" else w for w in f.split()) for f in forms for d in _DETERMINERS]


def lexicon_from_dict(data: dict, path: str = "<lexicon>") -> Lexicon:
    """Validate and index a lexicon; raise ``DataFileError`` naming ``path`` on any problem."""
    if not isinstance(data, dict):
        raise DataFileError(Errors.E010.format(path=path, reason="top level must be an object"))
    _check_keys(data, _TOP_KEYS, path)
    targets = data.get("targets") or {}
    if not targets:
        raise DataFileError(Errors.E010.format(path=path, reason="'targets' is missing or empty"))
    labels: dict[str, str] = {}
    kinds: dict[str, str] = {}
    phrases: dict[str, Entry] = {}

    def add(phrase: str, entry: Entry, where: str) -> None:
        if not isinstance(phrase, str) or not phrase.strip():
            raise DataFileError(Errors.E010.format(path=path, reason=f"{where}: empty synonym"))
        key = " ".join(phrase.lower().split())
        prior = phrases.get(key)
        if prior is not None and prior.target != entry.target:
            raise DataFileError(Errors.E010.format(
                path=path, reason=f"{where}: '{phrase}' already names {prior.target}"))
        for variant in _variants(key):
            phrases.setdefault(variant, entry)
            plural = _plural(variant)
            if plural and plural not in phrases:
                phrases[plural] = entry

    for tid, spec in targets.items():
        where = f"targets.{tid}"
        _check_keys(spec, _TARGET_KEYS, f"{path} ({where})")
        if spec.get("kind") not in TARGET_KINDS:
            raise DataFileError(Errors.E010.format(
                path=path, reason=f"{where}: kind must be one of {TARGET_KINDS}"))
        labels[tid] = spec.get("label") or tid.replace("_", " ")
        kinds[tid] = spec["kind"]
        for syn in spec.get("synonyms", []):
            add(syn, Entry(tid, spec["kind"], spec["kind"].upper(), tid), where)
    for mid, spec in (data.get("muscles") or {}).items():
        where = f"muscles.{mid}"
        _check_keys(spec, _MUSCLE_KEYS, f"{path} ({where})")
        tid = spec.get("target")
        if tid not in kinds:
            raise DataFileError(Errors.E010.format(path=path, reason=f"{where}: unknown target {tid!r}"))
        if spec.get("reflex") is not None and kinds.get(spec["reflex"]) != "reflex":
            raise DataFileError(Errors.E010.format(path=path, reason=f"{where}: 'reflex' must name a reflex target"))
        for syn in spec.get("synonyms", []):
            add(syn, Entry(tid, kinds[tid], "MUSCLE", mid), where)
    for phrase, tid in (data.get("signs") or {}).items():
        if tid not in kinds:
            raise DataFileError(Errors.E010.format(path=path, reason=f"signs.{phrase}: unknown target {tid!r}"))
        add(phrase, Entry(tid, kinds[tid], "TERM", phrase), f"signs.{phrase}")
    _check_extras(data, kinds, path)
    return Lexicon(str(data.get("version", "0")), labels, kinds, phrases)


def _check_extras(data: dict, kinds: dict[str, str], path: str) -> None:
    """The matching data beside the vocabulary must name known targets of the right kind."""
    def known(tid: object, kind: str | None, where: str) -> None:
        if tid not in kinds or (kind and kinds[tid] != kind):
            raise DataFileError(Errors.E010.format(path=path, reason=f"{where}: unknown {kind or 'target'} {tid!r}"))

    for name, tid in (data.get("reflex_names") or {}).get("names", {}).items():
        known(tid, "reflex", f"reflex_names.{name}")
    for mov, tid in (data.get("movement_reflexes") or {}).get("map", {}).items():
        known(mov, "movement", f"movement_reflexes.{mov}")
        known(tid, "reflex", f"movement_reflexes.{mov}")
    grammar = data.get("grammar")
    if grammar is not None:
        _check_keys(grammar, _GRAMMAR_KEYS, f"{path} (grammar)")
        actions, bodies = set(grammar.get("actions", {})), set(grammar.get("bodies", {}))
        for body, combos in grammar.get("combinations", {}).items():
            if body not in bodies:
                raise DataFileError(Errors.E010.format(
                    path=path, reason=f"grammar.combinations: unknown body {body!r}"))
            for action, tid in combos.items():
                if action not in actions:
                    raise DataFileError(Errors.E010.format(
                        path=path, reason=f"grammar.combinations.{body}: unknown action {action!r}"))
                if tid is not None:
                    known(tid, "movement", f"grammar.combinations.{body}.{action}")


def _check_keys(obj: object, allowed: set[str], where: str) -> None:
    if not isinstance(obj, dict):
        raise DataFileError(Errors.E010.format(path=where, reason="expected an object"))
    unknown = set(obj) - allowed
    if unknown:
        raise DataFileError(Errors.E011.format(path=where, keys=sorted(unknown), allowed=sorted(allowed)))


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    """The shipped lexicon, or one from ``path``."""
    if path is None:
        return _default_lexicon()
    return lexicon_from_dict(read_json(path), str(path))


@lru_cache(maxsize=1)
def _default_lexicon() -> Lexicon:
    return lexicon_from_dict(*packaged_json("extractors", "lexicon.json"))
