"""vLLM nightly-benchmark summary tables: a list of rows with "Test name", "GPU", "Tput (req/s)"."""

from __future__ import annotations

import re
from typing import Any

from costcalc.core.selfhosted.benchrun import Run
from costcalc.io.bench.common import number

_QPS = re.compile(r"qps_(inf|[0-9.]+)", re.IGNORECASE)
_TP = re.compile(r"(?:^|_)tp(\d+)", re.IGNORECASE)


def detect(doc: Any) -> bool:
    return (
        isinstance(doc, list)
        and bool(doc)
        and all(
            isinstance(row, dict) and "Test name" in row and "Tput (req/s)" in row for row in doc
        )
    )


def _latencies(row: dict[str, Any], metric: str) -> dict[int, float]:
    found = {}
    for label, p in (("Median", 50), ("P90", 90), ("P95", 95), ("P99", 99)):
        value = number(row.get(f"{label} {metric} (ms)"))
        if value is not None:
            found[p] = value
    return found


def parse(doc: list[dict[str, Any]], source: str) -> list[Run | str]:
    """One run per table row; a row that completed nothing becomes a skip message."""
    runs: list[Run | str] = []
    for row in doc:
        rps = number(row.get("Tput (req/s)"))
        if not rps:
            runs.append(f"{source} [{row['Test name']}]: no completed requests, skipped")
            continue
        out_tps = number(row.get("Output Tput (tok/s)")) or 0.0
        total_tps = number(row.get("Total Tput (tok/s)"))
        name = str(row["Test name"])
        qps = _QPS.search(name)
        tp = _TP.search(name)
        metadata = {"test_name": name}
        if row.get("GPU"):
            metadata["gpu"] = str(row["GPU"])
        if tp:
            metadata["tp"] = tp.group(1)
        ttft_mean = number(row.get("Mean TTFT (ms)"))
        tpot_mean = number(row.get("Mean TPOT (ms)"))
        output = out_tps / rps
        e2e = None
        if ttft_mean is not None and tpot_mean is not None:
            e2e = (ttft_mean + max(output - 1.0, 0.0) * tpot_mean) / 1000.0
        runs.append(
            Run(
                fmt="vllm-nightly",
                source=f"{source} [{name}]",
                model_name=None,
                input_tokens=((total_tps or out_tps) - out_tps) / rps,
                output_tokens=output,
                request_throughput=rps,
                completed=int(number(row.get("# of req.")) or 0) or None,
                request_rate=None if not qps or qps.group(1) == "inf" else float(qps.group(1)),
                num_prompts=int(number(row.get("# of req.")) or 0) or None,
                ttft_ms=_latencies(row, "TTFT"),
                tpot_ms=_latencies(row, "TPOT"),
                e2e_mean_s=e2e,
                metadata=metadata,
            )
        )
    return runs
