"""Anthropic Message Batches: the results file (`result.message.usage`) and the request file.

Results follow https://docs.anthropic.com/en/api/retrieving-message-batch-results (one JSON
line per request: `custom_id` and a `result` of type succeeded, errored, canceled or expired);
requests follow https://docs.anthropic.com/en/api/creating-message-batches (`custom_id` and
the Messages API `params`). A request file and its results pair by custom_id elsewhere.
"""

from __future__ import annotations

import json
from typing import Any

from costcalc.io.logs.formats import LogRecord, Message, usage_of
from costcalc.io.logs.registry import JsonFormat
from costcalc.io.logs.values import BadValue, TimeRange, mapping, name, printable, sequence
from costcalc.io.validation import show

# Result types with no message: the request was not answered, so it is not traffic.
UNANSWERED = {"errored", "canceled", "expired"}


def matches(first: dict[str, Any]) -> bool:
    """A Batch line has a custom_id and a `result` (results) or `params` (requests) object;
    an OpenAI Batch line has `body` or `response` instead, so the chat format keeps it."""
    return "custom_id" in first and (
        isinstance(first.get("result"), dict) or isinstance(first.get("params"), dict)
    )


def block_text(block: Any, field: str) -> str:
    """The text of one content block: text, a tool call's input, or a tool result's content."""
    if isinstance(block, str):
        return block
    part = mapping(block, field)
    if part is None:
        return ""
    kind = part.get("type")
    if kind == "tool_use":  # the arguments are output tokens as much as text is
        return json.dumps(part.get("input"), sort_keys=True, separators=(",", ":"))
    if kind == "tool_result":
        return content_text(part.get("content"), f"{field}.content")
    text = part.get("text")
    if text is not None and not isinstance(text, str):
        raise BadValue(f"{field}.text", f"not a string: {show(text)}")
    return text or ""


def content_text(content: Any, field: str) -> str:
    """A message's content: a string, or a list of content blocks."""
    if content is None or isinstance(content, str):
        return content or ""
    blocks = sequence(content, field) or []
    return "".join(block_text(b, f"{field}[{i}]") for i, b in enumerate(blocks))


def _messages(params: dict[str, Any]) -> tuple[Message, ...] | None:
    raw = sequence(params.get("messages"), "params.messages")
    system = params.get("system")
    if raw is None and system is None:
        return None
    messages: list[Message] = []
    if system not in (None, "", []):  # a string or a list of text blocks; said first
        messages.append(("system", content_text(system, "params.system")))
    for i, item in enumerate(raw or []):
        at = f"params.messages[{i}]"
        message = mapping(item, at)
        if message is None:
            raise BadValue(at, "not an object: null")
        role = message.get("role")
        if role is not None and not isinstance(role, str):
            raise BadValue(f"{at}.role", f"not a string: {show(role)}")
        messages.append((role or "user", content_text(message.get("content"), f"{at}.content")))
    return tuple(messages)


def _tools(params: dict[str, Any]) -> str | None:
    tools = params.get("tools")
    if not tools:
        return None
    if not isinstance(tools, list):
        raise BadValue("params.tools", f"not a list of tool schemas: {show(tools)}")
    return json.dumps(tools, sort_keys=True, separators=(",", ":"))


def _request(obj: dict[str, Any], custom_id: str | None) -> LogRecord:
    params = mapping(obj.get("params"), "params")
    if params is None:
        raise BadValue("params", "missing: neither a request nor a result")
    return LogRecord(
        time_s=None,  # a request line carries no time: its result's batch does, not the line
        model=printable(name(params.get("model"), "params.model")),
        messages=_messages(params),
        tools=_tools(params),
        custom_id=custom_id,
        side="input",
        batch=True,
    )


def _error(result: dict[str, Any]) -> str:
    """The error's type: `result.error.error.type` (an error response), or `.type` (older)."""
    error = mapping(result.get("error"), "result.error") or {}
    inner = mapping(error.get("error"), "result.error.error")
    kind = (inner or error).get("type")
    if kind in (None, "", "error"):
        return "errored"
    return f"errored: {printable(str(kind), 80)}"


def parse(obj: Any, span: TimeRange) -> LogRecord:
    """One line of a Batch results or request file."""
    if not isinstance(obj, dict):
        raise BadValue(None, "not a JSON object")
    custom_id = name(obj.get("custom_id"), "custom_id")
    if "result" not in obj:
        return _request(obj, custom_id)
    result = mapping(obj.get("result"), "result")
    if result is None:
        raise BadValue("result", "missing")
    kind = result.get("type")
    if isinstance(kind, str) and kind in UNANSWERED:
        failed = _error(result) if kind == "errored" else str(kind)
        return LogRecord(custom_id=custom_id, side="result", failed=failed, batch=True)
    if kind != "succeeded":
        raise BadValue("result.type", f"not succeeded, errored, canceled or expired: {show(kind)}")
    message = mapping(result.get("message"), "result.message")
    if message is None:
        raise BadValue("result.message", "missing from a succeeded result")
    usage = usage_of(message.get("usage"), "result.message.usage")
    return LogRecord(
        time_s=None,  # results carry no per-request time
        model=printable(name(message.get("model"), "result.message.model")),
        answer=content_text(message.get("content"), "result.message.content"),
        usage=usage,
        custom_id=custom_id,
        side="result",
        batch=True,
        record_id=name(message.get("id"), "result.message.id"),
    )


FORMAT = JsonFormat(
    name="anthropic-batch",
    title="Anthropic Message Batches (results or requests)",
    matches=matches,
    parse=parse,
)
