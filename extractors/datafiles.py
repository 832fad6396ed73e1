"""Reading files safely: regular files only, bounded in size, and data files with errors that name the file.

Every file artgate opens by name (articles, rule packs, configuration, the
reference table) goes through ``read_regular``: a named pipe, a device such as
``/dev/zero`` or a socket is refused before anything is read, so a hostile path
can neither block a check nor fill memory.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from importlib import resources
from pathlib import Path

from .errors import DataFileError, Errors

DATA_FILE_MAX_BYTES = 2_000_000  # rule packs, configuration, reference tables, lexicons


class NotRegularFile(OSError):
    """The path names something other than a regular file (a FIFO, a device, a socket, a folder)."""


class FileTooLarge(OSError):
    """The file is larger than the caller's limit; ``size`` is its size in bytes."""

    def __init__(self, size: int, limit: int):
        super().__init__(f"{size:,} bytes, over the limit of {limit:,} bytes")
        self.strerror = str(self)
        self.size, self.limit = size, limit


def file_kind(mode: int) -> str:
    """'a named pipe', 'a character device' … for a ``st_mode`` that is not a regular file."""
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device")):
        if test(mode):
            return name
    return "not a regular file"


def why_unreadable(path: str | Path, exc: OSError) -> str:
    """The reason to print for an ``OSError`` from opening ``path``: a dangling link says where it points."""
    if isinstance(exc, FileNotFoundError) and os.path.islink(path):
        return f"a dangling symbolic link to {os.readlink(path)!r}"
    return exc.strerror or str(exc)


def read_regular(path: str | Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    Raises ``NotRegularFile`` for anything else (checked before opening, and
    again on the open descriptor, which is opened non-blocking so a FIFO swapped
    in meanwhile cannot block), ``FileTooLarge`` over the limit (also when the
    file grows while it is read), and ``OSError`` when it cannot be opened.
    """
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise NotRegularFile(f"{file_kind(st.st_mode)}, not a regular file")
    if st.st_size > limit:
        raise FileTooLarge(st.st_size, limit)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(f"{file_kind(st.st_mode)}, not a regular file")
        chunks, left = [], limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise FileTooLarge(max(len(data), os.stat(path).st_size), limit)
    return data


def read_data_file(path: str | Path, limit: int = DATA_FILE_MAX_BYTES) -> str:
    """A user-supplied data file as text; ``DataFileError`` names the file and the reason in one line."""
    try:
        return read_regular(path, limit).decode("utf-8")
    except FileNotFoundError as exc:
        if os.path.islink(path):
            raise DataFileError(Errors.E010.format(path=path, reason=why_unreadable(path, exc))) from exc
        raise DataFileError(Errors.E001.format(path=path)) from exc
    except OSError as exc:
        raise DataFileError(Errors.E010.format(path=path, reason=why_unreadable(path, exc))) from exc
    except UnicodeDecodeError as exc:
        raise DataFileError(Errors.E010.format(path=path, reason=f"not UTF-8 text (byte {exc.start})")) from exc


def read_json(path: str | Path) -> object:
    text = read_data_file(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataFileError(Errors.E010.format(path=path, reason=exc)) from exc
    except RecursionError as exc:
        raise DataFileError(Errors.E010.format(path=path, reason="JSON nested too deeply")) from exc
    except ValueError as exc:  # an integer with more digits than Python converts
        reason = f"a number with more than {sys.get_int_max_str_digits():,} digits"
        raise DataFileError(Errors.E010.format(path=path, reason=reason)) from exc


def packaged_json(package: str, name: str) -> tuple[object, str]:
    """A data file shipped in ``package/data/``, and the path to name in errors."""
    ref = resources.files(package) / "data" / name
    return json.loads(ref.read_text(encoding="utf-8")), f"{package}/data/{name}"
