"""Configuration: ``artgate.toml``, or ``[tool.artgate]`` in ``pyproject.toml``.

    disable = ["citations.uncited-reference"]      # rules that never run
    packs = ["style/house.yaml"]                   # extra YAML rule packs (files or folders)
    reference = "board/myotomes.json"              # replaces the shipped reference table
    pattern_timeout_s = 1.0                        # time budget of one pack rule on one article

    [severity]                                     # per-rule level
    "terminology.plantarflexion-spelling" = "warning"

Paths are relative to the file that names them. Without ``--config`` the
nearest ``artgate.toml`` (or a ``pyproject.toml`` with ``[tool.artgate]``) in
the current folder or its parents is used; with neither, the defaults.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from extractors.errors import DataFileError, Errors
from extractors.types import SEVERITIES

_KEYS = {"disable", "packs", "reference", "pattern_timeout_s", "severity"}


@dataclass(frozen=True)
class Config:
    path: str | None = None
    disable: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict, hash=False)
    packs: tuple[Path, ...] = ()
    reference: Path | None = None
    pattern_timeout_s: float = 1.0


DEFAULT = Config()


def find_config(start: Path | None = None) -> Path | None:
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "artgate.toml").is_file():
            return folder / "artgate.toml"
        py = folder / "pyproject.toml"
        if py.is_file():
            try:
                if "artgate" in tomllib.loads(py.read_text(encoding="utf-8")).get("tool", {}):
                    return py
            except (tomllib.TOMLDecodeError, OSError):
                continue
    return None


def load_config(path: str | Path | None = None) -> Config:
    """The configuration at ``path``, or the nearest one, or the defaults."""
    p = Path(path) if path is not None else find_config()
    if p is None:
        return DEFAULT
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DataFileError(Errors.E001.format(path=p)) from exc
    except (tomllib.TOMLDecodeError, OSError) as exc:
        raise DataFileError(Errors.E010.format(path=p, reason=exc)) from exc
    if p.name == "pyproject.toml":
        data = data.get("tool", {}).get("artgate", {})
    return config_from_dict(data, p)


def config_from_dict(data: dict, path: Path) -> Config:
    unknown = set(data) - _KEYS
    if unknown:
        raise DataFileError(Errors.E011.format(path=path, keys=sorted(unknown), allowed=sorted(_KEYS)))
    severity = data.get("severity", {})
    bad = {k: v for k, v in severity.items() if v not in SEVERITIES}
    if bad:
        raise DataFileError(Errors.E010.format(path=path, reason=f"severity must be one of {SEVERITIES}: {bad}"))
    base = path.parent
    timeout = data.get("pattern_timeout_s", 1.0)
    if not isinstance(timeout, int | float) or not 0 < timeout <= 60:
        raise DataFileError(Errors.E010.format(path=path, reason="pattern_timeout_s must be in (0, 60]"))
    return Config(
        path=str(path),
        disable=tuple(data.get("disable", [])),
        severity=dict(severity),
        packs=tuple(base / p for p in data.get("packs", [])),
        reference=base / data["reference"] if data.get("reference") else None,
        pattern_timeout_s=float(timeout),
    )
