"""The claim scorer: data that cannot run code, validated on load, reproduced exactly by its training command."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from extractors.errors import DataFileError
from extractors.features import NAMES, PageFacts, featurize
from extractors.ingest import parse, read_path
from extractors.pipeline import get_nlp
from extractors.relations import analyze, featurized, page_layout
from extractors.scorer import FORMAT, MODEL_FILE, load_model, model_from_dict
from flows.cli import main

REAL = Path(__file__).parent.parent / "gold" / "real"


def test_the_shipped_model_is_plain_json_for_this_version():
    path = Path(__file__).parent.parent.parent / "extractors" / "data" / MODEL_FILE
    data = json.loads(path.read_text(encoding="utf-8"))  # JSON: loading it runs nothing
    assert data["format"] == FORMAT and tuple(data["features"]) == NAMES
    model = load_model()
    assert model is not None and len(model.trees) > 10
    assert 0 <= model.emit <= model.threshold <= 1
    assert model.info["pages"] >= 250 and model.info["sites"] >= 100


def _tiny_model(**over) -> dict:
    tree = {"feature": [NAMES.index("retracted"), -1, -1], "threshold": [0.5, 0, 0], "left": [1, 0, 0],
            "right": [2, 0, 0], "value": [0.0, -1.0, 2.0], "depth": 1}
    data = {"format": FORMAT, "features": list(NAMES), "trees": [tree],
            "calibration": {"x": [-1.0, 2.0], "y": [0.1, 0.9]}, "threshold": 0.8, "emit": 0.3}
    data.update(over)
    return data


def test_a_model_reads_its_trees_and_calibration():
    model = model_from_dict(_tiny_model())
    x = np.zeros((2, len(NAMES)))
    x[1, NAMES.index("retracted")] = 1.0
    assert model.margin(x).tolist() == [-1.0, 2.0]
    assert model.confidence(x).tolist() == pytest.approx([0.1, 0.9])


@pytest.mark.parametrize(("change", "says"), [
    ({"format": "pickle"}, "not a claim scorer"),
    ({"features": ["reader"]}, "retrain it"),
    ({"trees": [{"feature": [0, -1], "threshold": [0.5, 0], "left": [5, 0], "right": [1, 0], "value": [0, 1]}]},
     "points outside itself"),
    ({"trees": [{"feature": "x"}]}, "tree 0 is malformed"),
    ({"calibration": {"x": [2.0, 1.0], "y": [0.1, 0.9]}}, "calibration is malformed"),
    ({"threshold": True}, "must be numbers in [0, 1]"),
    ({"emit": 3}, "must be numbers in [0, 1]"),
])
def test_a_malformed_model_is_refused_with_the_reason(change, says):
    with pytest.raises(DataFileError, match=r"model\.json") as err:
        model_from_dict(_tiny_model(**change), "model.json")
    assert says in str(err.value)


def test_the_trees_written_are_the_trees_trained():
    from extractors.training import as_model, fit

    rng = np.random.default_rng(0)
    x = rng.random((600, len(NAMES)))
    y = (x[:, 0] + x[:, 5] * x[:, 9] > 0.9).astype(float)
    clf = fit(x, y)
    assert np.allclose(as_model(clf, ([-1e9, 1e9], [0.0, 1.0])).margin(x), clf.decision_function(x))


def test_every_claim_has_a_confidence_and_the_report_carries_it(oracle_report):
    assert oracle_report.assertions
    assert all(0.0 <= a.confidence <= 1.0 for a in oracle_report.assertions)
    from reports.contract import report_dict

    assert all("confidence" in a for a in report_dict(oracle_report)["assertions"])


def test_features_never_say_which_page_or_site_a_claim_came_from(tmp_path):
    """The same text under another name, source and id gives the same features, row for row."""
    text = (REAL / "dev" / "b12.txt").read_text(encoding="utf-8")
    other = tmp_path / "somewhere-else.txt"
    other.write_text(text, encoding="utf-8")
    rows = []
    for path in (REAL / "dev" / "b12.txt", other):
        article = read_path(path)[0]
        proposals, x = featurized(article, get_nlp()(article.plain))
        rows.append((len(proposals), x))
    assert rows[0][0] == rows[1][0] and rows[0][0] > 20
    assert np.array_equal(rows[0][1], rows[1][1])


def test_a_feature_vector_has_one_value_per_name():
    article = parse("L5 radiculopathy\n\nThe L5 root supplies the extensor hallucis longus.\n", "p.txt", "text")
    doc = get_nlp()(article.plain)
    proposals, x = featurized(article, doc)
    assert x.shape == (len(proposals), len(NAMES))
    facts = PageFacts(article, article.plain, page_layout(article, doc), [], [], doc._.sentences)
    assert len(featurize(proposals[0], facts)) == len(NAMES)


def test_two_sentences_of_one_line_stay_two_claims():
    """A layout shape's line holding two sentences that each make the claim does not swallow them."""
    text = "Notes\n\nL5 serves great toe extension. Again, L5 serves great toe extension.\n"
    found = [(a.root, a.target) for a in analyze(parse(text, "n.txt", "text")).assertions]
    assert found.count(("L5", "great_toe_extension")) == 2


@pytest.fixture(scope="module")
def tiny_manifest(tmp_path_factory):
    """Four labelled pages from three sites, as a manifest of their own."""
    root = tmp_path_factory.mktemp("pages")
    (root / "dev").mkdir()
    wanted = {"a02.txt": "droracle.ai", "a05.txt": "droracle.ai", "b12.txt": "example-notes.org",
              "e13.txt": "example-anatomy.net"}
    rows = [json.loads(line) for line in (REAL / "dev" / "gold.jsonl").read_text(encoding="utf-8").splitlines()]
    with (root / "dev" / "gold.jsonl").open("w", encoding="utf-8") as fh:
        for row in rows:
            if row["file"] in wanted:
                shutil.copy(REAL / "dev" / row["file"], root / "dev" / row["file"])
                fh.write(json.dumps(row) + "\n")
    manifest = root / "pages.tsv"
    manifest.write_text("split\tfile\tsite\tauthor\n" + "".join(
        f"dev\t{f}\t{s}\t{'machine' if f.startswith('a') else 'people'}\n" for f, s in wanted.items()))
    return manifest


def test_training_is_reproduced_exactly_and_reports_its_measure(tiny_manifest, tmp_path, capsys):
    outs = []
    for k in range(2):
        out, report = tmp_path / f"model{k}.json", tmp_path / f"report{k}.json"
        assert main(["train-scorer", "--pages", str(tiny_manifest), "--out", str(out), "--report", str(report)]) == 0
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    printed = capsys.readouterr().out
    assert "4 labelled pages from 3 sites" in printed and "leave-one-site-out" in printed
    report = json.loads((tmp_path / "report0.json").read_text())
    assert set(report["by_site"]) == {"droracle.ai", "example-notes.org", "example-anatomy.net"}
    assert set(report["by_author"]) == {"machine", "people"}
    assert report["reliability"] and report["verdicts"]["clean"] + report["verdicts"]["inconsistent"] == 4
    model = model_from_dict(json.loads(outs[0]))
    assert model.info["pages"] == 4


def test_corrections_train_the_scorer_as_extra_pages(tiny_manifest, tmp_path):
    """Pages in the gold format with a site per row (what 'artgate corrections export' writes) are training data."""
    extra = tmp_path / "corrections"
    extra.mkdir()
    text = "C5 radiculopathy\n\nThe deltoid (C5) lifts the arm; the biceps (C5, C6) bends the elbow.\n"
    (extra / "c1.txt").write_text(text)
    row = {"file": "c1.txt", "site": "cms.example.org", "inconsistencies": None, "notes": "reviewer decisions",
           "assertions": [{"root": r, "target": t, "polarity": "affirmed", "sentence": s} for r, t, s in (
               ("C5", "shoulder_abduction", "The deltoid (C5) lifts the arm"),
               ("C5", "elbow_flexion", "the biceps (C5, C6) bends the elbow"),
               ("C6", "elbow_flexion", "the biceps (C5, C6) bends the elbow"))]}
    (extra / "gold.jsonl").write_text(json.dumps(row) + "\n")
    out, report = tmp_path / "m.json", tmp_path / "r.json"
    assert main(["train-scorer", "--pages", str(tiny_manifest), "--extra", str(extra / "gold.jsonl"),
                 "--out", str(out), "--report", str(report)]) == 0
    data = json.loads(report.read_text())
    assert data["pages"] == 5 and "cms.example.org" in data["by_site"]
