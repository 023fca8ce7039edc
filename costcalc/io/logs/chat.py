"""OpenAI-style chat JSONL: logging proxies and OpenAI Batch API input, output and error files."""

from __future__ import annotations

from costcalc.io.logs.formats import from_json
from costcalc.io.logs.registry import JsonFormat

FORMAT = JsonFormat(
    name="openai-chat",
    title="OpenAI chat requests/responses (proxy logs, Batch API files)",
    matches=lambda first: True,  # the fallback: any JSON object is tried as a chat record
    parse=from_json,
)
