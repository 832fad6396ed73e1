"""Every field from the input is escaped in every format; counts read as words ("1 blocker")."""

import json
import re

import pytest

from extractors.ingest import parse
from flows.check import check_article
from reports.contract import render_json, render_jsonl
from reports.escape import plural
from reports.html import render_html
from reports.markdown import render_markdown
from reports.sarif import render_sarif
from reports.text import render_text
from rules.engine import load_ruleset

HOSTILE_NAMES = ["evil`</code><img src=x>`.md", "two\n# Injected heading\n.txt", "esc\x1b[31mred.txt",
                 "pipe|cell.txt", "bad-\\xff-name.txt"]
BODY = "Title\n\nFrom the Guidelines\n\nPlantar dorsiflexion is served by L5. *bold* [x](http://t/i.png) `code`\n"


@pytest.fixture(scope="module")
def reports():
    return [check_article(parse(BODY, name)) for name in HOSTILE_NAMES]


def test_markdown_cannot_be_injected(reports):
    md = render_markdown(reports)
    lines = md.splitlines()
    assert not any(line.startswith("# Injected") for line in lines)  # the newline did not start a heading
    assert [line for line in lines if line.startswith("#")] == [lines[0]] + [
        line for line in lines if line.startswith("### ")]
    heading = next(line for line in lines if "evil" in line)
    assert heading.startswith("### ``evil`") and "`` — **BLOCKED**" in heading  # one code span, fence longer
    outside_code = re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", md)
    assert "<img" not in outside_code and "](http" not in md  # HTML only inside code spans; no live link
    rows = [line for line in lines if line.startswith("| ") and "terminology" in line]
    assert rows and all(len(re.findall(r"(?<!\\)\|", line)) == 6 for line in rows)  # five cells each


def test_text_format_has_no_control_characters(reports):
    out = render_text(reports)
    assert "\x1b" not in out and "esc\\x1b[31mred.txt" in out
    assert "two\\n# Injected heading\\n.txt  BLOCKED" in out


def test_sarif_uris_are_encoded(reports):
    doc = json.loads(render_sarif(reports, load_ruleset()))
    uris = [a["location"]["uri"] for a in doc["runs"][0]["artifacts"]]
    assert "two%0A%23%20Injected%20heading%0A.txt" in uris
    assert all(" " not in u and "\n" not in u and "`" not in u for u in uris)


def test_html_escapes_every_name(reports):
    page = render_html(reports)
    assert "<img" not in page and "evil`&lt;/code&gt;&lt;img src=x&gt;`.md" in page


def test_json_output_is_valid_utf8_even_with_lone_surrogates():
    report = check_article(parse(BODY, "plain.txt"))
    from dataclasses import replace

    odd = replace(report, article=replace(report.article, source="x\udcff.txt"))
    out = render_jsonl([odd])
    # the renderer keeps Python's text; the command line writes it with backslash escapes (see test_cli)
    assert json.loads(out)["article"]["source"] == "x\udcff.txt"
    assert json.loads(render_json([report], single=True))["verdict"] == "blocked"


@pytest.mark.parametrize(("n", "word", "expected"), [
    (1, "blocker", "1 blocker"), (0, "blocker", "0 blockers"), (2, "warning", "2 warnings"), (1, "info", "1 info"),
    (1, "assertion", "1 assertion"), (1200, "article", "1,200 articles")])
def test_plural(n, word, expected):
    assert plural(n, word) == expected


def test_one_blocker_reads_singular_in_every_format():
    report = check_article(parse("Title\n\nFrom the Guidelines\n\nPlantar dorsiflexion is served by L5.\n", "one.txt"))
    assert [f.severity for f in report.findings if not f.suppressed].count("blocker") == 1
    assert "(1 blocker, 0 warnings, 0 info · " in render_text([report])
    assert "1 blocker, 0 warnings, 0 info · " in render_markdown([report])
    assert "1 of 1 article blocked" in render_markdown([report])
    assert "1 blocker, 0 warnings, 0 info · " in render_html([report])
    assert "1 blockers" not in render_text([report]) + render_markdown([report]) + render_html([report])
