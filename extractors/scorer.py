"""The claim scorer: a learned, calibrated confidence for every proposed claim.

The model is data (``data/claim_scorer.json``): weights in JSON, never code, so loading it
cannot run anything. ``gate_threshold`` is the confidence a claim needs before a rule may
raise a warning or a blocker on it; it is chosen on leave-one-site-out cross-validation for
precision among gating claims and stored with the model.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

MODEL_FILE = "claim_scorer.json"


@lru_cache(maxsize=1)
def _model_data() -> dict | None:
    path = resources.files("extractors") / "data" / MODEL_FILE
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def gate_threshold() -> float:
    """The confidence a claim needs to gate (0.0 when no model ships: every claim gates)."""
    data = _model_data()
    return float(data["threshold"]) if data else 0.0
