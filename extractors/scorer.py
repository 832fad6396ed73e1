"""The claim scorer: a learned, calibrated confidence for every proposed claim.

The model is data (``data/claim_scorer.json``, format ``artgate.claim-scorer/1``): gradient-boosted
regression trees over the features of ``extractors.features`` and an isotonic calibration from
their summed margin to a probability, all plain JSON numbers, so loading it cannot run anything.
``artgate train-scorer`` reproduces it exactly from the labelled pages.

Two thresholds ship with it, both chosen on leave-one-site-out cross-validation:

- ``emit``: the confidence a proposal needs to be reported as a claim at all;
- ``threshold`` (the gate): the confidence a claim needs before a rule may raise a warning or a
  blocker on it, chosen for precision ≥ 0.95 among gating claims. Claims between the two are shown
  to the reviewer to check.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from .errors import DataFileError, Errors
from .features import NAMES

MODEL_FILE = "claim_scorer.json"
FORMAT = "artgate.claim-scorer/1"


@dataclass(frozen=True)
class Tree:
    feature: np.ndarray  # per node; -1 at a leaf
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray  # a leaf's contribution to the margin (learning rate applied)
    depth: int


@dataclass(frozen=True)
class Model:
    trees: tuple[Tree, ...]
    calibration_x: np.ndarray
    calibration_y: np.ndarray
    threshold: float
    emit: float
    info: dict

    def margin(self, x: np.ndarray) -> np.ndarray:
        """The summed tree outputs for a matrix of feature rows."""
        out = np.zeros(len(x))
        rows = np.arange(len(x))
        for t in self.trees:
            node = np.zeros(len(x), dtype=np.int64)
            for _ in range(t.depth):
                f = t.feature[node]
                leaf = f < 0
                go_left = x[rows, np.where(leaf, 0, f)] <= t.threshold[node]
                node = np.where(leaf, node, np.where(go_left, t.left[node], t.right[node]))
            out += t.value[node]
        return out

    def confidence(self, x: np.ndarray) -> np.ndarray:
        """Calibrated probabilities that each proposed claim is one the page makes."""
        if not len(x):
            return np.zeros(0)
        return np.interp(self.margin(x), self.calibration_x, self.calibration_y)


def model_from_dict(data: dict, source: str = MODEL_FILE) -> Model:
    """Validate and load a model; every problem names the file and what is wrong."""
    def bad(reason: str) -> DataFileError:
        return DataFileError(Errors.E010.format(path=source, reason=reason))

    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise bad(f"not a claim scorer (format must be {FORMAT!r})")
    if tuple(data.get("features", ())) != NAMES:
        raise bad("its features are not this version's: retrain it with 'artgate train-scorer'")
    trees = []
    for k, t in enumerate(data.get("trees", [])):
        try:
            arrays = [np.asarray(t[key], dtype=dt) for key, dt in (
                ("feature", np.int64), ("threshold", float), ("left", np.int64), ("right", np.int64),
                ("value", float))]
        except (KeyError, TypeError, ValueError) as exc:
            raise bad(f"tree {k} is malformed ({exc})") from exc
        n = len(arrays[0])
        if n == 0 or any(len(a) != n for a in arrays) or arrays[0].max() >= len(NAMES):
            raise bad(f"tree {k} is malformed")
        inner = arrays[0] >= 0
        if inner.any() and (arrays[2][inner].min() < 0 or arrays[2][inner].max() >= n or arrays[3][inner].max() >= n):
            raise bad(f"tree {k} points outside itself")
        trees.append(Tree(*arrays, depth=int(t.get("depth", 0))))
    cal = data.get("calibration", {})
    cx, cy = np.asarray(cal.get("x", []), dtype=float), np.asarray(cal.get("y", []), dtype=float)
    if len(cx) < 2 or len(cx) != len(cy) or np.any(np.diff(cx) < 0) or cy.min() < 0 or cy.max() > 1:
        raise bad("its calibration is malformed")
    threshold, emit = data.get("threshold"), data.get("emit")
    if not all(isinstance(v, int | float) and 0 <= v <= 1 for v in (threshold, emit)):
        raise bad("threshold and emit must be numbers in [0, 1]")
    return Model(tuple(trees), cx, cy, float(threshold), float(emit), dict(data.get("info", {})))


@lru_cache(maxsize=1)
def load_model() -> Model | None:
    """The shipped model, or None when the package ships none."""
    path = resources.files("extractors") / "data" / MODEL_FILE
    if not path.is_file():
        return None
    return model_from_dict(json.loads(path.read_text(encoding="utf-8")))


def read_model(path: str | Path) -> Model:
    from .datafiles import read_data_file

    try:
        data = json.loads(read_data_file(Path(path)))
    except json.JSONDecodeError as exc:
        raise DataFileError(Errors.E010.format(path=path, reason=f"invalid JSON ({exc.msg})")) from exc
    return model_from_dict(data, str(path))


def gate_threshold() -> float:
    """The confidence a claim needs to gate (0.0 when no model ships: every claim gates)."""
    model = load_model()
    return model.threshold if model else 0.0
