"""Calendar conventions and unit conversions shared by every part of the model."""

from __future__ import annotations

import math
import re

HOURS_PER_MONTH = 730.0  # cloud-billing convention (contract, DESIGN §1.1)
HOURS_PER_DAY = 24.0
DAYS_PER_MONTH = HOURS_PER_MONTH / HOURS_PER_DAY  # 30.4166…
SECONDS_PER_HOUR = 3600.0
SECONDS_PER_MONTH = HOURS_PER_MONTH * SECONDS_PER_HOUR
TOKENS_PER_MTOK = 1_000_000.0

_SUFFIX = {"": 1.0, "k": 1e3, "m": 1e6, "b": 1e9, "g": 1e9}
_QUANTITY = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*([kmbg]?)\s*$", re.IGNORECASE)


def parse_quantity(text: str) -> float:
    """Read '100k', '10M', '2.5m', '1e6' or '40000' as a positive number.

    Suffixes are decimal (k = 1e3, M = 1e6, B/G = 1e9), case-insensitive.
    """
    match = _QUANTITY.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a number like 100k, 10M or 40000")
    value = float(match.group(1)) * _SUFFIX[match.group(2).lower()]
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{text!r} must be a positive, finite number")
    return value
