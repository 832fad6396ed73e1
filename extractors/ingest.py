"""Read article files (plain text, Markdown, HTML, JSON) into ``Article`` objects.

Every format is reduced to the same thing: a list of classified lines (title,
heading, bullet, paragraph text, table row, blank) with character spans into
the decoded text. One builder then recognises site boilerplate, sections,
blocks and the reference list, whatever the format was.

Markup is never removed, only blanked: ``Article.plain`` has the same length
as ``Article.text`` with tags, Markdown syntax, boilerplate and reference
entries replaced by spaces (newlines kept), so offsets found in ``plain`` are
offsets into the file's text.
"""

from __future__ import annotations

import bisect
import hashlib
import html
import json
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .datafiles import FileTooLarge, NotRegularFile, read_regular, why_unreadable
from .errors import DataFileError, Errors, InputError
from .types import Article, Block, Problem, Reference, Section, Suppression

SUFFIXES: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
}
DEFAULT_MAX_BYTES = 5_000_000


@dataclass
class _Line:
    start: int
    end: int
    kind: str  # blank | text | heading | bullet | table_row
    level: int = 0
    text: str = ""


@dataclass(frozen=True)
class Layout:
    """The layout conventions from ``data/layout.json``, compiled."""

    top_level: re.Pattern | None
    references: re.Pattern | None
    boilerplate_lines: re.Pattern | None
    boilerplate_blocks: re.Pattern | None
    reference_labels: re.Pattern | None
    status_markers: tuple[tuple[str, str], ...]


_LAYOUT_KEYS = {
    "version", "about", "top_level_headings", "reference_headings", "boilerplate_lines",
    "boilerplate_blocks", "reference_labels", "status_markers",
}


@lru_cache(maxsize=1)
def load_layout() -> Layout:
    path = resources.files("extractors") / "data" / "layout.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    unknown = set(data) - _LAYOUT_KEYS
    if unknown:
        raise DataFileError(Errors.E011.format(path=path, keys=sorted(unknown), allowed=sorted(_LAYOUT_KEYS)))

    def compile_all(key: str) -> re.Pattern | None:
        """The key's patterns as one alternation: one search per line (long articles have a million)."""
        out = []
        for p in data.get(key, []):
            try:
                re.compile(p, re.IGNORECASE)
            except re.error as exc:
                raise DataFileError(Errors.E012.format(path=path, pattern=p, reason=exc)) from exc
            out.append(f"(?:{p})")
        return re.compile("|".join(out), re.IGNORECASE) if out else None

    return Layout(
        top_level=compile_all("top_level_headings"),
        references=compile_all("reference_headings"),
        boilerplate_lines=compile_all("boilerplate_lines"),
        boilerplate_blocks=compile_all("boilerplate_blocks"),
        reference_labels=compile_all("reference_labels"),
        status_markers=tuple(data.get("status_markers", {}).items()),
    )


def _matches(pattern: re.Pattern | None, s: str) -> bool:
    return bool(pattern.search(s)) if pattern is not None else False


# ---------------------------------------------------------------------------
# Reading bytes


def _looks_binary(raw: bytes) -> bool:
    head = raw[:8192]
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return len(head) > 0 and control / len(head) > 0.10


# Formats known by their first bytes: documents, images, archives and programs that are not article text.
# A container's own syntax ('BT', 'ET', '%%EOF' of a PDF) must never be read as prose.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"%!PS", "a PostScript document"),
    (b"{\\rtf", "an RTF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a Microsoft Office 97-2003 document (.doc, .xls, .ppt)"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh91AY&SY", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x28\xb5\x2f\xfd", "a Zstandard archive"),
    (b"\x7fELF", "an ELF executable"),
    (b"OggS\x00", "an Ogg media file"),
    (b"ID3\x03", "an MP3 audio file"),
    (b"ID3\x04", "an MP3 audio file"),
)
_ZIP_KINDS: tuple[tuple[bytes, str], ...] = (
    (b"word/", "a Word document (.docx)"),
    (b"xl/", "an Excel workbook (.xlsx)"),
    (b"ppt/", "a PowerPoint presentation (.pptx)"),
    (b"application/vnd.oasis.opendocument", "an OpenDocument file (.odt, .ods, .odp)"),
    (b"application/epub+zip", "an EPUB book"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (  # UTF-32 first: its little-endian mark begins like UTF-16's
    (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"),
)


def container_format(raw: bytes) -> str | None:
    """What a file is when its content says it is not text ('a PDF document'), else None.

    Recognised by content, whatever the file is called: a PDF saved as ``.txt``
    is still a PDF. Textual formats (PDF, PostScript, RTF) may follow leading
    whitespace; binary ones start at the first byte.
    """
    stripped = raw[:1024].lstrip()
    for sig, name in _SIGNATURES:
        if raw.startswith(sig) or (sig[:1] in b"%{" and stripped.startswith(sig)):
            return name
    if raw.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return next((name for marker, name in _ZIP_KINDS if marker in raw), "a ZIP archive")
    if raw[8:12] == b"WEBP" and raw.startswith(b"RIFF"):
        return "a WebP image"
    if raw[257:262] == b"ustar" and raw[262:263] in (b"\x00", b" "):
        return "a tar archive"
    return None


def unsupported(name: str) -> Problem:
    return Problem("ingest.unsupported-format", "blocker",
                   f"the input is {name}, not article text; artgate reads text, Markdown, HTML and JSON "
                   "(export the article's text and check that)")


def decode(raw: bytes) -> tuple[str | None, list[Problem]]:
    """Decode file bytes; ``None`` with a problem when they are not text.

    UTF-8 is the default; a UTF-16 or UTF-32 byte-order mark says the text is in that encoding.
    """
    kind = container_format(raw)
    if kind is not None:
        return None, [unsupported(kind)]
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw[len(bom):].decode(encoding), []
            except UnicodeDecodeError as exc:
                return raw[len(bom):].decode(encoding, errors="replace"), [Problem(
                    "ingest.encoding", "warning",
                    f"the file is marked {encoding.upper()} but is not valid {encoding.upper()} "
                    f"(byte {exc.start + len(bom)}); undecodable bytes became U+FFFD")]
    if _looks_binary(raw):
        return None, [Problem("ingest.binary", "blocker", "the file is binary, not article text")]
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        text = raw.decode("cp1252", errors="replace")
        return text, [Problem(
            "ingest.encoding", "warning",
            f"the file is not valid UTF-8 (byte {exc.start}); read as Windows-1252",
        )]


def article_id_for(path: str) -> str:
    stem = Path(path).stem if path not in ("-", "") else "stdin"
    return re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-") or "article"


def display_path(path: str | Path) -> str:
    """A path as text that is always valid UTF-8: undecodable bytes of a file name become ``\\xNN``.

    File names are bytes; Python keeps the undecodable ones as lone surrogates,
    which no UTF-8 output can carry. Every ``Article.source`` and every message
    naming a file goes through here, so JSON, SARIF and the other formats stay
    valid whatever the file system holds.
    """
    s = os.fspath(path)
    try:
        raw = s.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = s.encode("utf-8", "surrogatepass")
    return raw.decode("utf-8", "backslashreplace")


def read_path(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Article]:
    """Read one file into articles (a ``.jsonl`` export may hold many).

    Raises ``InputError`` when the file cannot be read at all (missing, a
    dangling link, a folder, a FIFO or device: those are refused without
    reading, so they never block); anything that can be read but is malformed
    becomes an article carrying an ``ingest.*`` problem.
    """
    p = Path(path)
    name = display_path(path)
    try:
        raw = read_regular(p, max_bytes)
    except FileTooLarge as exc:
        return [too_large(name, exc.size, max_bytes)]
    except FileNotFoundError as exc:
        if p.is_symlink():
            raise InputError(Errors.E002.format(path=name, reason=why_unreadable(p, exc))) from exc
        raise InputError(Errors.E001.format(path=name)) from exc
    except NotRegularFile as exc:
        reason = "is a directory" if p.is_dir() else str(exc)
        raise InputError(Errors.E002.format(path=name, reason=reason)) from exc
    except OSError as exc:
        raise InputError(Errors.E002.format(path=name, reason=why_unreadable(p, exc))) from exc
    if p.suffix.lower() == ".jsonl":
        return read_jsonl(raw, name)
    return [read_bytes(raw, name, SUFFIXES.get(p.suffix.lower(), "text"))]


def too_large(source: str, size: int | None, max_bytes: int, article_id: str | None = None) -> Article:
    """An article over the size limit: reported, not read (``size`` None: a stream, not read to its end)."""
    how = f"{size:,} bytes, over" if size is not None else "over"
    return _problem_article(source, "", Problem(
        "ingest.too-large", "blocker", f"the input is {how} the limit of {max_bytes:,} bytes"), article_id)


def load_json(text: str | bytes) -> tuple[object, str | None]:
    """``(value, None)``, or ``(None, reason)`` for input that is not JSON artgate can read.

    Besides syntax errors this covers hostile documents the standard parser
    refuses with other exceptions: nesting deeper than the interpreter's
    recursion limit (``[`` × 100,000) and integers longer than Python converts
    (4,300 digits).
    """
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, f"{exc.msg} at line {exc.lineno}"
    except RecursionError:
        return None, "nested too deeply"
    except UnicodeDecodeError as exc:
        return None, f"not UTF-8 (byte {exc.start})"
    except ValueError:  # "Exceeds the limit (4300 digits) for integer string conversion …"
        return None, f"a number with more than {sys.get_int_max_str_digits():,} digits"


def read_bytes(raw: bytes, source: str, fmt: str = "text", article_id: str | None = None) -> Article:
    text, problems = decode(raw)
    aid = article_id or article_id_for(source)
    if text is None:
        return _problem_article(source, "", problems[0], aid)
    if fmt == "json":
        obj, error = load_json(text)
        if error:
            return _problem_article(source, text, Problem("ingest.malformed", "blocker", f"invalid JSON: {error}"),
                                    aid)
        return from_record(obj, source, extra_problems=problems)
    return parse(text, source, fmt, article_id=aid, problems=problems)


def read_jsonl(raw: bytes, source: str) -> list[Article]:
    """One article per line of a JSON Lines export; a bad line becomes a problem article, the others are read."""
    if raw.startswith(tuple(bom for bom, _ in _BOMS)):
        text, problems = decode(raw)  # UTF-16/32: lines are split on the text, not on its bytes
        if text is not None and not problems:
            raw = text.encode("utf-8", "surrogatepass")
    if container_format(raw) is not None or _looks_binary(raw):
        return [_problem_article(source, "", decode(raw)[1][0])]
    out = []
    for n, line in enumerate(raw.splitlines(), start=1):
        if line.strip():
            out.append(read_record_line(line, f"{source}:{n}", f"{article_id_for(source)}-line{n}", n))
    return out


def read_record_line(line: bytes, source: str, fallback_id: str, number: int | None = None) -> Article:
    """One line of a JSON Lines export as an article (the audit reads its exports line by line too)."""
    text, problems = decode(line)
    if text is None:
        return _problem_article(source, "", problems[0], fallback_id)
    obj, error = load_json(text)
    if error:
        where = f"line {number}: " if number is not None else ""
        return _problem_article(source, "", Problem("ingest.malformed", "blocker", f"{where}invalid JSON ({error})"),
                                fallback_id)
    return from_record(obj, source, fallback_id=fallback_id, extra_problems=problems)


def record_id(line: bytes) -> str | None:
    """The ``id`` of a JSON Lines record when it is a string or number, else None (never raises)."""
    obj, _ = load_json(line)
    rid = obj.get("id") if isinstance(obj, dict) else None
    if isinstance(rid, str) and rid:
        return _clean(rid)
    return str(rid) if isinstance(rid, int | float) and not isinstance(rid, bool) else None


_SURROGATE = re.compile("[\ud800-\udfff]")


def _clean(s: str) -> str:
    """JSON may spell lone surrogates (``"\\ud800"``), which no UTF-8 output can carry: make them U+FFFD."""
    return _SURROGATE.sub("\ufffd", s)


def _field(obj: dict, key: str) -> str | None:
    v = obj.get(key)
    if v is None or v == "":
        return None
    if isinstance(v, bool) or not isinstance(v, str | int | float):
        raise TypeError(key)
    return _clean(str(v))


def from_record(obj: object, source: str, fallback_id: str | None = None,
                extra_problems: list[Problem] | None = None) -> Article:
    """A CMS record ``{"id", "title", "status", "body"}``; the body may be text, Markdown or HTML."""
    aid = fallback_id or article_id_for(source)
    if not isinstance(obj, dict) or not isinstance(obj.get("body"), str):
        return _problem_article(source, "", Problem(
            "ingest.malformed", "blocker",
            "expected a JSON object with a string 'body' (and 'id', 'title', 'status')"), aid)
    try:
        rid, title, status = (_field(obj, k) for k in ("id", "title", "status"))
    except TypeError as exc:
        return _problem_article(source, "", Problem(
            "ingest.malformed", "blocker", f"the record's '{exc}' must be text or a number"), aid)
    body = _clean(obj["body"])
    fmt = sniff_format(body)
    art = parse(body, source, fmt, article_id=rid or aid, title=title, problems=extra_problems or [],
                status=status.lower().replace(" ", "_") if status else None)
    art.metadata["container"] = "json"  # offsets are into the record's body, not the file
    return art


def sniff_format(body: str) -> str:
    head = body.lstrip()[:2000].lower()
    if re.search(r"<(p|h[1-6]|ul|ol|li|div|html|body|article|table)\b", head):
        return "html"
    if re.search(r"(?m)^#{1,6} \S|^\s*[-*] \S|^\|.*\|\s*$", body[:5000]):
        return "markdown"
    return "text"


def _problem_article(source: str, text: str, problem: Problem, aid: str | None = None) -> Article:
    return Article(
        id=aid or article_id_for(source), source=source, text=text, plain=" " * len(text),
        content_sha256=hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(), format="unknown",
        problems=(problem,),
    )


# ---------------------------------------------------------------------------
# Per-format line classification


_BULLET = re.compile(r"^(\s*)([•●▪◦‣∙·*+\-–—]|\d{1,3}[.)])\s+")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def _split_lines(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


# A first line longer than this is the article's text, not its title: a page stored as one line (a table
# flattened onto one line, a paragraph with no heading) would otherwise be all title and no content.
MAX_TITLE_CHARS = 300


def _text_lines(text: str, plain: list[str]) -> list[_Line]:
    spans = _split_lines(text)
    raw = [text[s:e] for s, e in spans]
    lines: list[_Line] = []
    in_table = False
    for i, (s, e) in enumerate(spans):
        t = raw[i].strip()
        if not t:
            lines.append(_Line(s, e, "blank"))
            in_table = False
            continue
        if _pipe_row(t, in_table):
            in_table = True
            if _TABLE_SEP.match(t):
                _blank(plain, s, e)
                lines.append(_Line(s, e, "blank"))
            else:
                _cells_to_plain(text, plain, s, e)
                lines.append(_Line(s, e, "table_row", text=t))
            continue
        in_table = False
        if _BULLET.match(raw[i]):
            lines.append(_Line(s, e, "bullet", text=t))
            continue
        prev_blank = i == 0 or not raw[i - 1].strip()
        next_blank = i + 1 >= len(raw) or not raw[i + 1].strip()
        if prev_blank and next_blank and _heading_like(t):
            lines.append(_Line(s, e, "heading", text=t))
        else:
            lines.append(_Line(s, e, "text", text=t))
    return lines


def _blank_markdown_marks(text: str, plain: list[str]) -> None:
    """Markdown that arrives in a plain-text file: '## ' heading marks, '**bold**', '__x__', backticks."""
    for m in re.finditer(r"(?m)^[ \t]*#{1,6}[ \t]+", text):
        _blank(plain, m.start(), m.end())
    for m in _MARK_RUN.finditer(text):
        run = m.group()
        if len(run) <= _MAX_MARK_RUN and (run[0] == "`" or len(run) >= 2):
            _blank(plain, m.start(), m.start() + (len(run) if run[0] == "`" else len(run) // 2 * 2))


# Runs of emphasis or code marks: '**', '__', '`' … up to three ('***bold italic***', a ``` fence) are
# markup; a longer run ('*' × 20,000, a row of underscores) is the text's own, left as it is.
_MARK_RUN = re.compile(r"\*+|_+|`+")
_MAX_MARK_RUN = 3


def _pipe_row(t: str, in_table: bool) -> bool:
    """A table row written with pipes: '| L4 | Ankle dorsiflexion |', or a wrapped row's tail inside a table."""
    return (t.startswith("|") and t.count("|") >= 2) or t.count(" | ") >= 2 or (in_table and "|" in t) or bool(
        _TABLE_SEP.match(t) and "|" in t)


def _cells_to_plain(text: str, plain: list[str], s: int, e: int) -> None:
    """Pipes become ';' (cell separators) in the plain text; the outer ones become spaces."""
    pipes = [j for j in range(s, e) if text[j] == "|"]
    for j in pipes:
        outer = (j == pipes[0] and not text[s:j].strip()) or (j == pipes[-1] and not text[j + 1:e].strip())
        plain[j] = " " if outer else ";"


_ONE_LINE_SEP = re.compile(r"\|\s*:?-{3,}:?\s*\|")


def _split_one_line_tables(text: str, plain: list[str]) -> None:
    """A Markdown table that arrived as one long line gets a line break between its rows (in ``plain``).

    The header's cell count is the row length: '| A | B | | --- | --- | | L4 | Ankle |' is three rows.
    """
    for line_start, line_end in _split_lines(text):
        line = text[line_start:line_end]
        sep = _ONE_LINE_SEP.search(line)
        if sep is None:
            continue
        first = line.index("|")
        pipes = [line_start + k for k, ch in enumerate(line) if ch == "|" and k >= first]
        n_cells = sum(1 for p in pipes if p < line_start + sep.start()) - 1
        if n_cells < 2:
            continue
        per_row = n_cells + 1
        for k in range(per_row - 1, len(pipes) - 1, per_row):
            a, b = pipes[k], pipes[k + 1]
            gap = text[a + 1:b]
            if gap and not gap.strip():
                plain[a + 1] = "\n"
        # text before the table and after its last row gets a line of its own
        if pipes[0] > line_start and text[pipes[0] - 1] in " \t":
            plain[pipes[0] - 1] = "\n"
        rows = len(pipes) // per_row
        closing = pipes[rows * per_row - 1] if rows else None
        if closing is not None and closing + 1 < line_end and text[closing + 1] in " \t" and text[
                closing + 1:line_end].strip():
            plain[closing + 1] = "\n"


def _heading_like(t: str) -> bool:
    words = t.split()
    return (
        len(words) <= 12 and len(t) <= 100 and t[0].isupper()
        and t[-1] not in ".,;:!" and not re.search(r"\.\s", t)
    )


def _markdown_lines(text: str, plain: list[str]) -> list[_Line]:
    lines: list[_Line] = []
    in_front = False
    for i, (s, e) in enumerate(_split_lines(text)):
        raw = text[s:e]
        t = raw.strip()
        if i == 0 and t == "---":
            in_front = True
        if in_front:
            _blank(plain, s, e)
            lines.append(_Line(s, e, "blank"))
            if t == "---" and i > 0:
                in_front = False
            continue
        if not t:
            lines.append(_Line(s, e, "blank"))
            continue
        m = re.match(r"^(\s*)(#{1,6})\s+", raw)
        if m:
            _blank(plain, s, s + m.end())
            lines.append(_Line(s, e, "heading", level=len(m.group(2)), text=raw[m.end():].strip(" #")))
            continue
        if t.startswith("|"):
            if _TABLE_SEP.match(t):
                _blank(plain, s, e)
                lines.append(_Line(s, e, "blank"))
            else:
                outer = (s + raw.index("|"), s + raw.rstrip().rindex("|"))
                for j in range(s, e):
                    if text[j] == "|":
                        plain[j] = ";" if j not in outer else " "
                lines.append(_Line(s, e, "table_row", text=t))
            continue
        m = _BULLET.match(raw)
        if m:
            _blank(plain, s + len(m.group(1)), s + m.end())
            lines.append(_Line(s, e, "bullet", text=t))
            continue
        lines.append(_Line(s, e, "text", text=t))
    # inline markup: emphasis, code, links (keep link text)
    _blank_emphasis(text, plain)
    for m in _MD_LINK.finditer(text):
        _blank(plain, m.start(), m.start(1))
        _blank(plain, m.end(1), m.end())
    return lines


# '[text](url)' and '![alt](src)': the text holds no '[' and the target no '(' or whitespace, so a
# search from each '[' stops at the next one and the whole text is read once ('[' × 50,000 + '](' × 50,000)
_MD_LINK = re.compile(r"!?\[([^\[\]\n]*)\]\(([^()\s]*)\)")


def _blank_emphasis(text: str, plain: list[str]) -> None:
    """'**', '__', '`' and a single '*' that opens or closes emphasis; longer runs are text (``_MAX_MARK_RUN``)."""
    n = len(text)
    for m in _MARK_RUN.finditer(text):
        s, e = m.start(), m.end()
        run = m.group()
        if len(run) > _MAX_MARK_RUN:
            continue
        if run == "_":
            continue
        if run == "*":
            before = text[s - 1] if s else " "
            after = text[e] if e < n else " "
            opens = not (before.isalnum() or before == "_") and not after.isspace()
            closes = not before.isspace() and not (after.isalnum() or after == "_")
            if not (opens or closes):
                continue
        elif run[0] != "`":
            e = s + len(run) // 2 * 2 if len(run) == 3 and run[0] == "_" else e
        _blank(plain, s, e)


def _markdown_front_matter(text: str) -> dict[str, str]:
    m = re.match(r"---\n(.*?)\n---\s*\n", text, re.DOTALL)
    if not m:
        return {}
    out = {}
    for line in m.group(1).splitlines():
        k, sep, v = line.partition(":")
        if sep:
            out[k.strip().lower()] = v.strip().strip("'\"")
    return out


_HTML_BLOCK = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "br", "ul",
               "ol", "table", "section", "article", "header", "footer", "main", "blockquote",
               "title", "dt", "dd", "pre", "hr", "nav", "aside", "figcaption", "caption", "tbody",
               "thead"}
# A tag or an entity. Comments and raw-text elements (script, style …) are found by their opening alone and
# closed by a search from there (unclosed, they run to the end, as in a browser), and a tag holds no '<', so
# a flood of openers ('<!--' or '<p' × 50,000) is read once, not once per opener.
_HTML_TOKEN = re.compile(
    r"(?P<comment><!--)|<(script|style|noscript|template)\b[^<>]*>|<(/?)([A-Za-z][\w-]*)[^<>]*>|<![^<>]*>"
    r"|&(#\d+|#[xX][0-9a-fA-F]+|[A-Za-z]+\d*);",
    re.IGNORECASE,
)
_RAW_CLOSE = {name: re.compile(rf"</{name}\s*>", re.IGNORECASE) for name in ("script", "style", "noscript",
                                                                           "template", "title")}


def _html_tokens(text: str) -> Iterator[tuple[re.Match, int]]:
    """Tags and entities with where each ends (a comment or raw-text element: after its close)."""
    pos = 0
    while (m := _HTML_TOKEN.search(text, pos)) is not None:
        end = m.end()
        if m.group("comment"):
            close = text.find("-->", end)
            end = len(text) if close < 0 else close + 3
        elif m.group(2):
            close = _RAW_CLOSE[m.group(2).lower()].search(text, end)
            end = len(text) if close is None else close.end()
        yield m, end
        pos = end


def _html_lines(text: str, plain: list[str]) -> tuple[list[_Line], str | None, dict]:
    """Blank tags; a block tag starts a new line whose kind comes from the tag."""
    kind_at: dict[int, tuple[str, int]] = {}  # line start (just after the tag's newline) -> kind
    title = None
    meta: dict[str, str] = {}
    stack: list[str] = []
    for m, e in _html_tokens(text):
        s = m.start()
        entity = m.group(5)
        if entity:
            ch = html.unescape(m.group(0))
            _blank(plain, s, e)
            if len(ch) == 1:
                plain[s] = " " if ch in "\xa0\n\r\t" else ch
            continue
        _blank(plain, s, e)
        name = (m.group(4) or "").lower()
        closing = m.group(3) == "/"
        if m.group("comment") or m.group(2):  # comments, script/style/noscript/template: content dropped
            continue
        if name == "meta" and not closing:
            nm = re.search(r'name\s*=\s*["\']([^"\']+)', m.group(0), re.IGNORECASE)
            ct = re.search(r'content\s*=\s*["\']([^"\']*)', m.group(0), re.IGNORECASE)
            if nm and ct:
                meta[nm.group(1).lower()] = html.unescape(ct.group(1))
        if name not in _HTML_BLOCK:
            continue
        plain[s] = ";" if name in ("td", "th") else "\n"
        if closing:
            if stack and stack[-1] == name:
                stack.pop()
            continue
        if name not in ("br", "hr"):
            stack.append(name)
        if name == "title":
            close = _RAW_CLOSE["title"].search(text, e) if title is None else None
            if close:
                title = html.unescape(re.sub(r"<[^<>]+>", "", text[e:close.start()])).strip()
                _blank(plain, e, close.start())
            continue
        if name in ("h1", "h2", "h3", "h4", "h5", "h6"):
            kind_at[s + 1] = ("heading", int(name[1]))
        elif name == "li":
            kind_at[s + 1] = ("bullet", 0)
        elif name in ("tr",):
            kind_at[s + 1] = ("table_row", 0)
        elif name in ("p", "div", "dd", "dt", "blockquote", "pre", "figcaption"):
            kind_at[s + 1] = ("text", 0)
    plain_text = "".join(plain)
    lines: list[_Line] = []
    current = ("text", 0)
    pos = 0
    marks = sorted(kind_at)
    mi = 0
    for seg in plain_text.split("\n"):
        s, e = pos, pos + len(seg)
        while mi < len(marks) and marks[mi] <= s:
            current = kind_at[marks[mi]]
            mi += 1
        t = seg.strip().strip(";").strip()
        if not t:
            lines.append(_Line(s, e, "blank"))
        else:
            lines.append(_Line(s, e, current[0], level=current[1], text=t))
        pos = e + 1
    return lines, title, meta


def _blank(plain: list[str], start: int, end: int) -> None:
    for j in range(start, min(end, len(plain))):
        if plain[j] != "\n":
            plain[j] = " "


# ---------------------------------------------------------------------------
# The shared builder


# <!-- artgate-disable rule.id: reason -->  (Markdown, HTML)   [artgate-disable rule.id: reason]  (any text)
_DIRECTIVE = re.compile(
    r"<!--\s*+artgate-disable\s++(?P<r1>[\w.-]{1,200})\s*+(?::(?P<why1>.{0,2000}?))?-->"
    r"|^[ \t]*\[artgate-disable\s+(?P<r2>[\w.-]+)\s*(?::\s*(?P<why2>[^\]\n]*))?\][ \t]*$",
    re.MULTILINE | re.DOTALL,
)


def _directives(text: str, plain: list[str]) -> list[tuple[str, str, int, int]]:
    """Suppression directives as (rule, reason, start, end); blanked in ``plain``."""
    out = []
    for m in _DIRECTIVE.finditer(text):
        rule = m.group("r1") or m.group("r2")
        reason = (m.group("why1") or m.group("why2") or "").strip()
        _blank(plain, m.start(), m.end())
        out.append((rule, reason, m.start(), m.end()))
    return out


def _bind(directives: list[tuple[str, str, int, int]], blocks: list[Block]) -> tuple[Suppression, ...]:
    out = []
    starts = [b.start for b in blocks]  # blocks come in text order
    for rule, reason, s, e in directives:
        i = bisect.bisect_left(starts, e)
        block = blocks[i] if i < len(blocks) else None
        if block is not None:
            out.append(Suppression(rule, reason, block.start, block.end, (s, e)))
        else:
            out.append(Suppression(rule, reason, e, e, (s, e)))
    return tuple(out)


def parse(text: str, source: str, fmt: str = "text", *, article_id: str | None = None,
          title: str | None = None, status: str | None = None,
          problems: list[Problem] | None = None) -> Article:
    """Turn decoded text of a known format into an ``Article``."""
    layout = load_layout()
    problems = list(problems or [])
    kind = container_format(text[:1024].lstrip().encode("latin-1", "replace"))
    if kind is not None:  # a document's bytes that arrived as text (a PDF pasted into a CMS field)
        return _problem_article(source, text, unsupported(kind), article_id or article_id_for(source))
    plain = list(text.replace("\r", " "))
    directives = _directives(text, plain)
    meta: dict = {}
    if fmt == "markdown":
        _split_one_line_tables(text, plain)
        lines = _markdown_lines("".join(plain), plain)
        front = _markdown_front_matter(text)
        meta.update({k: v for k, v in front.items() if k not in ("title", "status", "id")})
        title = title or front.get("title")
        status = status or front.get("status")
        article_id = front.get("id") or article_id
    elif fmt == "html":
        lines, html_title, hmeta = _html_lines(text, plain)
        title = title or hmeta.get("title") or html_title
        status = status or hmeta.get("status") or hmeta.get("artgate:status")
    else:
        _split_one_line_tables(text, plain)
        _blank_markdown_marks(text, plain)
        lines = _text_lines("".join(plain), plain)
    aid = article_id or article_id_for(source)
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()

    if not text.strip():
        return _problem_article(source, text, Problem("ingest.empty", "blocker", "the article is empty"), aid)

    nonblank = [ln for ln in lines if ln.kind != "blank"]
    title_span = (0, 0)
    if title is None and nonblank and len(nonblank[0].text) <= MAX_TITLE_CHARS:
        first = nonblank[0]
        title, title_span = first.text.lstrip("#").strip(), (first.start, first.end)
        first.kind = "title"
    elif title is not None and nonblank and _norm(nonblank[0].text) == _norm(title):
        nonblank[0].kind = "title"
        title_span = (nonblank[0].start, nonblank[0].end)

    sections, blocks, ref_lines, status_found, updated = _structure(lines, layout, len(text))
    status = status or status_found or "unknown"
    if updated:
        meta["last_updated"] = updated

    content_blocks = [b for b in blocks if sections[b.section].kind == "content"]
    keep = [False] * len(text)
    for j in range(*title_span):
        keep[j] = True
    for b in content_blocks:
        for j in range(b.start, b.end):
            keep[j] = True
    chars = [c if keep[j] or c == "\n" else " " for j, c in enumerate(plain)]
    if not any(b.kind != "heading" for b in content_blocks):
        problems.append(Problem("ingest.no-content", "blocker",
                                "no article content found (only a title, boilerplate or references)"))
    return Article(
        id=aid, source=source, text=text, plain="".join(chars), content_sha256=sha, format=fmt,
        title=title or "", title_span=title_span, status=str(status).lower().replace(" ", "_"),
        sections=tuple(sections), blocks=tuple(content_blocks),
        references=tuple(_references(ref_lines, text, layout)), metadata=meta,
        problems=tuple(problems), suppressions=_bind(directives, content_blocks),
    )


def _norm(s: str) -> str:
    return re.sub(r"\W+", " ", s).strip().lower()


def _structure(lines: list[_Line], layout: Layout, n: int):
    """Sections, blocks, reference lines, review status and 'last updated' from classified lines."""
    sections: list[dict] = []
    blocks: list[Block] = []
    ref_lines: list[_Line] = []
    status_found = None
    updated = None
    mode = "content"  # content | boilerplate | references
    top = ""
    para: _Line | None = None

    def open_section(heading: str, level: int, start: int, kind: str) -> None:
        nonlocal top
        if level == 1:
            top = heading if kind == "content" else ""
        sections.append({"heading": heading, "level": level, "start": start, "kind": kind,
                         "top": top if kind == "content" else ""})

    def flush() -> None:
        nonlocal para
        if para is not None:
            blocks.append(Block("paragraph", para.start, para.end, len(sections) - 1))
            para = None

    open_section("Title", 1, 0, "title")
    for ln in lines:
        t = ln.text
        if ln.kind == "blank":
            flush()
            continue
        if ln.kind == "title":
            continue
        low = t.lower()
        for marker, st in layout.status_markers:
            if marker in low and status_found is None:
                status_found = st
        if low.startswith("last updated:"):
            updated = re.sub(r"(?i)view editorial policy$", "", t.split(":", 1)[1]).strip()
        if _matches(layout.boilerplate_blocks, t):
            flush()
            mode = "boilerplate"
            open_section(t, 1, ln.start, "boilerplate")
            continue
        is_top = _matches(layout.top_level, t) and ln.kind in ("heading", "text")
        is_refs = _matches(layout.references, t) and ln.kind in ("heading", "text")
        if is_refs:
            flush()
            mode = "references"
            open_section(t, 1, ln.start, "references")
            continue
        if is_top:
            flush()
            mode = "content"
            open_section(t, 1, ln.start, "content")
            blocks.append(Block("heading", ln.start, ln.end, len(sections) - 1))
            continue
        if mode == "boilerplate":
            continue
        if mode == "references":
            if ln.kind == "heading" and ln.level and ln.level <= 2:
                mode = "content"  # a real heading after the references (Markdown/HTML)
            else:
                ref_lines.append(ln)
                continue
        if _matches(layout.boilerplate_lines, t):
            flush()
            continue
        if ln.kind == "heading":
            flush()
            level = _heading_level(ln.level, top)
            if level == 1:
                open_section(t, 1, ln.start, "content")
            else:
                if not top:
                    open_section("Body", 1, ln.start, "content")
                open_section(t, level, ln.start, "content")
            blocks.append(Block("heading", ln.start, ln.end, len(sections) - 1))
            continue
        if sections[-1]["kind"] != "content":
            open_section("Body", 1, ln.start, "content")
        if ln.kind in ("bullet", "table_row"):
            flush()
            blocks.append(Block(ln.kind, ln.start, ln.end, len(sections) - 1))
        elif para is None:
            para = _Line(ln.start, ln.end, "text")
        else:
            para.end = ln.end
    flush()

    # a section ends where the next one at its level or above starts: one pass with a stack of open ones
    ends = [n] * len(sections)
    open_: list[int] = []
    for i, s in enumerate(sections):
        while open_ and sections[open_[-1]]["level"] >= s["level"]:
            ends[open_.pop()] = s["start"]
        open_.append(i)
    out = [Section(s["heading"], s["level"], s["start"], ends[i], s["kind"], s["top"])
           for i, s in enumerate(sections)]
    return out, blocks, ref_lines, status_found, updated


def _heading_level(source_level: int, top: str) -> int:
    """Our two levels from a source heading level.

    Markdown and HTML give one (``#``/``<h1>`` is the title, ``##``/``<h2>`` a
    section, deeper a sub-heading); plain text does not, so an unknown heading
    is a sub-heading when a top-level section is open.
    """
    if source_level:
        return 1 if source_level <= 2 else 2
    return 2 if top else 1


def _references(lines: list[_Line], text: str, layout: Layout) -> list[Reference]:
    """Reference entries, numbered in order: by label lines, explicit numbers, or paragraphs."""
    content = [ln for ln in lines if ln.kind != "blank"]
    if not content:
        return []
    numbered = re.compile(r"^\s*(?:[-*•]\s*)?\[?(\d{1,3})[.)\]]\s+")
    has_labels = any(_matches(layout.reference_labels, ln.text) for ln in content)
    has_numbers = sum(1 for ln in content if numbered.match(text[ln.start:ln.end])) >= 1
    entries: list[dict] = []
    prev_end = -2
    for ln in content:
        raw = text[ln.start:ln.end]
        if has_labels and _matches(layout.reference_labels, ln.text):
            entries.append({"label": ln.text, "lines": [], "start": ln.start, "end": ln.end, "num": None})
        elif has_numbers and not has_labels and numbered.match(raw):
            m = numbered.match(raw)
            entries.append({"label": "", "lines": [raw[m.end():].strip()], "start": ln.start,
                            "end": ln.end, "num": int(m.group(1))})
        elif not entries or (not has_labels and not has_numbers and _gap(text, prev_end, ln.start)):
            entries.append({"label": "", "lines": [ln.text], "start": ln.start, "end": ln.end, "num": None})
        else:
            entries[-1]["lines"].append(ln.text)
            entries[-1]["end"] = ln.end
        prev_end = ln.end
    refs = []
    for i, e in enumerate(entries, start=1):
        lines_ = [x.lstrip("•-* ").strip() for x in e["lines"] if x.strip()]
        title = lines_[0] if lines_ else ""
        refs.append(Reference(number=e["num"] or i, text=" — ".join(lines_), title=title,
                              start=e["start"], end=e["end"], label=e["label"]))
    return refs


def _gap(text: str, a: int, b: int) -> bool:
    """True when a blank line separates offsets a and b."""
    return text[a:b].count("\n") >= 2
