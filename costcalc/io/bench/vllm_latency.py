"""vLLM's offline latency benchmark: `vllm bench latency --output-json`.

One batch's latency; the batch size and lengths come from `--batch-size`, `--input-len` and
`--output-len` at import time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import TypeAdapter

from costcalc.core.selfhosted.benchrun import Run
from costcalc.errors import InputFileError
from costcalc.io.bench.common import OfflineShape, offline_lengths
from costcalc.io.bench.fields import MAX_REQUESTS_PER_S, Latency, Record, checked


def detect(doc: Any) -> bool:
    return isinstance(doc, dict) and "avg_latency" in doc and "percentiles" in doc


class LatencyResult(Record):
    avg_latency: Latency | None = None  # seconds of one batch


_SCHEMA = TypeAdapter(LatencyResult)


def parse(doc: dict[str, Any], source: str, shape: OfflineShape) -> Sequence[Run | str]:
    avg = checked(_SCHEMA, doc, source).avg_latency
    if shape.batch_size is None:
        raise ValueError("vLLM's latency results do not record the batch: give --batch-size")
    if not avg:
        raise InputFileError(source, "is 0 or missing", "avg_latency")
    i, o = offline_lengths(doc, shape, source)
    throughput = shape.batch_size / avg
    if throughput > MAX_REQUESTS_PER_S:
        raise InputFileError(
            source, f"{avg:g} s for a batch of {shape.batch_size} is too short", "avg_latency"
        )
    return [
        Run(
            fmt="vllm-latency",
            source=source,
            model_name=doc.get("model_id"),
            input_tokens=i,
            output_tokens=o,
            request_throughput=throughput,
            concurrency=float(shape.batch_size),
            notes=[f"offline batch of {shape.batch_size}: one batch latency, no TTFT/TPOT split"],
        )
    ]
