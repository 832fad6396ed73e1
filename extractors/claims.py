"""A proposed claim: an assertion with how it was proposed, before the scorer says how sure it is.

The reader (``extractors.relations``) and the shapes (``extractors.shapes``) propose; the scorer
(``extractors.scorer``) reads their features (``extractors.features``) and gives every proposal a
confidence. Nothing here says
which page or site a proposal came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .types import Assertion


@dataclass
class Proposal:
    assertion: Assertion
    shape: str  # how the pair was made: 'attach', 'items', 'clause', 'row', 'topic', 'same-line', 'adjacent' …
    via: str = ""  # where carried roots came from: 'lead', 'heading', 'title', 'antecedent' …
    target_via: str = ""  # where the target came from when the sentence did not name it: 'anaphor', 'announce'
    reader: bool = True  # chosen by the reader (True), or only offered by a layout shape
    retracted: bool = False  # negated by a retraction in the next sentence ('Wait, no')
    shapes: set[str] = field(default_factory=set)  # every layout shape that can carry this pair here
    mention: str = ""  # what named the target: MOVEMENT, REFLEX, MUSCLE or TERM
    span_roots: int = 1  # how many roots the root's notation names ('L4-S1': 3)
    confidence: float = 1.0
