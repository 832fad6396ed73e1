"""The reference table of roots -> movements and reflexes, as versioned data.

Published tables disagree at the edges, so each target has a primary root, a
standard set and variants; ``data/myotomes.json`` names the source of each.
An editorial board can replace the file with its own (same keys).
"""

from __future__ import annotations

from dataclasses import dataclass
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
    primary: str
    standard: tuple[str, ...]
    variants: tuple[str, ...]
    sources: tuple[str, ...]  # display names


@dataclass(frozen=True)
class ReferenceTable:
    version: str
    title: str
    entries: dict[str, RefEntry]
    antagonists: tuple[tuple[str, str], ...]
    disc_levels: dict[str, str]

    def antagonist_of(self, target: str) -> list[str]:
        return [b if a == target else a for a, b in self.antagonists if target in (a, b)]

    def describe(self, target: str) -> str:
        """'L4, L5 (primary L4; O'Brien …)' for messages and suggestions."""
        e = self.entries.get(target)
        if e is None:
            return "not in the reference table"
        return f"{', '.join(e.standard)} (primary {e.primary}; {'; '.join(e.sources)})"


def reference_from_dict(data: dict, path: str) -> ReferenceTable:
    if not isinstance(data, dict):
        raise DataFileError(Errors.E010.format(path=path, reason="top level must be an object"))
    unknown = set(data) - _TOP
    if unknown:
        raise DataFileError(Errors.E011.format(path=path, keys=sorted(unknown), allowed=sorted(_TOP)))
    sources = data.get("sources", {})
    targets = data.get("targets") or {}
    if not isinstance(sources, dict) or not isinstance(targets, dict):
        raise DataFileError(Errors.E010.format(path=path, reason="'sources' and 'targets' must be objects"))
    entries = {}
    for target, spec in targets.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("standard", []), list) or not isinstance(
                spec.get("variants", []), list) or not isinstance(spec.get("sources", []), list):
            raise DataFileError(Errors.E010.format(path=path, reason=(
                f"targets.{target}: an object with 'primary', and lists 'standard', 'variants', 'sources'")))
        bad = set(spec) - _ENTRY
        if bad:
            raise DataFileError(Errors.E011.format(path=f"{path} (targets.{target})", keys=sorted(bad),
                                                   allowed=sorted(_ENTRY)))
        roots = [spec.get("primary"), *spec.get("standard", []), *spec.get("variants", [])]
        invalid = [r for r in roots if r not in ALL_ROOTS]
        if invalid:
            raise DataFileError(Errors.E010.format(path=path, reason=f"targets.{target}: invalid root(s) {invalid}"))
        for s in spec.get("sources", []):
            if s not in sources:
                raise DataFileError(Errors.E010.format(path=path, reason=f"targets.{target}: unknown source {s!r}"))
        if not spec.get("standard"):
            raise DataFileError(Errors.E010.format(path=path, reason=f"targets.{target}: 'standard' lists no root"))
        entries[target] = RefEntry(target, spec["primary"], tuple(spec["standard"]), tuple(spec.get("variants", [])),
                                   tuple(sources[s] for s in spec.get("sources", [])))
    pairs = []
    for pair in data.get("antagonists", []):
        if not isinstance(pair, list) or len(pair) != 2 or any(t not in entries for t in pair):
            raise DataFileError(Errors.E010.format(path=path, reason=f"antagonists: bad pair {pair}"))
        pairs.append((pair[0], pair[1]))
    return ReferenceTable(str(data.get("version", "")), str(data.get("title", "")), entries, tuple(pairs),
                          dict(data.get("disc_levels", {})))


def load_reference(path: str | Path | None = None) -> ReferenceTable:
    """The shipped table, or one from ``path`` (an editorial board's own)."""
    if path is None:
        return _default()
    return reference_from_dict(read_json(path), str(path))


@lru_cache(maxsize=1)
def _default() -> ReferenceTable:
    return reference_from_dict(*packaged_json("rules", "myotomes.json"))
