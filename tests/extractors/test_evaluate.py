"""`artgate eval`: the scorer's arithmetic, and the extraction goal on the team's gold set."""

import json
from pathlib import Path

import pytest

from extractors.errors import DataFileError
from extractors.evaluate import evaluate, render
from flows.cli import main

HERE = Path(__file__).parent
GOLD = HERE.parent / "gold"
PRECISION_GOAL, RECALL_GOAL = 0.95, 0.90


def test_scoring_counts_fp_and_fn():
    ev = evaluate(HERE / "fixtures" / "tiny-gold.jsonl")
    assert (ev.overall.tp, ev.overall.fp, ev.overall.fn) == (1, 1, 1)
    assert ev.overall.precision == 0.5 and ev.overall.recall == 0.5
    assert ev.by_polarity["negated"].fp == 1
    out = render(ev)
    assert "S1 -> ankle_dorsiflexion [negated]" in out and "L4 -> knee_extension [affirmed]" in out


def test_bad_gold_row_names_file_and_line(tmp_path):
    bad = tmp_path / "g.jsonl"
    bad.write_text('{"file": "x.txt"}\n')
    with pytest.raises(DataFileError, match=r"g\.jsonl:1"):
        evaluate(bad)


@pytest.mark.parametrize("gold", ["gold.jsonl", "holdout-blind.jsonl"])
def test_extraction_meets_the_goal(gold, capsys):
    rc = main(["eval", str(GOLD / gold), "--format", "json", "--min-precision", str(PRECISION_GOAL),
               "--min-recall", str(RECALL_GOAL)])
    report = json.loads(capsys.readouterr().out)
    overall = report["overall"]
    details = "\n".join(f"FP {x}" for x in report["false_positives"]) + "\n".join(
        f"FN {x}" for x in report["false_negatives"])
    assert rc == 0, f"{overall}\n{details}"
    assert overall["precision"] >= PRECISION_GOAL and overall["recall"] >= RECALL_GOAL


def test_gold_set_size_and_coverage():
    rows = [json.loads(line) for line in (GOLD / "gold.jsonl").read_text().splitlines()]
    assert len(rows) >= 42  # at least 40 passages plus both seeds
    polarities = {a["polarity"] for r in rows for a in r["assertions"]}
    assert polarities == {"affirmed", "negated", "uncertain"}
    assert sum(1 for r in rows if not r["assertions"]) >= 3  # negative-only passages


def test_eval_exit_status_below_goal(capsys):
    assert main(["eval", str(HERE / "fixtures" / "tiny-gold.jsonl"), "--min-precision", "0.9"]) == 1
    capsys.readouterr()


def test_eval_without_scorer_scores_the_readers_own_claims(capsys):
    from extractors.scorer import model_from_dict, model_in_use

    data = json.loads((HERE.parent.parent / "extractors" / "data" / "claim_scorer.json").read_text())
    data.update(calibration={"x": [-1e9, 1e9], "y": [0.0, 0.0]}, emit=1.0)  # a scorer that reports nothing
    gold = str(HERE / "fixtures" / "tiny-gold.jsonl")
    with model_in_use(model_from_dict(data)):
        main(["eval", gold, "-f", "json"])
        muted = json.loads(capsys.readouterr().out)["overall"]
        main(["eval", gold, "-f", "json", "--without-scorer"])
        reader = json.loads(capsys.readouterr().out)["overall"]
    assert (muted["tp"], muted["fp"]) == (0, 0)
    assert (reader["tp"], reader["fp"], reader["fn"]) == (1, 1, 1)
