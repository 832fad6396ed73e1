"""The gate's verdicts on every labelled real page, with the claims the page really makes or the extracted ones.

    .venv/bin/python benchmarks/verdicts_by_claims.py [--claims oracle|all|model] [--gate G]
                                                      [--pages tests/gold/real/pages.tsv] [--show]

- ``oracle``: the proposed claims that match the gold labels — the rules alone, with claim reading as
  good as the proposer allows;
- ``all``: every claim the reader makes, every one gating — the rules on today's claims, no scorer;
- ``model``: the claims the shipped scorer reports, gated at its threshold — what users get. The
  scorer was trained on these pages, so this is in-sample; ``artgate train-scorer --report`` gives the
  held-out figures.

Prints inconsistent pages flagged, clean pages warned and blocked; with ``--show`` also the findings
behind each false alarm and the labels of each missed page. Run it from the repository's root.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def confidences(pages, mode: str):
    """(confidence per proposal per page, reporting policy, gate) for a mode."""
    from extractors.scorer import load_model
    from extractors.training import Policy

    if mode == "oracle":
        return {p.name: p.y.copy() for p in pages}, Policy(0.5), 0.5
    if mode == "all":
        return {p.name: np.ones(len(p.proposals)) for p in pages}, Policy(0.5), 0.0
    model = load_model()
    if model is None:
        sys.exit("no claim scorer ships: use --claims oracle or --claims all")
    conf = {p.name: model.confidence(p.x) if len(p.proposals) else np.zeros(0) for p in pages}
    return conf, Policy(model.emit), model.threshold


def main() -> None:
    from extractors.training import _reported, load_pages, verdicts
    from rules.engine import load_ruleset

    ap = argparse.ArgumentParser()
    ap.add_argument("--claims", choices=("oracle", "all", "model"), default="oracle")
    ap.add_argument("--gate", type=float, default=None)
    ap.add_argument("--pages", default=str(ROOT / "tests" / "gold" / "real" / "pages.tsv"))
    ap.add_argument("--show", action="store_true")
    args = ap.parse_args()
    pages = load_pages([Path(args.pages)])
    conf, policy, gate = confidences(pages, args.claims)
    gate = gate if args.gate is None else args.gate
    v = verdicts(pages, conf, policy, gate)
    print(f"claims={args.claims} gate={gate}: inconsistent flagged {v['flagged']}/{v['inconsistent']} "
          f"({v['flagged_share']:.0%}), clean warned {v['clean_warned']}/{v['clean']} "
          f"({v['clean_warned_share']:.0%}), clean blocked {v['clean_blocked']}")
    if not args.show:
        return
    ruleset = load_ruleset()
    ruleset = replace(ruleset, config=replace(ruleset.config, gate_threshold=gate))
    by_name = {p.name: p for p in pages}
    for name in v["blocked_clean"] + v["warned_clean"]:
        page = by_name[name]
        report = ruleset.check(page.article, replace(page.extraction, assertions=_reported(page, conf[name], policy)))
        print(f"\n== false alarm: {name}")
        for f in report.findings:
            if not f.suppressed and f.severity in ("warning", "blocker"):
                print(f"   {f.severity} {f.rule}: {f.message[:220]}")
    for name in v["missed"]:
        print(f"\n== missed: {name}: the labels say {by_name[name].inconsistencies}")


if __name__ == "__main__":
    main()
