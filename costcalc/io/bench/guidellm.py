"""GuideLLM reports (`benchmarks.json`), schema 0.2/0.3 (`args`, `worker`) and 0.4+ (`config`).

Each benchmark of a sweep is one run. `requests_per_second` is a system rate; GuideLLM's
`inter_token_latency_ms` equals vLLM's TPOT (its `time_per_output_token_ms` does not).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Generic, TypeVar

from pydantic import Field, TypeAdapter

from costcalc.core.selfhosted.benchrun import Run
from costcalc.io.bench.fields import (
    Count,
    Latency,
    Load,
    Percentile,
    Record,
    ReqPerS,
    Timestamp,
    Tokens,
    checked,
    tokens,
)

V = TypeVar("V")


class Percentiles(Record, Generic[V]):
    p50: V | None = None
    p90: V | None = None
    p95: V | None = None
    p99: V | None = None


class Summary(Record, Generic[V]):
    """GuideLLM's distribution summary of one metric over the successful requests."""

    mean: V | None = None
    median: V | None = None
    max: V | None = None
    count: Count | None = None
    percentiles: Percentiles[V] | None = None


class Metric(Record, Generic[V]):
    successful: Summary[V] | None = None


class Metrics(Record):
    requests_per_second: Metric[ReqPerS] | None = None
    prompt_token_count: Metric[Tokens] | None = None
    output_token_count: Metric[Tokens] | None = None
    time_to_first_token_ms: Metric[Percentile] | None = None
    inter_token_latency_ms: Metric[Percentile] | None = None
    request_latency: Metric[Latency] | None = None  # seconds


class Strategy(Record):
    type_: Any = None
    kind: Any = Field(None, alias="type")
    streams: Load | None = None
    rate: Load | None = None


class Named(Record):
    model: Any = None


class Config(Record):
    """A benchmark's `args` (0.3) or `config` (0.4+), or the report's own."""

    strategy: Strategy | None = None
    backend: Named | None = None
    requests: Named | None = None
    model: Any = None
    labels: Any = None


class Worker(Record):
    backend_model: Any = None


class Benchmark(Record):
    metrics: Metrics = Metrics()  # {} when nothing succeeded; never null
    start_time: Timestamp | None = None
    args: Config | None = None
    config: Config | None = None
    worker: Worker | None = None


class Report(Record):
    benchmarks: list[Benchmark]
    args: Config | None = None
    config: Config | None = None
    labels: Any = None


_SCHEMA = TypeAdapter(Report)


def detect(doc: Any) -> bool:
    """A report: `benchmarks` with metrics, or a `benchmarks` that is no list at all (which
    the schema then names); pytest-benchmark's list of benchmarks without metrics is not."""
    if not isinstance(doc, dict) or "benchmarks" not in doc:
        return False
    benchmarks = doc["benchmarks"]
    if not isinstance(benchmarks, list):
        return True
    return any(isinstance(b, dict) and "metrics" in b for b in benchmarks)


def _summary(metric: Metric[float] | None) -> Summary[float]:
    return (metric.successful if metric else None) or Summary[float]()


def _latencies(summary: Summary[float]) -> dict[int, float]:
    found: dict[int, float] = {}
    if summary.median is not None:
        found[50] = summary.median
    percentiles = summary.percentiles or Percentiles[float]()
    for p in (50, 90, 95, 99):
        value = getattr(percentiles, f"p{p}")
        if value is not None:
            found[p] = value
    return found


def _labels(report: Report) -> dict[str, str]:
    """GuideLLM 0.7's `--label key=value` pairs, wherever the report keeps them."""
    labels: dict[str, str] = {}
    for raw in (
        report.labels,
        report.config and report.config.labels,
        report.args and report.args.labels,
    ):
        if isinstance(raw, dict):
            labels.update({str(k): str(v) for k, v in raw.items()})
        elif isinstance(raw, list):
            labels.update(dict(str(x).split("=", 1) for x in raw if "=" in str(x)))
    return labels


def _model(bench: Benchmark, report: Report) -> str | None:
    config = bench.config or Config()
    candidates = [
        bench.worker and bench.worker.backend_model,
        config.backend and config.backend.model,
        config.requests and config.requests.model,
        (report.config or report.args or Config()).model,
    ]
    return next((str(c) for c in candidates if c), None)


def parse(doc: dict[str, Any], source: str) -> list[Run | str]:
    """One run per benchmark of the report; one without successes becomes a skip message."""
    report = checked(_SCHEMA, doc, source)
    runs: list[Run | str] = []
    labels = _labels(report)
    for index, bench in enumerate(report.benchmarks):
        metrics = bench.metrics
        rps = _summary(metrics.requests_per_second).mean
        if not rps:
            runs.append(f"{source} [benchmark {index}]: no successful requests, skipped")
            continue
        holder = bench.args if bench.args and bench.args.strategy else bench.config
        strategy = (holder.strategy if holder else None) or Strategy()
        kind = str(strategy.type_ or strategy.kind or "")
        concurrency = {"synchronous": 1.0, "concurrent": strategy.streams}.get(kind)
        rate = strategy.rate if kind in ("constant", "poisson") else None
        output = _summary(metrics.output_token_count)
        where = f"benchmarks[{index}].metrics"
        inputs = _summary(metrics.prompt_token_count).mean
        latency = _summary(metrics.request_latency)
        start = bench.start_time
        runs.append(
            Run(
                fmt="guidellm",
                source=f"{source} [benchmark {index}: {kind or 'unknown'}]",
                model_name=_model(bench, report),
                input_tokens=tokens(inputs, source, f"{where}.prompt_token_count.successful.mean"),
                output_tokens=tokens(
                    output.mean, source, f"{where}.output_token_count.successful.mean"
                ),
                output_tokens_max=output.max,
                request_throughput=rps,
                completed=int(latency.count or 0) or None,
                concurrency=concurrency,
                request_rate=rate,
                ttft_ms=_latencies(_summary(metrics.time_to_first_token_ms)),
                tpot_ms=_latencies(_summary(metrics.inter_token_latency_ms)),
                e2e_mean_s=latency.mean,
                metadata=labels,
                date=dt.datetime.fromtimestamp(start, dt.UTC).date() if start else None,
                engine="unknown",
            )
        )
    return runs
