"""What a flag's value may be: the callbacks and parsers that check it before any work is done."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable

import typer


def finite(value: float | None) -> float | None:
    """A numeric flag's callback: inf and nan are not limits (`--max-increase-pct inf`)."""
    if value is not None and not math.isfinite(value):
        raise typer.BadParameter(f"{value}: give a finite number")
    return value


def within(low: float, high: float) -> Callable[[float | None], float | None]:
    """A numeric flag's callback that says what a bad value is: nan and inf are not numbers
    here, and typer's own range check calls `--days nan` "more than 36500"."""

    def check(value: float | None) -> float | None:
        if value is not None and not (math.isfinite(value) and low <= value <= high):
            raise typer.BadParameter(f"{value:g}: give a number from {_shown(low)} to "
                                     f"{_shown(high)}")  # fmt: skip
        return value

    return check


def _shown(limit: float) -> str:
    return f"{int(limit):,}" if float(limit).is_integer() else f"{limit:g}"


def named(value: str | None) -> str | None:
    """An id flag's callback: `--option ""` (an unset CI variable) names nothing."""
    if value is not None and not value.strip():
        raise typer.BadParameter("empty: name an option id, or leave the flag out")
    return value


def parse_volume(text: str | None, option: str) -> float | None:
    if text is None:
        return None
    from costcalc.core.units import parse_quantity

    try:
        return parse_quantity(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint=f"'{option}'") from None


def parse_range(text: str | None) -> tuple[float, float, str] | None:
    """`--range LOW:HIGH` in billed tokens/day, or in requests/day with a `req` ending
    (`10k:1Mreq`); `tok` may end it too. The unit is returned beside the two volumes."""
    if text is None:
        return None
    unit = "tok"
    found = re.search(r"(req|requests|tok|tokens)$", text.strip(), re.IGNORECASE)
    body = text.strip()
    if found:
        unit = "req" if found.group(1).lower().startswith("req") else "tok"
        body = body[: found.start()]
    low_text, sep, high_text = body.partition(":")
    if not sep:
        raise typer.BadParameter(
            f"{text!r}: expected LOW:HIGH, such as 100k:10M (tokens/day) or 10k:1Mreq "
            "(requests/day)",
            param_hint="'--range'",
        )
    low, high = parse_volume(low_text, "--range"), parse_volume(high_text, "--range")
    assert low is not None and high is not None
    if low >= high:
        raise typer.BadParameter(f"{text!r}: LOW must be below HIGH", param_hint="'--range'")
    from costcalc.io.analyze import MAX_RANGE_TOKENS_PER_DAY

    if unit == "tok" and high > MAX_RANGE_TOKENS_PER_DAY:  # a month past 1e18 tokens
        raise typer.BadParameter(
            f"{text!r}: HIGH is at most {MAX_RANGE_TOKENS_PER_DAY:.0e} billed tokens/day",
            param_hint="'--range'",
        )
    return low, high, unit


def parse_date(value: str | None, option: str = "--today") -> dt.date | None:
    """YYYY-MM-DD only: Python also reads 20261205 and 2026-W49-1, which nobody means."""
    if value is None:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise ValueError(value)
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(
            f"{value!r}: expected a date such as 2026-12-31", param_hint=f"'{option}'"
        ) from None
