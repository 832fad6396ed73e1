"""Choosing the claims to report among overlapping proposals (``relations.select``)."""

from types import SimpleNamespace

from extractors.claims import Proposal
from extractors.relations import select
from extractors.types import Assertion

EVERY = SimpleNamespace(emits=lambda p: p.confidence >= 0.4)


def proposal(start: int, end: int, confidence: float, root: str = "L5", target: str = "ankle_dorsiflexion"):
    a = Assertion(id="", article_id="x", root=root, target=target, target_kind="movement", relation="r",
                  polarity="affirmed", primary=False, section="", subsection="", sentence="s", start=start,
                  end=end, root_start=start, root_end=start + 2, target_start=start + 3, target_end=end)
    return Proposal(a, "attach", confidence=confidence)


def spans(chosen):
    return [(a.start, a.end) for a in chosen]


def test_overlapping_proposals_of_one_claim_keep_the_most_confident():
    chosen = select([proposal(0, 50, 0.6), proposal(10, 40, 0.9), proposal(45, 80, 0.7)], EVERY)
    assert spans(chosen) == [(10, 40), (45, 80)]
    assert [a.id for a in chosen] == ["a1", "a2"] and chosen[0].confidence == 0.9


def test_a_line_holding_separate_sentences_of_the_same_claim_gives_way_to_them():
    line, first, second = proposal(0, 100, 0.95), proposal(0, 40, 0.6), proposal(50, 100, 0.6)
    assert spans(select([line, first, second], EVERY)) == [(0, 40), (50, 100)]
    # nested, not separate: the line is the claim
    assert spans(select([line, proposal(0, 60, 0.6), proposal(20, 100, 0.6)], EVERY)) == [(0, 100)]


def test_other_claims_and_unconfident_proposals():
    chosen = select([proposal(0, 50, 0.9), proposal(0, 50, 0.8, root="S1"), proposal(60, 90, 0.3)], EVERY)
    assert [(a.root, a.start) for a in chosen] == [("L5", 0), ("S1", 0)]


def test_thousands_of_repeated_claims_each_stand():
    many = [proposal(40 * i, 40 * i + 30, 0.9) for i in range(5000)]
    chosen = select(many, EVERY)
    assert len(chosen) == 5000 and chosen[-1].id == "a5000"
