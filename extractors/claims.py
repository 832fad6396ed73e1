"""A proposed claim: an assertion with how it was proposed, before the scorer says how sure it is.

The reader (``extractors.relations``) proposes; the scorer (``extractors.scorer``) reads the features
of each proposal (``extractors.features``) and gives it a confidence. Nothing here says which page or
site a proposal came from.
"""

from __future__ import annotations

from dataclasses import dataclass

from .types import Assertion


@dataclass
class Proposal:
    assertion: Assertion
    shape: str  # how the pair was made: 'attach', 'items', 'clause', 'row', 'topic', 'carried' …
    via: str = ""  # where carried roots came from: 'lead', 'heading', 'title', 'antecedent' …
    target_via: str = ""  # where the target came from when the sentence did not name it: 'anaphor', 'announce'
    retracted: bool = False  # negated by a retraction in the next sentence ('Wait, no')
    mention: str = ""  # what named the target: MOVEMENT, REFLEX, MUSCLE or TERM
    span_roots: int = 1  # how many roots the root's notation names ('L4-S1': 3)
    confidence: float = 1.0
