"""Helpers shared by the benchmark-file parsers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def number(value: Any) -> float | None:
    """A float from JSON that may hold numbers as strings ('550', '1,234.5'), else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.replace(",", ""))
        except ValueError:
            return None
    return None


def scalar_strings(doc: dict[str, Any], skip: Callable[[str], bool]) -> dict[str, str]:
    """The file's scalar values as strings (where tools keep user metadata), minus `skip` keys."""
    return {
        key: str(value)
        for key, value in doc.items()
        if not skip(key) and isinstance(value, str | int | float) and not isinstance(value, bool)
    }
