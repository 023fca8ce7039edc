"""NVIDIA genai-perf `profile_export_genai_perf.json` and AIPerf `profile_export_aiperf.json`.

Metrics are dicts of statistics with a unit; genai-perf's inter-token latency is
(latency − TTFT) / (output − 1), the same as vLLM's TPOT.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from costcalc.core.selfhosted.benchrun import Run
from costcalc.io.bench.common import number

_TO_MS = {"ms": 1.0, "s": 1000.0, "sec": 1000.0, "us": 1e-3, "ns": 1e-6}


def detect(doc: Any) -> bool:
    throughput = doc.get("request_throughput") if isinstance(doc, dict) else None
    return isinstance(throughput, dict) and "avg" in throughput


def _ms(metric: dict[str, Any] | None) -> dict[int, float]:
    if not isinstance(metric, dict):
        return {}
    scale = _TO_MS.get(str(metric.get("unit", "ms")).lower(), 1.0)
    return {
        p: float(metric[f"p{p}"]) * scale
        for p in (50, 90, 95, 99)
        if number(metric.get(f"p{p}")) is not None
    }


def _avg(doc: dict[str, Any], key: str) -> float | None:
    return _stat(doc, key, "avg")


def _stat(doc: dict[str, Any], key: str, stat: str) -> float | None:
    metric = doc.get(key)
    return number(metric.get(stat)) if isinstance(metric, dict) else None


def _dig(doc: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(doc, dict):
            return None
        doc = doc.get(key)
    return doc


def parse(doc: dict[str, Any], source: str) -> Sequence[Run | str]:
    rps = _avg(doc, "request_throughput")
    if not rps:
        raise ValueError("the run completed no requests (request_throughput 0)")
    config = doc.get("input_config") or {}
    concurrency = (
        _dig(config, "loadgen", "concurrency")  # AIPerf
        or _dig(config, "perf_analyzer", "stimulus", "concurrency")  # genai-perf since 2025-03
        or config.get("concurrency")  # genai-perf before
    )
    rate = (
        _dig(config, "loadgen", "request_rate")
        or _dig(config, "perf_analyzer", "stimulus", "request_rate")
        or config.get("request_rate")
    )
    names = (
        _dig(config, "endpoint", "model_names")
        or config.get("model_names")
        or [config.get("model")]
    )
    metadata: dict[str, str] = {}
    gpus = _dig(doc, "telemetry_data", "endpoints") or {}
    for endpoint in gpus.values() if isinstance(gpus, dict) else []:
        for gpu in (endpoint.get("gpus") or {}).values():
            if gpu.get("gpu_name"):
                metadata.setdefault("gpu", str(gpu["gpu_name"]))
    started = _dig(doc, "telemetry_data", "summary", "start_time")
    fmt = "aiperf" if "telemetry_data" in doc or "loadgen" in config else "genai-perf"
    latency = _avg(doc, "request_latency")
    return [
        Run(
            fmt=fmt,
            source=source,
            model_name=names[0] if names else None,
            input_tokens=_avg(doc, "input_sequence_length") or 0.0,
            output_tokens=_avg(doc, "output_sequence_length") or 0.0,
            output_tokens_max=_stat(doc, "output_sequence_length", "max"),
            request_throughput=rps,
            completed=int(_avg(doc, "request_count") or 0) or None,
            concurrency=number(concurrency),
            request_rate=number(rate),
            ttft_ms=_ms(doc.get("time_to_first_token")),
            tpot_ms=_ms(doc.get("inter_token_latency")),
            e2e_mean_s=None
            if latency is None
            else latency
            * _TO_MS.get(str(doc["request_latency"].get("unit", "ms")).lower(), 1.0)
            / 1000.0,
            metadata=metadata,
            date=dt.date.fromisoformat(started[:10]) if isinstance(started, str) else None,
            engine="unknown",
        )
    ]
