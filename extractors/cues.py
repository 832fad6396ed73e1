"""The words and marks extraction reads as signals: clause breaks, contrast, sensory talk, primacy, stems.

Shared by the pairing shapes, the carry-over state, scope and the disc-level reader, so each cue is
written once.
"""

from __future__ import annotations

import re

CLAUSE_BREAK = re.compile(
    r",\s*(?:and|but|while|whereas|whilst|although|though|yet|it|they|this|these)\b|;|:\s"
    r"|\s(?:while|whereas|whilst)\s",
    re.IGNORECASE,
)


CONTRAST = re.compile(r",?\s*(?:but|while|whereas|whilst|although|though|yet)\b", re.IGNORECASE)
SENSORY = re.compile(r"\b(?:numb|numbness|sensation|sensory|paraesthesi|paresthesi|tingling|dermatom|hypoaesthesi"
                      r"|hypoesthesi|anaesthesi|anesthesi|pain\s+distribution|radicular\s+pain|pain\s+(?:radiat|travel|spread))",
                      re.IGNORECASE)
PRIMARY = re.compile(
    r"\b(?:primar(?:y|ily)|main(?:ly)?|predominant(?:ly)?|chief(?:ly)?|principal(?:ly)?|mostly|dominant)\b",
    re.IGNORECASE,
)


STEM = re.compile(r"\?\s*$|\bexcept\b\W*$|\bwhich of the following\b|\ball (?:of the following )?except\b",
                   re.IGNORECASE)
RELATION = {"movement": "controls", "reflex": "mediates"}
REFLEX_LABEL = re.compile(r"\b(?:DTRs?|deep\s+tendon\s+reflex(?:es)?|tendon\s+reflex(?:es)?|reflex(?:es)?|jerks)\b",
                           re.IGNORECASE)
MOTOR_LABEL = re.compile(r"^\W*(?:motor|muscles?|power|strength|myotomes?|movement|weakness)\b", re.IGNORECASE)
