"""NVIDIA genai-perf `profile_export_genai_perf.json` and AIPerf `profile_export_aiperf.json`.

Metrics are dicts of statistics with a unit; genai-perf's inter-token latency is
(latency − TTFT) / (output − 1), the same as vLLM's TPOT.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from pydantic import TypeAdapter, field_validator

from costcalc.core.selfhosted.benchrun import Run
from costcalc.io.bench.fields import (
    Count,
    Load,
    Percentile,
    Record,
    ReqPerS,
    Tokens,
    checked,
    tokens,
)

_TO_MS = {"ms": 1.0, "s": 1000.0, "sec": 1000.0, "us": 1e-3, "ns": 1e-6}
V = TypeVar("V")


class Metric(Record, Generic[V]):
    """One metric's statistics: `{"unit": "ms", "avg": …, "p50": …, …}`."""

    unit: Any = None
    avg: V | None = None
    max: V | None = None
    p50: V | None = None
    p90: V | None = None
    p95: V | None = None
    p99: V | None = None


class Timing(Metric[Percentile]):
    """A latency metric, whose unit says how to reach milliseconds."""

    @field_validator("unit")
    @classmethod
    def _known(cls, unit: Any) -> Any:
        if unit is not None and str(unit).lower() not in _TO_MS:
            raise ValueError(f"unknown time unit {unit!r}: expected one of {', '.join(_TO_MS)}")
        return unit

    @property
    def to_ms(self) -> float:
        return _TO_MS[str(self.unit or "ms").lower()]


class Stimulus(Record):
    concurrency: Load | None = None
    request_rate: Load | None = None


class PerfAnalyzer(Record):
    stimulus: Stimulus | None = None


class Endpoint(Record):
    model_names: list[Any] | None = None


class InputConfig(Stimulus):
    """genai-perf's flat config (before 2025-03), its `perf_analyzer.stimulus`, or AIPerf's
    `loadgen` and `endpoint`."""

    loadgen: Stimulus | None = None
    perf_analyzer: PerfAnalyzer | None = None
    endpoint: Endpoint | None = None
    model_names: list[Any] | None = None
    model: Any = None


class Gpu(Record):
    gpu_name: Any = None


class TelemetryEndpoint(Record):
    gpus: dict[str, Gpu] | None = None


class TelemetrySummary(Record):
    start_time: Any = None


class Telemetry(Record):
    endpoints: dict[str, TelemetryEndpoint] | None = None
    summary: TelemetrySummary | None = None


class Export(Record):
    request_throughput: Metric[ReqPerS]
    request_latency: Timing | None = None
    request_count: Metric[Count] | None = None
    time_to_first_token: Timing | None = None
    inter_token_latency: Timing | None = None
    input_sequence_length: Metric[Tokens] | None = None
    output_sequence_length: Metric[Tokens] | None = None
    input_config: InputConfig | None = None
    telemetry_data: Telemetry | None = None


_SCHEMA = TypeAdapter(Export)


def detect(doc: Any) -> bool:
    throughput = doc.get("request_throughput") if isinstance(doc, dict) else None
    return isinstance(throughput, dict) and "avg" in throughput


def _ms(metric: Timing | None) -> dict[int, float]:
    if metric is None:
        return {}
    values = {p: getattr(metric, f"p{p}") for p in (50, 90, 95, 99)}
    return {p: value * metric.to_ms for p, value in values.items() if value is not None}


def _date(started: Any) -> dt.date | None:
    """The run's day from an ISO timestamp; an unreadable one is as good as none."""
    try:
        return dt.date.fromisoformat(started[:10]) if isinstance(started, str) else None
    except ValueError:
        return None


def parse(doc: dict[str, Any], source: str) -> Sequence[Run | str]:
    # a run where every request failed writes zeros everywhere: skipped before they are checked
    throughput = doc.get("request_throughput")
    if isinstance(throughput, dict) and throughput.get("avg") == 0:
        raise ValueError("the run completed no requests (request_throughput 0)")
    export = checked(_SCHEMA, doc, source)
    rps = export.request_throughput.avg
    if not rps:
        raise ValueError("the run completed no requests (request_throughput 0)")
    config = export.input_config or InputConfig()
    stimulus = config.perf_analyzer.stimulus if config.perf_analyzer else None
    holders = [h for h in (config.loadgen, stimulus, config) if h]  # AIPerf, 2025-03+, before
    concurrency = next((h.concurrency for h in holders if h.concurrency), None)
    rate = next((h.request_rate for h in holders if h.request_rate), None)
    names = (
        (config.endpoint and config.endpoint.model_names) or config.model_names or [config.model]
    )
    metadata: dict[str, str] = {}
    telemetry = export.telemetry_data or Telemetry()
    for endpoint in (telemetry.endpoints or {}).values():
        for gpu in (endpoint.gpus or {}).values():
            if gpu.gpu_name:
                metadata.setdefault("gpu", str(gpu.gpu_name))
    started = telemetry.summary.start_time if telemetry.summary else None
    aiperf = "telemetry_data" in doc or "loadgen" in config.model_fields_set
    fmt = "aiperf" if aiperf else "genai-perf"
    latency = export.request_latency
    output = export.output_sequence_length or Metric[float]()
    inputs = (export.input_sequence_length or Metric[float]()).avg
    count = export.request_count.avg if export.request_count else None
    return [
        Run(
            fmt=fmt,
            source=source,
            model_name=names[0] if names else None,
            input_tokens=tokens(inputs, source, "input_sequence_length.avg"),
            output_tokens=tokens(output.avg, source, "output_sequence_length.avg"),
            output_tokens_max=output.max,
            request_throughput=rps,
            completed=int(count or 0) or None,
            concurrency=concurrency,
            request_rate=rate,
            ttft_ms=_ms(export.time_to_first_token),
            tpot_ms=_ms(export.inter_token_latency),
            e2e_mean_s=None
            if latency is None or latency.avg is None
            else latency.avg * latency.to_ms / 1000.0,
            metadata=metadata,
            date=_date(started),
            engine="unknown",
        )
    ]
