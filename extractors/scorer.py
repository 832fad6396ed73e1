"""The claim scorer: a learned, calibrated confidence for every proposed claim.

The model is data (``data/claim_scorer.json``, format ``artgate.claim-scorer/1``): gradient-boosted
regression trees over the features of ``extractors.features`` and an isotonic calibration from
their summed margin to a probability, all plain JSON numbers, so loading it cannot run anything.
``artgate train-scorer`` reproduces it exactly from the labelled pages.

Two thresholds ship with it, both chosen on leave-one-site-out cross-validation:

- ``emit``: the confidence a claim needs to be reported at all;
- ``threshold`` (the gate): the confidence a claim needs before a rule may raise a warning or a
  blocker on it, chosen for the gate's verdicts on held-out pages (the most inconsistent pages
  flagged with at most 10 % of clean pages warned). Claims below it are shown to the reviewer to
  check.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property, lru_cache
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


@dataclass(frozen=True, eq=False)
class Model:
    trees: tuple[Tree, ...]
    calibration_x: np.ndarray
    calibration_y: np.ndarray
    threshold: float
    emit: float
    info: dict

    def emits(self, proposal) -> bool:
        """Is a scored proposal confident enough to be reported?"""
        return proposal.confidence >= self.emit

    def margin(self, x: np.ndarray) -> np.ndarray:
        """The summed tree outputs for a matrix of feature rows: every tree descended at once, a level per
        step (a handful of array operations per page, whatever the number of trees)."""
        if not len(x) or not self.trees:
            return np.zeros(len(x))
        feature, threshold, left, right, value, depth, roots = self._packed
        n, width = x.shape
        flat = x.ravel()
        base = (np.arange(n) * width)[:, None]
        node = np.broadcast_to(roots, (n, len(roots)))
        for _ in range(depth):
            node = np.where(flat[base + feature[node]] <= threshold[node], left[node], right[node])
        return value[node].sum(axis=1)

    @cached_property
    def _packed(self) -> tuple:
        """All trees as flat arrays, nodes numbered across trees; a leaf points to itself on both sides and
        reads feature 0, so descending past it stays there."""
        feature, threshold, left, right, value, roots = [], [], [], [], [], []
        offset = 0
        for t in self.trees:
            k = np.arange(len(t.feature))
            leaf = t.feature < 0
            roots.append(offset)
            feature.append(np.where(leaf, 0, t.feature))
            threshold.append(np.where(leaf, np.inf, t.threshold))
            left.append(np.where(leaf, k, t.left) + offset)
            right.append(np.where(leaf, k, t.right) + offset)
            value.append(t.value)
            offset += len(k)
        return (np.concatenate(feature), np.concatenate(threshold), np.concatenate(left), np.concatenate(right),
                np.concatenate(value), max(t.depth for t in self.trees), np.array(roots))

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
    if not all(isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 1 for v in (threshold, emit)):
        raise bad("threshold and emit must be numbers in [0, 1]")
    return Model(tuple(trees), cx, cy, float(threshold), float(emit), dict(data.get("info", {})))


def load_model() -> Model | None:
    """The model in use: the shipped one (None when the package ships none), unless ``model_in_use``
    says otherwise."""
    return _in_use[-1] if _in_use else _shipped()


@lru_cache(maxsize=1)
def _shipped() -> Model | None:
    path = resources.files("extractors") / "data" / MODEL_FILE
    if not path.is_file():
        return None
    return model_from_dict(json.loads(path.read_text(encoding="utf-8")))


_in_use: list[Model | None] = []


@contextmanager
def model_in_use(model: Model | None) -> Iterator[None]:
    """Extract with ``model`` (None: the reader's claims alone) instead of the shipped one, for the
    duration: training reads the pages it learns from without the model it is replacing."""
    _in_use.append(model)
    try:
        yield
    finally:
        _in_use.pop()


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
