"""Escaping for every output format, and counts in words.

Every field a report shows can come from outside: a file name may hold a
newline, a backtick or an escape sequence, an article's text any character,
a user's rule pack any key. Each renderer passes every such field through the
function for its format, so no field can start a Markdown heading, close a
code span, or send a control sequence to a terminal.
"""

from __future__ import annotations

import bisect
import re
from urllib.parse import quote

# C0 and C1 controls, DEL, and the Unicode line and paragraph separators
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# ASCII punctuation that means something inline in CommonMark/GitHub Markdown (emphasis, code, links,
# images, HTML, entities, table cells, strike-through, math); line-start syntax cannot occur inside a line
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&$])")

# words whose plural is the same ("3 info")
_INVARIANT = {"info"}


def plural(n: int, word: str) -> str:
    """'1 blocker', '2 blockers', '0 blockers', '3 info'.

    >>> plural(1, "blocker"), plural(2, "warning"), plural(1, "info"), plural(2, "bad item")
    ('1 blocker', '2 warnings', '1 info', '2 bad items')
    """
    return f"{n:,} {word if n == 1 or word in _INVARIANT else word + 's'}"


def counts_phrase(counts: dict) -> str:
    """'1 blocker, 2 warnings, 0 info' from ``{"blocker": 1, "warning": 2, "info": 0}``."""
    return ", ".join(plural(counts.get(sev, 0), sev) for sev in ("blocker", "warning", "info"))


def one_line(s: object) -> str:
    """Text safe to print on one line of a terminal: control characters become visible escapes.

    >>> one_line("a\\nb\\x1b[31m")
    'a\\\\nb\\\\x1b[31m'
    """
    return _CONTROL.sub(lambda m: _NAMED.get(m.group(), f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256
                                             else f"\\u{ord(m.group()):04x}"), str(s))


def md_text(s: object) -> str:
    """Inline Markdown text that renders as exactly these characters (one line, no markup, no HTML).

    >>> md_text("*x* <b> [a](b)")
    '\\\\*x\\\\* \\\\<b\\\\> \\\\[a\\\\](b)'
    """
    return _MD_SPECIAL.sub(r"\\\1", " ".join(one_line(s).split()))


def md_code(s: object, in_table: bool = False) -> str:
    """An inline code span that holds ``s`` whatever backticks it contains.

    The fence is one backtick longer than the longest run inside; in a table a
    pipe is escaped too (GitHub splits cells on it even inside code).

    >>> md_code("a`b"), md_code("x|y", in_table=True)
    ('``a`b``', '`x\\\\|y`')
    """
    body = " ".join(one_line(s).split())
    if in_table:
        body = body.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if body.startswith("`") or body.endswith("`") or not body else ""
    return f"{fence}{pad}{body}{pad}{fence}"


def uri(path: str) -> str:
    """A file path as a URI reference (SARIF ``artifactLocation.uri``): spaces, newlines, ``%`` … percent-encoded.

    >>> uri("docs/a b#1.md")
    'docs/a%20b%231.md'
    """
    return quote(path, safe="/@!$&'()*+,;=~-._")


class LineIndex:
    """Line and column of character offsets, by binary search over the line starts.

    ``Article.line_col`` counts newlines from the start of the text on every
    call; a report of a long article with many findings would rescan the text
    once per piece of evidence. Renderers build one index per article instead.

    >>> LineIndex("ab\\ncd").line_col(4)
    (2, 2)
    """

    def __init__(self, text: str):
        self.starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def line_col(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1
