"""A self-hosted option end to end: capacity, LoRA, compute billing and fixed overheads."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Generic

import numpy as np
import numpy.typing as npt

from costcalc.core.demand.inputs import RowInputs
from costcalc.core.demand.tokens import Inflation, N
from costcalc.core.demand.traffic import FloatArray
from costcalc.core.selfhosted.billing import ComputeBill, dedicated_bill, serverless_bill
from costcalc.core.selfhosted.replica import ReplicaCapacity, capacity_for, mix_of
from costcalc.core.selfhosted.replicashape import shape
from costcalc.core.selfhosted.servingcapacity import Calibration
from costcalc.core.units import SECONDS_PER_HOUR
from costcalc.schema.catalog import Catalog, ComputeOffer, OpenModel
from costcalc.schema.profile import Profile, SelfHostedChoice, option_id

IntArray = npt.NDArray[np.intp]
Index = IntArray | slice


@dataclass(frozen=True)
class FixedCosts(Generic[N]):
    """Monthly fixed overheads of running the stack yourself (USD/month, or one per row)."""

    gateway_usd_per_month: N
    storage_usd_per_month: N
    labor_usd_per_month: N  # engineer hours × rate
    one_off_usd_per_month: N  # one-off costs over the amortization months

    @property
    def total_usd_per_month(self) -> N:
        return self.without_labor_usd_per_month + self.labor_usd_per_month

    @property
    def without_labor_usd_per_month(self) -> N:
        return self.gateway_usd_per_month + self.storage_usd_per_month + self.one_off_usd_per_month


def fixed_costs(
    rows: RowInputs, compute: ComputeOffer, model: OpenModel, precision: str
) -> FixedCosts[FloatArray]:
    """Gateway + storage + labor + one-off costs amortized, per row; storage defaults to the
    weights' size at the compute provider's volume price (16 GB × $0.07 = $1.12/month on
    RunPod)."""
    o = rows.overheads
    if o.storage_usd_per_month is not None:
        storage = o.storage_usd_per_month
    else:
        weight_gb = shape(model, precision).weight_bytes / 1e9
        storage = np.full(rows.size, weight_gb * (compute.storage_usd_per_gb_month or 0.0))
    return FixedCosts[FloatArray](
        o.gateway_usd_per_month, storage, o.labor_usd_per_month, o.one_off_usd_per_month
    )


def _column(values: FloatArray) -> FloatArray:
    """(rows,) → (rows, 1, 1): broadcasts against (rows, volumes, hours)."""
    return np.asarray(values, dtype=np.float64).reshape(-1, 1, 1)


@dataclass(frozen=True)
class SelfHostedPricing:
    """Monthly cost of one (model, compute) pairing for every row of inputs, at any volumes.

    `monthly_usd` and `bill` take requests/day shaped (rows, volumes). Scalar properties
    (`seconds_per_attempt`, `fixed`, …) describe the first row: the profile's own values in
    the point result.
    """

    id: str
    choice: SelfHostedChoice
    compute: ComputeOffer
    model: OpenModel
    tokens: Inflation[FloatArray]
    capacity: ReplicaCapacity
    fixed_rows: FixedCosts[FloatArray]
    burst_factor: FloatArray
    weights: FloatArray  # distinct hourly shares of the day's requests that matter …
    hours: FloatArray  # … and how many hours have each

    @property
    def seconds_rows(self) -> FloatArray:
        """Replica-seconds per billed attempt, LoRA factor included."""
        return self.capacity.seconds_rows

    @property
    def seconds_per_attempt(self) -> float:
        return self.capacity.seconds_per_request

    @property
    def replica_requests_per_s(self) -> float:
        return 1.0 / self.seconds_per_attempt

    @property
    def source(self) -> str:
        return self.capacity.source

    @property
    def lone_latency_s(self) -> float:
        return self.capacity.lone_latency_s

    @property
    def lower_bound(self) -> bool:
        return self.capacity.lower_bound

    @property
    def notes(self) -> tuple[str, ...]:
        return self.capacity.notes

    @property
    def fixed(self) -> FixedCosts[float]:
        f = self.fixed_rows
        return FixedCosts[float](
            float(f.gateway_usd_per_month[0]),
            float(f.storage_usd_per_month[0]),
            float(f.labor_usd_per_month[0]),
            float(f.one_off_usd_per_month[0]),
        )

    @property
    def labor_usd_per_month(self) -> FloatArray:
        return self.fixed_rows.labor_usd_per_month

    def bill(self, requests_per_day: FloatArray, facts: bool = True) -> ComputeBill:
        """Compute cost and what drives it, for requests/day shaped (rows, volumes); without
        `facts` only the cost (serverless cold starts and peak workers are then NaN)."""
        volumes = np.atleast_2d(np.asarray(requests_per_day, dtype=np.float64))
        attempts = _column(self.tokens.billed_attempts)
        lam = volumes[..., None] * attempts * self.weights / SECONDS_PER_HOUR
        seconds, burst = _column(self.seconds_rows), _column(self.burst_factor)
        c, o = self.choice, self.compute
        if o.billing == "hourly":
            if o.usd_per_gpu_hour is not None:  # rented per GPU: one instance per replica
                gpus, usd_per_hour = c.gpus_per_replica, c.gpus_per_replica * o.usd_per_gpu_hour
            else:
                assert o.usd_per_hour is not None
                gpus, usd_per_hour = o.gpus, o.usd_per_hour
            return dedicated_bill(
                lam, seconds, burst, c.target_utilization,
                c.min_replicas if c.autoscale_hourly else max(c.min_replicas, 1),
                c.gpus_per_replica, gpus, usd_per_hour, c.autoscale_hourly, self.hours,
            )  # fmt: skip
        assert o.usd_per_second_flex is not None
        return serverless_bill(
            lam, seconds, burst, c.target_utilization, c.min_replicas, c.gpus_per_replica,
            o.usd_per_second_flex, o.usd_per_second_active or o.usd_per_second_flex,
            _column(self.capacity.lone_latency_rows), o.idle_timeout_s, o.cold_start_s,
            self.hours, facts,
        )  # fmt: skip

    def monthly_usd(self, requests_per_day: FloatArray, labor: bool = True) -> FloatArray:
        """Compute plus fixed costs; without labor it is the same curve less a constant."""
        fixed = (
            self.fixed_rows.total_usd_per_month
            if labor
            else self.fixed_rows.without_labor_usd_per_month
        )
        bill = self.bill(requests_per_day, facts=False)
        return np.asarray(bill.usd_per_month + fixed[:, None])

    def requests_per_replica(self) -> FloatArray:
        """Requests/day one replica absorbs per unit of hourly weight, U·3600 / (β·A·s), per
        row (0 where the model does not fit)."""
        busy = self.burst_factor * self.tokens.billed_attempts * self.seconds_rows
        return np.asarray(self.choice.target_utilization * SECONDS_PER_HOUR / busy)

    def _bends(self) -> FloatArray:
        """Requests/day per unit k where the cost jumps or bends, per row and busy hour,
        shaped (rows, hours); NaN where the model does not fit. Dedicated: a replica count
        steps at β·R·A·w·s / (3600·U) = k. Serverless with n_a warm workers: an hour's flex bill
        starts where R·A·w·s / (3600·U) = n_a (k = 1 only): a nearly tangent hosted line can
        cross the bent curve twice close to it."""
        busy_hours = self.weights[self.weights > 0]  # an hour without traffic never steps
        per_replica = self.requests_per_replica()
        if self.compute.billing != "hourly":  # per-second billing ignores the burst factor
            per_replica = per_replica * self.burst_factor * self.choice.min_replicas
        bends = per_replica[:, None] / busy_hours[None, :]
        return np.where(np.isfinite(bends) & (bends > 0), bends, np.nan)

    def _multiples(self, low: float, high: float) -> tuple[FloatArray, FloatArray, FloatArray]:
        """The bends, the first multiple k of each above `low`, and how many multiples lie in
        (low, high), per row and busy hour (a serverless bend has k = 1 only)."""
        bends = self._bends()
        if self.compute.billing != "hourly":
            inside = (bends > low) & (bends < high)
            return bends, np.ones_like(bends), inside.astype(np.float64)
        first = np.floor(low / bends) + 1.0
        return bends, first, np.nan_to_num(np.clip(np.ceil(high / bends) - first, 0.0, None))

    def step_counts(self, low: float, high: float, limit: int) -> IntArray:
        """How many step volumes `steps` gives each row."""
        bends, _, count = self._multiples(low, high)
        per_hour = max(1, limit // bends.shape[1])
        return np.asarray(np.minimum(count, per_hour).sum(axis=1), dtype=np.intp)

    def steps(self, low: float, high: float, limit: int) -> FloatArray:
        """Volumes in (low, high) where the cost jumps or bends (see `_bends`), per row:
        shape (rows, ≤ limit), ascending, NaN-padded. A row with more than `limit` replica
        steps in the range keeps its lowest ones."""
        bends, first, count = self._multiples(low, high)
        most = min(max(1, limit // bends.shape[1]), int(count.max(initial=0.0)))
        k = first[..., None] + np.arange(most)  # (rows, hours, most)
        volumes = (k * bends[..., None]).reshape(len(bends), -1)
        inside = np.where((volumes > low) & (volumes < high), volumes, np.nan)
        volumes = np.sort(inside, axis=1)
        return volumes[:, : int((~np.isnan(volumes)).sum(axis=1).max(initial=0))]

    def take(self, index: Index) -> SelfHostedPricing:
        c = self.capacity
        capacity = dataclasses.replace(
            c, seconds_rows=c.seconds_rows[index], lone_latency_rows=c.lone_latency_rows[index]
        )
        f = self.fixed_rows
        fixed = FixedCosts[FloatArray](
            f.gateway_usd_per_month[index],
            f.storage_usd_per_month[index],
            f.labor_usd_per_month[index],
            f.one_off_usd_per_month[index],
        )
        return dataclasses.replace(
            self, tokens=self.tokens.map(lambda v: np.asarray(v[index])), capacity=capacity,
            fixed_rows=fixed, burst_factor=self.burst_factor[index],
        )  # fmt: skip


@dataclass(frozen=True)
class Skipped:
    id: str
    reason: str


def self_hosted_pricing(
    choice: SelfHostedChoice,
    profile: Profile,
    catalog: Catalog,
    calibration: Calibration,
    rows: RowInputs,
) -> SelfHostedPricing | Skipped:
    """Build the cost of a pairing for every row, or say why it cannot run (memory, size)."""
    oid = option_id(choice)
    compute = catalog.compute[choice.compute]
    model = catalog.models[choice.model]
    if compute.billing == "hourly" and choice.gpus_per_replica > compute.gpus:
        return Skipped(
            oid, f"a replica needs {choice.gpus_per_replica} GPUs; an instance has {compute.gpus}"
        )
    tokens = rows.tokens
    if choice.system_prompt_tokens is not None:
        tokens = tokens.with_system(choice.system_prompt_tokens)
    capacity = capacity_for(
        choice, catalog, profile.slo, calibration, mix_of(tokens, choice.prefix_caching)
    )
    if isinstance(capacity, str):
        return Skipped(oid, capacity)
    weights, hours = np.unique(rows.weights, return_counts=True)
    if compute.billing == "hourly" and not choice.autoscale_hourly:
        # sized for the busiest hour and billed for it all day: only that hour matters
        weights, hours = weights[-1:], hours[-1:]
    return SelfHostedPricing(
        id=oid,
        choice=choice,
        compute=compute,
        model=model,
        tokens=tokens,
        capacity=capacity,
        fixed_rows=fixed_costs(rows, compute, model, choice.precision),
        burst_factor=rows.burst_factor,
        weights=weights,
        hours=hours.astype(np.float64),
    )
