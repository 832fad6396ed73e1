"""Fuzzing ingest of every format, from the recorded hostile corpus (``tests/fuzz/``) outwards.

Properties, for any bytes in any format: no traceback, the exit status is 0,
1 or 2, JSON output parses and is valid UTF-8. Hypothesis runs derandomized
with a fixed number of examples, so the run is bounded and repeatable.
"""

import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors.ingest import read_bytes, read_jsonl, read_path
from flows.audit import check_chunk, list_items
from flows.cli import main
from tests.conftest import ROOT

FUZZ = Path(__file__).parent / "fuzz"
CORPUS = sorted((FUZZ / "corpus").iterdir())
INGEST_ONLY = sorted((FUZZ / "ingest-only").iterdir())
SUFFIX = {"text": ".txt", "markdown": ".md", "html": ".html", "json": ".json", "jsonl": ".jsonl"}


def run_main(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def valid_json_output(fmt: str, out: str) -> list:
    out.encode("utf-8")  # strict: no lone surrogates, so the bytes written are valid UTF-8
    if fmt == "jsonl":
        return [json.loads(line) for line in out.splitlines()]
    return [json.loads(out)] if out else []


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_recorded_corpus_file_by_file(path):
    code, out, err = run_main("check", str(path), "--format", "jsonl")
    assert code in (0, 1), err
    docs = valid_json_output("jsonl", out)
    assert docs and all(d["verdict"] in ("pass", "blocked") for d in docs)
    if path.suffix == ".json" and path.name not in ("lone-surrogates.json", "long-integer-id.json"):
        assert [f["rule"] for f in docs[0]["findings"]] == ["ingest.malformed"]


def test_recorded_corpus_as_a_folder_and_through_the_audit_listing():
    code, out, err = run_main("check", str(FUZZ / "corpus"), "--format", "json")
    assert code == 1 and err == ""
    (docs,) = valid_json_output("json", out)
    assert len(docs) == len(CORPUS) - 1 + 6  # the export holds six records
    assert sum(1 for d in docs if d["verdict"] == "pass") >= 2  # good records survive beside hostile ones
    listing = list_items(FUZZ / "corpus")
    results = check_chunk(listing.items)
    assert len(results) == len(listing.items) and not listing.errors
    malformed = [r["article_id"] for r in results if "ingest.malformed" in r["problems"]]
    assert {"deep-array", "deep-object", "long-integer", "hostile-export/line2", "hostile-export/line3"} <= set(
        malformed)


def test_hostile_json_on_stdin():
    raw = (FUZZ / "corpus" / "deep-object.json").read_bytes()
    res = subprocess.run([sys.executable, "-m", "flows.cli", "check", "-", "--format", "json"], cwd=ROOT, input=raw,
                         capture_output=True, timeout=120)
    assert res.returncode == 1, res.stderr.decode()[-2000:]
    (doc,) = json.loads(res.stdout.decode("utf-8"))
    assert [f["rule"] for f in doc["findings"]] == ["ingest.malformed"]
    assert "nested too deeply" in doc["findings"][0]["message"]


@pytest.mark.parametrize("path", INGEST_ONLY, ids=lambda p: p.name)
def test_floods_are_ingested(path):
    (article,) = read_path(path)
    assert len(article.plain) == len(article.text)


FRAGMENTS = ["[", "]", "{", "}", '{"a":', '"body":', '"', "\\u", "\\ud800", "<p>", "</p>", "<", "&#", "&amp;",
             "<!--", "-->", "# ", "## ", "- ", "* ", "| a | b |", "|---|", "\n", "\n\n", "\r", "\t", "L5", "S1",
             "dorsiflexion", "plantar dorsiflexion", "From the Guidelines", "References", "1.", "`", "\x00",
             "\x1b[31m", "\u2028", "é", "💥", "9" * 40, "[artgate-disable x]", "<!-- artgate-disable x: y -->"]
texts = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=20), max_size=60).map("".join)
inputs = st.one_of(
    st.binary(max_size=600),
    texts.map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.tuples(st.sampled_from([p.read_bytes()[:3000] for p in CORPUS]), st.binary(max_size=50)).map(b"".join),
)
FUZZ_SETTINGS = settings(max_examples=120, derandomize=True, deadline=None, database=None,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@FUZZ_SETTINGS
@given(raw=inputs, fmt=st.sampled_from(list(SUFFIX)))
def test_ingest_of_any_bytes_in_any_format(raw, fmt):
    articles = read_jsonl(raw, "f.jsonl") if fmt == "jsonl" else [read_bytes(raw, "f" + SUFFIX[fmt], fmt)]
    for a in articles:
        assert len(a.plain) == len(a.text)
        a.text.encode("utf-8")
        a.title.encode("utf-8")


@FUZZ_SETTINGS
@given(raw=inputs, fmt=st.sampled_from(list(SUFFIX)), out_fmt=st.sampled_from(["json", "jsonl", "sarif", "text"]))
def test_the_command_line_on_any_file(tmp_path, raw, fmt, out_fmt):
    path = tmp_path / ("input" + SUFFIX[fmt])
    path.write_bytes(raw)
    code, out, err = run_main("check", str(path), "--format", out_fmt)
    assert code in (0, 1, 2)
    assert "Traceback" not in err
    if out_fmt != "text":
        valid_json_output(out_fmt, out)
    else:
        out.encode("utf-8")
