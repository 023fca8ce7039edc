"""LiteLLM proxy spend logs: the LiteLLM_SpendLogs table exported as CSV, JSONL or a JSON array.

Columns as in LiteLLM's schema.prisma (model LiteLLM_SpendLogs) and the /spend/logs API:
https://github.com/BerriAI/litellm/blob/main/schema.prisma. One row is one proxy request.
"""

from __future__ import annotations

import json
from typing import Any

from costcalc.io.logs.formats import LogRecord, Usage, answer_of, messages_of, tools_of
from costcalc.io.logs.registry import JsonFormat
from costcalc.io.logs.values import (
    BadValue,
    TimeRange,
    mapping,
    name,
    printable,
    token_text,
    tokens,
    unix_time,
)
from costcalc.io.validation import show

KEYS = {"request_id", "call_type", "startTime"}  # together, found in no other log format


def json_value(value: Any, field: str, strict: bool) -> Any:
    """A JSON column: as it is in a JSON export, parsed from its text in a CSV one. Text that
    is not JSON is a BadValue when `strict` (the usage details), else None (messages: content
    only, not worth losing the line's tokens over)."""
    if not isinstance(value, str):
        return value
    if not value.strip():
        return None
    try:
        return json.loads(value)
    except ValueError:  # JSONDecodeError, or an integer of 4,300 digits
        if strict:
            raise BadValue(field, f"not JSON: {show(value)}") from None
        return None
    except RecursionError:
        raise BadValue(field, "nested too deeply") from None


def _count(row: dict[Any, Any], key: str, text: bool) -> float:
    value = row.get(key)
    return token_text(value, key) if text else tokens(value, key)


def _details(metadata: dict[str, Any]) -> tuple[float, float]:
    """(cached, reasoning) from `metadata.usage_object` (newer proxies) or
    `metadata.additional_usage_values` (older ones): OpenAI-style details, or Anthropic's
    cache_read_input_tokens."""
    for key in ("usage_object", "additional_usage_values"):
        at = f"metadata.{key}"
        usage = mapping(metadata.get(key), at)
        if not usage:
            continue
        prompt = mapping(usage.get("prompt_tokens_details"), f"{at}.prompt_tokens_details") or {}
        out = mapping(usage.get("completion_tokens_details"), f"{at}.completion_tokens_details")
        cached = tokens(prompt.get("cached_tokens"), f"{at}.prompt_tokens_details.cached_tokens")
        if not cached:
            cached = tokens(usage.get("cache_read_input_tokens"), f"{at}.cache_read_input_tokens")
        reasoning_at = f"{at}.completion_tokens_details.reasoning_tokens"
        return cached, tokens((out or {}).get("reasoning_tokens"), reasoning_at)
    return 0.0, 0.0


def _failure(row: dict[Any, Any], metadata: dict[str, Any]) -> str | None:
    status = row.get("status")
    if status in (None, "", "success"):  # proxies before the status column logged successes only
        return None
    if status != "failure":
        raise BadValue("status", f"not success or failure: {show(status)}")
    info = mapping(metadata.get("error_information"), "metadata.error_information") or {}
    code, kind = info.get("error_code"), info.get("error_class")
    if isinstance(code, int | str) and str(code).isascii() and str(code).isdigit():
        return f"status {code}"
    return f"failure: {printable(str(kind), 80)}" if kind else "failure"


def _yes(value: Any, field: str) -> bool:
    """cache_hit: a string column ("True"/"False", or empty) or a JSON boolean."""
    if value in (None, "") or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise BadValue(field, f"not true or false: {show(value)}")


def _record(row: dict[Any, Any], span: TimeRange, text: bool) -> LogRecord:
    metadata = mapping(json_value(row.get("metadata"), "metadata", True), "metadata") or {}
    failed = _failure(row, metadata)
    usage = None
    if failed is None:
        cached, reasoning = _details(metadata)
        usage = Usage(_count(row, "prompt_tokens", text), _count(row, "completion_tokens", text),
                      cached, reasoning)  # fmt: skip
        if usage.cached > usage.prompt:
            raise BadValue("metadata.usage_object", f"{usage.cached:g} cached tokens, more than "
                           f"the {usage.prompt:g} prompt tokens")  # fmt: skip
        if usage.reasoning > usage.completion:
            raise BadValue("metadata.usage_object", f"{usage.reasoning:g} reasoning tokens, more "
                           f"than the {usage.completion:g} completion tokens")  # fmt: skip
    request = {"messages": json_value(row.get("messages"), "messages", False)}
    if not isinstance(request["messages"], list):  # the column's default is "{}": not logged
        request["messages"] = None
    proxy = json_value(row.get("proxy_server_request"), "proxy_server_request", False)
    response = json_value(row.get("response"), "response", False)
    response = response if isinstance(response, dict) and response else None
    when, outlier = unix_time(row.get("startTime"), "startTime", span)
    model = name(row.get("model"), "model") or name(row.get("model_group"), "model_group")
    return LogRecord(
        time_s=when,
        model=printable(model),
        messages=messages_of(request, "") if request["messages"] is not None else None,
        tools=tools_of(proxy, "proxy_server_request") if isinstance(proxy, dict) else None,
        answer=answer_of(response, "response") if response is not None and not failed else None,
        usage=usage,
        conversation=name(row.get("session_id"), "session_id"),
        time_outlier=outlier,
        failed=failed,
        record_id=name(row.get("request_id"), "request_id"),
        # a response served from LiteLLM's cache reached no model: logged, but not a model call
        requests=0 if _yes(row.get("cache_hit"), "cache_hit") else 1,
    )


def is_csv_row(obj: dict[Any, Any]) -> bool:
    """A csv.DictReader row: every value text or None (a short row), extra cells as a list
    under the key None. The registry takes one FORMAT per module, so a format read from both
    JSON and CSV tells them apart here; a JSON line whose every value is a string is read as
    a CSV row would be (its counts taken from their text)."""
    return all(isinstance(v, str) or v is None or (k is None and isinstance(v, list))
               for k, v in obj.items())  # fmt: skip


def matches(first: Any) -> bool:
    """A JSON log's first object, or a CSV log's header columns."""
    keys = first.keys() if isinstance(first, dict) else set(first)
    return keys >= KEYS


def parse(obj: Any, span: TimeRange) -> LogRecord:
    """One SpendLogs row, from a JSON export or (numbers and JSON columns as text) a CSV one."""
    if not isinstance(obj, dict):
        raise BadValue(None, "not a JSON object")
    return _record(obj, span, text=is_csv_row(obj))


# In both JSON_MODULES and CSV_MODULES: `matches` and `parse` take either kind of file.
FORMAT = JsonFormat(
    name="litellm-spend",
    title="LiteLLM proxy spend logs (LiteLLM_SpendLogs)",
    matches=matches,
    parse=parse,
)
