"""Helpers shared by the benchmark-file parsers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass(frozen=True)
class OfflineShape:
    """What the offline runs were started with (`vllm bench … --input-len … --output-len …`)."""

    input_len: float | None = None
    output_len: float | None = None
    batch_size: int | None = None


def offline_lengths(doc: dict[str, Any], shape: OfflineShape) -> tuple[float, float]:
    """(input, output) tokens per request: from the flags, one of them completed from the
    file's total tokens (600,000 tokens over 1,000 requests with --input-len 500 → 100 out)."""
    tokens_per_request = None
    if number(doc.get("total_num_tokens")) and number(doc.get("num_requests")):
        tokens_per_request = float(doc["total_num_tokens"]) / float(doc["num_requests"])
    i, o = shape.input_len, shape.output_len
    if i is None and o is not None and tokens_per_request is not None:
        i = tokens_per_request - o
    if o is None and i is not None and tokens_per_request is not None:
        o = tokens_per_request - i
    if i is None or o is None or i <= 0 or o <= 0:
        raise ValueError(
            "vLLM's offline results do not record prompt and output lengths: "
            "give --input-len and --output-len as the run used them"
        )
    return i, o
