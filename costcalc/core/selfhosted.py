"""A self-hosted option end to end: capacity, LoRA, compute billing and fixed overheads."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from costcalc.core.billing import ComputeBill, dedicated_bill, serverless_bill
from costcalc.core.calibrate import Calibration, hardware, observed_batch, shape
from costcalc.core.capacity import BenchmarkCapacity, Mix, OperatingPoint, benchmark_capacity
from costcalc.core.inflation import Inflation, inflate
from costcalc.core.roofline import (
    RooflineCapacity,
    StepModel,
    kv_budget_bytes,
    max_batch,
    roofline_capacity,
)
from costcalc.core.traffic import FloatArray, attempt_rates, hourly_weights
from costcalc.core.units import SECONDS_PER_HOUR
from costcalc.schema.catalog import Catalog, ComputeOffer, GpuSpec, OpenModel, ThroughputPoint
from costcalc.schema.profile import Overheads, Profile, SelfHostedChoice, Slo

# Stated default, not a measurement: vLLM serving several LoRA adapters on one base model at
# about 80 % of the base model's throughput (a vLLM fork reports "80%+ of non-LoRA performance").
LORA_THROUGHPUT_FACTOR = 0.8


def option_id(choice: SelfHostedChoice) -> str:
    """`model[:precision]@compute[:tpN]`, e.g. llama-3.3-70b-instruct:fp8@runpod/h100-sxm:tp2."""
    extra = "" if choice.precision == "bf16" else f":{choice.precision}"
    tp = "" if choice.gpus_per_replica == 1 else f":tp{choice.gpus_per_replica}"
    return f"{choice.model}{extra}@{choice.compute}{tp}"


@dataclass(frozen=True)
class FixedCosts:
    """Monthly fixed overheads of running the stack yourself."""

    gateway: float
    storage: float
    labour: float
    one_off: float

    @property
    def total(self) -> float:
        return self.gateway + self.storage + self.labour + self.one_off

    @property
    def without_labour(self) -> float:
        return self.total - self.labour


def fixed_costs(
    overheads: Overheads, compute: ComputeOffer, model: OpenModel, precision: str
) -> FixedCosts:
    """Gateway + storage + labour + one-off costs amortised; storage defaults to the weights'
    size at the compute provider's volume price (16 GB × $0.07 = $1.12/month on RunPod)."""
    if overheads.storage_usd_per_month is not None:
        storage = overheads.storage_usd_per_month
    else:
        weight_gb = shape(model, precision).weight_bytes / 1e9
        storage = weight_gb * (compute.storage_usd_per_gb_month or 0.0)
    return FixedCosts(
        gateway=overheads.gateway_usd_per_month,
        storage=storage,
        labour=overheads.engineer_hours_per_month * overheads.engineer_usd_per_hour,
        one_off=overheads.one_off_usd / overheads.amortization_months,
    )


@dataclass(frozen=True)
class SelfHostedModel:
    """Monthly cost of one (model, compute) pairing as a function of requests per day."""

    id: str
    choice: SelfHostedChoice
    compute: ComputeOffer
    model: OpenModel
    tokens: Inflation
    seconds_per_attempt: float  # replica-seconds, LoRA factor included
    source: str  # benchmark | fit | roofline
    lone_latency_s: float
    slo_met: bool
    lower_bound: bool
    fixed: FixedCosts
    weights: FloatArray
    burst_factor: float
    benchmark: BenchmarkCapacity | None
    notes: tuple[str, ...]

    @property
    def replica_requests_per_s(self) -> float:
        return 1.0 / self.seconds_per_attempt

    def bill(self, requests_per_day: FloatArray) -> ComputeBill:
        lam = attempt_rates(requests_per_day, self.tokens.billed_attempts, self.weights)
        c, o = self.choice, self.compute
        if o.billing == "hourly":
            if o.usd_per_gpu_hour is not None:  # rented per GPU: one instance per replica
                gpus, usd_per_hour = c.gpus_per_replica, c.gpus_per_replica * o.usd_per_gpu_hour
            else:
                assert o.usd_per_hour is not None
                gpus, usd_per_hour = o.gpus, o.usd_per_hour
            return dedicated_bill(
                lam, self.seconds_per_attempt, self.burst_factor, c.target_utilization,
                c.min_replicas if c.autoscale_hourly else max(c.min_replicas, 1),
                c.gpus_per_replica, gpus, usd_per_hour,
                c.autoscale_hourly,
            )  # fmt: skip
        assert o.usd_per_second_flex is not None
        return serverless_bill(
            lam, self.seconds_per_attempt, self.burst_factor, c.target_utilization,
            c.min_replicas, c.gpus_per_replica, o.usd_per_second_flex,
            o.usd_per_second_active or o.usd_per_second_flex,
            self.lone_latency_s, o.idle_timeout_s, o.cold_start_s,
        )  # fmt: skip

    def monthly_usd(self, requests_per_day: FloatArray, labour: bool = True) -> FloatArray:
        fixed = self.fixed.total if labour else self.fixed.without_labour
        return np.asarray(self.bill(requests_per_day).usd_per_month + fixed)

    def breakpoints(self) -> FloatArray:
        """Volumes where a dedicated replica count steps up: β·R·A·w_h·s / (3600·U) = k."""
        if self.compute.billing != "hourly":
            return np.array([])
        per_replica = (
            self.choice.target_utilization * SECONDS_PER_HOUR
            / (self.burst_factor * self.tokens.billed_attempts * self.seconds_per_attempt)
        )  # fmt: skip
        weights = self.weights[self.weights > 0]
        shares = np.unique(weights) if self.choice.autoscale_hourly else weights.max()
        return np.outer(np.arange(1, 20_001), per_replica / np.atleast_1d(shares)).ravel()


@dataclass(frozen=True)
class Skipped:
    id: str
    reason: str


@dataclass(frozen=True)
class ReplicaCapacity:
    """What one replica sustains at the profile's mix under the SLO, and how that is known."""

    seconds_per_request: float
    source: str  # benchmark | fit | roofline
    lone_latency_s: float
    slo_met: bool
    lower_bound: bool
    mix: Mix
    benchmark: BenchmarkCapacity | None
    roofline: RooflineCapacity
    notes: tuple[str, ...]


def replica_capacity(
    model: OpenModel,
    gpu: GpuSpec,
    gpus_per_replica: int,
    precision: str,
    tokens: Inflation,
    prefix_caching: bool,
    slo: Slo,
    points: list[ThroughputPoint],
    calibration: Calibration,
) -> ReplicaCapacity | str:
    """Capacity from benchmark points when there are any, else the calibrated roofline; a
    string says why the model cannot run on this hardware."""
    cached = tokens.cacheable_prefix if prefix_caching else 0.0
    # the open models here do not reason: the profile's reasoning tokens cost hosted offers only
    mix = Mix(tokens.input_tokens, max(tokens.input_tokens - cached, 1.0), tokens.output)
    hw = hardware(gpu, gpus_per_replica, precision)
    sh = shape(model, precision)
    if max_batch(hw, sh, mix.input_tokens, mix.output_tokens) == 0:
        usable = (kv_budget_bytes(hw, sh) + sh.weight_bytes) / 1e9
        return (
            f"does not fit: {sh.weight_bytes / 1e9:.1f} GB of weights plus one request's KV cache "
            f"in {usable:.1f} GB usable ({gpus_per_replica}× {gpu.name})"
        )
    step = StepModel(hw, sh, calibration.efficiency)
    roof = roofline_capacity(
        step, mix.input_tokens, mix.prefill_tokens, mix.output_tokens,
        slo.ttft_ms / 1000.0, slo.tpot_ms / 1000.0, slo.percentile,
    )  # fmt: skip
    assert roof is not None  # max_batch > 0 was checked above
    if not points:
        notes = [f"estimate: roofline (batch {roof.batch})"]
        if not roof.slo_met:
            notes.append(
                f"SLO not met even one request at a time (p{slo.percentile} TPOT "
                f"≈{roof.tpot_tail_s * 1000:.0f} ms, TTFT ≈{roof.ttft_tail_s * 1000:.0f} ms)"
            )
        return ReplicaCapacity(
            roof.seconds_per_request, "roofline", roof.lone_latency_s, roof.slo_met, False,
            mix, None, roof, tuple(notes),
        )  # fmt: skip

    def scale(op: OperatingPoint, target: Mix) -> float:
        """Roofline time of the profile's mix over the point's, at the point's load."""
        p = op.point
        batch = observed_batch(p, max(max_batch(hw, sh, p.input_tokens, p.output_tokens), 1))
        at = min(batch, max(max_batch(hw, sh, target.input_tokens, target.output_tokens), 1))
        mine = step.seconds_per_request(
            np.array([at]), target.prefill_tokens, target.output_tokens, target.context
        )
        theirs = step.seconds_per_request(
            np.array([batch]), p.input_tokens, p.output_tokens, p.input_tokens + p.output_tokens / 2
        )
        return float(mine[0] / theirs[0])

    bench = benchmark_capacity(points, mix, slo, scale)
    lone = bench.lone_latency_s if bench.lone_latency_s is not None else roof.lone_latency_s
    return ReplicaCapacity(
        bench.seconds_per_request, bench.source, lone, bench.slo_met, bench.lower_bound,
        mix, bench, roof, bench.notes,
    )  # fmt: skip


def self_hosted_model(
    choice: SelfHostedChoice, profile: Profile, catalog: Catalog, calibration: Calibration
) -> SelfHostedModel | Skipped:
    """Build the cost model of a pairing, or say why it cannot run (memory, instance size)."""
    oid = option_id(choice)
    compute = catalog.compute[choice.compute]
    model = catalog.models[choice.model]
    if compute.billing == "hourly" and choice.gpus_per_replica > compute.gpus:
        return Skipped(
            oid, f"a replica needs {choice.gpus_per_replica} GPUs; an instance has {compute.gpus}"
        )
    tokens = inflate(profile.request, choice.system_prompt_tokens)
    points = catalog.points_for(
        choice.model, compute.gpu, choice.gpus_per_replica, choice.precision
    )
    capacity = replica_capacity(
        model, catalog.gpus[compute.gpu], choice.gpus_per_replica, choice.precision, tokens,
        choice.prefix_caching, profile.slo, points, calibration,
    )  # fmt: skip
    if isinstance(capacity, str):
        return Skipped(oid, capacity)
    seconds = capacity.seconds_per_request
    notes = list(capacity.notes)
    if choice.lora_adapters > 0:
        factor = choice.lora_throughput_factor or LORA_THROUGHPUT_FACTOR
        seconds /= factor
        notes.append(f"{choice.lora_adapters} LoRA adapters at {factor:.0%} throughput")
    return SelfHostedModel(
        id=oid,
        choice=choice,
        compute=compute,
        model=model,
        tokens=tokens,
        seconds_per_attempt=seconds,
        source=capacity.source,
        lone_latency_s=capacity.lone_latency_s,
        slo_met=capacity.slo_met,
        lower_bound=capacity.lower_bound,
        fixed=fixed_costs(profile.overheads, compute, model, choice.precision),
        weights=hourly_weights(profile.traffic),
        burst_factor=profile.traffic.burst_factor,
        benchmark=capacity.benchmark,
        notes=tuple(notes),
    )
