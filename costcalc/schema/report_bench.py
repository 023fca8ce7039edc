"""The `bench predict` JSON report (schema_version 1) as pydantic models."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from costcalc.schema.report_base import ReportModel


class Metrics(ReportModel):
    """Request throughput of one replica (req/s) and latency percentiles (ms); null where the
    run did not publish the figure."""

    request_throughput: float | None
    ttft_ms_p50: float | None
    ttft_ms_p99: float | None
    tpot_ms_p50: float | None
    tpot_ms_p99: float | None


class Load(ReportModel):
    kind: Literal["concurrency", "rate", "burst"] = Field(
        description="concurrency: requests in flight; rate: offered req/s; burst: requests "
        "sent at once (value = how many; null when not recorded)."
    )
    value: float | None


class PredictedRun(ReportModel):
    file: str
    source: str = Field(description="The run inside the file.")
    model: str
    gpu: str
    gpus_per_replica: int
    precision: str
    input_tokens: float
    output_tokens: float
    load: Load
    measured: Metrics
    predicted: Metrics
    error_pct: Metrics = Field(description="predicted / measured − 1, in %.")
    calibration: Literal["built-in", "own points", "transferred"] = Field(
        description="built-in: the defaults fitted on every other point; own points: moved by "
        "a speed factor fitted on other points of the same model, GPU, GPUs per replica and "
        "precision; transferred: fitted on the model's points on other hardware."
    )


class Summary(ReportModel):
    median_abs_error_pct: Metrics
    max_abs_error_pct: Metrics


class PredictReport(ReportModel):
    """Output of `costcalc bench predict --format json`, schema_version 1. Each file's runs are
    predicted by the serving model calibrated without that file (leave one file out)."""

    schema_version: Literal[1] = 1
    runs: list[PredictedRun]
    summary: Summary
    skipped: list[str]
