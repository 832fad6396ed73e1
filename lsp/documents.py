"""An editor buffer as an article: the same ingest and the same check as ``artgate check`` on the saved file.

The buffer's format comes from the editor's language id (``markdown``, ``html``,
``plaintext``, ``json``) or else from the file name, as the command line reads
it. A JSON record is checked on its ``body``; artgate's offsets are then into
the decoded body, so ``Buffer.to_file`` maps them back to the characters of the
string literal in the file (escapes such as ``\\n`` or ``\\u00e9`` take more
than one character there).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from extractors.ingest import DEFAULT_MAX_BYTES, SUFFIXES, display_path, parse, read_bytes, too_large
from extractors.types import Article, Report

LANGUAGES = {"markdown": "markdown", "md": "markdown", "html": "html", "plaintext": "text", "text": "text",
             "json": "json", "jsonc": "json"}


def path_of(uri: str) -> str:
    """A file path for a ``file:`` URI (what reports name), else the URI itself."""
    parts = urlsplit(uri)
    return unquote(parts.path) if parts.scheme == "file" else uri


def format_of(uri: str, language_id: str | None) -> str:
    if language_id and language_id.lower() in LANGUAGES:
        return LANGUAGES[language_id.lower()]
    return SUFFIXES.get(os.path.splitext(path_of(uri))[1].lower(), "text")


def _body_literal(text: str) -> tuple[int, int] | None:
    """(start, end) of the top-level ``"body"`` string literal, quotes included; None when there is none."""
    decoder = json.JSONDecoder()
    ws = " \t\r\n"
    i = 0
    n = len(text)
    while i < n and text[i] in ws:
        i += 1
    if i >= n or text[i] != "{":
        return None
    i += 1
    while i < n:
        while i < n and text[i] in ws + ",":
            i += 1
        if i >= n or text[i] != '"':
            return None
        key, i = json.decoder.scanstring(text, i + 1)
        while i < n and text[i] in ws + ":":
            i += 1
        start = i
        _value, i = decoder.raw_decode(text, i)
        if key == "body" and text[start] == '"':
            return start, i
    return None


def _decoded_to_raw(literal: str, base: int) -> list[int]:
    """For each character of the decoded string (and its end), the file offset it comes from."""
    out = []
    i, end = 1, len(literal) - 1
    while i < end:
        out.append(base + i)
        if literal[i] != "\\":
            i += 1
        elif literal[i + 1] != "u":
            i += 2
        else:
            high = int(literal[i + 2:i + 6], 16)
            pair = 0xD800 <= high < 0xDC00 and literal[i + 6:i + 8] == "\\u" and \
                0xDC00 <= int(literal[i + 8:i + 12], 16) < 0xE000
            i += 12 if pair else 6
    out.append(base + end)
    return out


@dataclass
class Buffer:
    """One open document: its text, the article read from it, and the last report on it."""

    uri: str
    text: str
    version: int | None
    fmt: str
    article: Article
    body_map: list[int] | None = None  # a JSON record: file offset of each body character
    report: Report | None = field(default=None, compare=False)

    @classmethod
    def read(cls, uri: str, text: str, version: int | None = None, language_id: str | None = None) -> Buffer:
        fmt = format_of(uri, language_id)
        source = display_path(os.path.relpath(path_of(uri))) if uri.startswith("file:") else uri
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > DEFAULT_MAX_BYTES:  # as `artgate check` reports it: one finding, not minutes of checking
            return cls(uri, text, version, fmt, too_large(source, size, DEFAULT_MAX_BYTES))
        if fmt != "json":
            return cls(uri, text, version, fmt, parse(text, source, fmt))
        article = read_bytes(text.encode("utf-8", "surrogatepass"), source, "json")
        span = _body_literal(text) if article.metadata.get("container") == "json" else None
        if span is None:  # not a record artgate can read: the article carries the ingest.* problem saying why
            return cls(uri, text, version, fmt, article)
        return cls(uri, text, version, fmt, article, _decoded_to_raw(text[span[0]:span[1]], span[0]))

    @property
    def body_format(self) -> str:
        """The format the checked text is in (a JSON record's body is text, Markdown or HTML)."""
        return self.article.format if self.fmt == "json" else self.fmt

    def to_file(self, offset: int) -> int:
        """A file offset for an article offset (the same, except in a JSON record's body)."""
        if self.body_map is None:
            return offset
        return self.body_map[max(0, min(offset, len(self.body_map) - 1))]

    def from_file(self, offset: int) -> int | None:
        """The article offset at a file offset, or None outside a JSON record's body."""
        if self.body_map is None:
            return offset
        from bisect import bisect_right

        if not self.body_map or not self.body_map[0] <= offset <= self.body_map[-1]:
            return None
        return bisect_right(self.body_map, offset) - 1

    def escape(self, inserted: str) -> str:
        """Text to write into the file for ``inserted`` body text (escaped inside a JSON string)."""
        return json.dumps(inserted, ensure_ascii=False)[1:-1] if self.body_map is not None else inserted
