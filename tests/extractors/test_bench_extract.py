"""The extraction benchmark's stage split covers every stage and agrees with extraction itself."""

import sys

from extractors.ingest import parse
from extractors.relations import analyze
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_extract import corpus, stages


def test_stages_cover_the_pipeline_and_shares_sum_to_one():
    docs = corpus(400)
    split = stages(docs, repeats=1)
    assert {"ingest", "tokenizer", "artgate_mentions", "reader", "features", "trees", "select"} <= set(split)
    assert abs(sum(s["share"] for s in split.values()) - 1) < 0.01
    assert all(s["seconds"] >= 0 for s in split.values())
    assert split["features"]["seconds"] > 0  # the seeds hold claims, so the scorer ran


def test_corpus_is_the_seeds_and_gold_passages_cycled():
    docs = corpus(3000)
    assert sum(len(t.split()) for _, t, _ in docs) >= 3000
    assert docs[0][0].startswith("0-dorsiflexion")
    assert analyze(parse(docs[0][1], docs[0][0], docs[0][2])).assertions
