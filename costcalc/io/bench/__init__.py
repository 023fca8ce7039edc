"""Read benchmark result files of every supported tool: detect the format, parse the runs."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from costcalc.core.selfhosted.benchrun import Run, problems
from costcalc.errors import InputFileError
from costcalc.io.bench import (
    genai_perf,
    guidellm,
    llmperf,
    vllm_latency,
    vllm_nightly,
    vllm_serve,
    vllm_throughput,
)
from costcalc.io.bench.common import OfflineShape
from costcalc.io.bench.fields import explain

# what a parser raises on a file shape its schema did not foresee
PARSER_BUGS = (TypeError, KeyError, IndexError, AttributeError, OverflowError, ZeroDivisionError)

Parser = Callable[[Any, str, OfflineShape], Sequence[Run | str]]


def _plain(parse: Callable[[Any, str], Sequence[Run | str]]) -> Parser:
    """A parser that needs nothing beyond the file itself."""
    return lambda doc, source, _shape: parse(doc, source)


# Order matters only where shapes overlap: genai-perf's request_throughput is a dict.
FORMATS: list[tuple[str, Callable[[Any], bool], Parser]] = [
    ("vLLM nightly-benchmark summary", vllm_nightly.detect, _plain(vllm_nightly.parse)),
    ("GuideLLM report", guidellm.detect, _plain(guidellm.parse)),
    ("genai-perf / AIPerf profile export", genai_perf.detect, _plain(genai_perf.parse)),
    ("llmperf summary", llmperf.detect, _plain(llmperf.parse)),
    ("vLLM serving result", vllm_serve.detect, _plain(vllm_serve.parse)),
    ("vLLM throughput result", vllm_throughput.detect, vllm_throughput.parse),
    ("vLLM latency result", vllm_latency.detect, vllm_latency.parse),
]


def documents(path: Path) -> list[Any]:
    """The JSON documents of a file: one, or one per line as `--append-result` writes them."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputFileError(path, "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(path, f"cannot be read: {exc}") from None
    decoder = json.JSONDecoder()
    docs, position = [], 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position == len(text):
            break
        try:
            doc, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            where = (
                "the file ends before the JSON does (truncated?)"
                if exc.pos >= len(text)
                else exc.msg
            )
            raise InputFileError(
                f"{path}:{exc.lineno}:{exc.colno}", f"not valid JSON: {where}"
            ) from None
        except ValueError as exc:  # an integer of more than 4,300 digits
            raise InputFileError(path, f"not valid JSON: {exc}") from None
        except RecursionError:
            raise InputFileError(path, "not valid JSON: nested too deeply") from None
        docs.append(doc)
    if not docs:
        raise InputFileError(path, "the file is empty")
    return docs


def _failure(doc: Any) -> str | None:
    """The reason of a failure stub a sweep writes for a run that did not happen, such as
    `{"reason": "server crashed"}` or `{"error": …, "completed": 0}`; None for anything else."""
    if not isinstance(doc, dict):
        return None
    for key in ("reason", "error", "failure", "status"):
        if isinstance(doc.get(key), str | dict) and doc[key]:
            text = doc[key] if isinstance(doc[key], str) else json.dumps(doc[key])
            return text[:120]
    return None


def read_runs(path: Path, shape: OfflineShape) -> tuple[list[Run], list[str]]:
    """Every run in a result file, and messages for the runs skipped (nothing completed)."""
    runs: list[Run] = []
    skipped: list[str] = []
    for number, doc in enumerate(documents(path)):
        source = str(path) if number == 0 else f"{path} (line {number + 1})"
        parser = next((p for _, detect, p in FORMATS if detect(doc)), None)
        if parser is None and _failure(doc):
            skipped.append(f"{source}: the run failed ({_failure(doc)}), skipped")
            continue
        if parser is None:
            raise InputFileError(
                path,
                "not a benchmark result costcalc can read; it reads "
                + ", ".join(name for name, *_ in FORMATS),
            )
        try:
            parsed = parser(doc, source, shape)
        except ValidationError as exc:  # a schema's error that a parser let through
            field, problem = explain(exc)
            raise InputFileError(source, problem, field=field or None) from None
        except ValueError as exc:
            if "completed no requests" in str(exc):
                skipped.append(f"{source}: {exc}, skipped")
                continue
            raise InputFileError(source, str(exc)) from None
        except PARSER_BUGS as exc:
            # the schemas refuse every bad value with its field; this is the safety net for a
            # shape they do not foresee: still the user's file, so exit 2 naming it, not a crash
            raise InputFileError(
                source, f"cannot be read ({type(exc).__name__}: {exc}); is it an unedited file?"
            ) from None
        for run in (r for r in parsed if isinstance(r, Run)):
            for field, problem in problems(run)[:1]:
                raise InputFileError(run.source, problem, field=field)
            runs.append(run)
        skipped.extend(r for r in parsed if isinstance(r, str))
    return runs, skipped
