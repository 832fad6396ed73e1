"""Buffers as articles and offsets as LSP positions: the conversions the server's ranges rest on."""

from __future__ import annotations

import json

import pytest

from extractors.ingest import DEFAULT_MAX_BYTES
from lsp.documents import Buffer, format_of
from lsp.positions import Lines


@pytest.mark.parametrize(("encoding", "expected"), [("utf-16", 4), ("utf-8", 7), ("utf-32", 3)])
def test_a_character_outside_the_basic_plane_counts_in_the_negotiated_units(encoding, expected):
    text = "x\né😀z"
    lines = Lines(text, encoding)
    assert lines.position(len(text)) == (1, expected)
    assert lines.offset(1, expected) == len(text)


def test_lines_break_on_lf_crlf_and_cr_only():
    text = "a\r\nb\rc\nd\x0ce\u2028f"
    lines = Lines(text)
    assert [lines.position(text.index(c)) for c in "abcdef"] == [(0, 0), (1, 0), (2, 0), (3, 0), (3, 2), (3, 4)]
    assert lines.offset(0, 99) == 1  # past the end of a line: its end, before the line break
    assert lines.offset(9, 0) == len(text)


def test_the_format_comes_from_the_language_id_else_the_file_name():
    assert format_of("file:///a/b.txt", "markdown") == "markdown"
    assert format_of("file:///a/b.htm", None) == "html"
    assert format_of("untitled:Untitled-1", None) == "text"


def test_a_json_records_body_offsets_map_to_the_escaped_characters_in_the_file():
    body = 'Line one\n"quoted" caf\u00e9 \U0001F600 \ud800 L5 supplies plantar dorsiflexion.'
    for ensure_ascii in (True, False):
        text = json.dumps({"title": "T", "meta": {"body": "not this"}, "body": body}, ensure_ascii=ensure_ascii)
        buffer = Buffer.read("file:///r.json", text)
        at = body.index("plantar")
        start, end = buffer.to_file(at), buffer.to_file(at + len("plantar dorsiflexion"))
        assert text[start:end] == "plantar dorsiflexion"
        assert buffer.from_file(start) == at
        assert buffer.from_file(text.index('"title"')) is None
    assert buffer.escape('<!-- x -->\n') == "<!-- x -->\\n"


def test_an_oversized_buffer_is_reported_not_checked():
    buffer = Buffer.read("file:///big.txt", "L5 supplies dorsiflexion. " * (DEFAULT_MAX_BYTES // 20))
    assert [p.rule for p in buffer.article.problems] == ["ingest.too-large"]
