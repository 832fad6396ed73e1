"""Golden reports for the two seeds.

The snapshot keeps what a reviewer relies on (verdict, every assertion, every
finding with its evidence offsets) and leaves out what legitimately changes
(the ruleset digest, suggestion wording). After an intended change, regenerate
with ``ARTGATE_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py`` and
review the diff like code.
"""

import json
import os
from pathlib import Path

import pytest

from extractors.ingest import read_path
from flows.check import check_article
from tests.conftest import CORRECTED, ORACLE

GOLDEN = Path(__file__).parent / "golden"


def snapshot(report) -> dict:
    return {
        "verdict": report.verdict,
        "assertions": [[a.section, a.root, a.target, a.polarity, a.primary, a.start, a.end, list(a.citations)]
                       for a in report.assertions],
        "findings": [[f.rule, f.severity, f.message, [[e.section, e.start, e.end] for e in f.evidence],
                      list(f.assertions)] for f in report.findings],
    }


def _dump(snap: dict) -> str:
    """One row per line, so a changed assertion or finding shows as a one-line diff."""
    def rows(key):
        return ",\n".join("  " + json.dumps(r, ensure_ascii=False) for r in snap[key])

    return (f'{{\n "verdict": {json.dumps(snap["verdict"])},\n "assertions": [\n{rows("assertions")}\n ],\n'
            f' "findings": [\n{rows("findings")}\n ]\n}}\n')


@pytest.mark.parametrize("seed", [ORACLE, CORRECTED], ids=lambda p: p.stem)
def test_seed_matches_golden(seed):
    got = snapshot(check_article(read_path(seed)[0]))
    path = GOLDEN / f"{seed.stem}.json"
    if os.environ.get("ARTGATE_UPDATE_GOLDEN"):
        path.write_text(_dump(got))
    assert got == json.loads(path.read_text())
