"""OpenRouter generation logs exported as CSV from the dashboard: one row per generation.

Columns (generation_id, created_at, model_permaslug, provider_name, tokens_prompt,
tokens_completion, tokens_reasoning, tokens_cached, cost_total, finish_reason_normalized, …)
as the dashboard's export writes them; token semantics as in the generation stats API
(https://openrouter.ai/docs/api-reference/get-a-generation) and the activity export page
(https://openrouter.ai/docs/guides/administration/activity-export): reasoning tokens are part
of the completion tokens, cached tokens part of the prompt tokens.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from costcalc.io.logs.formats import LogRecord, Usage
from costcalc.io.logs.registry import CsvFormat
from costcalc.io.logs.values import BadValue, TimeRange, printable, token_text, unix_time


def matches(columns: Sequence[str]) -> bool:
    return {"generation_id", "tokens_prompt", "tokens_completion"} <= set(columns)


def parse(row: dict[str | None, Any], span: TimeRange) -> LogRecord:
    """One generation."""
    # OpenRouter normalises every provider's finish reason; "error" is a generation that
    # failed upstream (stop, length, tool_calls and content_filter were answered)
    failed = "error" if (row.get("finish_reason_normalized") or "").strip() == "error" else None
    usage = None
    if failed is None:
        usage = Usage(
            token_text(row.get("tokens_prompt"), "tokens_prompt", required=True),
            token_text(row.get("tokens_completion"), "tokens_completion", required=True),
            token_text(row.get("tokens_cached"), "tokens_cached"),
            token_text(row.get("tokens_reasoning"), "tokens_reasoning"),
        )
        if usage.cached > usage.prompt:
            raise BadValue("tokens_cached", f"{usage.cached:g}, more than the {usage.prompt:g} "
                           "prompt tokens")  # fmt: skip
        if usage.reasoning > usage.completion:
            raise BadValue("tokens_reasoning", f"{usage.reasoning:g}, more than the "
                           f"{usage.completion:g} completion tokens")  # fmt: skip
    when, outlier = unix_time(row.get("created_at"), "created_at", span)
    return LogRecord(
        time_s=when,
        # the permaslug names the dated version served ("openai/gpt-4.1-2025-04-14")
        model=printable(row.get("model_permaslug") or row.get("model") or None),
        usage=usage,
        time_outlier=outlier,
        failed=failed,
        record_id=row.get("generation_id") or None,
    )


FORMAT = CsvFormat(
    name="openrouter",
    title="OpenRouter generations export (CSV)",
    matches=matches,
    parse=parse,
)
