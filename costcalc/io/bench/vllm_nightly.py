"""vLLM nightly-benchmark summary tables: a list of rows with "Test name", "GPU", "Tput (req/s)"."""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field, TypeAdapter

from costcalc.core.selfhosted.benchrun import Run
from costcalc.errors import InputFileError
from costcalc.io.bench.fields import (
    MAX_LOAD,
    MAX_TOKENS,
    QUANTILES,
    Count,
    Latency,
    Record,
    ReqPerS,
    TokensPerS,
    checked,
    tokens,
)
from costcalc.io.validation import show

_QPS = re.compile(r"qps_(inf|\d+(?:\.\d+)?)", re.IGNORECASE)
_TP = re.compile(r"(?:^|_)tp(\d+)", re.IGNORECASE)
_PERCENTILES = (("Median", 50), ("P90", 90), ("P95", 95), ("P99", 99))


class Row(Record):
    """One row of the table: one serving run."""

    requests: Count | None = Field(None, alias="# of req.")
    request_throughput: ReqPerS | None = Field(None, alias="Tput (req/s)")
    output_tokens_per_s: TokensPerS | None = Field(None, alias="Output Tput (tok/s)")
    total_tokens_per_s: TokensPerS | None = Field(None, alias="Total Tput (tok/s)")
    ttft_mean_ms: Latency | None = Field(None, alias="Mean TTFT (ms)")
    tpot_mean_ms: Latency | None = Field(None, alias="Mean TPOT (ms)")


_ROW = TypeAdapter(Row)


def detect(doc: Any) -> bool:
    """A list of rows, one of which at least looks like a summary row (the others are then
    checked as rows, and named by their index when they are not)."""
    return isinstance(doc, list) and any(
        isinstance(row, dict) and "Test name" in row and "Tput (req/s)" in row for row in doc
    )


def _latencies(row: dict[str, Any], metric: str, source: str) -> dict[int, float]:
    columns = {f"{label} {metric} (ms)": p for label, p in _PERCENTILES}
    values = checked(QUANTILES, {k: row[k] for k in columns if k in row}, source)
    return {columns[k]: v for k, v in values.items() if v is not None}


def _run(raw: dict[str, Any], source: str, name: str) -> Run | str:
    """One row as a run; a row that completed nothing becomes a skip message."""
    row = checked(_ROW, raw, source)
    rps = row.request_throughput
    if not rps:
        return f"{source}: no completed requests, skipped"
    out_tps = tokens(row.output_tokens_per_s, source, "Output Tput (tok/s)")
    total_tps = tokens(row.total_tokens_per_s, source, "Total Tput (tok/s)")
    if total_tps <= out_tps:  # the total holds the prompt tokens too
        raise InputFileError(
            source,
            f"{total_tps:g} is not above `Output Tput (tok/s)`, {out_tps:g} (the total holds it)",
            "Total Tput (tok/s)",
        )
    output = out_tps / rps
    input_tokens = (total_tps - out_tps) / rps
    for per_request, column in (
        (output, "Output Tput (tok/s)"),
        (input_tokens, "Total Tput (tok/s)"),
    ):
        if per_request > MAX_TOKENS:  # a token rate out of all proportion to the request rate
            raise InputFileError(
                source,
                f"{per_request:g} tokens per request at {rps:g} req/s: more than any model holds",
                column,
            )
    qps = _QPS.search(name)
    qps_text = qps.group(1) if qps else "inf"
    rate = None if qps_text == "inf" else float(qps_text)
    if rate is not None and rate > MAX_LOAD:
        raise InputFileError(source, f"a QPS of {qps_text[:20]} is out of range", "Test name")
    tp = _TP.search(name)
    metadata = {"test_name": name}
    if raw.get("GPU"):
        metadata["gpu"] = str(raw["GPU"])
    if tp:
        metadata["tp"] = tp.group(1)
    e2e = None
    if row.ttft_mean_ms is not None and row.tpot_mean_ms is not None:
        e2e = (row.ttft_mean_ms + max(output - 1.0, 0.0) * row.tpot_mean_ms) / 1000.0
    requests = int(row.requests or 0) or None
    return Run(
        fmt="vllm-nightly",
        source=source,
        model_name=None,
        input_tokens=input_tokens,
        output_tokens=output,
        request_throughput=rps,
        completed=requests,
        request_rate=rate,
        num_prompts=requests,
        ttft_ms=_latencies(raw, "TTFT", source),
        tpot_ms=_latencies(raw, "TPOT", source),
        e2e_mean_s=e2e,
        metadata=metadata,
    )


def parse(doc: list[dict[str, Any]], source: str) -> list[Run | str]:
    """One run per table row, each named by its test name in messages."""
    runs: list[Run | str] = []
    for index, row in enumerate(doc):
        if not isinstance(row, dict) or "Test name" not in row:
            problem = "missing" if isinstance(row, dict) else f"must be an object, not {show(row)}"
            field = f"[{index}].Test name" if isinstance(row, dict) else f"[{index}]"
            raise InputFileError(source, problem, field)
        name = str(row["Test name"])
        runs.append(_run(row, f"{source} [{name}]", name))
    return runs
