"""Request-log lines as records: chat JSONL (proxies, OpenAI Batch API input and output) or CSV."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

SYSTEM_ROLES = {"system", "developer"}
RETRIEVAL_ROLES = {"tool", "function", "context", "retrieval", "document"}


@dataclass(frozen=True)
class Usage:
    """Token counts a provider reported: the ground truth where present."""

    prompt: float
    completion: float
    cached: float = 0.0
    reasoning: float = 0.0


@dataclass(frozen=True)
class LogRecord:
    time_s: float | None
    model: str | None
    messages: list[dict[str, Any]] | None
    tools: str | None  # the request's tool/function schemas as compact JSON
    answer: str | None  # the visible text of the response
    usage: Usage | None
    conversation: str | None
    custom_id: str | None


def text_of(content: Any) -> str:
    """A message's text: a string, or the text parts of a list of content parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return "" if content is None else json.dumps(content)


def _time(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value) / 1000.0 if value > 1e11 else float(value)  # milliseconds, if so
    if isinstance(value, str) and value:
        try:
            stamp = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=dt.UTC)
        return stamp.timestamp()
    return None


def _usage(raw: Any) -> Usage | None:
    if not isinstance(raw, dict):
        return None
    if "prompt_tokens" in raw:  # OpenAI: prompt_tokens include the cached ones
        details = raw.get("prompt_tokens_details") or {}
        out_details = raw.get("completion_tokens_details") or {}
        return Usage(
            float(raw.get("prompt_tokens") or 0),
            float(raw.get("completion_tokens") or 0),
            float(details.get("cached_tokens") or 0),
            float(out_details.get("reasoning_tokens") or 0),
        )
    if "input_tokens" in raw:  # Anthropic: input_tokens exclude cache reads and writes
        read = float(raw.get("cache_read_input_tokens") or 0)
        written = float(raw.get("cache_creation_input_tokens") or 0)
        return Usage(
            float(raw["input_tokens"]) + read + written, float(raw.get("output_tokens") or 0), read
        )
    return None


def _answer(response: dict[str, Any]) -> str | None:
    choices = response.get("choices")
    if isinstance(choices, list) and choices and isinstance(choices[0], dict):
        message = choices[0].get("message") or {}
        calls = message.get("tool_calls") or []
        arguments = "".join(
            str((c.get("function") or {}).get("arguments", ""))
            for c in calls
            if isinstance(c, dict)
        )
        return text_of(message.get("content")) + arguments
    return None


def from_json(obj: Any) -> LogRecord | None:
    """One JSONL line as a record, or None when it holds neither a request nor a response."""
    if not isinstance(obj, dict):
        return None
    request = obj.get("request") if isinstance(obj.get("request"), dict) else obj.get("body")
    if request is None and "messages" in obj:
        request = obj
    response = obj.get("response")
    if isinstance(response, dict) and isinstance(response.get("body"), dict):
        response = response["body"]  # OpenAI Batch API output line
    if response is None and ("usage" in obj or "choices" in obj) and request is not obj:
        response = obj
    request = request if isinstance(request, dict) else None
    response = response if isinstance(response, dict) else None
    if request is None and response is None:
        return None
    messages = request.get("messages") if request else None
    tools = (request or {}).get("tools") or (request or {}).get("functions")
    when = next(
        (t for t in (_time(obj.get("created")), _time(obj.get("timestamp")),
                     _time((response or {}).get("created"))) if t is not None),
        None,
    )  # fmt: skip
    model = (request or {}).get("model") or (response or {}).get("model") or obj.get("model")
    return LogRecord(
        time_s=when,
        model=str(model) if model else None,
        messages=messages if isinstance(messages, list) else None,
        tools=json.dumps(tools, sort_keys=True, separators=(",", ":")) if tools else None,
        answer=_answer(response) if response else None,
        usage=_usage((response or {}).get("usage")),
        conversation=str(obj["conversation_id"])
        if obj.get("conversation_id") is not None
        else None,
        custom_id=str(obj["custom_id"]) if obj.get("custom_id") is not None else None,
    )


def from_csv(row: dict[str, str]) -> LogRecord | None:
    """A CSV row with timestamp, prompt_tokens, completion_tokens[, cached_tokens, …]."""
    try:
        usage = Usage(
            float(row["prompt_tokens"]),
            float(row["completion_tokens"]),
            float(row.get("cached_tokens") or 0),
            float(row.get("reasoning_tokens") or 0),
        )
    except (KeyError, TypeError, ValueError):
        return None
    return LogRecord(
        time_s=_time(_number_or_text(row.get("timestamp"))),
        model=row.get("model") or None,
        messages=None,
        tools=None,
        answer=None,
        usage=usage,
        conversation=row.get("conversation_id") or None,
        custom_id=None,
    )


def _number_or_text(value: str | None) -> float | str | None:
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return value
