"""Catalog schemas (DESIGN §2.2): hosted offers, compute offers, GPUs, open models, throughput."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field, model_validator

from costcalc.schema.base import CatalogId, PlainId, Share, Strict, UsdPerMtok
from costcalc.schema.catalog_parts import (
    PRICE_BASIS_NOTE,
    ComputePrice,
    HostedPrice,
    PriceBasis,
    basis_of,
    cached_not_above_input,
    check_price_basis,
)
from costcalc.schema.catalog_parts import Dated as Dated
from costcalc.schema.catalog_parts import LongContext as LongContext
from costcalc.schema.catalog_parts import PublishedLatency as PublishedLatency
from costcalc.schema.catalog_parts import RateLimitTier as RateLimitTier
from costcalc.schema.catalog_parts import TierPrices as TierPrices
from costcalc.schema.profile import ModelClass, Precision


class HostedOffer(Dated):
    id: CatalogId
    provider: str
    model: str
    model_class: ModelClass
    open_model: str | None = Field(default=None, description="open-weight model id it serves")
    reasoning: bool = False
    usd_per_mtok_input: UsdPerMtok
    usd_per_mtok_output: UsdPerMtok
    usd_per_mtok_cached_input: UsdPerMtok | None = None
    usd_per_mtok_cache_write: UsdPerMtok | None = None
    min_cacheable_tokens: int = Field(default=0, ge=0)
    cache_ttl_s: float | None = Field(default=None, gt=0)
    batch_discount: Share | None = None
    priority: TierPrices | None = None
    flex: TierPrices | None = None
    long_context: LongContext | None = None
    context_window: int | None = Field(default=None, gt=0)
    deprecation_date: dt.date | None = None
    rate_limits: list[RateLimitTier] = []

    @model_validator(mode="after")
    def _cached_is_not_dearer(self) -> Any:
        return cached_not_above_input(self)

    rate_limits_source: str | None = None
    price_basis: PriceBasis | dict[HostedPrice, PriceBasis] = Field(
        default="list", description=PRICE_BASIS_NOTE
    )
    price_basis_note: str = Field(
        default="", description="why, since when, and the source (a price sources disagree on)"
    )

    @model_validator(mode="after")
    def _basis_names_prices(self) -> Any:
        return check_price_basis(self)

    latency: PublishedLatency | None = Field(
        default=None,
        description="published median TTFT and output speed; without it latency is unknown",
    )

    def retired_by(self, today: dt.date) -> bool:
        """On or past its deprecation date: never a default comparator, never the cheapest."""
        return self.deprecation_date is not None and self.deprecation_date <= today


class ComputeOffer(Dated):
    id: CatalogId
    provider: str
    gpu: str
    gpu_pool: list[str] = Field(default=[], description="GPUs a serverless pool may hand out")
    billing: Literal["hourly", "serverless"]
    gpus: int = Field(default=1, ge=1, le=64, description="GPUs per instance")
    usd_per_hour: float | None = Field(default=None, gt=0, le=10_000)
    usd_per_gpu_hour: float | None = Field(
        default=None, gt=0, le=1000, description="rented per GPU: an instance is sized to a replica"
    )
    usd_per_second_flex: float | None = Field(default=None, gt=0, le=10)
    usd_per_second_active: float | None = Field(default=None, gt=0, le=10)
    cold_start_s: float = Field(default=0.0, ge=0, le=3600)
    idle_timeout_s: float = Field(default=0.0, ge=0, le=86_400)
    max_workers_default: int | None = Field(default=None, ge=1)
    storage_usd_per_gb_month: float | None = Field(default=None, ge=0, le=100)
    price_basis: PriceBasis | dict[ComputePrice, PriceBasis] = Field(
        default="list", description=PRICE_BASIS_NOTE
    )
    price_basis_note: str = Field(default="", description="why, since when, and the source")

    def basis_of(self, price: ComputePrice) -> PriceBasis:
        """`unlisted` for RunPod's active rate since 2026-04-23; `list` for a public price."""
        return basis_of(self.price_basis, price)

    @model_validator(mode="after")
    def _prices_for_billing(self) -> ComputeOffer:
        if self.billing == "hourly" and (self.usd_per_hour is None) == (
            self.usd_per_gpu_hour is None
        ):
            raise ValueError(
                "`billing: hourly` needs one of `usd_per_hour` (a whole instance of `gpus` GPUs) "
                "or `usd_per_gpu_hour` (GPUs rented one by one, up to `gpus` per machine)"
            )
        if self.billing == "serverless" and self.usd_per_second_flex is None:
            raise ValueError("`billing: serverless` needs `usd_per_second_flex` (per GPU)")
        return check_price_basis(self)  # type: ignore[no-any-return]


class GpuSpec(Strict):
    id: PlainId
    name: str
    # floors far below any real GPU or model, so a slip of the unit (1e-300) is refused
    memory_gb: float = Field(ge=0.1, le=10_000)
    bandwidth_gbs: float = Field(ge=1, le=100_000)
    bf16_tflops: float = Field(ge=0.1, le=100_000, description="dense tensor BF16/FP16")
    fp8_tflops: float | None = Field(default=None, ge=0.1, le=100_000)
    source: str
    notes: str = ""


class OpenModel(Strict):
    id: PlainId
    name: str
    model_class: ModelClass
    params_b: float = Field(ge=0.01, le=10_000)
    layers: int = Field(gt=0, le=1000)
    kv_heads: int = Field(gt=0, le=1000)
    head_dim: int = Field(gt=0, le=4096)
    context_window: int | None = Field(default=None, gt=0)
    source: str
    notes: str = ""


class ThroughputPoint(Dated):
    """One benchmark run, normalized: request throughput of ONE replica at one mix and load."""

    model: str
    gpu: str
    gpus_per_replica: int = Field(ge=1, le=64)
    precision: Precision
    input_tokens: float = Field(gt=0, le=10_000_000)
    output_tokens: float = Field(gt=0, le=10_000_000)
    output_tokens_max: float | None = Field(
        default=None,
        gt=0,
        le=10_000_000,
        description="the longest answer of the run, when known (a finite run lasts until it ends)",
    )
    concurrency: float | None = Field(
        default=None, gt=0, description="max concurrency; null = unbounded"
    )
    request_rate: float | None = Field(default=None, gt=0, description="offered req/s; null = inf")
    load: Literal["concurrency", "rate", "burst"] | None = Field(
        default=None,
        description="how the run was loaded: a concurrency limit, an offered request rate, or "
        "a burst of num_prompts requests sent at once (no rate, no limit); filled in from "
        "concurrency, request_rate and num_prompts when left out",
    )
    num_prompts: int | None = Field(default=None, ge=1, le=10_000_000, description="requests sent")
    request_throughput: float = Field(gt=0, le=1e6, description="completed req/s of one replica")
    ttft_ms_p50: float | None = Field(default=None, gt=0)
    ttft_ms_p90: float | None = Field(default=None, gt=0)
    ttft_ms_p95: float | None = Field(default=None, gt=0)
    ttft_ms_p99: float | None = Field(default=None, gt=0)
    tpot_ms_p50: float | None = Field(default=None, gt=0)
    tpot_ms_p90: float | None = Field(default=None, gt=0)
    tpot_ms_p95: float | None = Field(default=None, gt=0)
    tpot_ms_p99: float | None = Field(default=None, gt=0)
    saturated: bool = Field(default=True, description="false: a lower bound on capacity")
    estimate: bool = False
    engine: str = "vllm"
    engine_version: str | None = None

    @model_validator(mode="after")
    def _load_kind(self) -> ThroughputPoint:
        """A concurrency limit at least the number of prompts sent is a burst; so is a run
        with neither a rate nor a limit. A burst never measures capacity (`saturated`)."""
        kind = self.load
        if kind is None:
            if self.concurrency is not None and not (
                self.num_prompts is not None and self.num_prompts <= self.concurrency
            ):
                kind = "concurrency"
            elif self.request_rate is not None:
                kind = "rate"
            else:
                kind = "burst"
            object.__setattr__(self, "load", kind)
        if kind == "concurrency" and self.concurrency is None:
            raise ValueError("load: concurrency needs `concurrency`")
        if kind == "rate" and self.request_rate is None:
            raise ValueError("load: rate needs `request_rate`")
        if kind == "burst" and self.saturated:
            if "saturated" in self.model_fields_set:
                raise ValueError(
                    "saturated: true on a burst: requests sent all at once measure how fast "
                    "that one batch drains, not sustained capacity"
                )
            object.__setattr__(self, "saturated", False)
        for metric in ("ttft_ms", "tpot_ms"):  # a higher percentile is never the smaller one
            found = [(p, getattr(self, f"{metric}_p{p}")) for p in (50, 90, 95, 99)]
            known = [(p, v) for p, v in found if v is not None]
            for (low_p, low), (high_p, high) in itertools.pairwise(known):
                if high < low:
                    raise ValueError(f"{metric}_p{high_p} ({high:g}) is below {metric}_p{low_p}")
        return self


class HostedFile(Strict):
    schema_version: Literal[1] = 1
    offers: list[HostedOffer]


class ComputeFile(Strict):
    schema_version: Literal[1] = 1
    offers: list[ComputeOffer]


class GpusFile(Strict):
    schema_version: Literal[1] = 1
    gpus: list[GpuSpec]


class ModelsFile(Strict):
    schema_version: Literal[1] = 1
    models: list[OpenModel]


class ThroughputFile(Strict):
    schema_version: Literal[1] = 1
    points: list[ThroughputPoint]


class ServingCalibration(Strict):
    """The serving model's parameters (core/selfhosted/serving.py ServingParams)."""

    bandwidth: float = Field(gt=0, le=1, description="share of peak memory bandwidth")
    compute: float = Field(gt=0, le=1, description="share of peak FLOPs")
    overhead_ms: float = Field(ge=0, le=100, description="fixed time of every engine step")
    sequence_us: float = Field(
        default=0.0, ge=0, le=10_000, description="CPU a step, each sequence"
    )
    tensor_parallel: float = Field(gt=0, le=1, description="speed kept per doubling of GPUs")
    allreduce_us: float = Field(ge=0, le=1000, description="one all-reduce, twice a layer")
    output_spread: float = Field(ge=0, le=5, description="longest answer = mean × (1 + s ln N)")
    legacy_cpu_factor: float = Field(
        default=0.0, ge=0, le=100, description="CPU time × (1 + this) before vLLM 0.6"
    )
    chunk_tokens: float = Field(
        default=2048.0, ge=16, le=1_000_000, description="prompt tokens a prefill step takes"
    )
    legacy_chunk_tokens: float = Field(
        default=2048.0, ge=16, le=1_000_000, description="the same, before vLLM 0.6"
    )
    frontend_ms: float = Field(
        default=0.0, ge=0, le=1000, description="API-server time a request, one at a time"
    )
    ttft_p99_over_p50: float = Field(ge=1, le=100)
    tpot_p99_over_p50: float = Field(ge=1, le=100)


class ServingAccuracy(Strict):
    """How well the calibrated model predicts the points, each source held out in turn."""

    runs: int = Field(ge=0)
    median_abs_error_pct: float = Field(ge=0, description="request throughput")
    max_abs_error_pct: float = Field(ge=0, description="request throughput")


class ServingFile(Strict):
    """serving.yaml: the serving model calibrated on the built-in throughput points."""

    schema_version: Literal[1] = 1
    as_of: dt.date
    fitted_on_points: int = Field(ge=0)
    source: str = Field(min_length=4)
    params: ServingCalibration
    leave_one_out: ServingAccuracy | None = None


@dataclass(frozen=True)
class Catalog:
    """The merged catalog: built-in files with the user's `--catalog` directories layered on top."""

    hosted: dict[str, HostedOffer]
    compute: dict[str, ComputeOffer]
    gpus: dict[str, GpuSpec]
    models: dict[str, OpenModel]
    points: tuple[ThroughputPoint, ...]
    serving: ServingFile | None = None  # None: the model's defaults

    def points_for(
        self, model: str, gpu: str, gpus_per_replica: int, precision: str
    ) -> list[ThroughputPoint]:
        """Benchmark points of one hardware/model configuration."""
        return [
            p
            for p in self.points
            if p.model == model
            and p.gpu == gpu
            and p.gpus_per_replica == gpus_per_replica
            and p.precision == precision
        ]
