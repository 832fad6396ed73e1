"""Shared fixtures: the shipped seeds and a helper that checks a snippet of text."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
ORACLE = SEEDS / "dorsiflexion-dr-oracle.txt"
CORRECTED = SEEDS / "dorsiflexion-corrected.txt"


@pytest.fixture(scope="session")
def oracle_report():
    from extractors.ingest import read_path
    from flows.check import check_article

    return check_article(read_path(ORACLE)[0])


@pytest.fixture(scope="session")
def corrected_report():
    from extractors.ingest import read_path
    from flows.check import check_article

    return check_article(read_path(CORRECTED)[0])


def check_text(text: str, fmt: str = "text", source: str = "snippet.txt"):
    """Report for an article given as a string (plain text with optional headings)."""
    from extractors.ingest import parse
    from flows.check import check_article

    return check_article(parse(text, source, fmt))


def triples(report, polarity: str | None = "affirmed") -> set[tuple[str, str]]:
    return {(a.root, a.target) for a in report.assertions if polarity is None or a.polarity == polarity}


def run_cli(*args: str, stdin: bytes | None = None, env: dict | None = None, timeout: int = 120):
    """Run the installed command line in a fresh interpreter, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", *args], cwd=ROOT, input=stdin, capture_output=True,
        timeout=timeout, env=env,
    )
