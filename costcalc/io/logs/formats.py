"""Request-log lines as records: chat JSONL (proxies, OpenAI Batch API input and output) or CSV.

Every value a record is made of is checked for its type and range (costcalc.io.logs.values):
a line with a wrong one raises BadValue naming the field, and is counted as malformed.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from costcalc.io.logs.outcome import failure, record_id, status_of
from costcalc.io.logs.values import (
    MAX_TOKENS,
    BadValue,
    Outlier,
    Stamp,
    TimeRange,
    mapping,
    name,
    printable,
    sequence,
    token_text,
    tokens,
    unix_time,
)
from costcalc.io.validation import show

SYSTEM_ROLES = {"system", "developer"}
RETRIEVAL_ROLES = {"tool", "function", "context", "retrieval", "document"}

Message = tuple[str, str]  # (role, text)


class Usage(NamedTuple):
    """Token counts a provider reported: the ground truth where present."""

    prompt: float
    completion: float
    cached: float = 0.0
    reasoning: float = 0.0


Side = str  # "input": a request awaiting its result (a Batch input line); "result": a result
# without its request (a Batch output line); "both": a whole record, or one that stands alone


class LogRecord(NamedTuple):
    """One log line as costcalc reads it; None where the line does not say (a usage export has
    no messages, a Batch error line no time). A NamedTuple, not a frozen dataclass: made for
    every line, it is built in 2 µs instead of 5 (250,000 lines: 0.75 s less); change one
    with `_replace`."""

    time_s: float | None = None
    model: str | None = None
    messages: tuple[Message, ...] | None = None
    tools: str | None = None  # the request's tool/function schemas as compact JSON
    answer: str | None = None  # the visible text of the response
    usage: Usage | None = None
    conversation: str | None = None
    custom_id: str | None = None  # joins a Batch input line to its result, within one job
    time_outlier: Outlier | None = None  # a logged time outside the plausible range, not used
    side: Side = "both"
    failed: str | None = None  # why the request failed ("status 400", "error: …"): not traffic
    batch: bool = False  # sent through a Batch API (billed at the batch price)
    record_id: str | None = None  # a response or request id: the same one twice is a duplicate
    requests: int = 1  # requests the line stands for (an aggregated usage row: many) …
    period_s: float = 0.0  # … over this many seconds from time_s; `usage` is then their total

    @property
    def key(self) -> str | None:
        """What makes two lines of one file the same record: the custom_id, else the id."""
        return self.custom_id if self.custom_id is not None else self.record_id


def text_of(content: Any) -> str:
    """A message's text: a string, or the text parts of a list of content parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(_part_text(p) for p in content if isinstance(p, dict))
    return "" if content is None else json.dumps(content)


def _part_text(part: dict[str, Any]) -> str:
    text = part.get("text")
    return text if isinstance(text, str) else "" if text is None else json.dumps(text)


def _at(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _count_at(holder: dict[str, Any], key: str, field: str) -> float:
    """holder[key] as a token count; the field's name is built only for an error."""
    value = holder.get(key)
    if type(value) is int and 0 <= value <= MAX_TOKENS:  # nearly every line
        return float(value)
    return tokens(value, f"{field}.{key}")


def _object_at(holder: dict[str, Any], key: str, field: str) -> dict[str, Any] | None:
    value = holder.get(key)
    return value if value is None or type(value) is dict else mapping(value, f"{field}.{key}")


def usage_of(raw: Any, field: str) -> Usage | None:
    usage = raw if type(raw) is dict else mapping(raw, field)
    if usage is None:
        return None
    if "prompt_tokens" in usage:  # OpenAI: prompt_tokens include the cached ones
        details = _object_at(usage, "prompt_tokens_details", field)
        out = _object_at(usage, "completion_tokens_details", field)
        cached_at = f"{field}.prompt_tokens_details"
        reasoning_at = f"{field}.completion_tokens_details"
        found = Usage(
            _count_at(usage, "prompt_tokens", field),
            _count_at(usage, "completion_tokens", field),
            _count_at(details, "cached_tokens", cached_at) if details else 0.0,
            _count_at(out, "reasoning_tokens", reasoning_at) if out else 0.0,
        )
        if found.cached <= found.prompt and found.reasoning <= found.completion:
            return found  # nearly every line: no field name to build
        return _consistent(found, f"{cached_at}.cached_tokens", f"{reasoning_at}.reasoning_tokens")
    if "input_tokens" in usage:  # Anthropic: input_tokens exclude cache reads and writes
        read = tokens(usage.get("cache_read_input_tokens"), f"{field}.cache_read_input_tokens")
        written = tokens(
            usage.get("cache_creation_input_tokens"), f"{field}.cache_creation_input_tokens"
        )
        prompt = tokens(usage.get("input_tokens"), f"{field}.input_tokens") + read + written
        if prompt > MAX_TOKENS:
            raise BadValue(f"{field}.input_tokens", f"with cache reads and writes, {prompt:,.0f} "
                           f"is more than {MAX_TOKENS:,} tokens")  # fmt: skip
        return Usage(prompt, tokens(usage.get("output_tokens"), f"{field}.output_tokens"), read)
    return None


def _consistent(usage: Usage, cached_at: str, reasoning_at: str) -> Usage:
    """Cached tokens are part of the prompt and reasoning tokens part of the completion: more
    than the whole is a broken record, not something to clamp."""
    if usage.cached > usage.prompt:
        raise BadValue(cached_at, f"{usage.cached:g}, more than the {usage.prompt:g} prompt tokens")
    if usage.reasoning > usage.completion:
        whole = f"the {usage.completion:g} completion tokens"
        raise BadValue(reasoning_at, f"{usage.reasoning:g}, more than {whole}")
    return usage


def answer_of(response: dict[str, Any], at: str) -> str | None:
    choices = response.get("choices")
    if type(choices) is list and choices and type(choices[0]) is dict:
        message = choices[0].get("message")  # nearly every response: one text, no tool call
        if type(message) is dict and message.get("tool_calls") is None:
            content = message.get("content")
            if type(content) is str:
                return content
    choices = sequence(choices, _at(at, "choices"))
    if not choices:
        return None
    first = mapping(choices[0], f"{_at(at, 'choices')}[0]")
    if first is None:
        return None
    message_at = f"{_at(at, 'choices')}[0].message"
    message = mapping(first.get("message"), message_at) or {}
    calls = sequence(message.get("tool_calls"), f"{message_at}.tool_calls") or []
    arguments = []
    for i, raw in enumerate(calls):
        call = mapping(raw, f"{message_at}.tool_calls[{i}]") or {}
        function = mapping(call.get("function"), f"{message_at}.tool_calls[{i}].function") or {}
        arguments.append(text_of(function.get("arguments")))
    return text_of(message.get("content")) + "".join(arguments)


def messages_of(request: dict[str, Any], at: str) -> tuple[Message, ...] | None:
    field = _at(at, "messages")
    raw = sequence(request.get("messages"), field)
    if raw is None:
        return None
    messages = []
    for i, item in enumerate(raw):
        if type(item) is dict:  # nearly every message: a role and a text, checked at once
            role, content = item.get("role"), item.get("content")
            if type(content) is str and (role is None or type(role) is str):
                messages.append((role or "user", content))
                continue
        # the field's name is built only for an error: 15 messages a line, 250,000 lines
        if not isinstance(item, dict):
            mapping(item, f"{field}[{i}]")  # names what it is instead
            raise BadValue(f"{field}[{i}]", "not an object: null")
        role = item.get("role")
        if role is not None and not isinstance(role, str):
            raise BadValue(f"{field}[{i}].role", f"not a string: {show(role)}")
        content = item.get("content")
        messages.append((role or "user", content if isinstance(content, str) else text_of(content)))
    return tuple(messages)


def tools_of(request: dict[str, Any], at: str) -> str | None:
    key = "tools" if request.get("tools") else "functions"
    tools = request.get(key)
    if not tools:
        return None
    if not isinstance(tools, list | dict):
        raise BadValue(_at(at, key), f"not a list of tool schemas: {show(tools)}")
    return json.dumps(tools, sort_keys=True, separators=(",", ":"))


def from_json(obj: Any, span: TimeRange) -> LogRecord:
    """One JSONL line as a record; BadValue when it holds neither a request nor a response, or
    a value of the wrong type or range."""
    if not isinstance(obj, dict):
        raise BadValue(None, "not a JSON object")
    request, request_at = None, ""
    for key in ("request", "body"):
        request = mapping(obj.get(key), key)
        if request is not None:
            request_at = key
            break
    if request is None and "messages" in obj:
        request = obj
    response, response_at = mapping(obj.get("response"), "response"), "response"
    status = status_of(obj, response)
    if response is not None and response.get("body") is not None:
        response, response_at = mapping(response["body"], "response.body"), "response.body"
    if response is None and ("usage" in obj or "choices" in obj) and request is not obj:
        response, response_at = obj, ""  # a usage record, or a response logged on its own
    failed = failure(obj, response, status)
    if request is None and response is None and failed is None:
        raise BadValue(None, "not a chat request, response or usage record")
    candidates = [("created", obj.get("created")), ("timestamp", obj.get("timestamp"))]
    if response is not None and response is not obj:
        candidates.append((_at(response_at, "created"), response.get("created")))
    when, outlier = _first_time([(f, v) for f, v in candidates if v is not None and v != ""], span)
    model = None
    for part, at in ((request, request_at), (response, response_at), (obj, "")):
        if part and part.get("model"):
            model = _model(part["model"], _at(at, "model"))
            break
    custom_id = name(obj.get("custom_id"), "custom_id")
    usage = None
    if response is not None and not failed:
        usage = usage_of(response.get("usage"), _at(response_at, "usage"))
    has_result = response is not None or failed is not None
    side = "both" if custom_id is None else "input" if not has_result else "result"
    if request is not None and has_result:
        side = "both"
    return LogRecord(
        time_s=when,
        model=printable(model),
        messages=messages_of(request, request_at) if request is not None else None,
        tools=tools_of(request, request_at) if request is not None else None,
        answer=answer_of(response, response_at) if response is not None and not failed else None,
        usage=usage,
        conversation=name(obj.get("conversation_id"), "conversation_id"),
        custom_id=custom_id,
        time_outlier=outlier,
        side=side,
        failed=failed,
        # a Batch input line names its endpoint; an output line carries the HTTP status
        batch=custom_id is not None and ("url" in obj or status is not None or "error" in obj),
        record_id=record_id(obj, response, custom_id),
    )


def _model(value: Any, field: str) -> str | None:
    """A model name: text (an id may be a number; a model may not)."""
    if value is not None and not isinstance(value, str):
        raise BadValue(field, f"not a model name: {show(value)}")
    return name(value, field)


def from_csv(row: dict[str | None, Any], span: TimeRange) -> LogRecord:
    """A CSV row with timestamp, prompt_tokens, completion_tokens[, cached_tokens, …]."""
    usage = _consistent(
        Usage(
            token_text(row.get("prompt_tokens"), "prompt_tokens", required=True),
            token_text(row.get("completion_tokens"), "completion_tokens", required=True),
            token_text(row.get("cached_tokens"), "cached_tokens"),
            token_text(row.get("reasoning_tokens"), "reasoning_tokens"),
        ),
        "cached_tokens",
        "reasoning_tokens",
    )
    when, outlier = unix_time(row.get("timestamp"), "timestamp", span)
    return LogRecord(
        time_s=when,
        model=printable(row.get("model") or None),
        usage=usage,
        conversation=row.get("conversation_id") or None,
        time_outlier=outlier,
    )


def _first_time(candidates: list[tuple[str, Any]], span: TimeRange) -> Stamp:
    """The first time that reads, in order (a `timestamp` in a format not understood falls
    back to the response's `created`); the first one's error when none does."""
    first: BadValue | None = None
    for field, value in candidates:
        try:
            return unix_time(value, field, span)
        except BadValue as exc:
            first = first or exc
    if first is not None:
        raise first
    return None, None
