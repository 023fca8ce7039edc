"""A new traffic profile as commented YAML (`costcalc init`): sourced defaults per use case."""

from __future__ import annotations

import json
import re
import textwrap
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class UseCase(StrEnum):
    chatbot = "chatbot"
    rag = "rag"
    agent = "agent"
    batch = "batch"
    voice = "voice"


# Every field the template writes, in file order, with what it means and its unit (the comment
# beside it). `compare` marks where the options go.
MEANINGS: dict[str, str] = {
    "schema_version": "profile format version (always 1)",
    "name": "names this profile in reports",
    "description": "one line on what the traffic is",
    "model_class": "quality tier: small (7-13B), large (70B) or frontier",
    "traffic.requests_per_day": "model calls/day (a turn is a call); 250k, 1.2M work",
    "traffic.pattern": "daily shape: flat|business-hours|consumer-evening|custom",
    "traffic.burst_factor": "busiest minute / its hour's mean (1 = steady)",
    "traffic.batch_share": "share (0-1) of calls that can wait for a batch API",
    "request.user_tokens": "tokens of new input per call (the user's message)",
    "request.output_tokens": "tokens the model writes per call",
    "request.reasoning_tokens": "hidden reasoning tokens/call (unset: the offer's typical)",
    "request.system_prompt": "system prompt tokens/call; {file: prompt.md} counts one",
    "request.tools": "tool/function schema tokens, sent with every call",
    "request.retrieval.chunks": "retrieved chunks added to each call; 0 = no RAG",
    "request.retrieval.tokens_per_chunk": "tokens per retrieved chunk",
    "request.conversation.turns": "calls per conversation",
    "request.conversation.history_window": "earlier turns each call carries: a number or all",
    "request.retries.rate_limited": "share of attempts refused with HTTP 429 (not billed)",
    "request.retries.failed": "share of billed attempts that fail and are retried",
    "request.retries.max_retries": "retries per call at most",
    "request.caching.hit_rate": "share (0-1) of the shared prefix read from cache, or auto",
    "request.caching.cache_history": "true: the conversation history is cached too",
    "slo.percentile": "percentile the targets hold at: 50, 90, 95 or 99",
    "slo.ttft_ms": "time to first token, milliseconds",
    "slo.tpot_ms": "time per output token after the first, milliseconds",
    "slo.service_tier": "hosted tier: standard, priority (SLA premium) or flex",
    "compare": "",
    "overheads.gateway_usd_per_month": "USD/month for the API gateway (self-hosted only)",
    "overheads.engineer_hours_per_month": "engineering hours/month to run self-hosting",
    "overheads.engineer_usd_per_hour": "USD per engineering hour",
}
OPTION_MEANINGS = {
    "model": "open-weight model (catalog id)",
    "compute": "GPU offer it runs on (catalog id)",
    "gpus_per_replica": "GPUs per vLLM server (tensor parallel)",
    "precision": "weights: bf16, fp8 or int4",
    "min_replicas": "always-on servers (warm workers); 0 scales to zero",
}
COMMENT_COLUMN = 38
WIDTH = 100  # as profile from-logs writes

_SMALL_HOSTED = (
    "openai/gpt-5.4-mini", "anthropic/claude-haiku-4.5", "google/gemini-2.5-flash-lite",
    "fireworks/llama-3.1-8b-instruct",
)  # fmt: skip
_WARM_8B = {  # the seed article's stack: vLLM on RunPod Serverless, one warm worker
    "model": "llama-3.1-8b-instruct", "compute": "runpod-serverless/48gb",
    "gpus_per_replica": 1, "precision": "bf16", "min_replicas": 1,
}  # fmt: skip
_BASE: dict[str, Any] = {
    "schema_version": 1, "model_class": "small", "traffic.batch_share": 0,
    "request.reasoning_tokens": None, "request.tools": 0,
    "request.retrieval.chunks": 0, "request.retrieval.tokens_per_chunk": 0,
    "request.conversation.turns": 1, "request.conversation.history_window": "all",
    "request.retries.rate_limited": 0.02, "request.retries.failed": 0.01,
    "request.retries.max_retries": 2, "request.caching.hit_rate": "auto",
    "request.caching.cache_history": False, "slo.percentile": 99, "slo.ttft_ms": 2000,
    "slo.tpot_ms": 100, "slo.service_tier": "standard", "overheads.gateway_usd_per_month": 40,
    "overheads.engineer_hours_per_month": 8, "overheads.engineer_usd_per_hour": 120,
}  # fmt: skip
_BASE_NOTES = {
    "request.retries": "Retry shares as in costcalc's example profiles. A 429 costs no tokens "
    "(as Azure OpenAI documents) but counts against rate limits.",
    "request.caching": "auto: the hit rate follows from your volume and each offer's cache "
    "lifetime; a prefix under an offer's minimum (1,024 tokens at OpenAI) is never cached.",
    "compare": "Self-hosted as the seed article runs it: vLLM on RunPod Serverless, one warm "
    "worker kept at all times.",
    "overheads": "Self-hosting only: a small always-on instance for the FastAPI gateway and a "
    "day of engineering a month, as in the bundled profiles.",
}


@dataclass(frozen=True)
class Template:
    title: str
    requests_per_day: float  # the default volume
    values: dict[str, Any]
    notes: dict[str, str]  # field or section → the source of its default, a comment above it
    hosted: tuple[str, ...]
    self_hosted: tuple[dict[str, Any], ...]


TEMPLATES: dict[UseCase, Template] = {
    UseCase.chatbot: Template(
        title="consumer chat assistant", requests_per_day=50_000,
        values={
            "description": "Consumer chat assistant: short messages, multi-turn, evening peak.",
            "traffic.pattern": "consumer-evening", "traffic.burst_factor": 1.5,
            "request.user_tokens": 70, "request.output_tokens": 215,
            "request.system_prompt": 500, "request.conversation.turns": 6,
            "slo.percentile": 95, "slo.ttft_ms": 1000, "slo.tpot_ms": 60,
        },
        notes={
            "traffic": "A consumer app: a daytime base rising to a 19:00-22:00 peak; "
            "notifications make the peak minutes spiky.",
            "request": "LMSYS-Chat-1M (arXiv:2309.11998), a million real chats: prompts average "
            "~70 tokens, replies ~215 and conversations 2 turns; an app that keeps users talking "
            "runs longer (6 here), and every turn carries the whole history.",
            "slo": "Streamed chat must feel instant: first words within a second.",
        },
        hosted=_SMALL_HOSTED, self_hosted=(_WARM_8B,),
    ),
    UseCase.rag: Template(
        title="support assistant answering from documents (RAG)", requests_per_day=20_000,
        values={
            "description": "Support assistant answering from a knowledge base (RAG).",
            "traffic.pattern": "business-hours", "traffic.burst_factor": 1.3,
            "request.user_tokens": 80, "request.output_tokens": 300,
            "request.system_prompt": 1200,
            "request.retrieval.chunks": 5, "request.retrieval.tokens_per_chunk": 800,
        },
        notes={
            "traffic": "B2B support: quiet nights, a 09:00-17:00 plateau.",
            "request.system_prompt": "Grounding rules: answer only from the sources, cite them.",
            "request.retrieval": "OpenAI's file_search splits documents into 800-token chunks by "
            "default (max_chunk_size_tokens); 5 of them go with each question. Retrieved text is "
            "not carried to the next turn, so one turn per question here.",
        },
        hosted=_SMALL_HOSTED, self_hosted=(_WARM_8B,),
    ),
    UseCase.agent: Template(
        title="tool-calling agent", requests_per_day=10_000,
        values={
            "description": "Tool-calling agent: tasks of ~10 model calls each, office hours.",
            "model_class": "large",
            "traffic.pattern": "business-hours", "traffic.burst_factor": 1.5,
            "request.user_tokens": 400, "request.output_tokens": 250,
            "request.reasoning_tokens": 600, "request.system_prompt": 2000,
            "request.tools": 3000, "request.conversation.turns": 10,
            "request.retries.rate_limited": 0.05, "request.retries.failed": 0.05,
            "request.retries.max_retries": 3, "request.caching.cache_history": True,
            "slo.percentile": 90, "slo.ttft_ms": 3000, "slo.tpot_ms": 60,
        },
        notes={
            "request": "Each step feeds a tool result back (user_tokens) and carries the whole "
            "transcript; reasoning tokens as assumed in costcalc's tool-agent example.",
            "request.tools": "~15 tool schemas of ~200 tokens; OpenAI bills function definitions "
            "as input tokens on every call. Count yours: costcalc tokens tools.json",
            "request.retries": "An invalid tool-call JSON is billed, then asked again.",
            "slo": "Nobody reads an agent's steps as they stream: looser targets than chat.",
            "compare": "A 70B model needs big GPUs: FP8 weights on two H100s per server.",
        },
        hosted=(
            "openai/gpt-5.4", "anthropic/claude-sonnet-4.6", "google/gemini-3.5-flash",
            "fireworks/llama-3.3-70b-instruct",
        ),
        self_hosted=({
            "model": "llama-3.3-70b-instruct", "compute": "runpod/h100-sxm",
            "gpus_per_replica": 2, "precision": "fp8", "min_replicas": 1,
        },),
    ),
    UseCase.batch: Template(
        title="offline batch job (summarise, classify, extract)", requests_per_day=20_000,
        values={
            "description": "Offline batch job: documents summarised, nobody waiting on a reply.",
            "traffic.pattern": "flat", "traffic.burst_factor": 1.0, "traffic.batch_share": 1.0,
            "request.user_tokens": 3000, "request.output_tokens": 300,
            "request.system_prompt": 300, "request.caching.hit_rate": 0,
            "slo.percentile": 50, "slo.ttft_ms": 60_000, "slo.tpot_ms": 250,
        },
        notes={
            "traffic": "A queue feeds the model at a steady rate. OpenAI's and Anthropic's "
            "Batch APIs bill 50% of the standard price for results within 24 hours.",
            "request.caching": "Documents never repeat and the instructions are short: no cache.",
            "slo": "Throughput matters, latency does not.",
            "compare": "The queue keeps one dedicated GPU busy around the clock.",
        },
        hosted=_SMALL_HOSTED, self_hosted=({**_WARM_8B, "compute": "runpod/a40"},),
    ),
    UseCase.voice: Template(
        title="voice agent (speech in, speech out)", requests_per_day=24_000,
        values={
            "description": "Voice agent on the phone: calls of ~12 spoken turns, office hours.",
            "traffic.pattern": "business-hours", "traffic.burst_factor": 1.5,
            "request.user_tokens": 50, "request.output_tokens": 60,
            "request.system_prompt": 1000, "request.tools": 400,
            "request.conversation.turns": 12,
            "slo.percentile": 95, "slo.ttft_ms": 400, "slo.tpot_ms": 50,
        },
        notes={
            "request": "Speech runs ~150 words a minute: a 15-second utterance is ~50 tokens, "
            "and replies are two short sentences read aloud.",
            "slo": "People answer each other within ~200 ms (Stivers et al. 2009, PNAS) and hear "
            "over ~800 ms as lag; speech-to-text and text-to-speech take about half of that, "
            "leaving ~400 ms for the first token.",
            "compare": "A cold start (seconds) is a dropped call: keep a warm server.",
        },
        hosted=_SMALL_HOSTED, self_hosted=({**_WARM_8B, "compute": "runpod/l40s"},),
    ),
}  # fmt: skip


_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9._/-]*")
_YAML_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "null"})


def _value(value: Any) -> str:
    """A YAML scalar: 250000 (never 250000.0), 0.02, true, a plain word, else a quoted string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    if _PLAIN.fullmatch(value) and value.lower() not in _YAML_WORDS:
        return str(value)
    return json.dumps(value, ensure_ascii=False)  # a name or description with `: ` or `#`


def _field(indent: int, key: str, value: str, meaning: str, off: bool = False) -> list[str]:
    """`key: value  # meaning`, the meaning on the line above when both do not fit."""
    text = ("# " if off else "") + " " * indent + f"{key}: {value}".rstrip()
    line = f"{text:<{COMMENT_COLUMN}}  # {meaning}"
    return [line] if len(line) <= WIDTH else [" " * indent + f"# {meaning}", text]


def _note(indent: int, text: str) -> list[str]:
    pad = " " * indent
    return textwrap.wrap(text, WIDTH, initial_indent=f"{pad}# ", subsequent_indent=f"{pad}# ")


def _compare(template: Template, notes: dict[str, str]) -> list[str]:
    """The `compare:` section, commented out: without it costcalc compares its fair default set
    (the cheapest offer of each class, the cheapest host of the self-hosted model, the cheapest
    GPU pairing per provider), which a first profile should see before pinning its own list."""
    lines = _note(0, DEFAULT_SET_NOTE)
    lines += _note(0, notes["compare"]) if "compare" in notes else []
    lines += ["# compare:", f"{'#   hosted:':<{COMMENT_COLUMN}}  # hosted API offers (catalog ids)"]
    lines += [f"#     - {offer}" for offer in template.hosted]
    lines.append(f"{'#   self_hosted:':<{COMMENT_COLUMN}}  # open models on rented GPUs (vLLM)")
    for option in template.self_hosted:
        for i, (key, value) in enumerate(option.items()):
            lead = "    - " if i == 0 else "      "
            lines += _field(0, lead + key, _value(value), OPTION_MEANINGS[key], True)
    return lines


DEFAULT_SET_NOTE = (
    "Without a compare: section (as here) costcalc compares a fair default set: the cheapest "
    "offer of each provider in your class, the cheapest of every other class, the cheapest "
    "host of the model it self-hosts and the cheapest GPU pairing per provider (compare --all: "
    "everything). Uncomment the section below to pin your own list instead."
)


def render_template(
    use_case: UseCase, requests_per_day: float, name: str, run_path: str, schema: str | None
) -> str:
    """The profile for `use_case` at `requests_per_day`: each field with its meaning and unit,
    each default with its source. `run_path` is the path the next commands name."""
    template = TEMPLATES[use_case]
    values = {**_BASE, **template.values, "name": name}
    values["traffic.requests_per_day"] = requests_per_day
    notes = {**_BASE_NOTES, **template.notes}
    lines = [f"# yaml-language-server: $schema={schema}"] if schema else []
    intro = (
        f"A costcalc traffic profile for a {template.title}, written by costcalc init. Each "
        "number is a stated starting point: replace it with yours (costcalc tokens FILE counts "
        "a prompt; costcalc profile from-logs LOGS measures a whole profile). Sources of the "
        "defaults are in the comments above them."
    )
    lines += [*_note(0, intro), "#", "# Next:", f"#   costcalc compare {run_path}"]
    lines += ["#   costcalc catalog list        # ids the compare section may name", ""]
    opened: list[str] = []
    for path, meaning in MEANINGS.items():
        if path == "compare":
            lines += _compare(template, notes)
            opened = []
            continue
        *sections, key = path.split(".")
        for depth, section in enumerate(sections):
            prefix = ".".join(sections[: depth + 1])
            if opened[: depth + 1] != sections[: depth + 1]:
                lines += _note(2 * depth, notes[prefix]) if prefix in notes else []
                lines.append(f"{'  ' * depth}{section}:")
                opened = sections[: depth + 1]
        indent = 2 * len(sections)
        lines += _note(indent, notes[path]) if path in notes else []
        value = values[path]
        if value is None:  # left to the catalog; shown so the field can be found
            lines += _field(indent, key, "300", meaning, True)
        elif key in ("system_prompt", "tools"):
            lines += _field(indent, key, f"{{tokens: {_value(value)}}}", meaning)
        else:
            lines += _field(indent, key, _value(value), meaning)
    lines += _field(0, "budget", "", "limits that `costcalc check` fails on (exit 1)", True)
    lines += _field(2, "monthly_usd", "3000", "USD/month of the cheapest option at most", True)
    return "\n".join(lines) + "\n"
