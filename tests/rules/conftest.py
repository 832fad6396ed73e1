"""Rule tests test the rules: here every claim the reader finds is reported and may raise a finding.

Which claims are reported and which may raise findings in the product is the claim scorer's business
(its confidence and the gate), tested in ``tests/extractors/test_scorer.py``, ``test_gating.py`` and
end to end on the seeds in ``tests/test_golden.py``.
"""

import pytest

from tests.conftest import CORRECTED, ORACLE


def _without_scorer(mp) -> None:
    mp.setattr("extractors.scorer.gate_threshold", lambda: 0.0)
    mp.setattr("extractors.relations.load_model", lambda: None)


@pytest.fixture(autouse=True)
def every_claim_gates(monkeypatch):
    _without_scorer(monkeypatch)


def _ungated(path):
    from extractors.ingest import read_path
    from flows.check import check_article

    with pytest.MonkeyPatch.context() as mp:
        _without_scorer(mp)
        return check_article(read_path(path)[0])


@pytest.fixture(scope="session")
def oracle_report():
    return _ungated(ORACLE)


@pytest.fixture(scope="session")
def corrected_report():
    return _ungated(CORRECTED)
