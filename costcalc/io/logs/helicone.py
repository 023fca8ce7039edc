"""Helicone request exports: JSONL, a JSON array or CSV, one row per request.

JSON rows are HeliconeRequest objects as the export tool (`npx @helicone/export`) writes them
from POST /v1/request/query-clickhouse (https://docs.helicone.ai/rest/request/post-v1requestquery-clickhouse);
its CSV has the columns response_id, response_created_at, response_status, request_created_at,
request_body, request_properties, request_user_id, model, prompt_tokens, completion_tokens,
latency, cost (https://github.com/Helicone/helicone/tree/main/examples/export/typescript).
"""

from __future__ import annotations

import contextlib
from typing import Any

from costcalc.io.logs.anthropic_batch import content_text
from costcalc.io.logs.formats import LogRecord, Usage, answer_of, messages_of, tools_of
from costcalc.io.logs.litellm_spend import is_csv_row, json_value
from costcalc.io.logs.registry import JsonFormat
from costcalc.io.logs.values import (
    MAX_TOKENS,
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

SESSION = "Helicone-Session-Id"  # the request property Helicone's Sessions group requests by


def matches(first: Any) -> bool:
    """A JSON log's first object, or a CSV log's header columns: both name the request's
    creation time and the response's status, in Helicone's column names."""
    keys = first.keys() if isinstance(first, dict) else set(first)
    return {"request_created_at", "response_status"} <= keys


def _status(value: Any, text: bool) -> int | None:
    if value is None or value == "":
        return None
    if text and isinstance(value, str):
        with contextlib.suppress(ValueError):  # not a number: said below, as for any other
            value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadValue("response_status", f"not an HTTP status: {show(value)}")
    return value


def _count(row: dict[Any, Any], key: str, text: bool) -> float:
    value = row.get(key)
    return token_text(value, key) if text else tokens(value, key)


def _usage(row: dict[Any, Any], text: bool) -> Usage:
    """Helicone keeps cache reads and writes in columns of their own, priced apart from
    prompt_tokens, so the prompt is their sum (as with Anthropic's input_tokens)."""
    read = _count(row, "prompt_cache_read_tokens", text)
    written = _count(row, "prompt_cache_write_tokens", text)
    prompt = _count(row, "prompt_tokens", text) + read + written
    if prompt > MAX_TOKENS:
        raise BadValue("prompt_tokens", f"with cache reads and writes, {prompt:,.0f} is more "
                       f"than {MAX_TOKENS:,} tokens")  # fmt: skip
    completion = _count(row, "completion_tokens", text)
    reasoning = _count(row, "reasoning_tokens", text)  # newer exports only
    if reasoning > completion:
        raise BadValue("reasoning_tokens", f"{reasoning:g}, more than the {completion:g} "
                       "completion tokens")  # fmt: skip
    return Usage(prompt, completion, read, reasoning)


def _body(row: dict[Any, Any], key: str) -> dict[str, Any] | None:
    """A request or response body, when the export included it (--include-body): an object in
    JSON, its text in CSV; text that does not parse is left out, not the line."""
    body = json_value(row.get(key), key, strict=False)
    return body if isinstance(body, dict) and body else None


def _conversation(row: dict[Any, Any]) -> str | None:
    for key in ("request_properties", "properties"):
        properties = mapping(json_value(row.get(key), key, strict=True), key)
        if properties and properties.get(SESSION) not in (None, ""):
            return name(properties[SESSION], f"{key}.{SESSION}")
    return None


def parse(obj: Any, span: TimeRange) -> LogRecord:
    """One Helicone request, from a JSON export or (numbers and bodies as text) a CSV one."""
    if not isinstance(obj, dict):
        raise BadValue(None, "not a JSON object")
    text = is_csv_row(obj)
    status = _status(obj.get("response_status"), text)
    failed = None
    # 200-399 answered; Helicone logs a request without a response (timed out, cancelled,
    # still pending) with a status of 0 or below
    if status is not None and (status >= 400 or status <= 0):
        failed = f"status {status}"
    request = _body(obj, "request_body")
    response = _body(obj, "response_body")
    when, outlier = unix_time(obj.get("request_created_at"), "request_created_at", span)
    model = next((name(obj[k], k) for k in ("model", "response_model", "request_model")
                  if obj.get(k) not in (None, "")), None)  # fmt: skip
    messages = None
    if request is not None and isinstance(request.get("messages"), list):
        messages = messages_of(request, "request_body")
    answer = None
    if response is not None and not failed:
        if isinstance(response.get("choices"), list):  # an OpenAI-style response
            answer = answer_of(response, "response_body")
        elif isinstance(response.get("content"), list):  # an Anthropic one
            answer = content_text(response["content"], "response_body.content")
    record_id = name(obj.get("request_id"), "request_id") or name(
        obj.get("response_id"), "response_id"
    )  # the export tool's CSV has only the response's id
    return LogRecord(
        time_s=when,
        model=printable(model),
        messages=messages,
        tools=tools_of(request, "request_body") if request is not None else None,
        answer=answer,
        usage=None if failed else _usage(obj, text),
        conversation=_conversation(obj),
        time_outlier=outlier,
        failed=failed,
        record_id=record_id,
    )


# In both JSON_MODULES and CSV_MODULES: `matches` and `parse` take either kind of file.
FORMAT = JsonFormat(
    name="helicone",
    title="Helicone request export",
    matches=matches,
    parse=parse,
)
