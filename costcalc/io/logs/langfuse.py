"""Langfuse observation exports (UI batch export or blob storage; JSON, JSONL or CSV).

Fields as in the observations API (camelCase: startTime, usageDetails, statusMessage, …,
https://api.reference.langfuse.com) or in the blob storage export (snake_case: start_time,
usage_details, provided_model_name, …, https://langfuse.com/docs/api-and-data-platform/features/blob-storage-export-fields).
Only GENERATION observations are model calls; a SPAN, EVENT or other observation becomes a
record standing for no request (requests=0), so every line still lands in exactly one bucket.
"""

from __future__ import annotations

from typing import Any

from costcalc.io.logs.formats import LogRecord, Message, Usage, text_of
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


def matches(first: Any) -> bool:
    """A JSON log's first object, or a CSV log's header columns: an observation's id, type,
    trace id and start time, in either spelling."""
    keys = first.keys() if isinstance(first, dict) else set(first)
    return (
        {"id", "type"} <= keys
        and bool({"traceId", "trace_id"} & keys)
        and bool({"startTime", "start_time"} & keys)
    )


def _get(obj: dict[Any, Any], *keys: str) -> tuple[Any, str]:
    """The first of the keys present (camelCase from the API, snake_case from blob storage)."""
    for key in keys:
        if obj.get(key) not in (None, ""):
            return obj[key], key
    return None, keys[0]


def _details(raw: dict[str, Any], field: str) -> Usage:
    """usageDetails: Langfuse counts every key naming `input` as input and every key naming
    `output` as output, each key apart (input excludes input_cached_tokens, as its OpenAI and
    Anthropic integrations log them), so the prompt is their sum."""
    prompt = completion = cached = reasoning = 0.0
    for key, value in raw.items():
        count = tokens(value, f"{field}.{key}")
        if "input" in key:
            prompt += count
            cached += count if ("cached" in key or "cache_read" in key) else 0.0
        elif "output" in key:
            completion += count
            reasoning += count if "reasoning" in key else 0.0
    for total, what in ((prompt, "input"), (completion, "output")):
        if total > MAX_TOKENS:
            raise BadValue(field, f"{total:,.0f} {what} tokens, more than {MAX_TOKENS:,}")
    return Usage(prompt, completion, cached, reasoning)


def _usage(obj: dict[Any, Any], text: bool) -> Usage | None:
    raw, key = _get(obj, "usageDetails", "usage_details")
    details = mapping(json_value(raw, key, strict=True), key)
    if details:
        return _details(details, key)
    legacy = mapping(json_value(obj.get("usage"), "usage", strict=True), "usage")
    if legacy and (legacy.get("input") is not None or legacy.get("output") is not None):
        # the deprecated `usage` already sums every input (and output) usage type
        return Usage(tokens(legacy.get("input"), "usage.input"),
                     tokens(legacy.get("output"), "usage.output"))  # fmt: skip
    counts = []
    for keys in (("promptTokens", "prompt_tokens"), ("completionTokens", "completion_tokens")):
        value, at = _get(obj, *keys)
        counts.append(token_text(value, at) if text else tokens(value, at))
    return Usage(counts[0], counts[1]) if any(counts) else None


def _messages(raw: Any) -> tuple[Message, ...] | None:
    """A generation's input, as far as it reads as chat messages: Langfuse takes any JSON (or
    text), so a shape not recognised leaves the messages out rather than the line."""
    if isinstance(raw, str):
        parsed = json_value(raw, "input", strict=False)
        raw = parsed if isinstance(parsed, list | dict) else raw
    if isinstance(raw, str):
        return (("user", raw),) if raw else None
    if isinstance(raw, dict) and isinstance(raw.get("messages"), list):
        raw = raw["messages"]
    if not isinstance(raw, list) or not all(isinstance(m, dict) for m in raw):
        return None
    return tuple(
        (m["role"] if isinstance(m.get("role"), str) else "user", text_of(m.get("content")))
        for m in raw
    )


def _answer(raw: Any) -> str | None:
    if isinstance(raw, str):
        parsed = json_value(raw, "output", strict=False)
        raw = parsed if isinstance(parsed, dict | list) else raw
    if isinstance(raw, str):
        return raw
    if isinstance(raw, dict):
        choices = raw.get("choices")
        if isinstance(choices, list) and choices and isinstance(choices[0], dict):
            raw = choices[0].get("message") or {}
        return text_of(raw.get("content")) if isinstance(raw, dict) else None
    return None


def parse(obj: Any, span: TimeRange) -> LogRecord:
    """One observation, from a JSON export or (numbers and objects as text) a CSV one."""
    if not isinstance(obj, dict):
        raise BadValue(None, "not a JSON object")
    text = is_csv_row(obj)
    kind = obj.get("type")
    if not isinstance(kind, str):
        raise BadValue("type", f"not an observation type: {show(kind)}")
    value, at = _get(obj, "startTime", "start_time")
    when, outlier = unix_time(value, at, span)
    model, model_at = _get(obj, "model", "providedModelName", "provided_model_name")
    level = obj.get("level")
    if level is not None and not isinstance(level, str):
        raise BadValue("level", f"not a level: {show(level)}")
    failed = None
    if level == "ERROR":
        message, _ = _get(obj, "statusMessage", "status_message")
        failed = f"error: {printable(str(message), 80)}" if message is not None else "error"
    session, session_at = _get(obj, "sessionId", "session_id")
    generation = kind.upper() == "GENERATION"
    return LogRecord(
        time_s=when,
        model=printable(name(model, model_at)),
        messages=_messages(obj.get("input")) if generation else None,
        tools=None,  # Langfuse keeps tool schemas in free-form modelParameters/metadata
        answer=_answer(obj.get("output")) if generation and not failed else None,
        usage=_usage(obj, text) if generation and not failed else None,
        conversation=name(session, session_at),
        time_outlier=outlier,
        failed=failed if generation else None,
        record_id=name(obj.get("id"), "id"),
        requests=1 if generation else 0,  # a span or event around the model calls: no request
    )


# In both JSON_MODULES and CSV_MODULES: `matches` and `parse` take either kind of file.
FORMAT = JsonFormat(
    name="langfuse",
    title="Langfuse observations export",
    matches=matches,
    parse=parse,
)
