"""Log files as typed records, line by line, in the format each file is in: bad lines counted
(the first one kept), or fatal with --strict."""

from __future__ import annotations

import csv
import functools
import io
import json
from collections import Counter
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from costcalc.errors import InputFileError
from costcalc.io.logs import registry
from costcalc.io.logs.formats import LogRecord
from costcalc.io.logs.opening import (
    BOM,
    STREAM_ERRORS,
    one_array,
    open_log,
    plain_suffix,
    unreadable,
)
from costcalc.io.logs.values import BadValue, TimeRange

PROGRESS_EVERY = 1000  # lines between progress reports


# Where each line of a log ends up: exactly one of these (DESIGN: nothing lost silently).
BUCKETS = {
    "used": "requests used",
    "failed": "failed requests",
    "unanswered": "inputs without a result",
    "orphaned": "results without an input",
    "duplicate": "duplicates",
    "other_model": "other models",
    "no_request": "not a model call",  # a Langfuse span, a usage row of 0 requests
    "malformed": "malformed",
}


@dataclass
class LineCounts:
    """What was read: lines by bucket (with the first of each), times not used, formats."""

    lines: int = 0
    buckets: Counter[str] = field(default_factory=Counter)
    first: dict[str, str] = field(default_factory=dict)  # "log.jsonl:17: field `x`: …"
    outliers: int = 0
    first_outlier: str | None = None
    formats: Counter[str] = field(default_factory=Counter)  # format title → files

    def put(self, bucket: str, where: str, lines: int = 1) -> None:
        self.buckets[bucket] += lines
        self.first.setdefault(bucket, where)

    def merge(self, other: LineCounts, formats: bool = True) -> None:
        """Add the counts of a later part of the same lines (its firsts come after ours);
        `formats` False when the other part's file is one already counted."""
        self.lines += other.lines
        self.buckets.update(other.buckets)
        for bucket, where in other.first.items():
            self.first.setdefault(bucket, where)
        self.outliers += other.outliers
        self.first_outlier = self.first_outlier or other.first_outlier
        if formats:
            self.formats.update(other.formats)

    @property
    def malformed(self) -> int:
        return self.buckets["malformed"]

    def skipped(self) -> list[str]:
        """'failed requests: 3 (first log.jsonl:4: status 400)', one per bucket but used."""
        return [
            f"{label}: {self.buckets[b]:,} (first {self.first[b]})"
            for b, label in BUCKETS.items()
            if b != "used" and self.buckets[b]
        ]


def _position(handle: IO[Any]) -> int:
    """Bytes of the file read so far: of the compressed file for a gzip, bzip2 or xz log, so a
    progress bar whose total is the file's size ends at it (not 5 times past it)."""
    raw = getattr(handle, "fileobj", None) or getattr(handle, "_fp", None)
    return int(raw.tell()) if raw is not None and hasattr(raw, "tell") else int(handle.tell())


def _where(path: Path, number: int, field: str | None, problem: str) -> str:
    return f"{path}:{number}: " + (f"field `{field}`: {problem}" if field else problem)


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
    ) -> tuple[int, LogRecord] | None:
        """The line's record, or None when it is malformed (an error with --strict)."""
        counts = self.counts
        counts.lines += 1
        if self.progress and counts.lines % PROGRESS_EVERY == 0:
            self.progress(_position(handle))
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
        return number, record

    def bad(self, number: int, field: str | None, problem: str) -> None:
        if self.strict:
            raise InputFileError(f"{self.path}:{number}", problem, field)
        self.counts.put("malformed", _where(self.path, number, field, problem))


_fast_loads: Callable[[bytes], Any] | None
try:  # orjson parses a chat log line 2-3 times as fast (100 MB of short turns: 0.8 s, not 1.6 s)
    from orjson import loads as _fast_loads
except ImportError:  # pragma: no cover - orjson is a dependency; json stands in without it
    _fast_loads = None


def decode(line: bytes) -> Any:
    """The line's JSON value. orjson reads the lines json reads alike, but for integers over
    64 bits (a float then) and what it rejects: NaN and Infinity literals, invalid UTF-8, lone
    surrogate escapes, numbers over 1e308, nesting over 1,024 deep. Those lines go to json, so
    what is accepted and every message about a bad line stay as json has them."""
    if _fast_loads is not None:
        try:
            return _fast_loads(line)
        except ValueError:  # orjson.JSONDecodeError is one
            pass
    try:
        return json.loads(line.decode("utf-8", errors="replace"))
    except json.JSONDecodeError as exc:
        raise BadValue(None, f"not JSON ({exc.msg}, column {exc.colno})") from None
    except ValueError as exc:  # an integer of over 4,300 digits
        raise BadValue(None, f"not JSON: {str(exc).split(':')[0]}") from None


class _Detected:
    """A JSON log's format, told by its first JSON object and kept for the file's other lines."""

    def __init__(self, reader: _Reader) -> None:
        self.reader = reader
        self.format: registry.JsonFormat | None = None

    def parse(self, obj: Any) -> LogRecord:
        if self.format is None and isinstance(obj, dict):
            self.format = registry.json_format(obj)
            self.reader.counts.formats[self.format.title] += 1
        if self.format is None:
            raise BadValue(None, "not a JSON object")
        return self.format.parse(obj, self.reader.span)

    def line(self, line: bytes) -> LogRecord:
        return self.parse(decode(line))


def _fail(exc: BadValue) -> LogRecord:
    raise exc


@dataclass(frozen=True)
class Part:
    """Lines of a JSONL file read by one worker process: the bytes from `start` (a line's
    first) to `end`, the first being line `first_line`, all read in the file's format."""

    path: Path
    start: int
    end: int
    first_line: int
    format: registry.JsonFormat


def _jsonl(
    reader: _Reader, handle: IO[bytes], part: Part | None = None
) -> Iterator[tuple[int, LogRecord]]:
    detected = _Detected(reader)
    left, first = (part.end - part.start, part.first_line) if part else (-1, 1)
    if part is not None:
        handle.seek(part.start)
        detected.format = part.format
        reader.counts.formats[part.format.title] += 1  # the first part's count is kept
    for number, line in enumerate(handle, first):
        if left >= 0:  # a part ends at the first line starting at or after its end
            if left == 0:
                return
            left = max(left - len(line), 0)
        if number == 1 and line.startswith(BOM):  # Notepad and PowerShell write one
            line = line[len(BOM) :]
        if line.isspace() or not line:  # as strip() would, without copying a 10 kB line
            continue
        taken = reader.take(number, functools.partial(detected.line, line), handle)
        if taken is not None:
            yield taken


def _array(reader: _Reader, handle: IO[bytes]) -> Iterator[tuple[int, LogRecord]]:
    """A JSON document holding one array of records (an export saved as .json), streamed."""
    from costcalc.io.logs.jsonarray import iter_array

    detected = _Detected(reader)
    for number, item in iter_array(handle, reader.path):
        parse = functools.partial(_fail, item) if isinstance(item, BadValue) else \
            functools.partial(detected.parse, item)  # fmt: skip
        taken = reader.take(number, parse, handle)
        if taken is not None:
            yield taken


def _csv(reader: _Reader, handle: IO[bytes]) -> Iterator[tuple[int, LogRecord]]:
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", errors="replace", newline="")
    rows = csv.DictReader(text)
    found = registry.csv_format(rows.fieldnames or [])
    if found is None:
        raise InputFileError(
            reader.path,
            "a CSV log no format reads; costcalc reads: " + "; ".join(registry.csv_titles()),
        )
    reader.counts.formats[found.title] += 1
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
        taken = reader.take(ended, functools.partial(found.parse, row, reader.span), handle)
        if taken is not None:
            yield taken


def read_records(
    path: Path, strict: bool, counts: LineCounts, span: TimeRange,
    progress: Callable[[int], None] | None = None, part: Part | None = None,
) -> Generator[tuple[int, LogRecord], None, None]:  # fmt: skip
    """The records of one log (JSONL, a JSON array or CSV, in any format the registry knows)
    with their line numbers, streamed; `progress` gets the bytes read so far. With `part`,
    only that part of a plain JSONL file (see splittable).
    A gzip, bzip2 or xz log is read through its decompressor (told by its first bytes, not
    its name: logs.jsonl.gz, or a rotated log without the suffix)."""
    try:
        handle = open_log(path)
    except STREAM_ERRORS as exc:
        raise InputFileError(path, f"cannot be read: {unreadable(exc)}") from None
    reader = _Reader(path, strict, counts, span, progress)
    with handle:
        try:
            if part is not None:
                yield from _jsonl(reader, handle, part)
            elif plain_suffix(path) == ".csv":
                yield from _csv(reader, handle)
            elif one_array(handle):
                yield from _array(reader, handle)
            else:
                yield from _jsonl(reader, handle)
        except STREAM_ERRORS as exc:  # a disk failing mid-file, a compressed log cut short
            raise InputFileError(path, f"cannot be read: {unreadable(exc)}") from None
