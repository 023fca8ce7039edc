"""Whether a logged request failed (HTTP status, an error), and the id a duplicate shares."""

from __future__ import annotations

from typing import Any

from costcalc.io.logs.values import BadValue, name, printable
from costcalc.io.validation import show


def status_of(obj: dict[str, Any], response: dict[str, Any] | None) -> int | None:
    """The HTTP status a Batch output line (`response.status_code`) or a proxy logged."""
    for where, holder in (("response.status_code", response), ("status_code", obj)):
        value = (holder or {}).get("status_code")
        if value is None:
            continue
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise BadValue(where, f"not an HTTP status: {show(value)}")
        return value
    return None


def failure(obj: dict[str, Any], response: dict[str, Any] | None, status: int | None) -> str | None:
    """Why the request failed, or None: an HTTP status of 400 or more, or an `error` (beside
    the response, as in a Batch error file, or inside its body)."""
    holders = [obj] if response is None or response is obj else [obj, response]
    for holder in holders:
        error = holder.get("error")
        if error is None or error == "" or error == {}:
            continue
        detail = (error.get("code") or error.get("type") or error.get("message")
                  if isinstance(error, dict) else error)  # fmt: skip
        text = printable(str(detail), 80) if detail not in (None, "") else "unspecified"
        return f"status {status}, error: {text}" if status and status >= 400 else f"error: {text}"
    if status is not None and status >= 400:
        return f"status {status}"
    return None


def record_id(
    obj: dict[str, Any], response: dict[str, Any] | None, custom_id: str | None
) -> str | None:
    """The response's id (chatcmpl-…), else the line's request id: logged twice is a
    duplicate. A Batch line's own `id` (batch_req_…) is the custom_id's, so not needed."""
    if custom_id is not None:
        return None
    for holder, key, at in ((response, "id", "response.id"), (obj, "request_id", "request_id"),
                            (obj, "id", "id")):  # fmt: skip
        if holder is not None and holder.get(key) not in (None, ""):
            return name(holder[key], at if holder is not obj or key != "id" else "id")
    return None
