"""Helpers shared by the benchmark-file parsers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter

from costcalc.errors import InputFileError
from costcalc.io.bench.fields import MAX_TOKENS, Count, Record, TokenTotal, checked


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


class OfflineCounts(Record):
    """What `vllm bench throughput|latency --output-json` records of the requests it sent."""

    num_requests: Count | None = None
    total_num_tokens: TokenTotal | None = None


_COUNTS = TypeAdapter(OfflineCounts)


def offline_lengths(
    doc: dict[str, Any], shape: OfflineShape, source: str = ""
) -> tuple[float, float]:
    """(input, output) tokens per request: from the flags, one of them completed from the
    file's total tokens (600,000 tokens over 1,000 requests with --input-len 500 → 100 out)."""
    counts = checked(_COUNTS, doc, source)
    tokens_per_request = None
    if counts.total_num_tokens and counts.num_requests:
        tokens_per_request = counts.total_num_tokens / counts.num_requests
    i, o = shape.input_len, shape.output_len
    if tokens_per_request is not None and (i is None) != (o is None):
        given, flag = (o, "--output-len") if i is None else (i, "--input-len")
        assert given is not None
        if tokens_per_request <= given:  # the file's totals leave nothing for the other side
            raise InputFileError(
                source,
                f"{tokens_per_request:g} tokens per request (over `num_requests`) is not more "
                f"than {flag} {given:g}",
                "total_num_tokens",
            )
        i, o = (
            (tokens_per_request - given, given)
            if i is None
            else (given, tokens_per_request - given)
        )
    if i is None or o is None or i <= 0 or o <= 0:
        raise ValueError(
            "vLLM's offline results do not record prompt and output lengths: "
            "give --input-len and --output-len as the run used them"
        )
    if i > MAX_TOKENS or o > MAX_TOKENS:
        raise InputFileError(
            source,
            f"{i + o:g} tokens per request, more than any model holds",
            "total_num_tokens",
        )
    return i, o
