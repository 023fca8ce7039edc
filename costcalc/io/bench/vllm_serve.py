"""vLLM serving results: `benchmark_serving.py --save-result` and `vllm bench serve --save-result`.

Tolerates every key spelling seen from 2024 to v0.33: `request_inthroughput`, `request_goodput:`,
`backend` or `endpoint_type`, files with or without per-request arrays, `--metadata` keys.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from costcalc.core.selfhosted.benchrun import PERCENTILES, Run, percentiles_ms
from costcalc.io.bench.common import number, scalar_strings

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


def detect(doc: Any) -> bool:
    return (
        isinstance(doc, dict)
        and ("request_throughput" in doc or "request_inthroughput" in doc)
        and ("completed" in doc or "duration" in doc)
        and not isinstance(doc.get("request_throughput"), dict)
    )


def _stats(doc: dict[str, Any], metric: str) -> tuple[dict[int, float], float | None]:
    """Published percentiles (median = p50) and the mean of one latency metric, in ms."""
    found: dict[int, float] = {}
    mean = None
    for key, value in doc.items():
        match = _STAT.match(key)
        if not match or match.group(2) != metric or number(value) is None:
            continue
        stat = match.group(1)
        if stat == "mean":
            mean = number(value)
        elif stat == "median":
            found.setdefault(50, float(value))
        elif stat.startswith("p") and stat[1:].replace(".", "", 1).isdigit():
            p = float(stat[1:])
            if p in PERCENTILES:
                found[int(p)] = float(value)
    return found, mean


def _from_arrays(doc: dict[str, Any]) -> tuple[dict[int, float], dict[int, float]] | None:
    """Exact percentiles from per-request arrays (`--save-detailed` or old versions)."""
    ttfts, itls, outs = doc.get("ttfts"), doc.get("itls"), doc.get("output_lens")
    if not (isinstance(ttfts, list) and isinstance(itls, list) and isinstance(outs, list)):
        return None
    errors = doc.get("errors") or [""] * len(ttfts)
    ok = [i for i in range(min(len(ttfts), len(outs))) if not errors[i] and (outs[i] or 0) > 0]
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
    completed = number(doc.get("completed"))
    throughput = number(doc.get("request_throughput", doc.get("request_inthroughput")))
    if not completed or not throughput:
        raise ValueError("the run completed no requests (completed = 0)")
    rate = doc.get("request_rate")
    rate_value = None if rate in (None, "inf", float("inf")) else number(rate)
    ttft, ttft_mean = _stats(doc, "ttft")
    tpot, tpot_mean = _stats(doc, "tpot")
    notes = []
    exact = _from_arrays(doc)
    if exact is not None:
        ttft, tpot = exact
        notes.append("percentiles recomputed from per-request arrays")
    _, e2e_mean_ms = _stats(doc, "e2el")
    output = float(doc.get("total_output_tokens", 0)) / completed
    if e2e_mean_ms is None and ttft_mean is not None and tpot_mean is not None:
        e2e_mean_ms = ttft_mean + max(output - 1.0, 0.0) * tpot_mean
    metadata = scalar_strings(doc, lambda key: key in _RESULT_KEYS or bool(_STAT.match(key)))
    lens = doc.get("output_lens")
    longest = max((number(x) or 0.0 for x in lens), default=0.0) if isinstance(lens, list) else 0.0
    return [
        Run(
            fmt="vllm-serve",
            source=source,
            model_name=doc.get("model_id") or doc.get("tokenizer_id"),
            input_tokens=float(doc.get("total_input_tokens", 0)) / completed,
            output_tokens=output,
            output_tokens_max=longest or None,
            request_throughput=throughput,
            completed=int(completed),
            concurrency=number(doc.get("max_concurrency")),
            request_rate=rate_value,
            num_prompts=int(doc["num_prompts"]) if number(doc.get("num_prompts")) else None,
            ttft_ms=ttft,
            tpot_ms=tpot,
            e2e_mean_s=None if e2e_mean_ms is None else e2e_mean_ms / 1000.0,
            metadata=metadata,
            date=_date(doc.get("date")),
            engine_version=metadata.get("version") or metadata.get("vllm"),
            notes=notes,
        )
    ]
