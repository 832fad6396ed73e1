"""The reference table of roots -> movements and reflexes, as versioned, graded data with its sources.

Published tables disagree at the edges, so each target has its primary root(s)
(the root the myotome and key-muscle tables test it by), a standard set (the
roots the classic tables agree on) and variants (roots only some sources
give), and every root carries the sources that give it. ``data/myotomes.json``
is the shipped table; an editorial board can replace it with its own
(``reference = "board/myotomes.json"`` in artgate.toml).

Each root maps to the ids of the sources that give it::

    "ankle_dorsiflexion": {
      "primary":  {"L4": ["isncsci", "magee"]},
      "standard": {"L4": ["isncsci", "obrien", "gray"], "L5": ["gray", "teachme"]},
      "variants": {}
    }

The earlier form (``"primary": "L4"``, ``"standard": ["L4", "L5"]``,
``"variants": [...]`` and one ``"sources"`` list for the whole entry) still
loads: every root then carries the entry's sources.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from extractors.datafiles import packaged_json, read_json
from extractors.errors import DataFileError, Errors
from extractors.roots import ALL_ROOTS

_TOP = {"version", "title", "policy", "sources", "targets", "antagonists", "disc_levels"}
_ENTRY = {"primary", "standard", "variants", "sources", "note"}


@dataclass(frozen=True)
class RefEntry:
    target: str
    primary: str  # the table's answer: the first primary root
    standard: tuple[str, ...]
    variants: tuple[str, ...]
    sources: tuple[str, ...]  # display names of every source the entry consults
    primaries: tuple[str, ...] = ()  # every root a source names the main (test) root
    given_by: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, hash=False)  # root -> names
    primary_by: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, hash=False)
    note: str = ""

    def sources_for(self, root: str) -> tuple[str, ...]:
        """The display names of the sources that give ``root`` for this target (empty: none does)."""
        return self.given_by.get(root, ())

    def main_sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s for r in self.primaries for s in self.primary_by.get(r, ())))


@dataclass(frozen=True)
class ReferenceTable:
    version: str
    title: str
    entries: dict[str, RefEntry]
    antagonists: tuple[tuple[str, str], ...]
    disc_levels: dict[str, str]
    policy: str = ""
    sources: dict[str, str] = field(default_factory=dict)  # id -> display name

    def antagonist_of(self, target: str) -> list[str]:
        return [b if a == target else a for a, b in self.antagonists if target in (a, b)]

    def describe(self, target: str) -> str:
        """'L4, L5 (primary L4; ISNCSCI …; O'Brien …)' for messages and suggestions."""
        e = self.entries.get(target)
        if e is None:
            return "not in the reference table"
        return f"{', '.join(e.standard)} (primary {e.primary}; {'; '.join(e.sources)})"

    @property
    def name(self) -> str:
        return f"{self.title} v{self.version}" if self.version else self.title


def _fail(path: str, reason: str) -> DataFileError:
    return DataFileError(Errors.E010.format(path=path, reason=reason))


def _graded(spec: object, where: str, path: str, sources: dict[str, str],
            entry_sources: list[str]) -> dict[str, tuple[str, ...]]:
    """A 'primary', 'standard' or 'variants' value as root -> source display names, validated."""
    if isinstance(spec, str):
        spec = [spec]
    if isinstance(spec, list):
        if not all(isinstance(r, str) for r in spec):
            raise _fail(path, f"{where}: list roots as strings, or map each root to its source ids")
        invalid = [r for r in spec if r not in ALL_ROOTS]
        if invalid:
            raise _fail(path, f"{where}: invalid root(s) {invalid}")
        if spec and not entry_sources:
            raise _fail(path, f"{where}: say which sources give these roots (map each root to source ids, "
                              "or give the entry a 'sources' list)")
        spec = {r: entry_sources for r in spec}
    if not isinstance(spec, dict):
        raise _fail(path, f"{where}: map each root to the ids of the sources that give it")
    out = {}
    for root, ids in spec.items():
        if root not in ALL_ROOTS:
            raise _fail(path, f"{where}: invalid root {root!r}")
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            raise _fail(path, f"{where}.{root}: list the ids of the sources that give it (at least one)")
        unknown = [i for i in ids if i not in sources]
        if unknown:
            raise _fail(path, f"{where}.{root}: unknown source(s) {unknown}; the table's sources are "
                              f"{sorted(sources)}")
        out[root] = tuple(dict.fromkeys(sources[i] for i in ids))
    return out


def _named(value: object) -> list:
    """The roots a 'primary', 'standard' or 'variants' value names, in either form."""
    if isinstance(value, str):
        return [value]
    return list(value) if isinstance(value, list | dict) else []


def _entry(target: str, spec: object, path: str, sources: dict[str, str]) -> RefEntry:
    where = f"targets.{target}"
    if not isinstance(spec, dict):
        raise _fail(path, f"{where}: an object with 'primary', 'standard' and 'variants'")
    bad = set(spec) - _ENTRY
    if bad:
        raise DataFileError(Errors.E011.format(path=f"{path} ({where})", keys=sorted(bad), allowed=sorted(_ENTRY)))
    listed = spec.get("sources", [])
    if not isinstance(listed, list) or not all(isinstance(s, str) for s in listed):
        raise _fail(path, f"{where}.sources: a list of source ids")
    for s in listed:
        if s not in sources:
            raise _fail(path, f"{where}: unknown source {s!r}")
    named = [r for key in ("primary", "standard", "variants") for r in _named(spec.get(key, []))]
    invalid = [r for r in named if r not in ALL_ROOTS]
    if invalid:
        raise _fail(path, f"{where}: invalid root(s) {invalid}")
    standard = _graded(spec.get("standard", []), f"{where}.standard", path, sources, listed)
    if not standard:
        raise _fail(path, f"{where}: 'standard' lists no root")
    variants = _graded(spec.get("variants", []), f"{where}.variants", path, sources, listed)
    if "primary" not in spec:
        raise _fail(path, f"{where}: 'primary' is missing")
    primary = _graded(spec["primary"], f"{where}.primary", path, sources, listed)
    if not primary:
        raise _fail(path, f"{where}: 'primary' names no root")
    both = sorted(set(standard) & set(variants))
    if both:
        raise _fail(path, f"{where}: {both} both standard and variant; a root is one or the other")
    outside = sorted(set(primary) - set(standard))
    if outside:
        raise _fail(path, f"{where}: primary root(s) {outside} not in the standard set")
    note = spec.get("note", "")
    if not isinstance(note, str):
        raise _fail(path, f"{where}.note: a string")
    given = {**standard, **variants}
    consulted = tuple(dict.fromkeys([*(s for names in (*primary.values(), *given.values()) for s in names),
                                     *(sources[s] for s in listed)]))
    return RefEntry(target, next(iter(primary)), tuple(standard), tuple(variants), consulted, tuple(primary),
                    given, primary, note)


def reference_from_dict(data: dict, path: str) -> ReferenceTable:
    """A validated table; every problem is a one-line ``DataFileError`` naming the file and the entry."""
    if not isinstance(data, dict):
        raise _fail(path, "top level must be an object")
    unknown = set(data) - _TOP
    if unknown:
        raise DataFileError(Errors.E011.format(path=path, keys=sorted(unknown), allowed=sorted(_TOP)))
    sources = data.get("sources", {})
    targets = data.get("targets") or {}
    if not isinstance(sources, dict) or not isinstance(targets, dict):
        raise _fail(path, "'sources' and 'targets' must be objects")
    bad_names = [k for k, v in sources.items() if not isinstance(v, str) or not v.strip()]
    if bad_names:
        raise _fail(path, f"sources {bad_names}: each source id maps to the source's name")
    for key in ("title", "policy"):
        if not isinstance(data.get(key, ""), str):
            raise _fail(path, f"'{key}' must be a string")
    version = data.get("version", "")
    if isinstance(version, bool) or not isinstance(version, str | int | float):
        raise _fail(path, "'version' must be a string such as '2026.12-1'")
    known = _vocabulary()
    entries = {}
    for target, spec in targets.items():
        if known and target not in known:
            raise _fail(path, f"targets.{target}: not a movement or reflex of the vocabulary "
                              f"(known: {', '.join(sorted(known))})")
        entries[target] = _entry(target, spec, path, sources)
    pairs = []
    for pair in data.get("antagonists", []):
        if not isinstance(pair, list) or len(pair) != 2 or any(t not in entries for t in pair):
            raise _fail(path, f"antagonists: bad pair {pair}")
        pairs.append((pair[0], pair[1]))
    levels = data.get("disc_levels", {})
    if not isinstance(levels, dict):
        raise _fail(path, "'disc_levels' maps a level such as 'L4-L5' to the root it usually compresses")
    for level, root in levels.items():
        parts = level.split("-") if isinstance(level, str) else []
        if len(parts) != 2 or any(p not in ALL_ROOTS for p in parts) or root not in ALL_ROOTS:
            raise _fail(path, f"disc_levels.{level}: a level such as 'L4-L5' mapped to a root such as 'L5'")
    return ReferenceTable(str(version), data.get("title", ""), entries, tuple(pairs), dict(levels),
                          data.get("policy", ""), dict(sources))


@lru_cache(maxsize=1)
def _vocabulary() -> frozenset[str]:
    from extractors.lexicon import load_lexicon

    return frozenset(load_lexicon().kinds)


def load_reference(path: str | Path | None = None) -> ReferenceTable:
    """The shipped table, or one from ``path`` (an editorial board's own)."""
    if path is None:
        return _default()
    return reference_from_dict(read_json(path), str(path))


@lru_cache(maxsize=1)
def _default() -> ReferenceTable:
    return reference_from_dict(*packaged_json("rules", "myotomes.json"))
