"""vLLM's offline latency benchmark: `vllm bench latency --output-json`.

One batch's latency; the batch size and lengths come from `--batch-size`, `--input-len` and
`--output-len` at import time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from costcalc.core.selfhosted.benchrun import Run
from costcalc.io.bench.common import OfflineShape, number, offline_lengths


def detect(doc: Any) -> bool:
    return isinstance(doc, dict) and "avg_latency" in doc and "percentiles" in doc


def parse(doc: dict[str, Any], source: str, shape: OfflineShape) -> Sequence[Run | str]:
    avg = number(doc.get("avg_latency"))
    if shape.batch_size is None:
        raise ValueError("vLLM's latency results do not record the batch: give --batch-size")
    if not avg:
        raise ValueError("avg_latency is 0 or missing")
    i, o = offline_lengths(doc, shape)
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
