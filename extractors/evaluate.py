"""Scoring extraction against a gold set: precision, recall and F1 on sentence-level triples.

A gold file is JSON Lines, one article per line::

    {"file": "articles/07-muscles-lower.txt",
     "assertions": [{"root": "L4", "target": "ankle_dorsiflexion", "polarity": "affirmed",
                     "sentence": "The tibialis anterior is supplied mainly by the L4 root"}],
     "inconsistencies": []}

``file`` is relative to the gold file. A predicted assertion matches a gold
one when root, target and polarity are equal and the gold ``sentence`` (any
distinctive part of it) occurs in the predicted sentence, compared on letters
and digits only so markup and spacing do not matter. Each gold row matches at
most one prediction.

A second, looser score (``span``) also counts a prediction whose sentence span
overlaps the gold sentence in the file: it forgives a different sentence
boundary ("Fig. 8-38. Brachioradialis reflex (C6)." split after "8-38.") but
nothing else. The strict score is the headline.

When gold rows carry ``inconsistencies`` (a list; empty means the page is
clean) and a ``check`` function is given, the verdicts are scored too: how many
inconsistent pages get a warning or a blocker, and how many clean pages are
blocked or warned — what decides whether a gate is trusted.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DataFileError, Errors
from .ingest import read_path
from .lexicon import load_lexicon
from .relations import extract
from .types import POLARITIES, Article, Assertion, Report


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
class Verdicts:
    """The gate's verdicts against the article-level labels."""

    inconsistent: int = 0
    flagged: int = 0  # inconsistent pages with at least one warning or blocker
    clean: int = 0
    clean_blocked: int = 0
    clean_warned: int = 0  # clean pages with a warning but no blocker
    missed: list[str] = field(default_factory=list)  # inconsistent pages with neither
    blocked_clean: list[tuple[str, list[str]]] = field(default_factory=list)  # (file, blocker rules)
    warned_clean: list[tuple[str, list[str]]] = field(default_factory=list)  # (file, warning rules)

    def add(self, file: str, inconsistencies: list, report: Report) -> None:
        live = [f for f in report.findings if not f.suppressed]
        blockers = sorted({f.rule for f in live if f.severity == "blocker"})
        warnings = sorted({f.rule for f in live if f.severity == "warning"})
        if inconsistencies:
            self.inconsistent += 1
            if blockers or warnings:
                self.flagged += 1
            else:
                self.missed.append(file)
        else:
            self.clean += 1
            if blockers:
                self.clean_blocked += 1
                self.blocked_clean.append((file, blockers))
            elif warnings:
                self.clean_warned += 1
                self.warned_clean.append((file, warnings))

    def as_dict(self) -> dict:
        def share(n: int, d: int) -> float:
            return round(n / d, 4) if d else 0.0

        return {
            "inconsistent_pages": self.inconsistent, "inconsistent_flagged": self.flagged,
            "inconsistent_flagged_share": share(self.flagged, self.inconsistent),
            "clean_pages": self.clean, "clean_blocked": self.clean_blocked,
            "clean_warned": self.clean_warned, "clean_warned_share": share(self.clean_warned, self.clean),
            "missed": self.missed,
            "blocked_clean": [{"file": f, "rules": r} for f, r in self.blocked_clean],
            "warned_clean": [{"file": f, "rules": r} for f, r in self.warned_clean],
        }


@dataclass
class Evaluation:
    overall: Score = field(default_factory=Score)
    span: Score = field(default_factory=Score)
    by_kind: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    by_polarity: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    false_positives: list[Triple] = field(default_factory=list)
    false_negatives: list[Triple] = field(default_factory=list)
    verdicts: Verdicts | None = None
    articles: int = 0

    def as_dict(self) -> dict:
        out = {
            "articles": self.articles,
            "overall": self.overall.as_dict(),
            "span_overlap": self.span.as_dict(),
            "by_target_kind": {k: v.as_dict() for k, v in sorted(self.by_kind.items())},
            "by_polarity": {k: v.as_dict() for k, v in sorted(self.by_polarity.items())},
            "false_positives": [t.__dict__ for t in self.false_positives],
            "false_negatives": [t.__dict__ for t in self.false_negatives],
        }
        if self.verdicts is not None:
            out["verdicts"] = self.verdicts.as_dict()
        return out


@dataclass(frozen=True)
class GoldArticle:
    file: Path
    assertions: list[Triple]
    inconsistencies: list[str] | None  # None: the row does not say


def _norm(s: str) -> str:
    return re.sub(r"[^a-z0-9]", "", s.lower())


def load_gold(path: str | Path) -> list[GoldArticle]:
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
            inconsistencies = row.get("inconsistencies")
            if inconsistencies is not None and not isinstance(inconsistencies, list):
                raise TypeError("'inconsistencies' must be a list")
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise DataFileError(Errors.E010.format(path=f"{path}:{n}", reason=f"bad gold row ({exc})")) from exc
        for t in gold:
            if t.polarity not in POLARITIES:
                raise DataFileError(Errors.E010.format(path=f"{path}:{n}", reason=f"bad polarity {t.polarity!r}"))
        out.append(GoldArticle(file, gold, inconsistencies))
    return out


def _occurrences(text: str, sentence: str) -> list[tuple[int, int]]:
    """Where a gold sentence stands in the article text (exact, else on collapsed whitespace)."""
    spans = [(m.start(), m.end()) for m in re.finditer(re.escape(sentence), text)]
    if not spans:
        loose = r"\s+".join(re.escape(w) for w in sentence.split())
        spans = [(m.start(), m.end()) for m in re.finditer(loose, text)] if loose else []
    return spans


def _match(gold: list[Triple], predicted: list[tuple[Triple, Assertion]],
           hit: Callable[[Triple, Triple, Assertion], bool]) -> tuple[list[Triple], list[Triple]]:
    """Greedy one-to-one matching; returns (unmatched gold, unmatched predictions)."""
    unmatched = list(predicted)
    missed = []
    for g in gold:
        found = next((p for p in unmatched if (p[0].root, p[0].target, p[0].polarity) == (g.root, g.target, g.polarity)
                      and hit(g, *p)), None)
        if found is None:
            missed.append(g)
        else:
            unmatched.remove(found)
    return missed, [p[0] for p in unmatched]


def evaluate(gold_path: str | Path, check: Callable[[Article], Report] | None = None) -> Evaluation:
    """Score a gold set; with ``check`` (article -> report) also score the verdicts."""
    kinds = load_lexicon().kinds
    ev = Evaluation()
    gold_articles = load_gold(gold_path)
    if check is not None and any(g.inconsistencies is not None for g in gold_articles):
        ev.verdicts = Verdicts()
    for ga in gold_articles:
        ev.articles += 1
        name = ga.file.name
        articles = read_path(ga.file)
        predicted: list[tuple[Triple, Assertion]] = []
        for article in articles:
            if check is not None:
                report = check(article)
                assertions = list(report.assertions)
                if ev.verdicts is not None and ga.inconsistencies is not None:
                    ev.verdicts.add(name, ga.inconsistencies, report)
            else:
                assertions = extract(article)
            predicted += [(Triple(name, a.root, a.target, a.polarity, a.sentence), a) for a in assertions]
        text = articles[0].text if articles else ""
        gold = [Triple(name, g.root, g.target, g.polarity, g.sentence) for g in ga.assertions]

        missed, extra = _match(gold, predicted, lambda g, p, a: _norm(g.sentence) in _norm(p.sentence))
        missed_ids = {id(g) for g in missed}
        for g in gold:
            scores = (ev.overall, ev.by_kind[kinds.get(g.target, "unknown")], ev.by_polarity[g.polarity])
            if id(g) in missed_ids:
                ev.false_negatives.append(g)
            for s in scores:
                if id(g) in missed_ids:
                    s.fn += 1
                else:
                    s.tp += 1
        for p in extra:
            ev.false_positives.append(p)
            for s in (ev.overall, ev.by_kind[kinds.get(p.target, "unknown")], ev.by_polarity[p.polarity]):
                s.fp += 1

        where = {g.sentence: _occurrences(text, g.sentence) for g in gold}
        missed, extra = _match(gold, predicted, lambda g, p, a, where=where: _norm(g.sentence) in _norm(
            p.sentence) or any(s < a.end and a.start < e for s, e in where[g.sentence]))
        ev.span.tp += len(gold) - len(missed)
        ev.span.fn += len(missed)
        ev.span.fp += len(extra)
    return ev


def render(ev: Evaluation) -> str:
    def row(name: str, s: Score) -> str:
        return (f"  {name:<12} P {s.precision:6.3f}  R {s.recall:6.3f}  F1 {s.f1:6.3f}   "
                f"(tp {s.tp}, fp {s.fp}, fn {s.fn})")

    lines = [f"{ev.articles} articles, {ev.overall.tp + ev.overall.fn} gold assertions", row("overall", ev.overall),
             row("span", ev.span), "by target kind:"]
    lines += [row(k, v) for k, v in sorted(ev.by_kind.items())]
    lines.append("by polarity:")
    lines += [row(k, v) for k, v in sorted(ev.by_polarity.items())]
    v = ev.verdicts
    if v is not None:
        lines += [
            "verdicts:",
            f"  inconsistent pages flagged (warning or blocker): {v.flagged}/{v.inconsistent}",
            f"  clean pages blocked: {v.clean_blocked}/{v.clean}",
            f"  clean pages warned (no blocker): {v.clean_warned}/{v.clean}",
        ]
        lines += [f"  missed: {f}" for f in v.missed]
        lines += [f"  blocked clean: {f} ({', '.join(r)})" for f, r in v.blocked_clean]
        lines += [f"  warned clean: {f} ({', '.join(r)})" for f, r in v.warned_clean]
    for title, items in (("false positives", ev.false_positives), ("false negatives", ev.false_negatives)):
        lines.append(f"{title} ({len(items)}):")
        lines += [f"  {t.file}: {t.root} -> {t.target} [{t.polarity}]  \"{t.sentence}\"" for t in items]
    return "\n".join(lines) + "\n"

