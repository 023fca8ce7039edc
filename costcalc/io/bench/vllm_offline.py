"""vLLM's offline benchmarks: `vllm bench throughput --output-json` and `vllm bench latency`.

Neither file records the prompt and output lengths (latency: nor the batch size), so they come
from `--input-len`, `--output-len` and `--batch-size` at import time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from costcalc.core.benchrun import Run
from costcalc.io.bench.common import number


@dataclass(frozen=True)
class OfflineShape:
    """What the offline runs were started with (`vllm bench … --input-len … --output-len …`)."""

    input_len: float | None = None
    output_len: float | None = None
    batch_size: int | None = None


def detect_throughput(doc: Any) -> bool:
    return isinstance(doc, dict) and "requests_per_second" in doc and "elapsed_time" in doc


def detect_latency(doc: Any) -> bool:
    return isinstance(doc, dict) and "avg_latency" in doc and "percentiles" in doc


def _lengths(doc: dict[str, Any], shape: OfflineShape) -> tuple[float, float]:
    tokens_per_request = None
    if number(doc.get("total_num_tokens")) and number(doc.get("num_requests")):
        tokens_per_request = float(doc["total_num_tokens"]) / float(doc["num_requests"])
    i, o = shape.input_len, shape.output_len
    if i is None and o is not None and tokens_per_request is not None:
        i = tokens_per_request - o
    if o is None and i is not None and tokens_per_request is not None:
        o = tokens_per_request - i
    if i is None or o is None or i <= 0 or o <= 0:
        raise ValueError(
            "vLLM's offline results do not record prompt and output lengths: "
            "give --input-len and --output-len as the run used them"
        )
    return i, o


def parse_throughput(doc: dict[str, Any], source: str, shape: OfflineShape) -> Sequence[Run | str]:
    rps = number(doc.get("requests_per_second"))
    if not rps or not number(doc.get("num_requests")):
        raise ValueError("the run completed no requests")
    i, o = _lengths(doc, shape)
    return [
        Run(
            fmt="vllm-throughput",
            source=source,
            model_name=doc.get("model_id"),
            input_tokens=i,
            output_tokens=o,
            request_throughput=rps,
            completed=int(doc["num_requests"]),
            notes=["offline run: every request queued at once, no latencies recorded"],
        )
    ]


def parse_latency(doc: dict[str, Any], source: str, shape: OfflineShape) -> Sequence[Run | str]:
    avg = number(doc.get("avg_latency"))
    if shape.batch_size is None:
        raise ValueError("vLLM's latency results do not record the batch: give --batch-size")
    if not avg:
        raise ValueError("avg_latency is 0 or missing")
    i, o = _lengths(doc, shape)
    return [
        Run(
            fmt="vllm-latency",
            source=source,
            model_name=doc.get("model_id"),
            input_tokens=i,
            output_tokens=o,
            request_throughput=shape.batch_size / avg,
            concurrency=float(shape.batch_size),
            notes=[f"offline batch of {shape.batch_size}: one batch latency, no TTFT/TPOT split"],
        )
    ]
