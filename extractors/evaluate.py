"""Scoring extraction against a gold set: precision, recall and F1 on sentence-level triples.

A gold file is JSON Lines, one article per line::

    {"file": "articles/07-muscles-lower.txt",
     "assertions": [{"root": "L4", "target": "ankle_dorsiflexion", "polarity": "affirmed",
                     "sentence": "The tibialis anterior is supplied mainly by the L4 root"}]}

``file`` is relative to the gold file. A predicted assertion matches a gold
one when root, target and polarity are equal and the gold ``sentence`` (any
distinctive part of it) occurs in the predicted sentence, compared on letters
and digits only so markup and spacing do not matter. Each gold row matches at
most one prediction.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DataFileError, Errors
from .ingest import read_path
from .lexicon import load_lexicon
from .relations import extract
from .types import POLARITIES


@dataclass(frozen=True)
class Triple:
    file: str
    root: str
    target: str
    polarity: str
    sentence: str


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


@dataclass
class Evaluation:
    overall: Score = field(default_factory=Score)
    by_kind: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    by_polarity: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    false_positives: list[Triple] = field(default_factory=list)
    false_negatives: list[Triple] = field(default_factory=list)
    articles: int = 0

    def as_dict(self) -> dict:
        return {
            "articles": self.articles,
            "overall": self.overall.as_dict(),
            "by_target_kind": {k: v.as_dict() for k, v in sorted(self.by_kind.items())},
            "by_polarity": {k: v.as_dict() for k, v in sorted(self.by_polarity.items())},
            "false_positives": [t.__dict__ for t in self.false_positives],
            "false_negatives": [t.__dict__ for t in self.false_negatives],
        }


def _norm(s: str) -> str:
    return re.sub(r"[^a-z0-9]", "", s.lower())


def load_gold(path: str | Path) -> list[tuple[Path, list[Triple]]]:
    path = Path(path)
    out = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DataFileError(Errors.E010.format(path=path, reason=exc.strerror or exc)) from exc
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            file = path.parent / row["file"]
            gold = [Triple(row["file"], a["root"], a["target"], a["polarity"], a["sentence"])
                    for a in row["assertions"]]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise DataFileError(Errors.E010.format(path=f"{path}:{n}", reason=f"bad gold row ({exc})")) from exc
        for t in gold:
            if t.polarity not in POLARITIES:
                raise DataFileError(Errors.E010.format(path=f"{path}:{n}", reason=f"bad polarity {t.polarity!r}"))
        out.append((file, gold))
    return out


def evaluate(gold_path: str | Path) -> Evaluation:
    kinds = load_lexicon().kinds
    ev = Evaluation()
    for file, gold in load_gold(gold_path):
        ev.articles += 1
        rel = gold[0].file if gold else str(file)
        predicted = [Triple(rel, a.root, a.target, a.polarity, a.sentence)
                     for article in read_path(file) for a in extract(article)]
        unmatched = list(predicted)
        for g in gold:
            key = _norm(g.sentence)
            hit = next((p for p in unmatched if (p.root, p.target, p.polarity) == (g.root, g.target, g.polarity)
                        and key in _norm(p.sentence)), None)
            scores = (ev.overall, ev.by_kind[kinds.get(g.target, "unknown")], ev.by_polarity[g.polarity])
            if hit is None:
                ev.false_negatives.append(Triple(str(file.name), g.root, g.target, g.polarity, g.sentence))
                for s in scores:
                    s.fn += 1
            else:
                unmatched.remove(hit)
                for s in scores:
                    s.tp += 1
        for p in unmatched:
            ev.false_positives.append(Triple(str(file.name), p.root, p.target, p.polarity, p.sentence))
            for s in (ev.overall, ev.by_kind[kinds.get(p.target, "unknown")], ev.by_polarity[p.polarity]):
                s.fp += 1
    return ev


def render(ev: Evaluation) -> str:
    def row(name: str, s: Score) -> str:
        return (f"  {name:<12} P {s.precision:6.3f}  R {s.recall:6.3f}  F1 {s.f1:6.3f}   "
                f"(tp {s.tp}, fp {s.fp}, fn {s.fn})")

    lines = [f"{ev.articles} articles, {ev.overall.tp + ev.overall.fn} gold assertions", row("overall", ev.overall),
             "by target kind:"]
    lines += [row(k, v) for k, v in sorted(ev.by_kind.items())]
    lines.append("by polarity:")
    lines += [row(k, v) for k, v in sorted(ev.by_polarity.items())]
    for title, items in (("false positives", ev.false_positives), ("false negatives", ev.false_negatives)):
        lines.append(f"{title} ({len(items)}):")
        lines += [f"  {t.file}: {t.root} -> {t.target} [{t.polarity}]  \"{t.sentence}\"" for t in items]
    return "\n".join(lines) + "\n"
