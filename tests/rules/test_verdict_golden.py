"""Golden reports of the verdict rules on short passages of our own wording (``tests/rules/golden/``).

Each passage has a snapshot of every finding (rule, severity, message, quoted evidence) next to it.
After an intended change, regenerate with ``ARTGATE_UPDATE_GOLDEN=1 python -m pytest
tests/rules/test_verdict_golden.py`` and review the diff like code.
"""

import json
import os
from pathlib import Path

import pytest

from extractors.ingest import read_path
from flows.check import check_article

GOLDEN = Path(__file__).parent / "golden"
PASSAGES = sorted(GOLDEN.glob("*.txt"))


def snapshot(report) -> list:
    return [[f.rule, f.severity, f.message, [e.text for e in f.evidence]] for f in report.findings]


def _dump(rows: list) -> str:
    return "[\n" + ",\n".join("  " + json.dumps(r, ensure_ascii=False) for r in rows) + "\n]\n"


@pytest.mark.parametrize("passage", PASSAGES, ids=lambda p: p.stem)
def test_passage_matches_golden(passage):
    got = snapshot(check_article(read_path(passage)[0]))
    path = passage.with_suffix(".json")
    if os.environ.get("ARTGATE_UPDATE_GOLDEN"):
        path.write_text(_dump(got))
    assert got == json.loads(path.read_text())


def _rules(stem: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in json.loads((GOLDEN / f"{stem}.json").read_text())]


def test_the_goldens_hold_what_each_rule_is_for():
    """Guards against regenerating a snapshot that lost the finding it exists for."""
    assert ("terminology.ambiguous-direction", "warning") in _rules("ambiguous-direction")
    assert _rules("ambiguous-direction").count(("terminology.ambiguous-direction", "warning")) == 1
    assert ("terminology.opposite-gloss", "warning") in _rules("opposite-gloss")
    disc = _rules("disc-levels")
    assert disc.count(("consistency.disc-level-usual", "warning")) == 2
    assert ("consistency.disc-level-exiting", "info") in disc and ("consistency.disc-level-root", "warning") in disc
    assert _rules("denied-claim").count(("consistency.denied-claim", "warning")) == 2
    graded = _rules("graded-reference")
    for rule in (("reference.disputed-root", "info"), ("reference.contradicts-table", "warning"),
                 ("reference.variant-as-main", "warning"), ("reference.main-root", "info"),
                 ("reference.swapped-roots", "warning")):
        assert rule in graded, rule
    assert ("reference.root-without-muscles", "warning") in _rules("root-without-muscles")
    nerves = _rules("nerve-range")
    assert nerves.count(("reference.contradicts-table", "warning")) == 5  # L4, L5, S3 plantar flexion; S2, S3 inversion
    main = _rules("main-roots")
    assert ("reference.opposite-main-root", "warning") in main and ("reference.variant-as-main", "warning") in main
    assert main.count(("reference.variant-as-main", "warning")) == 1  # hip flexion's range, not the knee jerk's
    assert _rules("denials") == [("reference.denied-main-root", "warning")]
    assert _rules("reflex-grades").count(("terminology.opposite-reflex-gloss", "warning")) == 2
