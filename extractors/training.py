"""Training the claim scorer, and the leave-one-site-out measure of it.

    artgate train-scorer [--pages tests/gold/real/pages.tsv] [--extra GOLD.jsonl …] [--out FILE] [--report FILE]

Every labelled real page listed in the pages manifest (``split``, ``file``, ``site``, ``author``; the
gold labels are ``<split>/gold.jsonl`` beside it) is read, every claim the reader proposes on it is
featurised, and each proposal is labelled by the gold set: right when a gold
assertion has its root, target and polarity and its sentence holds the gold sentence (the matching
``artgate eval`` uses). ``--extra`` adds labelled pages in the same gold format (reviewers'
corrections: ``artgate corrections export``), each row naming its ``site``.

The measure: for every site, a model trained on the pages of all *other* sites scores that site's
proposals, and a calibration fitted on the other sites' held-out margins turns them into
confidences; pages of one site never straddle training and test. The pooled held-out confidences
choose the thresholds — ``emit`` for the best F1 of reported claims, and the gate
for the most inconsistent pages warned while at most 10 % of clean pages are warned and none is
blocked — and give the figures in the report: per site, per author kind, for the pages no rule was
developed on, a reliability table, the reporting curve and the gate's curve.

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
from .scorer import FORMAT, Model, model_from_dict, model_in_use

# the model's size and learning settings; see the module docstring for why these
SETTINGS = {"max_iter": 100, "max_depth": 3, "learning_rate": 0.05, "min_samples_leaf": 40,
            "l2_regularization": 5.0}
# pages no rule or layout change was developed on: the batch labelled for training, and the fresh blind
# batch once it was scored
UNREAD = ("batch5/", "blind-40/")
GATE_PRECISION = 0.90  # the claim precision asked of the gate when no threshold meets the verdict targets
MAX_CLEAN_WARNED = 0.10  # the share of clean pages a gate may warn



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
    extraction: object = None  # what the rules read besides the claims (title, levels, abbreviations)
    gold_spans: dict = field(default_factory=dict)  # (root, target, polarity) -> where its gold sentences stand


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
    from .relations import extraction_of, featurized

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
            doc = nlp(article.plain)
            page.proposals, page.x = featurized(article, doc)
            page.extraction = extraction_of(article, doc, [])
            page.gold_spans = _gold_spans(article.text, ga.assertions)
            page.y = np.array([1.0 if _right(p.assertion, ga.assertions) else 0.0 for p in page.proposals])
            pages.append(page)
            if progress:
                progress(page.name)
    return pages


def _gold_spans(text: str, gold: list[Triple]) -> dict:
    from .evaluate import _occurrences

    out: dict = {}
    for g in gold:
        out.setdefault((g.root, g.target, g.polarity), []).extend(_occurrences(text, g.sentence))
    return out


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


def model_dict(clf, cal: tuple[list[float], list[float]], threshold: float, policy: Policy, info: dict) -> dict:
    base, trees = trees_of(clf)
    if trees:  # the baseline margin rides on the first tree's leaves, so a model is trees plus a calibration
        t0 = trees[0]
        t0["value"] = [v + base for v in t0["value"]]
    return {"format": FORMAT, "features": list(NAMES), "trees": trees,
            "calibration": {"x": cal[0], "y": cal[1]}, "threshold": threshold, "emit": policy.emit, "info": info}


def as_model(clf, cal, threshold: float = 0.5) -> Model:
    return model_from_dict(model_dict(clf, cal, threshold, Policy(0.5), {}))


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


@dataclass(frozen=True)
class Policy:
    """Which scored proposals are reported: those at ``emit`` and up (the same test as ``Model.emits``)."""

    emit: float

    def emits(self, proposal) -> bool:
        return proposal.confidence >= self.emit


def _reported(page: Page, conf: np.ndarray, policy: Policy) -> list:
    from .relations import select

    for p, c in zip(page.proposals, conf, strict=True):
        p.confidence = float(c)
    return select(page.proposals, policy)


def score_pages(pages: list[Page], conf: dict[str, np.ndarray], policy: Policy) -> dict:
    """Sentence-level P/R of the claims reported under ``policy``, overall, per site, per author kind and
    for the pages no rule was developed on (``unread``)."""
    total = defaultdict(lambda: [0, 0, 0])
    for page in pages:
        tp, fp, fn = _match(page.gold, _reported(page, conf[page.name], policy))
        keys = ["overall", f"site:{page.site}", f"author:{page.author}"]
        keys.append("unread" if page.name.startswith(UNREAD) else "developed")
        for key in keys:
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


def _said_here(page: Page, a) -> bool:
    """The page makes this claim here: a gold assertion with its root, target and polarity whose sentence
    overlaps the claim's (the ``span`` score of ``artgate eval``), or holds inside it."""
    if _right(a, page.gold):
        return True
    return any(s < a.end and a.start < e for s, e in page.gold_spans.get((a.root, a.target, a.polarity), ()))


def scored_claims(pages: list[Page], conf: dict[str, np.ndarray], policy: Policy) -> list[tuple[float, bool, bool]]:
    """(confidence, right sentence-level, said here) for every reported claim."""
    out = []
    for page in pages:
        for a in _reported(page, conf[page.name], policy):
            out.append((a.confidence, _right(a, page.gold), _said_here(page, a)))
    return out


def reliability(claims: list[tuple[float, bool, bool]]) -> list[dict]:
    """How often reported claims are right, by confidence."""
    edges = [0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0001]
    out = []
    for lo, hi in pairwise(edges):
        inside = [(c, r, s) for c, r, s in claims if lo <= c < hi]
        if inside:
            out.append({"from": lo, "to": min(hi, 1.0), "claims": len(inside),
                        "mean_confidence": round(float(np.mean([c for c, _, _ in inside])), 4),
                        "right": round(sum(r for _, r, _ in inside) / len(inside), 4),
                        "said_here": round(sum(s for _, _, s in inside) / len(inside), 4)})
    return out


def verdicts(pages: list[Page], conf: dict[str, np.ndarray], policy: Policy, gate: float) -> dict:
    """The gate's verdicts on every labelled page with the held-out confidences: inconsistent pages
    warned or blocked, clean pages warned or blocked (pages whose labels say nothing are skipped)."""
    from dataclasses import replace

    from rules.engine import load_ruleset

    ruleset = load_ruleset()
    ruleset = replace(ruleset, config=replace(ruleset.config, gate_threshold=gate))
    out = {"inconsistent": 0, "flagged": 0, "clean": 0, "clean_warned": 0, "clean_blocked": 0,
           "missed": [], "warned_clean": [], "blocked_clean": []}
    for page in pages:
        if page.inconsistencies is None or page.article is None:
            continue
        extraction = replace(page.extraction, assertions=_reported(page, conf[page.name], policy))
        live = [f for f in ruleset.check(page.article, extraction).findings if not f.suppressed]
        blocked = any(f.severity == "blocker" for f in live)
        warned = any(f.severity == "warning" for f in live)
        if page.inconsistencies:
            out["inconsistent"] += 1
            out["flagged"] += blocked or warned
            if not (blocked or warned):
                out["missed"].append(page.name)
        else:
            out["clean"] += 1
            out["clean_blocked"] += blocked
            out["clean_warned"] += warned and not blocked
            if blocked:
                out["blocked_clean"].append(page.name)
            elif warned:
                out["warned_clean"].append(page.name)
    out["flagged_share"] = round(out["flagged"] / max(1, out["inconsistent"]), 4)
    out["clean_warned_share"] = round(out["clean_warned"] / max(1, out["clean"]), 4)
    return out


def choose_policy(pages: list[Page], conf: dict[str, np.ndarray]) -> tuple[Policy, list[dict]]:
    """The reporting threshold with the best F1 of reported claims on the held-out confidences (ties: the
    more precise, then the lower)."""
    curve = []
    for emit in [round(v, 2) for v in np.arange(0.0, 0.95, 0.05)]:
        curve.append({"emit": emit, **score_pages(pages, conf, Policy(emit))["overall"]})
    best = max(curve, key=lambda g: (g["f1"], g["precision"], -g["emit"]))
    return Policy(best["emit"]), curve


def choose_gate(pages: list[Page], conf: dict[str, np.ndarray], policy: Policy,
                claims: list[tuple[float, bool, bool]]) -> tuple[float, list[dict]]:
    """The gate: the threshold, on the held-out confidences, at which the most inconsistent pages are
    warned or blocked while at most ``MAX_CLEAN_WARNED`` of clean pages are warned and none is blocked
    (ties: the fewest clean pages warned, then the lowest, so the most claims gate); with no such
    threshold, the lowest confidence at which
    gating claims are right ``GATE_PRECISION`` of the time. Returns the gate and the verdicts at every
    threshold tried."""
    curve = []
    for t in [round(v, 2) for v in np.arange(0.5, 0.96, 0.01)]:
        v = verdicts(pages, conf, policy, t)
        curve.append({"gate": t, **{k: x for k, x in v.items() if not isinstance(x, list)},
                      "claim_precision": _precision_at(claims, t)})
    fit = [c for c in curve if c["clean_warned_share"] <= MAX_CLEAN_WARNED and not c["clean_blocked"]]
    if fit:
        best = max(fit, key=lambda c: (c["flagged_share"], -c["clean_warned_share"], -c["gate"]))
        return best["gate"], curve
    return _precision_gate(claims), curve


def _precision_at(claims: list[tuple[float, bool, bool]], t: float) -> float:
    above = [s for c, _, s in claims if c >= t]
    return round(sum(above) / len(above), 4) if above else 1.0


def _precision_gate(claims: list[tuple[float, bool, bool]]) -> float:
    """The lowest confidence at which the reported claims at or above it are said where they are read at
    least ``GATE_PRECISION`` of the time."""
    ordered = sorted(claims, key=lambda c: -c[0])
    gate, said = 1.0, 0
    for i, (c, _, s) in enumerate(ordered, start=1):
        said += s
        if said / i >= GATE_PRECISION:
            gate = c
    return round(float(gate), 4)


def train(manifests: list[Path], extra: list[Path], out: Path, report: Path | None,
          progress: Callable[[str], None] | None = None) -> dict:
    """Cross-validate, choose the thresholds, train on every page and write the model (and the report)."""
    with model_in_use(None):  # never the model being replaced: it may be stale, or not there at all
        return _train(manifests, extra, out, report, progress)


def _train(manifests: list[Path], extra: list[Path], out: Path, report: Path | None,
           progress: Callable[[str], None] | None) -> dict:
    pages = load_pages(manifests, extra, progress)
    if not pages or not any(len(p.proposals) for p in pages):
        raise SystemExit("artgate: error: no labelled page proposes any claim; nothing to train on")
    cv = cross_validate(pages, progress)
    conf = cv["confidence"]
    policy, grid = choose_policy(pages, conf)
    claims = scored_claims(pages, conf, policy)
    gate, gate_curve = choose_gate(pages, conf, policy, claims)
    scores = score_pages(pages, conf, policy)
    gating = [c for c in claims if c[0] >= gate]
    x = np.vstack([p.x for p in pages if len(p.proposals)])
    y = np.concatenate([p.y for p in pages if len(p.proposals)])
    clf = fit(x, y)
    margins = np.concatenate([cv["margin"][p.name] for p in pages if len(p.proposals)])
    cal = calibration(margins, y)
    info = {"pages": len(pages), "sites": len({p.site for p in pages}), "proposals": len(y),
            "right_proposals": int(y.sum()), "settings": SETTINGS, "max_clean_warned": MAX_CLEAN_WARNED,
            "gate_claim_precision": _precision_at(claims, gate)}
    data = model_dict(clf, cal, gate, policy, info)
    out.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
    reader_only = {p.name: np.ones(len(p.proposals)) for p in pages}
    result = {
        "pages": len(pages), "sites": len({p.site for p in pages}), "emit": policy.emit, "gate": gate,
        "overall": scores["overall"], "developed": scores.get("developed"), "unread": scores.get("unread"),
        "reader_alone": score_pages(pages, reader_only, Policy(0.0))["overall"],
        "gating_claims": {"claims": len(gating), "share": round(len(gating) / max(1, len(claims)), 4),
                          "right": round(sum(r for _, r, _ in gating) / max(1, len(gating)), 4),
                          "said_here": round(sum(s for _, _, s in gating) / max(1, len(gating)), 4)},
        "by_author": {k.split(":", 1)[1]: v for k, v in scores.items() if k.startswith("author:")},
        "by_site": {k.split(":", 1)[1]: v for k, v in sorted(scores.items()) if k.startswith("site:")},
        "reliability": reliability(claims),
        "verdicts": verdicts(pages, conf, policy, gate),
        "ungated": {k: v for k, v in verdicts(pages, conf, policy, 0.0).items() if not isinstance(v, list)},
        "gate_curve": gate_curve,
        "reporting_curve": grid,
    }
    if report is not None:
        report.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return result


def default_model_path() -> Path:
    return Path(__file__).parent / "data" / "claim_scorer.json"


def summary(result: dict) -> str:
    """The training run in a few lines: the measure, the thresholds and the gate's verdicts."""
    o, v, g = result["overall"], result["verdicts"], result["gating_claims"]
    lines = [
        f"{result['pages']} labelled pages from {result['sites']} sites",
        f"leave-one-site-out, sentence level: P {o['precision']:.3f}  R {o['recall']:.3f}  F1 {o['f1']:.3f}"
        f"  (the reader alone: P {result['reader_alone']['precision']:.3f}  R {result['reader_alone']['recall']:.3f})",
        f"thresholds: claims reported from confidence {result['emit']}, gating from {result['gate']}",
        f"gating claims: {g['claims']} ({g['share']:.0%} of those reported), {g['said_here']:.3f} said where read",
        f"verdicts at the gate: {v['flagged']}/{v['inconsistent']} inconsistent pages flagged, "
        f"{v['clean_warned']}/{v['clean']} clean pages warned, {v['clean_blocked']} blocked",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    from flows.cli import main as cli

    return cli(["train-scorer", *(argv if argv is not None else sys.argv[1:])])


if __name__ == "__main__":
    sys.exit(main())
