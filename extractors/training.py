"""Training the claim scorer, and the leave-one-site-out measure of it.

    artgate train-scorer [--pages tests/gold/real/pages.tsv] [--extra GOLD.jsonl …] [--out FILE] [--report FILE]

Every labelled real page listed in the pages manifest (``split``, ``file``, ``site``, ``author``; the
gold labels are ``<split>/gold.jsonl`` beside it) is read, every claim the reader and the layout
shapes propose on it is featurised, and each proposal is labelled by the gold set: right when a gold
assertion has its root, target and polarity and its sentence holds the gold sentence (the matching
``artgate eval`` uses). ``--extra`` adds labelled pages in the same gold format (reviewers'
corrections: ``artgate corrections export``), each row naming its ``site``.

The measure: for every site, a model trained on the pages of all *other* sites scores that site's
proposals, and a calibration fitted on the other sites' held-out margins turns them into
confidences; pages of one site never straddle training and test. The pooled held-out confidences
choose the two thresholds (``emit``: the best F1 of reported claims; the gate: the lowest confidence
at which gating claims are right ≥ 95 % of the time) and give the figures in the report: per site,
per author kind, a reliability table and the precision–recall curve.

The shipped model is then trained on every page, with the calibration fitted on all held-out
margins. Training is deterministic: the same pages give the same file, byte for byte.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import numpy as np

from .evaluate import Triple, _norm, load_gold
from .features import NAMES
from .ingest import read_path
from .scorer import FORMAT, Model, model_from_dict

# the model's size and learning settings; see the module docstring for why these
SETTINGS = {"max_iter": 150, "max_depth": 4, "learning_rate": 0.08, "min_samples_leaf": 12,
            "l2_regularization": 1.0, "max_leaf_nodes": 15}
GATE_PRECISION = 0.95


@dataclass
class Page:
    name: str  # split/file, for the report
    site: str
    author: str
    gold: list[Triple]
    inconsistencies: list | None
    article: object = None
    proposals: list = field(default_factory=list)
    x: np.ndarray | None = None
    y: np.ndarray | None = None


def read_manifest(path: Path) -> list[tuple[Path, str, str, str]]:
    """(gold file, page file name, site, author) for every row of a pages manifest."""
    out = []
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            out.append((path.parent / row["split"] / "gold.jsonl", row["file"], row["site"], row["author"]))
    return out


def load_pages(manifests: list[Path], extra: list[Path] = (), progress: Callable[[str], None] | None = None
               ) -> list[Page]:
    """Every labelled page, read, proposed on and featurised."""
    from .pipeline import get_nlp
    from .relations import featurized

    wanted: list[tuple[Path, str, str, str]] = []
    for m in manifests:
        wanted += read_manifest(m)
    by_gold: dict[Path, dict[str, tuple[str, str]]] = defaultdict(dict)
    for gold, file, site, author in wanted:
        by_gold[gold][file] = (site, author)
    pages: list[Page] = []
    sources = [(g, files) for g, files in by_gold.items()] + [(Path(e), None) for e in extra]
    nlp = get_nlp()
    for gold_path, files in sources:
        rows = {json.loads(line)["file"]: json.loads(line) for line in
                Path(gold_path).read_text(encoding="utf-8").splitlines() if line.strip()}
        for ga in load_gold(gold_path):
            name = ga.file.name
            if files is not None and name not in files:
                continue
            site, author = files[name] if files is not None else (rows[name].get("site", "corrections"),
                                                                  rows[name].get("author", "corrections"))
            article = read_path(ga.file)[0]
            page = Page(f"{Path(gold_path).parent.name}/{name}", site, author, ga.assertions, ga.inconsistencies,
                        article)
            page.proposals, page.x = featurized(article, nlp(article.plain))
            page.y = np.array([1.0 if _right(p.assertion, ga.assertions) else 0.0 for p in page.proposals])
            pages.append(page)
            if progress:
                progress(page.name)
    return pages


def _right(a, gold: list[Triple]) -> bool:
    said = _norm(a.sentence)
    return any(g.root == a.root and g.target == a.target and g.polarity == a.polarity and _norm(g.sentence) in said
               for g in gold)


def fit(x: np.ndarray, y: np.ndarray):
    from sklearn.ensemble import HistGradientBoostingClassifier

    clf = HistGradientBoostingClassifier(early_stopping=False, random_state=0, **SETTINGS)
    return clf.fit(x, y)


def trees_of(clf) -> tuple[float, list[dict]]:
    """The fitted trees as plain lists: (baseline margin, trees)."""
    trees = []
    for it in clf._predictors:  # one predictor per iteration for two classes
        nodes = it[0].nodes
        leaf = nodes["is_leaf"].astype(bool)
        trees.append({
            "feature": [-1 if lf else int(f) for f, lf in zip(nodes["feature_idx"], leaf, strict=True)],
            "threshold": [0.0 if lf else float(t) for t, lf in zip(nodes["num_threshold"], leaf, strict=True)],
            "left": [int(v) for v in nodes["left"]],
            "right": [int(v) for v in nodes["right"]],
            "value": [float(v) for v in nodes["value"]],
            "depth": int(nodes["depth"].max()) if len(nodes) else 0,
        })
    return float(np.ravel(clf._baseline_prediction)[0]), trees


def calibration(margins: np.ndarray, y: np.ndarray) -> tuple[list[float], list[float]]:
    """An isotonic map from margin to probability, as breakpoints for linear interpolation."""
    from sklearn.isotonic import IsotonicRegression

    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(margins, y)
    xs, ys = iso.X_thresholds_, iso.y_thresholds_
    return [round(float(v), 6) for v in xs], [round(float(v), 6) for v in ys]


def model_dict(clf, cal: tuple[list[float], list[float]], threshold: float, emit: float, info: dict) -> dict:
    base, trees = trees_of(clf)
    if trees:  # the baseline margin rides on the first tree's leaves, so a model is trees plus a calibration
        t0 = trees[0]
        t0["value"] = [v + base for v in t0["value"]]
    return {"format": FORMAT, "features": list(NAMES), "trees": trees,
            "calibration": {"x": cal[0], "y": cal[1]}, "threshold": threshold, "emit": emit, "info": info}


def as_model(clf, cal, threshold=0.5, emit=0.5) -> Model:
    return model_from_dict(model_dict(clf, cal, threshold, emit, {}))


def cross_validate(pages: list[Page], progress: Callable[[str], None] | None = None) -> dict[str, np.ndarray]:
    """Held-out margins and cross-fitted confidences for every proposal, one site left out at a time."""
    sites = sorted({p.site for p in pages})
    margin = {p.name: np.zeros(len(p.proposals)) for p in pages}
    for k, site in enumerate(sites, start=1):
        train = [p for p in pages if p.site != site and len(p.proposals)]
        test = [p for p in pages if p.site == site and len(p.proposals)]
        if not test:
            continue
        clf = fit(np.vstack([p.x for p in train]), np.concatenate([p.y for p in train]))
        m = as_model(clf, ([-1e9, 1e9], [0.0, 1.0]))
        for p in test:
            margin[p.name] = m.margin(p.x)
        if progress:
            progress(f"fold {k}/{len(sites)}: {site}")
    conf = {}
    for site in sites:  # calibration fitted on the other sites' held-out margins
        others = [p for p in pages if p.site != site and len(p.proposals)]
        cal = calibration(np.concatenate([margin[p.name] for p in others]), np.concatenate([p.y for p in others]))
        for p in pages:
            if p.site == site:
                conf[p.name] = np.interp(margin[p.name], cal[0], cal[1]) if len(p.proposals) else np.zeros(0)
    return {"margin": margin, "confidence": conf}


def score_pages(pages: list[Page], conf: dict[str, np.ndarray], emit: float) -> dict:
    """Sentence-level P/R of the claims reported at ``emit``, overall, per site and per author kind."""
    from .relations import select

    total = defaultdict(lambda: [0, 0, 0])
    for page in pages:
        for p, c in zip(page.proposals, conf[page.name], strict=True):
            p.confidence = float(c)
        reported = select(page.proposals, emit)
        tp, fp, fn = _match(page.gold, reported)
        for key in ("overall", f"site:{page.site}", f"author:{page.author}"):
            t = total[key]
            t[0] += tp
            t[1] += fp
            t[2] += fn
    return {k: _prf(*v) for k, v in total.items()}


def _match(gold: list[Triple], reported) -> tuple[int, int, int]:
    unmatched = list(reported)
    tp = 0
    for g in gold:
        gs = _norm(g.sentence)
        hit = next((a for a in unmatched if (a.root, a.target, a.polarity) == (g.root, g.target, g.polarity)
                    and gs in _norm(a.sentence)), None)
        if hit is not None:
            unmatched.remove(hit)
            tp += 1
    return tp, len(unmatched), len(gold) - tp


def _prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": round(p, 4), "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def reliability(pages: list[Page], conf: dict[str, np.ndarray], emit: float) -> list[dict]:
    """How often claims reported at each confidence are right (a claim is right when it matches gold)."""
    from .relations import select

    scored = []
    for page in pages:
        for p, c in zip(page.proposals, conf[page.name], strict=True):
            p.confidence = float(c)
        for a in select(page.proposals, emit):
            scored.append((a.confidence, _right(a, page.gold)))
    edges = [0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0001]
    out = []
    for lo, hi in pairwise(edges):
        inside = [ok for c, ok in scored if lo <= c < hi]
        if inside:
            out.append({"from": lo, "to": min(hi, 1.0), "claims": len(inside),
                        "right": round(sum(inside) / len(inside), 4),
                        "mean_confidence": round(float(np.mean([c for c, _ in scored if lo <= c < hi])), 4)})
    return out


def choose_thresholds(pages: list[Page], conf: dict[str, np.ndarray]) -> tuple[float, float, list[dict]]:
    """(emit, gate, curve): emit at the best F1 of reported claims; the gate at the lowest confidence at
    which reported claims at or above it are right at least ``GATE_PRECISION`` of the time."""
    curve = []
    for t in [round(v, 2) for v in np.arange(0.05, 1.0, 0.05)]:
        s = score_pages(pages, conf, t)["overall"]
        curve.append({"threshold": t, **s})
    emit = max(curve, key=lambda c: (c["f1"], -c["threshold"]))["threshold"]
    from .relations import select

    scored = []
    for page in pages:
        for p, c in zip(page.proposals, conf[page.name], strict=True):
            p.confidence = float(c)
        scored += [(a.confidence, _right(a, page.gold)) for a in select(page.proposals, emit)]
    scored.sort(key=lambda s: -s[0])
    gate, right = 1.0, 0
    for i, (c, ok) in enumerate(scored, start=1):
        right += ok
        if right / i >= GATE_PRECISION:
            gate = c
    gate = max(gate, emit)
    return emit, round(float(gate), 4), curve


def train(manifests: list[Path], extra: list[Path], out: Path, report: Path | None,
          progress: Callable[[str], None] | None = None) -> dict:
    """Cross-validate, choose the thresholds, train on every page and write the model (and the report)."""
    pages = load_pages(manifests, extra, progress)
    if not pages or not any(len(p.proposals) for p in pages):
        raise SystemExit("artgate: error: no labelled page proposes any claim; nothing to train on")
    cv = cross_validate(pages, progress)
    conf = cv["confidence"]
    emit, gate, curve = choose_thresholds(pages, conf)
    scores = score_pages(pages, conf, emit)
    gated = score_pages(pages, conf, gate)
    x = np.vstack([p.x for p in pages if len(p.proposals)])
    y = np.concatenate([p.y for p in pages if len(p.proposals)])
    clf = fit(x, y)
    margins = np.concatenate([cv["margin"][p.name] for p in pages if len(p.proposals)])
    cal = calibration(margins, y)
    info = {"pages": len(pages), "sites": len({p.site for p in pages}), "proposals": len(y),
            "right_proposals": int(y.sum()), "settings": SETTINGS, "gate_precision": GATE_PRECISION}
    data = model_dict(clf, cal, gate, emit, info)
    out.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
    result = {
        "pages": len(pages), "sites": len({p.site for p in pages}), "emit": emit, "gate": gate,
        "overall": scores["overall"], "gating_claims": gated["overall"],
        "by_author": {k.split(":", 1)[1]: v for k, v in scores.items() if k.startswith("author:")},
        "by_site": {k.split(":", 1)[1]: v for k, v in sorted(scores.items()) if k.startswith("site:")},
        "reliability": reliability(pages, conf, emit), "curve": curve,
    }
    if report is not None:
        report.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return result


def main(argv: list[str] | None = None) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="artgate train-scorer")
    p.add_argument("--pages", action="append", type=Path, help="pages manifest (default tests/gold/real/pages.tsv)")
    p.add_argument("--extra", action="append", type=Path, default=[], help="more labelled pages (gold JSON Lines)")
    p.add_argument("--out", type=Path, default=Path(__file__).parent / "data" / "claim_scorer.json")
    p.add_argument("--report", type=Path, default=None)
    args = p.parse_args(argv)
    manifests = args.pages or [Path("tests/gold/real/pages.tsv")]
    result = train(manifests, args.extra, args.out, args.report,
                   lambda s: print(f"\r\x1b[K{s}", end="", file=sys.stderr, flush=True))
    print(file=sys.stderr)
    o = result["overall"]
    print(f"{result['pages']} pages from {result['sites']} sites; emit {result['emit']}, gate {result['gate']}")
    print(f"leave-one-site-out: P {o['precision']:.3f} R {o['recall']:.3f} F1 {o['f1']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
