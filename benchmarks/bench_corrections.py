"""The learning curve of reviewers' corrections: how a site's pages score as corrected pages of that site
are added to the claim scorer's training.

    .venv/bin/python benchmarks/bench_corrections.py [--sizes 0 5 20] [--test 7] [--min-pages 12]
                                                     # → results-corrections.json

For every site with at least ``--min-pages`` labelled pages, its last ``--test`` pages (by file name)
are held out; the scorer is trained on every other site's pages plus the first k pages of the site,
given as corrections — the gold labels written in the format `artgate corrections export` writes
(one row per page with its site) and read through the training command's ``--extra`` path, as a
reviewer who corrected every claim of those pages would supply them. The held-out pages of the site
are then scored at the shipped scorer's reporting threshold, with its calibration: sentence-level P/R,
how well the confidences rank the site's proposals (AUC), and how many of them gate and how often
those are right. k = 0 is the leave-one-site-out score of those pages.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def as_corrections(pages, folder: Path) -> Path:
    """Pages written as `artgate corrections export` writes them: gold.jsonl with each row's site."""
    folder.mkdir(parents=True, exist_ok=True)
    gold = ROOT / "tests" / "gold" / "real"
    with (folder / "gold.jsonl").open("w", encoding="utf-8") as fh:
        for p in pages:
            split, name = p.name.split("/")
            shutil.copy(gold / split / name, folder / name)
            fh.write(json.dumps({"file": name, "site": p.site, "inconsistencies": None, "notes": "corrections",
                                 "assertions": [{"root": g.root, "target": g.target, "polarity": g.polarity,
                                                 "sentence": g.sentence} for g in p.gold]}) + "\n")
    return folder / "gold.jsonl"


def main() -> None:
    from sklearn.metrics import roc_auc_score

    from extractors.scorer import load_model, model_from_dict
    from extractors.training import Policy, fit, load_pages, model_dict, score_pages

    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[0, 5, 20])
    ap.add_argument("--test", type=int, default=7)
    ap.add_argument("--min-pages", type=int, default=12)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results-corrections.json"))
    args = ap.parse_args()
    shipped = load_model()
    if shipped is None:
        sys.exit("no claim scorer ships: train one first ('artgate train-scorer')")
    policy = Policy(shipped.emit)
    cal_x, cal_y = shipped.calibration_x.tolist(), shipped.calibration_y.tolist()
    pages = load_pages([ROOT / "tests" / "gold" / "real" / "pages.tsv"])
    by_site = defaultdict(list)
    for p in pages:
        by_site[p.site].append(p)
    results = []
    for site, own in sorted(by_site.items(), key=lambda kv: -len(kv[1])):
        if len(own) < args.min_pages:
            continue
        own = sorted(own, key=lambda p: p.name)
        test, pool = own[-args.test:], own[:-args.test]
        others = [p for p in pages if p.site != site]
        row = {"site": site, "test_pages": [p.name for p in test], "curve": []}
        for k in args.sizes:
            if k > len(pool):
                continue
            with tempfile.TemporaryDirectory() as tmp:
                extra = [as_corrections(pool[:k], Path(tmp) / "corrections")] if k else []
                added = load_pages([], extra) if extra else []
            train = [p for p in others + added if len(p.proposals)]
            clf = fit(np.vstack([p.x for p in train]), np.concatenate([p.y for p in train]))
            # the shipped scorer's calibration (a monotone map from margin to confidence) and thresholds
            model = model_from_dict(model_dict(clf, (list(cal_x), list(cal_y)), shipped.threshold, policy, {}))
            conf = {p.name: model.confidence(p.x) if len(p.proposals) else np.zeros(0) for p in test}
            s = score_pages(test, conf, policy)["overall"]
            c = np.concatenate([conf[p.name] for p in test])
            y = np.concatenate([p.y for p in test])
            gating = c >= shipped.threshold
            s["auc"] = round(float(roc_auc_score(y, c)), 4) if 0 < y.sum() < len(y) else None
            s["gating_right"] = round(float(y[gating].mean()), 4) if gating.any() else None
            s["gating_share"] = round(float(gating.mean()), 4)
            row["curve"].append({"corrected_pages": k, **s})
            print(f"{site}: {k:>2} corrected pages → P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f}"
                  f"  AUC {s['auc']}  proposals gating {s['gating_share']:.2f}, right {s['gating_right']}", flush=True)
        results.append(row)
    Path(args.out).write_text(json.dumps({"policy": policy.__dict__, "sites": results}, indent=1) + "\n")


if __name__ == "__main__":
    main()
