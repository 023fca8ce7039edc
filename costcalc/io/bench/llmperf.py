"""ray-project/llmperf `*_summary.json`: flattened `results_*` keys, seconds, requests per minute.

llmperf's inter-token latency is end-to-end time over output tokens, TTFT included; vLLM's TPOT
excludes the first token, so TPOT is rebuilt as (end-to-end − TTFT) / (output − 1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from costcalc.core.selfhosted.benchrun import Run
from costcalc.io.bench.common import number, scalar_strings


def detect(doc: Any) -> bool:
    return isinstance(doc, dict) and (
        "results_num_completed_requests_per_min" in doc or doc.get("version") == "2023-08-31"
    )


def _quantile(doc: dict[str, Any], metric: str, p: int) -> float | None:
    key = "median" if p == 50 else f"p{p}"
    return number(doc.get(f"results_{metric}_quantiles_p{p}", doc.get(f"results_{metric}_{key}")))


def parse(doc: dict[str, Any], source: str) -> Sequence[Run | str]:
    per_min = number(doc.get("results_num_completed_requests_per_min"))
    if not per_min:
        raise ValueError("the run completed no requests")
    output = number(doc.get("results_number_output_tokens_mean")) or number(
        doc.get("mean_output_tokens")
    )
    inputs = number(doc.get("results_number_input_tokens_mean")) or number(
        doc.get("mean_input_tokens")
    )
    if not output or not inputs:
        raise ValueError("no mean input/output token counts in the summary")
    ttft, tpot = {}, {}
    for p in (50, 90, 95, 99):
        t = _quantile(doc, "ttft_s", p)
        e2e = _quantile(doc, "end_to_end_latency_s", p)
        if t is not None:
            ttft[p] = t * 1000.0
            if e2e is not None and output > 1:
                tpot[p] = (e2e - t) / (output - 1.0) * 1000.0
    metadata = scalar_strings(doc, lambda key: key.startswith("results_"))
    stamp = number(doc.get("timestamp"))
    return [
        Run(
            fmt="llmperf",
            source=source,
            model_name=doc.get("model"),
            input_tokens=inputs,
            output_tokens=output,
            output_tokens_max=number(doc.get("results_number_output_tokens_max")),
            request_throughput=per_min / 60.0,
            completed=int(number(doc.get("results_num_completed_requests")) or 0) or None,
            concurrency=number(doc.get("num_concurrent_requests")),
            ttft_ms=ttft,
            tpot_ms=tpot,
            e2e_mean_s=number(doc.get("results_end_to_end_latency_s_mean")),
            metadata=metadata,
            date=dt.datetime.fromtimestamp(stamp, dt.UTC).date() if stamp else None,
            engine=str(doc.get("framework") or "unknown"),
            notes=[
                "TPOT rebuilt from end-to-end and TTFT percentiles (llmperf's ITL includes TTFT)"
            ],
        )
    ]
