"""Benchmark result files in every supported format, written for the tests with known values."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# A sweep with known costs: s = A·input + B·output seconds of one replica per request.
A, B = 2e-5, 4e-3
MODEL = "meta-llama/Llama-3.1-8B-Instruct"


def seconds(i: float, o: float) -> float:
    return A * i + B * o


def vllm_serve(
    i: int = 1000,
    o: int = 200,
    rps: float = 4.0,
    concurrency: int | None = 16,
    rate: float | str = "inf",
    ttft_p99: float = 300.0,
    tpot_p99: float = 30.0,
    completed: int = 200,
    **extra: Any,
) -> dict[str, Any]:
    """A `vllm bench serve --save-result` document (v0.11-style keys)."""
    return {
        "date": "20261101-120000",
        "endpoint_type": "vllm",
        "backend": "vllm",
        "label": None,
        "model_id": MODEL,
        "tokenizer_id": MODEL,
        "num_prompts": completed,
        "request_rate": rate,
        "burstiness": 1.0,
        "max_concurrency": concurrency,
        "duration": completed / rps,
        "completed": completed,
        "failed": 0,
        "total_input_tokens": i * completed,
        "total_output_tokens": o * completed,
        "request_throughput": rps,
        "request_goodput": None,
        "output_throughput": o * rps,
        "total_token_throughput": (i + o) * rps,
        "mean_ttft_ms": ttft_p99 / 2,
        "median_ttft_ms": ttft_p99 / 2,
        "p99_ttft_ms": ttft_p99,
        "mean_tpot_ms": tpot_p99 / 1.5,
        "median_tpot_ms": tpot_p99 / 1.5,
        "p99_tpot_ms": tpot_p99,
        **extra,
    }


def sweep() -> list[dict[str, Any]]:
    """Three mixes × three concurrencies. Throughput rises with concurrency, but the top
    concurrency breaks a 2 s / 50 ms SLO, so the middle one (1/s) must be chosen per mix."""
    docs = []
    for i, o in ((1000, 200), (4000, 200), (1000, 800)):
        best = 1.0 / seconds(i, o)
        for concurrency, factor, tpot in ((4, 0.5, 20.0), (16, 1.0, 45.0), (64, 1.3, 120.0)):
            docs.append(
                vllm_serve(
                    i,
                    o,
                    best * factor,
                    concurrency,
                    tpot_p99=tpot,
                    gpu="h100-sxm",
                    tp="1",
                    replicas="1",
                )
            )
    return docs


def write_jsonl(path: Path, docs: list[dict[str, Any]]) -> Path:
    """As `--append-result` writes: one JSON document per line."""
    path.write_text("\n".join(json.dumps(d) for d in docs) + "\n", encoding="utf-8")
    return path


def write(path: Path, doc: Any) -> Path:
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return path


def guidellm_v07() -> dict[str, Any]:
    """GuideLLM 0.7 layout: metadata/config/benchmarks, strategy under each benchmark's config."""

    def summary(
        mean: float, median: float | None = None, p99: float | None = None
    ) -> dict[str, Any]:
        percentiles = {"p50": median or mean, "p90": mean, "p95": mean, "p99": p99 or mean}
        return {
            "successful": {
                "mean": mean,
                "median": median or mean,
                "count": 100,
                "percentiles": percentiles,
            }
        }

    def bench(streams: int, rps: float, ttft_p99: float) -> dict[str, Any]:
        return {
            "config": {
                "strategy": {"type_": "concurrent", "streams": streams},
                "backend": {"model": MODEL},
            },
            "metrics": {
                "requests_per_second": summary(rps),
                "prompt_token_count": summary(512.0),
                "output_token_count": summary(256.0),
                "time_to_first_token_ms": summary(ttft_p99 / 3, ttft_p99 / 3, ttft_p99),
                "inter_token_latency_ms": summary(12.0, 11.0, 20.0),
                "time_per_output_token_ms": summary(99.0),
                "request_latency": summary(3.5),
            },
            "start_time": 1793000000.0,
        }

    return {
        "metadata": {"version": 2, "guidellm_version": "0.7.0"},
        "config": {"labels": {"gpu": "NVIDIA L40S", "tp": "1"}},
        "benchmarks": [
            bench(1, 0.3, 80.0),
            bench(8, 2.1, 300.0),
            {"config": {"strategy": {"type_": "throughput"}}, "metrics": {}},
        ],
    }


def llmperf(per_min: float = 120.0) -> dict[str, Any]:
    return {
        "version": "2023-08-31",
        "name": "Llama-3.1-8B-Instruct_550_150_summary",
        "model": MODEL,
        "mean_input_tokens": 550,
        "mean_output_tokens": 150,
        "num_concurrent_requests": 8,
        "results_ttft_s_quantiles_p50": 0.2,
        "results_ttft_s_quantiles_p99": 0.5,
        "results_end_to_end_latency_s_quantiles_p50": 3.18,
        "results_end_to_end_latency_s_quantiles_p99": 4.97,
        "results_end_to_end_latency_s_mean": 3.3,
        "results_number_input_tokens_mean": 550.0,
        "results_number_output_tokens_mean": 150.0,
        "results_num_completed_requests": 240,
        "results_num_completed_requests_per_min": per_min,
        "gpu": "a100-sxm-80gb",
        "tp": "1",
        "timestamp": 1793000000,
    }


def genai_perf(new_layout: bool) -> dict[str, Any]:
    def metric(
        unit: str, avg: float, p50: float | None = None, p99: float | None = None
    ) -> dict[str, Any]:
        return {
            "unit": unit,
            "avg": avg,
            "p50": p50 or avg,
            "p90": avg,
            "p95": avg,
            "p99": p99 or avg,
        }

    stimulus = {"concurrency": 32}
    config = (
        {"perf_analyzer": {"stimulus": stimulus}, "model_names": [MODEL]}
        if new_layout
        else {"concurrency": 32, "model": MODEL}
    )
    return {
        "request_throughput": {"unit": "requests/sec", "avg": 6.5},
        "request_latency": metric("ms", 4000.0),
        "time_to_first_token": metric("ms", 150.0, 140.0, 410.0),
        "inter_token_latency": metric("ms", 25.0, 24.0, 39.0),
        "output_sequence_length": metric("tokens", 160.0),
        "input_sequence_length": metric("tokens", 300.0),
        "request_count": {"unit": "count", "avg": 500},
        "input_config": config,
    }


def nightly() -> list[dict[str, Any]]:
    rows = []
    for qps, rps in (("1", 0.99), ("inf", 7.5)):
        rows.append(
            {
                "Test name": f"serving_llama8B_tp1_sharegpt_qps_{qps}",
                "GPU": "H100 x 1",
                "# of req.": 200,
                "Tput (req/s)": rps,
                "Output Tput (tok/s)": rps * 180,
                "Total Tput (tok/s)": rps * 380,
                "Median TTFT (ms)": 30.0,
                "P99 TTFT (ms)": 90.0,
                "Median TPOT (ms)": 9.0,
                "P99 TPOT (ms)": 14.0,
            }
        )
    return rows


def aiperf() -> dict[str, Any]:
    """AIPerf: genai-perf's metric dicts, concurrency under input_config.loadgen, GPU names in
    telemetry_data."""
    doc = genai_perf(new_layout=False)
    doc["input_config"] = {"endpoint": {"model_names": [MODEL]}, "loadgen": {"concurrency": 4}}
    doc["telemetry_data"] = {
        "summary": {"start_time": "2026-10-30T10:00:00"},
        "endpoints": {"localhost:9400": {"gpus": {"gpu_0": {"gpu_name": "NVIDIA H100 80GB HBM3"}}}},
    }
    return doc
