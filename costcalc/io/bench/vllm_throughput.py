"""vLLM's offline throughput benchmark: `vllm bench throughput --output-json`.

The file records requests/s and total tokens but not the prompt/output split, which comes from
`--input-len`/`--output-len` at import time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from costcalc.core.selfhosted.benchrun import Run
from costcalc.io.bench.common import OfflineShape, number, offline_lengths


def detect(doc: Any) -> bool:
    return isinstance(doc, dict) and "requests_per_second" in doc and "elapsed_time" in doc


def parse(doc: dict[str, Any], source: str, shape: OfflineShape) -> Sequence[Run | str]:
    rps = number(doc.get("requests_per_second"))
    if not rps or not number(doc.get("num_requests")):
        raise ValueError("the run completed no requests")
    i, o = offline_lengths(doc, shape)
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
