"""Character offsets into an article ↔ LSP positions (zero-based line, character in the negotiated units).

artgate's offsets count code points of the text as read. LSP counts lines by
``\\n``, ``\\r\\n`` and ``\\r`` only (not the other breaks ``str.splitlines``
knows), and characters in UTF-16 code units unless the client agreed on UTF-8
or UTF-32 at initialisation, so an emoji before a finding moves its column by two.

>>> lines = Lines("a\\r\\nb😀c", "utf-16")
>>> lines.position(5), lines.offset(1, 3)
((1, 3), 5)
"""

from __future__ import annotations

import re
from bisect import bisect_right

_BREAK = re.compile(r"\r\n|\r|\n")


def _units(text: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(text.encode("utf-8", "surrogatepass"))
    if encoding == "utf-32":
        return len(text)
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)


class Lines:
    """Positions of one text; ``encoding`` is ``utf-16`` (the LSP default), ``utf-8`` or ``utf-32``."""

    def __init__(self, text: str, encoding: str = "utf-16"):
        self.text = text
        self.encoding = encoding
        self.starts = [0, *(m.end() for m in _BREAK.finditer(text))]

    def _line_end(self, line: int) -> int:
        """Offset of the end of ``line`` without its line break."""
        if line + 1 < len(self.starts):
            end = self.starts[line + 1]
            return end - (2 if self.text[end - 2:end] == "\r\n" else 1)
        return len(self.text)

    def position(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, len(self.text)))
        line = bisect_right(self.starts, offset) - 1
        return line, _units(self.text[self.starts[line]:offset], self.encoding)

    def offset(self, line: int, character: int) -> int:
        """The offset at a position; past the end of a line is its end, past the last line the text's end."""
        if line < 0:
            return 0
        if line >= len(self.starts):
            return len(self.text)
        start, end = self.starts[line], self._line_end(line)
        if self.encoding == "utf-32":
            return min(start + character, end)
        units = 0
        for i in range(start, end):
            if units >= character:
                return i
            units += _units(self.text[i], self.encoding)
        return end

    def line_start(self, offset: int) -> int:
        """Offset of the start of the line holding ``offset``."""
        return self.starts[bisect_right(self.starts, offset) - 1]
