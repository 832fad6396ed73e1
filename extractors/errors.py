"""Named error messages: one constant per failure, each saying what to do about it."""

from __future__ import annotations


class Errors:
    E001 = "{path}: no such file or directory"
    E002 = "{path}: cannot read ({reason})"
    E003 = "{path}: no article files in this directory (looked for {suffixes})"
    E004 = "{path}: unsupported file type '{suffix}' (use one of {suffixes}, or --format-in)"
    E005 = "{path}: invalid JSON article ({reason}); expected an object with 'id', 'title', 'status', 'body'"
    E010 = "{path}: invalid data file ({reason})"
    E011 = "{path}: unknown key(s) {keys}; allowed: {allowed}"
    E012 = "{path}: invalid pattern {pattern!r} ({reason})"


class ArtgateError(Exception):
    """An error the user can act on; the CLI prints it as one line and exits 2."""


class InputError(ArtgateError):
    """An input that cannot be read at all (missing, unreadable, no articles)."""


class DataFileError(ArtgateError):
    """A shipped or user-supplied data file (lexicon, rule pack, reference table) is invalid."""
