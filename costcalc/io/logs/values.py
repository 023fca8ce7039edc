"""Typed values of a log line: each check returns the value or raises BadValue naming the field."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from costcalc.io.validation import show

# The profile schema's bound on one token count (costcalc.schema.base.Tokens): a line above it
# could only produce a profile that does not load.
MAX_TOKENS = 10_000_000
# No hosted chat API logged requests before 2015; a unix time above 1e11 s (year 5138) is
# taken to be in milliseconds.
EARLIEST = dt.datetime(2015, 1, 1, tzinfo=dt.UTC)
MILLISECONDS_ABOVE = 1e11
DAY_S = 86_400.0


class BadValue(Exception):
    """A line, or one of its values, that cannot be used: the line is malformed."""

    def __init__(self, field: str | None, problem: str) -> None:
        super().__init__(f"field `{field}`: {problem}" if field else problem)
        self.field = field
        self.problem = problem


@dataclass(frozen=True)
class TimeRange:
    """The times a log line can plausibly carry: from 2015 to one day after now."""

    earliest_s: float
    latest_s: float

    @classmethod
    def until(cls, now_s: float) -> TimeRange:
        return cls(EARLIEST.timestamp(), now_s + DAY_S)

    def __str__(self) -> str:
        ends = (self.earliest_s, self.latest_s)
        return " to ".join(dt.datetime.fromtimestamp(t, dt.UTC).date().isoformat() for t in ends)


Outlier = tuple[str, str]  # (field, problem) of a time outside the plausible range
Stamp = tuple[float | None, Outlier | None]


def mapping(value: Any, field: str) -> dict[str, Any] | None:
    """A JSON object, or None for null or absent."""
    if value is None or isinstance(value, dict):
        return value
    raise BadValue(field, f"not an object: {show(value)}")


def sequence(value: Any, field: str) -> list[Any] | None:
    """A JSON list, or None for null or absent."""
    if value is None or isinstance(value, list):
        return value
    raise BadValue(field, f"not a list: {show(value)}")


def name(value: Any, field: str) -> str | None:
    """A model name or an id: text (an integer id is taken as its digits), None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise BadValue(field, f"not a string: {show(value)}")


def printable(text: str | None, limit: int = 200) -> str | None:
    """Text as it may be shown in a profile's comments: control characters, line separators and
    lone surrogates escaped (a model name must not break a YAML comment or UTF-8 output)."""
    if text is None or (text.isprintable() and len(text) <= limit):
        return text
    escaped = "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)
    return escaped if len(escaped) <= limit else escaped[: limit - 3] + "..."


def tokens(value: Any, field: str) -> float:
    """A token count from JSON: a finite number from 0 to MAX_TOKENS; null or absent is 0."""
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadValue(field, f"not a number: {show(value)}")
    return _count(value, field)


def token_text(text: str | None, field: str, required: bool = False) -> float:
    """A token count from a CSV cell; an empty optional cell is 0."""
    if text is None or not text.strip():
        if required:
            raise BadValue(field, "missing")
        return 0.0
    try:
        value = float(text)
    except ValueError:
        raise BadValue(field, f"not a number: {show(text)}") from None
    return _count(value, field)


def _count(value: float, field: str) -> float:
    # compared before any float() so that a 4,000-digit integer cannot overflow
    if isinstance(value, float) and not math.isfinite(value):
        raise BadValue(field, f"not a finite number: {value}")
    if value < 0:
        raise BadValue(field, f"negative: {show(value)}")
    if value > MAX_TOKENS:
        raise BadValue(field, f"{show(value)} is more than {MAX_TOKENS:,} tokens")
    return float(value)


def unix_time(value: Any, field: str, span: TimeRange) -> Stamp:
    """A unix time (seconds or milliseconds, as a number or its text) or an ISO 8601 date and
    time (UTC unless it says otherwise). Non-finite or unreadable: BadValue; readable but
    outside `span`: no time, and the outlier said."""
    if value is None or value == "":
        return None, None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return _iso(value, field, span)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadValue(field, f"not a date and time or a unix time: {show(value)}")
    try:
        seconds = float(value)
    except OverflowError:
        raise BadValue(field, f"not a finite number: {show(value)}") from None
    if not math.isfinite(seconds):
        raise BadValue(field, f"not a finite number: {seconds}")
    if seconds > MILLISECONDS_ABOVE:
        seconds /= 1000.0
    if span.earliest_s <= seconds <= span.latest_s:  # (most lines: no message to build)
        return seconds, None
    return _within(seconds, show(value), field, span)


def _iso(text: str, field: str, span: TimeRange) -> Stamp:
    try:
        stamp = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadValue(field, f"not a date and time or a unix time: {show(text)}") from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    try:
        seconds = stamp.timestamp()
    except (OverflowError, ValueError):  # year 1 less an hour, say
        return None, (field, f"{show(text)} is outside {span}")
    return _within(seconds, show(text), field, span)


def _within(seconds: float, shown: str, field: str, span: TimeRange) -> Stamp:
    if span.earliest_s <= seconds <= span.latest_s:
        return seconds, None
    return None, (field, f"{shown} is outside {span}")
