"""How a log file is opened: decompressed as its first bytes say, told a JSONL log from one
JSON array, a CSV log by its name."""

from __future__ import annotations

import json
import lzma
import zlib
from pathlib import Path
from typing import IO, cast

from costcalc.errors import InputFileError

BOM = b"\xef\xbb\xbf"
COMPRESSED = {b"\x1f\x8b": "gzip", b"BZh": "bz2", b"\xfd7zXZ\x00": "xz"}
ZSTD = b"\x28\xb5\x2f\xfd"
READ_BUFFER_BYTES = 1 << 16
HEAD_BYTES = 1 << 20  # what one_array reads to tell a JSON array from JSONL
# what reading a damaged compressed log raises: OSError (gzip's BadGzipFile, bz2's invalid
# stream), EOFError (any of them cut short), zlib's and lzma's own errors
STREAM_ERRORS = (OSError, EOFError, zlib.error, lzma.LZMAError)


def compression(path: Path) -> str | None:
    """'gzip', 'bz2', 'xz' or 'zstd' as the file's first bytes say; None for a plain file."""
    with path.open("rb") as probe:
        head = probe.read(6)
    if head.startswith(ZSTD):
        return "zstd"
    return next((kind for magic, kind in COMPRESSED.items() if head.startswith(magic)), None)


def open_log(path: Path) -> IO[bytes]:
    """The log's bytes, decompressed when its first bytes say it is compressed."""
    import bz2
    import gzip

    kind = compression(path)
    if kind == "zstd":
        raise InputFileError(
            path, "a zstd-compressed log: decompress it first (zstd -d FILE), then read that"
        )
    if kind == "gzip":
        return cast(IO[bytes], gzip.open(path, "rb"))
    if kind is not None:
        return bz2.open(path, "rb") if kind == "bz2" else lzma.open(path, "rb")
    # a 64 kB buffer: with the default (the file system's block size, 4 kB here), a line
    # longer than that (a chat turn with its history, 8.6 kB) is read in pieces and joined,
    # and reading 200 MB of such lines takes 0.23 s instead of 0.06 s
    return path.open("rb", buffering=READ_BUFFER_BYTES)


def unreadable(exc: BaseException) -> str:
    """Why a log could not be read (one of STREAM_ERRORS), in a clause."""
    if isinstance(exc, EOFError):
        return "it ends early (a compressed file cut short?)"
    if isinstance(exc, zlib.error | lzma.LZMAError):
        return f"its compressed data is damaged ({exc})"
    return str(getattr(exc, "strerror", None) or exc)


def plain_suffix(path: Path) -> str:
    """'.csv' for logs.csv and logs.csv.gz alike."""
    suffixes = [s.lower() for s in path.suffixes]
    while suffixes and suffixes[-1] in (".gz", ".gzip", ".bz2", ".xz"):
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


def one_array(handle: IO[bytes]) -> bool:
    """Whether the file is one JSON array (an export saved as .json), not JSONL: it opens with
    `[`, and its first line (in the first MB) is not a whole JSON value followed by more lines
    (a JSONL log whose first line happens to be an array). The first MB is read, not peeked
    at (a peek gives as much as the handle's buffer holds, so the answer would depend on it),
    and the handle left where it was."""
    at = handle.tell()
    head = handle.read(4096).removeprefix(BOM).lstrip()
    if head.startswith(b"[") or not head:  # the rest only then: a compressed log's seek back
        head = (head + handle.read(HEAD_BYTES)).lstrip()  # decompresses what was read again
    handle.seek(at)
    if not head.startswith(b"["):
        return False
    first, newline, rest = head.partition(b"\n")
    if not newline or not rest.strip():
        return True  # one line (or too long a first line to tell): the array
    try:
        json.loads(first)
    except ValueError:
        return True  # an array over many lines
    return False
