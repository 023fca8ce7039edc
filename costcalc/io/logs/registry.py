"""The log formats costcalc reads, and which one a file is in: told by its first record or header.

A format is a module under costcalc.io.logs with a `FORMAT` (JsonFormat or CsvFormat). A JSON
file (JSONL, or one JSON array) is in the first JSON format whose `matches` takes its first
record; a CSV file in the first CSV format whose `matches` takes its header. The OpenAI-style
chat format comes last and takes any JSON object, so a file no other format claims is read as
before.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from costcalc.io.logs.formats import LogRecord
from costcalc.io.logs.values import TimeRange

JsonParse = Callable[[Any, TimeRange], LogRecord]
CsvParse = Callable[[dict[str | None, Any], TimeRange], LogRecord]


@dataclass(frozen=True)
class JsonFormat:
    name: str  # "anthropic-batch": said in the summary and the profile's comments
    title: str  # "Anthropic Message Batches results"
    matches: Callable[[dict[str, Any]], bool]  # given the first JSON object of the file
    parse: JsonParse


@dataclass(frozen=True)
class CsvFormat:
    name: str
    title: str
    matches: Callable[[Sequence[str]], bool]  # given the header's column names
    parse: CsvParse


# Most specific first; the modules are imported on first use, so `compare` never pays for them.
JSON_MODULES = ["anthropic_batch", "litellm_spend", "langfuse", "helicone", "chat"]
CSV_MODULES = ["litellm_spend", "langfuse", "helicone", "openrouter", "openai_usage", "usage_csv"]


def _formats(modules: list[str]) -> list[Any]:
    return [importlib.import_module(f"costcalc.io.logs.{m}").FORMAT for m in modules]


def json_format(first: dict[str, Any]) -> JsonFormat:
    """The format of a JSON log whose first record is `first` (the chat format by default)."""
    formats: list[JsonFormat] = _formats(JSON_MODULES)
    return next((f for f in formats if f.matches(first)), formats[-1])


def csv_format(columns: Sequence[str]) -> CsvFormat | None:
    """The format of a CSV log with these header columns, or None when none reads it."""
    formats: list[CsvFormat] = _formats(CSV_MODULES)
    return next((f for f in formats if f.matches(columns)), None)


def csv_titles() -> list[str]:
    """Every CSV format, for the error a CSV no format reads gets."""
    return [f.title for f in _formats(CSV_MODULES)]
