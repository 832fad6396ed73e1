"""A Great Expectations suite over the assertions table: is the extraction's output sound?

The suite checks what every later rule relies on: roots are spinal roots,
targets and kinds come from the vocabulary, polarity is one of three values,
every span lies inside its article's text and runs forward, every assertion
has a section, and no assertion row appears twice. A failed expectation
becomes an ``extraction.*`` finding (warning): the article is not blocked for
it, but the report says the extraction it rests on is suspect.

Great Expectations takes about 3 s to import, so only batch runs and
``artgate check --validate`` import this module.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import great_expectations as gx
import pandas as pd
from great_expectations.data_context.types.base import ProgressBarsConfig

from extractors.lexicon import load_lexicon
from extractors.roots import ORDER
from extractors.types import POLARITIES, Finding, Report

# expectation name (also the finding's rule id after 'extraction.') and what it means
MEANING = {
    "valid-root": "root is not a spinal root (C1–C8, T1–T12, L1–L5, S1–S5)",
    "known-target": "target is not in the vocabulary",
    "target-kind": "target_kind is not movement or reflex",
    "polarity": "polarity is not affirmed, negated or uncertain",
    "section": "assertion has no section",
    "span-in-text": "span ends past the end of the article text",
    "span-start": "span starts before the article text",
    "span-order": "span ends before it starts",
    "duplicate-assertion": "the same assertion row appears twice",
}


@dataclass(frozen=True)
class Failure:
    name: str
    unexpected: int
    examples: tuple


def _validation():
    return _context_and_validation()[1]


@lru_cache(maxsize=1)
def _context_and_validation():
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch = (ctx.data_sources.add_pandas("artgate").add_dataframe_asset("assertions")
             .add_batch_definition_whole_dataframe("all"))
    suite = ctx.suites.add(gx.ExpectationSuite(name="artgate.assertions"))
    x = gx.expectations
    for name, exp in (
        ("valid-root", x.ExpectColumnValuesToBeInSet(column="root", value_set=list(ORDER))),
        ("known-target", x.ExpectColumnValuesToBeInSet(column="target", value_set=sorted(load_lexicon().kinds))),
        ("target-kind", x.ExpectColumnValuesToBeInSet(column="target_kind", value_set=["movement", "reflex"])),
        ("polarity", x.ExpectColumnValuesToBeInSet(column="polarity", value_set=list(POLARITIES))),
        ("section", x.ExpectColumnValueLengthsToBeBetween(column="section", min_value=1)),
        ("span-start", x.ExpectColumnValuesToBeBetween(column="start", min_value=0)),
        ("confidence", x.ExpectColumnValuesToBeBetween(column="confidence", min_value=0.0, max_value=1.0)),
        ("span-in-text", x.ExpectColumnPairValuesAToBeGreaterThanB(column_A="text_length", column_B="end",
                                                                     or_equal=True)),
        ("span-order", x.ExpectColumnPairValuesAToBeGreaterThanB(column_A="end", column_B="start", or_equal=True)),
        ("duplicate-assertion", x.ExpectCompoundColumnsToBeUnique(
            column_list=["article_id", "root", "target", "polarity", "start", "end"])),
    ):
        exp.meta = {"artgate": name}
        suite.add_expectation(exp)
    return ctx, ctx.validation_definitions.add(gx.ValidationDefinition(name="artgate.assertions", data=batch,
                                                                       suite=suite))


def validate_frame(df: pd.DataFrame) -> list[Failure]:
    """Failed expectations for an assertions frame with a ``text_length`` column added."""
    if df.empty:
        return []
    frame = df.assign(section=df["section"].fillna("").astype(str))
    result = _validation().run(batch_parameters={"dataframe": frame})
    out = []
    for r in result.results:
        if not r.success:
            out.append(Failure(r.expectation_config.meta["artgate"], int(r.result.get("unexpected_count") or 0),
                               tuple(r.result.get("partial_unexpected_list") or ())[:5]))
    return out


def frame_for(reports: list[Report]) -> pd.DataFrame:
    from extractors.relations import assertions_frame

    rows = [a for r in reports for a in r.assertions]
    df = assertions_frame(rows)
    lengths = {r.article.id: len(r.article.text) for r in reports}
    return df.assign(text_length=df["article_id"].map(lengths)) if len(df) else df


def with_expectations(report: Report) -> Report:
    """The report with one ``extraction.*`` warning per failed expectation."""
    failures = validate_frame(frame_for([report]))
    if not failures:
        return report
    n = len(report.findings)
    extra = tuple(
        Finding(f"f{n + i}", f"extraction.{f.name}", "warning",
                f"extraction check failed: {MEANING[f.name]} ({f.unexpected} row{'s' if f.unexpected != 1 else ''};"
                f" e.g. {', '.join(map(str, f.examples)) or 'n/a'})",
                suggestion="report this article to the artgate maintainers: the extractor produced bad rows")
        for i, f in enumerate(failures, start=1))
    return replace(report, findings=report.findings + extra)


@lru_cache(maxsize=1)
def _checkpoint():
    ctx, validation = _context_and_validation()
    return ctx.checkpoints.add(gx.Checkpoint(name="artgate.batch", validation_definitions=[validation]))


def run_checkpoint(df: pd.DataFrame) -> dict:
    """Run the checkpoint over a batch's assertions table (with ``text_length``); a summary for the run."""
    if df.empty:
        return {"success": True, "evaluated": 0, "failed": []}
    frame = df.assign(section=df["section"].fillna("").astype(str))
    result = _checkpoint().run(batch_parameters={"dataframe": frame})
    failed = []
    evaluated = 0
    for run in result.run_results.values():
        for r in run.results:
            evaluated += 1
            if not r.success:
                failed.append({"expectation": r.expectation_config.meta["artgate"],
                               "meaning": MEANING[r.expectation_config.meta["artgate"]],
                               "unexpected": int(r.result.get("unexpected_count") or 0)})
    return {"success": bool(result.success), "evaluated": evaluated, "failed": failed}
