"""vLLM serving results: `benchmark_serving.py --save-result` and `vllm bench serve --save-result`.

Tolerates every key spelling seen from 2024 to v0.33: `request_inthroughput`, `request_goodput:`,
`backend` or `endpoint_type`, files with or without per-request arrays, `--metadata` keys.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from pydantic import TypeAdapter, field_validator

from costcalc.core.selfhosted.benchrun import PERCENTILES, Run, percentiles_ms
from costcalc.errors import InputFileError
from costcalc.io.bench.common import scalar_strings
from costcalc.io.bench.fields import (
    LATENCIES,
    QUANTILES,
    Count,
    Latency,
    Load,
    Record,
    ReqPerS,
    TokenTotal,
    checked,
    per_request,
)

# keys vLLM itself writes; any other string-valued key came from --metadata
_RESULT_KEYS = {
    "date", "backend", "endpoint_type", "label", "model_id", "tokenizer_id", "best_of",
    "use_beam_search", "num_prompts", "request_rate", "burstiness", "max_concurrency",
    "duration", "completed", "failed", "total_input_tokens", "total_output_tokens",
    "request_throughput", "request_inthroughput", "request_goodput", "request_goodput:",
    "input_throughput", "output_throughput", "total_token_throughput", "rtfx",
    "max_output_tokens_per_s", "max_concurrent_requests", "ramp_up_strategy",
    "ramp_up_start_rps", "ramp_up_end_rps",
}  # fmt: skip
_STAT = re.compile(r"^(mean|median|std|p[0-9.]+)_(ttft|tpot|itl|e2el)_ms$")


class ServeResult(Record):
    """The values of a serving result costcalc reads; `--metadata` keys stay in the raw dict."""

    completed: Count | None = None
    request_throughput: ReqPerS | None = None
    request_inthroughput: ReqPerS | None = None  # vLLM's typo of 2024
    request_rate: Load | None = None  # None: unlimited ("inf")
    max_concurrency: Load | None = None
    num_prompts: Count | None = None
    total_input_tokens: TokenTotal | None = None
    total_output_tokens: TokenTotal | None = None
    # per-request arrays (`--save-detailed`, or versions before 0.6), seconds and tokens
    ttfts: list[Latency] | None = None
    itls: list[list[Latency]] | None = None
    output_lens: list[Count] | None = None
    errors: list[str | None] | None = None

    @field_validator("request_rate", mode="before")
    @classmethod
    def _unlimited(cls, value: Any) -> Any:
        # vLLM writes its default rate, float("inf"), as "inf" or as JSON's Infinity
        unlimited = value == "inf" or (isinstance(value, float) and value == float("inf"))
        return None if unlimited else value


_SCHEMA = TypeAdapter(ServeResult)


def detect(doc: Any) -> bool:
    return (
        isinstance(doc, dict)
        and ("request_throughput" in doc or "request_inthroughput" in doc)
        and ("completed" in doc or "duration" in doc)
        and not isinstance(doc.get("request_throughput"), dict)
    )


def _stats(values: dict[str, float | None], metric: str) -> tuple[dict[int, float], float | None]:
    """Published percentiles (median = p50) and the mean of one latency metric, in ms."""
    found: dict[int, float] = {}
    mean = None
    for key, value in values.items():
        match = _STAT.match(key)
        if not match or match.group(2) != metric or value is None:
            continue
        stat = match.group(1)
        if stat == "mean":
            mean = value
        elif stat == "median":
            found.setdefault(50, value)
        elif stat.startswith("p") and stat[1:].replace(".", "", 1).isdigit():
            p = float(stat[1:])
            if p in PERCENTILES:
                found[int(p)] = value
    return found, mean


def _from_arrays(result: ServeResult) -> tuple[dict[int, float], dict[int, float]] | None:
    """Exact percentiles from per-request arrays (`--save-detailed` or old versions)."""
    ttfts, itls, outs = result.ttfts, result.itls, result.output_lens
    if ttfts is None or itls is None or outs is None:
        return None
    errors = result.errors or []
    ok = [
        i
        for i in range(min(len(ttfts), len(outs)))
        if not (i < len(errors) and errors[i]) and outs[i] > 0
    ]
    if not ok:
        return None
    ttft = percentiles_ms([ttfts[i] for i in ok])
    tpot_s = [sum(itls[i]) / (outs[i] - 1) for i in ok if outs[i] > 1 and i < len(itls)]
    return ttft, percentiles_ms(tpot_s)


def _date(value: Any) -> dt.date | None:
    if isinstance(value, str) and re.match(r"^\d{8}", value):
        try:
            return dt.datetime.strptime(value[:8], "%Y%m%d").date()
        except ValueError:
            return None
    return None


def parse(doc: dict[str, Any], source: str) -> Sequence[Run | str]:
    result = checked(_SCHEMA, doc, source)
    completed = result.completed
    if completed is None:
        raise InputFileError(source, "missing: how many requests the run completed", "completed")
    if completed == 0:  # before its latencies: a run where every request failed writes zeros
        raise ValueError("the run completed no requests (completed = 0)")
    # the latency statistics of the metrics costcalc reads, each checked under its own key
    used = {
        key: (match.group(1), value)
        for key, value in doc.items()
        if (match := _STAT.match(key)) and match.group(1) != "std" and match.group(2) != "itl"
    }
    means = {key: value for key, (stat, value) in used.items() if stat == "mean"}
    quantiles = {key: value for key, (stat, value) in used.items() if stat != "mean"}
    latencies = checked(LATENCIES, means, source) | checked(QUANTILES, quantiles, source)
    spelled = "request_throughput" if "request_throughput" in doc else "request_inthroughput"
    throughput = getattr(result, spelled)
    if not throughput:
        problem = "missing" if throughput is None else "is 0"
        raise InputFileError(source, f"{problem}, yet {completed:g} requests completed", spelled)
    rate = result.request_rate
    ttft, ttft_mean = _stats(latencies, "ttft")
    tpot, tpot_mean = _stats(latencies, "tpot")
    notes = []
    exact = _from_arrays(result)
    if exact is not None:
        ttft, tpot = exact
        notes.append("percentiles recomputed from per-request arrays")
    _, e2e_mean_ms = _stats(latencies, "e2el")
    input_tokens = per_request(result.total_input_tokens, completed, source, "total_input_tokens")
    output = per_request(result.total_output_tokens, completed, source, "total_output_tokens")
    if e2e_mean_ms is None and ttft_mean is not None and tpot_mean is not None:
        e2e_mean_ms = ttft_mean + max(output - 1.0, 0.0) * tpot_mean
    metadata = scalar_strings(doc, lambda key: key in _RESULT_KEYS or bool(_STAT.match(key)))
    longest = max(result.output_lens or [], default=0.0)
    return [
        Run(
            fmt="vllm-serve",
            source=source,
            model_name=doc.get("model_id") or doc.get("tokenizer_id"),
            input_tokens=input_tokens,
            output_tokens=output,
            output_tokens_max=longest or None,
            request_throughput=throughput,
            completed=int(completed),
            concurrency=result.max_concurrency,
            request_rate=rate,
            num_prompts=int(result.num_prompts) if result.num_prompts else None,
            ttft_ms=ttft,
            tpot_ms=tpot,
            e2e_mean_s=None if e2e_mean_ms is None else e2e_mean_ms / 1000.0,
            metadata=metadata,
            date=_date(doc.get("date")),
            engine_version=metadata.get("version") or metadata.get("vllm"),
            notes=notes,
        )
    ]
