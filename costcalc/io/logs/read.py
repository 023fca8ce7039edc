"""Log files as typed records, line by line: bad lines counted (the first one kept), or fatal."""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from costcalc.errors import InputFileError
from costcalc.io.logs.formats import LogRecord, from_csv, from_json
from costcalc.io.logs.values import BadValue, TimeRange

BOM = b"\xef\xbb\xbf"
PROGRESS_EVERY = 1000  # lines between progress reports


@dataclass
class LineCounts:
    """What was read: lines, those skipped as malformed, those whose time was not used."""

    lines: int = 0
    malformed: int = 0
    first_malformed: str | None = None  # "log.jsonl:17, field `usage.prompt_tokens`: …"
    outliers: int = 0
    first_outlier: str | None = None


def _where(path: Path, number: int, field: str | None, problem: str) -> str:
    return f"{path}:{number}, " + (f"field `{field}`: {problem}" if field else problem)


class _Reader:
    """Turns a file's lines into records, applying --strict and keeping the counts."""

    def __init__(
        self, path: Path, strict: bool, counts: LineCounts, span: TimeRange,
        progress: Callable[[int], None] | None,
    ) -> None:  # fmt: skip
        self.path, self.strict, self.counts, self.span = path, strict, counts, span
        self.progress = progress

    def take(
        self, number: int, parse: Callable[[], LogRecord], handle: IO[Any]
    ) -> LogRecord | None:
        """The line's record, or None when it is malformed (an error with --strict)."""
        counts = self.counts
        counts.lines += 1
        if self.progress and counts.lines % PROGRESS_EVERY == 0:
            self.progress(handle.tell())
        try:
            record = parse()
        except BadValue as exc:
            self.bad(number, exc.field, exc.problem)
            return None
        except RecursionError:
            self.bad(number, None, "nested too deeply")
            return None
        if record.time_outlier is not None:
            field, problem = record.time_outlier
            if self.strict:
                raise InputFileError(f"{self.path}:{number}", problem, field)
            counts.outliers += 1
            if counts.first_outlier is None:
                counts.first_outlier = _where(self.path, number, field, problem)
        return record

    def bad(self, number: int, field: str | None, problem: str) -> None:
        if self.strict:
            raise InputFileError(f"{self.path}:{number}", problem, field)
        self.counts.malformed += 1
        if self.counts.first_malformed is None:
            self.counts.first_malformed = _where(self.path, number, field, problem)


def _json(line: bytes, span: TimeRange) -> LogRecord:
    try:
        obj = json.loads(line.decode("utf-8", errors="replace"))
    except json.JSONDecodeError as exc:
        raise BadValue(None, f"not JSON ({exc.msg}, column {exc.colno})") from None
    except ValueError as exc:  # an integer of over 4,300 digits
        raise BadValue(None, f"not JSON: {str(exc).split(':')[0]}") from None
    return from_json(obj, span)


def _fail(exc: BadValue) -> LogRecord:
    raise exc


def _jsonl(reader: _Reader, handle: IO[bytes]) -> Iterator[LogRecord]:
    for number, line in enumerate(handle, 1):
        if number == 1 and line.startswith(BOM):  # Notepad and PowerShell write one
            line = line[len(BOM) :]
        if not line.strip():
            continue
        record = reader.take(number, functools.partial(_json, line, reader.span), handle)
        if record is not None:
            yield record


def _csv(reader: _Reader, handle: IO[bytes]) -> Iterator[LogRecord]:
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", errors="replace", newline="")
    rows = csv.DictReader(text)
    if not rows.fieldnames or not {"prompt_tokens", "completion_tokens"} <= set(rows.fieldnames):
        raise InputFileError(
            reader.path, "a CSV log needs the columns timestamp, prompt_tokens, completion_tokens"
        )
    ended = rows.line_num  # the last line of the row before: a bad row starts after it
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:  # a field over csv's size limit, say
            bad = BadValue(None, f"not CSV: {exc}")
            reader.take(ended + 1, functools.partial(_fail, bad), handle)
            ended = rows.line_num
            continue
        ended = rows.line_num
        record = reader.take(ended, functools.partial(from_csv, row, reader.span), handle)
        if record is not None:
            yield record


COMPRESSED = {b"\x1f\x8b": "gzip", b"BZh": "bz2", b"\xfd7zXZ\x00": "xz"}
ZSTD = b"\x28\xb5\x2f\xfd"


def _open(path: Path) -> IO[bytes]:
    """The log's bytes, decompressed when its first bytes say it is compressed."""
    import bz2
    import gzip
    import lzma

    with path.open("rb") as probe:
        head = probe.read(6)
    if head.startswith(ZSTD):
        raise InputFileError(
            path, "a zstd-compressed log: decompress it first (zstd -d FILE), then read that"
        )
    for magic, kind in COMPRESSED.items():
        if head.startswith(magic):
            if kind == "gzip":
                return cast(IO[bytes], gzip.open(path, "rb"))
            return bz2.open(path, "rb") if kind == "bz2" else lzma.open(path, "rb")
    return path.open("rb")


def _plain_suffix(path: Path) -> str:
    """'.csv' for logs.csv and logs.csv.gz alike."""
    suffixes = [s.lower() for s in path.suffixes]
    while suffixes and suffixes[-1] in (".gz", ".gzip", ".bz2", ".xz"):
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


def read_records(
    path: Path, strict: bool, counts: LineCounts, span: TimeRange,
    progress: Callable[[int], None] | None = None,
) -> Iterator[LogRecord]:  # fmt: skip
    """The records of one JSONL or CSV log, streamed; `progress` gets the bytes read so far.
    A gzip, bzip2 or xz log is read through its decompressor (told by its first bytes, not
    its name: logs.jsonl.gz, or a rotated log without the suffix)."""
    try:
        handle = _open(path)
    except OSError as exc:
        raise InputFileError(path, f"cannot be read: {exc.strerror or exc}") from None
    reader = _Reader(path, strict, counts, span, progress)
    with handle:
        try:
            if _plain_suffix(path) == ".csv":
                yield from _csv(reader, handle)
            else:
                yield from _jsonl(reader, handle)
        except OSError as exc:  # a disk or network share failing mid-file
            raise InputFileError(path, f"cannot be read: {exc.strerror or exc}") from None
