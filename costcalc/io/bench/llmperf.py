"""ray-project/llmperf `*_summary.json`: flattened `results_*` keys, seconds, requests per minute.

llmperf's inter-token latency is end-to-end time over output tokens, TTFT included; vLLM's TPOT
excludes the first token, so TPOT is rebuilt as (end-to-end − TTFT) / (output − 1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from pydantic import TypeAdapter

from costcalc.core.selfhosted.benchrun import Run
from costcalc.errors import InputFileError
from costcalc.io.bench.common import scalar_strings
from costcalc.io.bench.fields import (
    QUANTILES,
    Count,
    Latency,
    Load,
    Record,
    ReqPerMin,
    Timestamp,
    Tokens,
    checked,
)


class Summary(Record):
    """The values of a summary costcalc reads; the quantile keys are checked apart."""

    results_num_completed_requests_per_min: ReqPerMin | None = None
    results_number_input_tokens_mean: Tokens | None = None
    results_number_output_tokens_mean: Tokens | None = None
    mean_input_tokens: Tokens | None = None  # what was asked for, when the results do not say
    mean_output_tokens: Tokens | None = None
    results_number_output_tokens_max: Tokens | None = None
    results_num_completed_requests: Count | None = None
    results_end_to_end_latency_s_mean: Latency | None = None
    num_concurrent_requests: Load | None = None
    timestamp: Timestamp | None = None


_SCHEMA = TypeAdapter(Summary)


def detect(doc: Any) -> bool:
    return isinstance(doc, dict) and (
        "results_num_completed_requests_per_min" in doc or doc.get("version") == "2023-08-31"
    )


def _keys(metric: str, p: int) -> tuple[str, str]:
    """The two spellings of a quantile, newest first: `…_quantiles_p50` and `…_median`."""
    return (
        f"results_{metric}_quantiles_p{p}",
        f"results_{metric}_{'median' if p == 50 else f'p{p}'}",
    )


def _quantile(values: dict[str, float | None], metric: str, p: int) -> tuple[str, float] | None:
    """(key, seconds) of one quantile, under whichever spelling the file uses."""
    for key in _keys(metric, p):
        if key in values:
            value = values[key]
            return None if value is None else (key, value)
    return None


def parse(doc: dict[str, Any], source: str) -> Sequence[Run | str]:
    summary = checked(_SCHEMA, doc, source)
    wanted = [
        k for m in ("ttft_s", "end_to_end_latency_s") for p in (50, 90, 95, 99) for k in _keys(m, p)
    ]
    per_min = summary.results_num_completed_requests_per_min
    if not per_min:  # before its latencies: a run where every request failed writes zeros
        raise ValueError("the run completed no requests")
    quantiles = checked(QUANTILES, {k: doc[k] for k in wanted if k in doc}, source)
    output = summary.results_number_output_tokens_mean or summary.mean_output_tokens
    inputs = summary.results_number_input_tokens_mean or summary.mean_input_tokens
    if not output or not inputs:
        missing = "output" if not output else "input"
        raise InputFileError(
            source, f"missing or 0: no mean {missing} token count in the summary",
            f"results_number_{missing}_tokens_mean",
        )  # fmt: skip
    ttft, tpot = {}, {}
    for p in (50, 90, 95, 99):
        t = _quantile(quantiles, "ttft_s", p)
        e2e = _quantile(quantiles, "end_to_end_latency_s", p)
        if t is None:
            continue
        ttft[p] = t[1] * 1000.0
        if e2e is not None and output > 1:
            if e2e[1] <= t[1]:  # a request ends after its first token: so do the quantiles
                raise InputFileError(
                    source, f"{e2e[1]:g} s is not above `{t[0]}`, {t[1]:g} s", e2e[0]
                )
            tpot[p] = (e2e[1] - t[1]) / (output - 1.0) * 1000.0
    metadata = scalar_strings(doc, lambda key: key.startswith("results_"))
    stamp = summary.timestamp
    return [
        Run(
            fmt="llmperf",
            source=source,
            model_name=doc.get("model"),
            input_tokens=inputs,
            output_tokens=output,
            output_tokens_max=summary.results_number_output_tokens_max,
            request_throughput=per_min / 60.0,
            completed=int(summary.results_num_completed_requests or 0) or None,
            concurrency=summary.num_concurrent_requests,
            ttft_ms=ttft,
            tpot_ms=tpot,
            e2e_mean_s=summary.results_end_to_end_latency_s_mean,
            metadata=metadata,
            date=dt.datetime.fromtimestamp(stamp, dt.UTC).date() if stamp else None,
            engine=str(doc.get("framework") or "unknown"),
            notes=[
                "TPOT rebuilt from end-to-end and TTFT percentiles (llmperf's ITL includes TTFT)"
            ],
        )
    ]
