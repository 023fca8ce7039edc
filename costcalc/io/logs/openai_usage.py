"""OpenAI completions usage exported as CSV: one row per time bucket (and model, project, …).

Columns as in the Usage API's completions results (start_time, end_time, num_model_requests,
input_tokens, output_tokens, input_cached_tokens, model, batch, project_id, …,
https://platform.openai.com/docs/api-reference/usage/completions), the dashboard's export
adding *_iso times. A row is many requests: its usage is their total over its bucket.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from costcalc.io.logs.formats import LogRecord, Usage
from costcalc.io.logs.registry import CsvFormat
from costcalc.io.logs.values import MAX_TOKENS, BadValue, Stamp, TimeRange, printable, unix_time
from costcalc.io.validation import show

MAX_REQUESTS = 10**12  # far above any organisation's bucket; a guard against garbled numbers


def matches(columns: Sequence[str]) -> bool:
    return {"num_model_requests", "input_tokens", "output_tokens"} <= set(columns)


def _number(text: str | None, field: str, limit: float) -> float:
    """A count from a cell: finite, from 0 to `limit`; an empty cell is 0."""
    if text is None or not text.strip():
        return 0.0
    try:
        value = float(text)
    except ValueError:
        raise BadValue(field, f"not a number: {show(text)}") from None
    if not math.isfinite(value):
        raise BadValue(field, f"not a finite number: {show(text)}")
    if value < 0:
        raise BadValue(field, f"negative: {show(text)}")
    if value > limit:
        raise BadValue(field, f"{show(text)} is more than {limit:,.0f}")
    return value


def _requests(row: dict[str | None, Any]) -> int:
    text = row.get("num_model_requests")
    if text is None or not text.strip():
        raise BadValue("num_model_requests", "missing")
    value = _number(text, "num_model_requests", MAX_REQUESTS)
    if value != int(value):
        raise BadValue("num_model_requests", f"not a whole number: {show(text)}")
    return int(value)


def _batch(text: str | None) -> bool:
    """The `batch` column: empty when usage was not grouped by batch (so not known to be)."""
    value = (text or "").strip().lower()
    if value in ("", "false", "0", "none", "null"):
        return False
    if value in ("true", "1"):
        return True
    raise BadValue("batch", f"not true or false: {show(text)}")


def _time(row: dict[str | None, Any], key: str, span: TimeRange) -> Stamp:
    """A bucket edge: the unix seconds column, else the dashboard's ISO one."""
    value = row.get(key)
    at = key
    if value is None or not value.strip():
        value, at = row.get(f"{key}_iso"), f"{key}_iso"
    if value is None or not value.strip():
        raise BadValue(key, "missing")
    return unix_time(value, at, span)


def parse(row: dict[str | None, Any], span: TimeRange) -> LogRecord:
    """One usage bucket row: `requests` requests whose usage totals the row's tokens."""
    requests = _requests(row)
    # a total may pass MAX_TOKENS, not the mean per request it stands for
    limit = MAX_TOKENS * max(requests, 1)
    usage = Usage(
        _number(row.get("input_tokens"), "input_tokens", limit),
        _number(row.get("output_tokens"), "output_tokens", limit),
        _number(row.get("input_cached_tokens"), "input_cached_tokens", limit),
    )
    if usage.cached > usage.prompt:  # input_tokens include the cached ones
        raise BadValue("input_cached_tokens", f"{usage.cached:g}, more than the "
                       f"{usage.prompt:g} input tokens")  # fmt: skip
    if requests == 0 and (usage.prompt or usage.completion):
        raise BadValue("num_model_requests", f"0, with {usage.prompt + usage.completion:g} tokens")
    start, outlier = _time(row, "start_time", span)
    end, end_outlier = _time(row, "end_time", span)
    if start is not None and end is not None and end <= start:
        raise BadValue("end_time", "not after start_time")
    return LogRecord(
        time_s=start,
        model=printable(row.get("model") or None),
        usage=usage,
        time_outlier=outlier or end_outlier,
        batch=_batch(row.get("batch")),
        requests=requests,  # 0: a bucket with no traffic, counted as no request elsewhere
        period_s=end - start if start is not None and end is not None else 0.0,
    )


FORMAT = CsvFormat(
    name="openai-usage",
    title="OpenAI usage export (completions buckets, CSV)",
    matches=matches,
    parse=parse,
)
