"""A self-hosted option end to end: capacity, LoRA, compute billing and fixed overheads."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from costcalc.core.billing import ComputeBill, dedicated_bill, serverless_bill
from costcalc.core.calibrate import Calibration, shape
from costcalc.core.capacity import BenchmarkCapacity
from costcalc.core.inflation import Inflation, inflate
from costcalc.core.replica import capacity_for, mix_of
from costcalc.core.traffic import FloatArray, attempt_rates, hourly_weights
from costcalc.core.units import SECONDS_PER_HOUR
from costcalc.schema.catalog import Catalog, ComputeOffer, OpenModel
from costcalc.schema.profile import Overheads, Profile, SelfHostedChoice


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
    hours: FloatArray | None = None  # hours each weight stands for (None: one each)

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
                c.autoscale_hourly, self.hours,
            )  # fmt: skip
        assert o.usd_per_second_flex is not None
        return serverless_bill(
            lam, self.seconds_per_attempt, self.burst_factor, c.target_utilization,
            c.min_replicas, c.gpus_per_replica, o.usd_per_second_flex,
            o.usd_per_second_active or o.usd_per_second_flex,
            self.lone_latency_s, o.idle_timeout_s, o.cold_start_s, self.hours,
        )  # fmt: skip

    def monthly_usd(self, requests_per_day: FloatArray, labour: bool = True) -> FloatArray:
        fixed = self.fixed.total if labour else self.fixed.without_labour
        return np.asarray(self.bill(requests_per_day).usd_per_month + fixed)

    @property
    def peak_sized(self) -> bool:
        """Dedicated replicas sized for the busiest hour and billed all day: one staircase."""
        return self.compute.billing == "hourly" and not self.choice.autoscale_hourly

    def requests_per_replica(self) -> FloatArray:
        """Requests/day one replica absorbs per unit of hourly weight, U·3600 / (β·A·s); one
        value per Monte Carlo row when the model holds arrays."""
        busy = (
            np.ravel(self.burst_factor) * np.ravel(self.tokens.billed_attempts)
            * np.ravel(self.seconds_per_attempt)
        )  # fmt: skip
        return np.asarray(self.choice.target_utilization * SECONDS_PER_HOUR / busy)

    def breakpoints(self) -> FloatArray:
        """Volumes where a dedicated replica count steps up: β·R·A·w_h·s / (3600·U) = k."""
        if self.compute.billing != "hourly":
            return np.array([])
        per_replica = self.requests_per_replica()
        weights = self.weights[self.weights > 0]
        shares = np.unique(weights) if self.choice.autoscale_hourly else weights.max()
        return np.outer(np.arange(1, 20_001), per_replica / np.atleast_1d(shares)).ravel()


@dataclass(frozen=True)
class Skipped:
    id: str
    reason: str


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
    capacity = capacity_for(
        choice, catalog, profile.slo, calibration, mix_of(tokens, choice.prefix_caching)
    )
    if isinstance(capacity, str):
        return Skipped(oid, capacity)
    return SelfHostedModel(
        id=oid,
        choice=choice,
        compute=compute,
        model=model,
        tokens=tokens,
        seconds_per_attempt=capacity.seconds_per_request,
        source=capacity.source,
        lone_latency_s=capacity.lone_latency_s,
        slo_met=capacity.slo_met,
        lower_bound=capacity.lower_bound,
        fixed=fixed_costs(profile.overheads, compute, model, choice.precision),
        weights=hourly_weights(profile.traffic),
        burst_factor=profile.traffic.burst_factor,
        benchmark=capacity.benchmark,
        notes=capacity.notes,
    )
