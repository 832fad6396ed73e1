"""The same text gives the same assertions in every process, whatever its string hashing."""

import json
import os
import subprocess
import sys

from tests.conftest import ROOT

# Misspellings within one edit of two known words: which one is read must not depend on set order.
TEXT = """Which roots move the hip?
Hip aduction is L2 and L3 (obturator nerve).
Hip abducton is L4 and L5, and knee etension is L3 and L4.
Raising the foot (ankle dorsiflexon) is L4 and L5.
"""

PROGRAM = """
import json, sys
from extractors.ingest import parse
from extractors.relations import extract
a = parse(sys.stdin.read(), "x.txt", "text")
print(json.dumps([(x.root, x.target, x.polarity, x.sentence) for x in extract(a)]))
"""


def test_candidates_come_closest_first_in_a_fixed_order():
    from extractors.pipeline import get_nlp

    fuzzy = get_nlp().get_pipe("artgate_mentions").matcher.trie.fuzzy
    found = fuzzy.candidates("etension", True)
    assert isinstance(found, tuple) and found[0] == "extension"
    assert fuzzy.candidates("aduction", True)[:2] == ("abduction", "adduction")  # a tie: alphabetical


def test_assertions_do_not_depend_on_the_hash_seed():
    outputs = set()
    for seed in ("0", "1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", PROGRAM], input=TEXT, capture_output=True, text=True,
                             env=env, cwd=ROOT, check=True).stdout
        assert json.loads(out), "the text makes claims"
        outputs.add(out)
    assert len(outputs) == 1
