"""Reading the project's JSON data files (shipped or user-supplied) with errors that name the file."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from .errors import DataFileError, Errors


def read_json(path: str | Path) -> object:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DataFileError(Errors.E010.format(path=path, reason=exc)) from exc


def packaged_json(package: str, name: str) -> tuple[object, str]:
    """A data file shipped in ``package/data/``, and the path to name in errors."""
    ref = resources.files(package) / "data" / name
    return json.loads(ref.read_text(encoding="utf-8")), f"{package}/data/{name}"
