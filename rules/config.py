"""Configuration: ``artgate.toml``, or ``[tool.artgate]`` in ``pyproject.toml``.

    disable = ["citations.uncited-reference"]      # rules that never run
    packs = ["style/house.yaml"]                   # extra YAML rule packs (files or folders)
    reference = "board/myotomes.json"              # replaces the shipped reference table
    pattern_timeout_s = 1.0                        # time budget of one pack rule on one article
    packs_timeout_s = 5.0                          # time budget of all pack rules together on one article
    suppress_blockers_in_text = true               # false: an in-text directive cannot silence a blocker
    gate_threshold = 0.8                           # confidence a claim needs to raise a warning or blocker
                                                   # (default: the threshold shipped with the claim scorer)

    [severity]                                     # per-rule level
    "terminology.plantarflexion-spelling" = "warning"

Paths are relative to the file that names them (``packs = ["style/house.yaml"]`` in
``/repo/artgate.toml`` is ``/repo/style/house.yaml``), whatever the current folder. Without ``--config`` the
nearest ``artgate.toml`` (or a ``pyproject.toml`` with ``[tool.artgate]``) in
the current folder or its parents is used; with neither, the defaults.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from extractors.datafiles import read_data_file
from extractors.errors import DataFileError, Errors
from extractors.types import SEVERITIES

_KEYS = {"disable", "packs", "reference", "pattern_timeout_s", "packs_timeout_s", "severity", "gate_threshold",
         "suppress_blockers_in_text"}


@dataclass(frozen=True)
class Config:
    path: str | None = None
    disable: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict, hash=False)
    packs: tuple[Path, ...] = ()
    reference: Path | None = None
    pattern_timeout_s: float = 1.0
    packs_timeout_s: float = 5.0
    suppress_blockers_in_text: bool = True  # the service never lets text silence a blocker (a waiver request)
    gate_threshold: float | None = None  # None: the claim scorer's own threshold


DEFAULT = Config()


def find_config(start: Path | None = None) -> Path | None:
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "artgate.toml").is_file():
            return folder / "artgate.toml"
        py = folder / "pyproject.toml"
        if py.is_file():
            try:
                if "artgate" in tomllib.loads(read_data_file(py)).get("tool", {}):
                    return py
            except (tomllib.TOMLDecodeError, RecursionError, DataFileError):
                continue
    return None


def load_config(path: str | Path | None = None) -> Config:
    """The configuration at ``path``, or the nearest one, or the defaults.

    The file must be a regular file of at most 2 MB (a FIFO or ``/dev/zero``
    given as ``--config`` is refused, not read); every error names the file.
    """
    p = Path(path) if path is not None else find_config()
    if p is None:
        return DEFAULT
    text = read_data_file(p)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(Errors.E010.format(path=p, reason=exc)) from exc
    except RecursionError as exc:
        raise DataFileError(Errors.E010.format(path=p, reason="nested too deeply")) from exc
    if p.name == "pyproject.toml":
        data = data.get("tool", {}).get("artgate", {})
        if not isinstance(data, dict):
            raise DataFileError(Errors.E010.format(path=p, reason="[tool.artgate] must be a table"))
    return config_from_dict(data, p)


def _strings(data: dict, key: str, path: Path) -> list[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DataFileError(Errors.E010.format(path=path, reason=f"'{key}' must be a list of strings"))
    return value


def config_from_dict(data: dict, path: Path) -> Config:
    unknown = set(data) - _KEYS
    if unknown:
        raise DataFileError(Errors.E011.format(path=path, keys=sorted(unknown), allowed=sorted(_KEYS)))
    severity = data.get("severity", {})
    if not isinstance(severity, dict):
        raise DataFileError(Errors.E010.format(path=path, reason="[severity] maps rule ids to levels"))
    bad = {k: v for k, v in severity.items() if v not in SEVERITIES}
    if bad:
        raise DataFileError(Errors.E010.format(path=path, reason=f"severity must be one of {SEVERITIES}: {bad}"))
    base = path.parent
    timeout = data.get("pattern_timeout_s", 1.0)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout <= 60:
        raise DataFileError(Errors.E010.format(path=path, reason="pattern_timeout_s must be in (0, 60]"))
    packs_timeout = data.get("packs_timeout_s", 5.0)
    if isinstance(packs_timeout, bool) or not isinstance(packs_timeout, int | float) or not 0 < packs_timeout <= 600:
        raise DataFileError(Errors.E010.format(path=path, reason="packs_timeout_s must be in (0, 600]"))
    in_text = data.get("suppress_blockers_in_text", True)
    if not isinstance(in_text, bool):
        raise DataFileError(Errors.E010.format(path=path, reason="suppress_blockers_in_text must be true or false"))
    gate = data.get("gate_threshold")
    if gate is not None and (isinstance(gate, bool) or not isinstance(gate, int | float) or not 0 <= gate <= 1):
        raise DataFileError(Errors.E010.format(path=path, reason="gate_threshold must be a number in [0, 1]"))
    reference = data.get("reference")
    if reference is not None and not isinstance(reference, str):
        raise DataFileError(Errors.E010.format(path=path, reason="'reference' must be a path"))
    return Config(
        path=str(path),
        disable=tuple(_strings(data, "disable", path)),
        severity=dict(severity),
        packs=tuple(base / p for p in _strings(data, "packs", path)),
        reference=base / reference if reference else None,
        pattern_timeout_s=float(timeout),
        packs_timeout_s=float(packs_timeout),
        suppress_blockers_in_text=in_text,
        gate_threshold=float(gate) if gate is not None else None,
    )
