"""vLLM's offline throughput benchmark: `vllm bench throughput --output-json`.

The file records requests/s and total tokens but not the prompt/output split, which comes from
`--input-len`/`--output-len` at import time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import TypeAdapter

from costcalc.core.selfhosted.benchrun import Run
from costcalc.io.bench.common import OfflineShape, offline_lengths
from costcalc.io.bench.fields import Count, Record, ReqPerS, checked


def detect(doc: Any) -> bool:
    return isinstance(doc, dict) and "requests_per_second" in doc and "elapsed_time" in doc


class ThroughputResult(Record):
    requests_per_second: ReqPerS | None = None
    num_requests: Count | None = None


_SCHEMA = TypeAdapter(ThroughputResult)


def parse(doc: dict[str, Any], source: str, shape: OfflineShape) -> Sequence[Run | str]:
    result = checked(_SCHEMA, doc, source)
    if not result.requests_per_second or not result.num_requests:
        raise ValueError("the run completed no requests")
    i, o = offline_lengths(doc, shape, source)
    return [
        Run(
            fmt="vllm-throughput",
            source=source,
            model_name=doc.get("model_id"),
            input_tokens=i,
            output_tokens=o,
            request_throughput=result.requests_per_second,
            completed=int(result.num_requests),
            notes=["offline run: every request queued at once, no latencies recorded"],
        )
    ]
