"""GuideLLM reports (`benchmarks.json`), schema 0.2/0.3 (`args`, `worker`) and 0.4+ (`config`).

Each benchmark of a sweep is one run. `requests_per_second` is a system rate; GuideLLM's
`inter_token_latency_ms` equals vLLM's TPOT (its `time_per_output_token_ms` does not).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from costcalc.core.selfhosted.benchrun import Run
from costcalc.io.bench.common import number


def detect(doc: Any) -> bool:
    return (
        isinstance(doc, dict)
        and isinstance(doc.get("benchmarks"), list)
        and any(isinstance(b, dict) and "metrics" in b for b in doc["benchmarks"])
    )


def _summary(metrics: dict[str, Any], name: str) -> dict[str, Any]:
    metric = metrics.get(name) or {}
    return metric.get("successful") or {} if isinstance(metric, dict) else {}


def _latencies(summary: dict[str, Any]) -> dict[int, float]:
    found: dict[int, float] = {}
    median = number(summary.get("median"))
    if median is not None:
        found[50] = median
    percentiles = summary.get("percentiles") or {}
    for p in (50, 90, 95, 99):
        value = number(percentiles.get(f"p{p}"))
        if value is not None:
            found[p] = value
    return found


def _labels(report: dict[str, Any]) -> dict[str, str]:
    """GuideLLM 0.7's `--label key=value` pairs, wherever the report keeps them."""
    labels: dict[str, str] = {}
    for holder in (report, report.get("config") or {}, report.get("args") or {}):
        raw = holder.get("labels") if isinstance(holder, dict) else None
        if isinstance(raw, dict):
            labels.update({str(k): str(v) for k, v in raw.items()})
        elif isinstance(raw, list):
            labels.update(dict(str(x).split("=", 1) for x in raw if "=" in str(x)))
    return labels


def _strategy(bench: dict[str, Any]) -> dict[str, Any]:
    for holder in (bench.get("args"), bench.get("config")):
        strategy = holder.get("strategy") if isinstance(holder, dict) else None
        if isinstance(strategy, dict):
            return strategy
    return {}


def _model(bench: dict[str, Any], report: dict[str, Any]) -> str | None:
    candidates = [
        (bench.get("worker") or {}).get("backend_model"),
        ((bench.get("config") or {}).get("backend") or {}).get("model"),
        ((bench.get("config") or {}).get("requests") or {}).get("model"),
        (report.get("config") or report.get("args") or {}).get("model"),
    ]
    return next((str(c) for c in candidates if c), None)


def parse(doc: dict[str, Any], source: str) -> list[Run | str]:
    """One run per benchmark of the report; one without successes becomes a skip message."""
    runs: list[Run | str] = []
    labels = _labels(doc)
    for index, bench in enumerate(doc["benchmarks"]):
        metrics = bench.get("metrics") or {}
        rps = number(_summary(metrics, "requests_per_second").get("mean"))
        if not rps:
            runs.append(f"{source} [benchmark {index}]: no successful requests, skipped")
            continue
        strategy = _strategy(bench)
        kind = str(strategy.get("type_") or strategy.get("type") or "")
        concurrency = {"synchronous": 1.0, "concurrent": number(strategy.get("streams"))}.get(kind)
        rate = number(strategy.get("rate")) if kind in ("constant", "poisson") else None
        start = number(bench.get("start_time"))
        runs.append(
            Run(
                fmt="guidellm",
                source=f"{source} [benchmark {index}: {kind or 'unknown'}]",
                model_name=_model(bench, doc),
                input_tokens=number(_summary(metrics, "prompt_token_count").get("mean")) or 0.0,
                output_tokens=number(_summary(metrics, "output_token_count").get("mean")) or 0.0,
                output_tokens_max=number(_summary(metrics, "output_token_count").get("max")),
                request_throughput=rps,
                completed=int(number(_summary(metrics, "request_latency").get("count")) or 0)
                or None,
                concurrency=concurrency,
                request_rate=rate,
                ttft_ms=_latencies(_summary(metrics, "time_to_first_token_ms")),
                tpot_ms=_latencies(_summary(metrics, "inter_token_latency_ms")),
                e2e_mean_s=number(_summary(metrics, "request_latency").get("mean")),
                metadata=labels,
                date=dt.datetime.fromtimestamp(start, dt.UTC).date() if start else None,
                engine="unknown",
            )
        )
    return runs
