"""Request logs written for the tests: known daily shape, turns, token counts and usage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DAY = 86_400
HOUR = 3_600
T0 = 1_793_059_200  # 2026-10-26 00:00:00 UTC
SYSTEM = "hello world " * 50
TOOLS = [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}]


def chat_line(
    messages: list[dict[str, Any]],
    when: float | None,
    *,
    answer: str = "fine thanks",
    usage: dict[str, Any] | None = None,
    conversation: str | None = None,
    model: str = "gpt-4",
) -> dict[str, Any]:
    """A proxy-style line: the request, its response, a unix time and a conversation id."""
    response: dict[str, Any] = {
        "model": model,
        "choices": [{"message": {"role": "assistant", "content": answer}}],
    }
    if usage:
        response["usage"] = usage
    line: dict[str, Any] = {
        "request": {"model": model, "messages": messages, "tools": TOOLS},
        "response": response,
    }
    if when is not None:
        line["created"] = when
    if conversation:
        line["conversation_id"] = conversation
    return line


def conversation(name: str, turns: int, start: float, with_id: bool = True) -> list[dict[str, Any]]:
    """One conversation of `turns` turns, a turn a minute, each carrying every earlier turn."""
    lines = []
    messages: list[dict[str, Any]] = [{"role": "system", "content": SYSTEM}]
    for turn in range(turns):
        messages.append({"role": "user", "content": f"question {turn} " * 10})
        lines.append(
            chat_line(list(messages), start + 60 * turn, conversation=name if with_id else None)
        )
        messages.append({"role": "assistant", "content": "fine thanks"})
    return lines


def shaped_day_log() -> list[dict[str, Any]]:
    """Over exactly two days (day 0 09:00 to day 2 09:00): 3-turn conversations, 3 starting at
    09:00 and 2 at 14:00 on each of days 0 and 1, then one more at day 2 09:00 (11 in all)."""
    lines = []
    for day in (0, 1):
        for k in range(3):
            lines += conversation(f"d{day}-9-{k}", 3, T0 + day * DAY + 9 * HOUR + 600 * k)
        for k in range(2):
            lines += conversation(f"d{day}-14-{k}", 3, T0 + day * DAY + 14 * HOUR + 600 * k)
    lines += conversation("d2-9", 3, T0 + 2 * DAY + 9 * HOUR - 120)  # its last turn at day 2 09:00
    return lines


def write_jsonl(path: Path, lines: list[Any]) -> Path:
    text = "".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines)
    path.write_text(text, encoding="utf-8")
    return path
