"""Replica capacity of a pairing at a token mix: benchmarks under the SLO, roofline, LoRA."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from costcalc.core.demand.tokens import Inflation
from costcalc.core.demand.traffic import FloatArray
from costcalc.core.selfhosted.calibrate import Calibration, hardware, observed_batch, shape
from costcalc.core.selfhosted.capacity import (
    BenchmarkCapacity,
    Mix,
    OperatingPoint,
    Scale,
    benchmark_capacity,
    benchmark_seconds,
    feasible_points,
    lone_latency_s,
)
from costcalc.core.selfhosted.roofline import (
    Hardware,
    RooflineCapacity,
    Shape,
    StepModel,
    capacity_at,
    kv_budget_bytes,
    max_batch,
    max_batches,
    roofline_arrays,
)
from costcalc.schema.catalog import Catalog, GpuSpec, OpenModel, ThroughputPoint
from costcalc.schema.profile import SelfHostedChoice, Slo

# Stated default, not a measurement: vLLM serving several LoRA adapters on one base model at
# about 80 % of the base model's throughput (a vLLM fork reports "80%+ of non-LoRA performance").
LORA_THROUGHPUT_FACTOR = 0.8


@dataclass(frozen=True)
class ReplicaCapacity:
    """What one replica sustains under the SLO at each row's mix, and how that is known at the
    first row's (the profile's own mix in the point result): source, SLO, notes."""

    seconds_rows: FloatArray  # replica-seconds per request, per row (+inf: does not fit)
    lone_latency_rows: FloatArray  # seconds, per row
    source: str  # benchmark | fit | roofline
    slo_met: bool
    lower_bound: bool
    mix: Mix[Any]  # the first row's
    benchmark: BenchmarkCapacity | None
    roofline: RooflineCapacity
    notes: tuple[str, ...]

    @property
    def seconds_per_request(self) -> float:
        return float(self.seconds_rows[0])

    @property
    def lone_latency_s(self) -> float:
        return float(self.lone_latency_rows[0])


def mix_of(tokens: Inflation[Any], prefix_caching: bool) -> Mix[Any]:
    """What a replica sees of a request: vLLM's prefix cache spares the shared prefix's
    prefill. The open models here do not reason: reasoning tokens cost hosted offers only.
    Floats give one mix; arrays give one mix per row."""
    cached = tokens.cacheable_prefix_tokens if prefix_caching else 0.0
    inputs = tokens.input_tokens
    return Mix(inputs, np.maximum(inputs - cached, 1.0), tokens.output_tokens)


def _first(mix: Mix[Any], row: int = 0) -> Mix[float]:
    def first(value: Any) -> float:
        values = np.asarray(value).reshape(-1)
        return float(values[min(row, len(values) - 1)])

    return Mix(first(mix.input_tokens), first(mix.prefill_tokens), first(mix.output_tokens))


def roofline_scale(hw: Hardware, sh: Shape, step: StepModel) -> Scale:
    """Roofline time of a mix (or of each of many) over a benchmarked point's, at the point's
    load: how one measured mix is carried to another."""

    def scale(op: OperatingPoint, target: Mix[Any]) -> Any:
        p = op.point
        batch = observed_batch(p, max(max_batch(hw, sh, p.input_tokens, p.output_tokens), 1))
        fits = max_batches(
            hw, sh, np.asarray(target.input_tokens), np.asarray(target.output_tokens)
        )
        at = np.minimum(batch, np.maximum(fits, 1.0))
        mine = step.seconds_per_request(
            at, target.prefill_tokens, target.output_tokens, target.context
        )
        theirs = step.seconds_per_request(
            np.array([batch]), p.input_tokens, p.output_tokens, p.input_tokens + p.output_tokens / 2
        )
        return mine / theirs[0]

    return scale


def lora_factor(choice: SelfHostedChoice) -> float:
    """Throughput kept with LoRA adapters served (1 without adapters)."""
    if choice.lora_adapters == 0:
        return 1.0
    return choice.lora_throughput_factor or LORA_THROUGHPUT_FACTOR


def replica_capacity(
    model: OpenModel,
    gpu: GpuSpec,
    gpus_per_replica: int,
    precision: str,
    mix: Mix[Any],
    slo: Slo,
    points: list[ThroughputPoint],
    calibration: Calibration,
) -> ReplicaCapacity | str:
    """Capacity at each mix of `mix` (floats, or arrays with one mix per row) from benchmark
    points when there are any, else the calibrated roofline; a string says why the model cannot
    run on this hardware at the first mix. Rows where it does not fit get +inf seconds."""
    hw = hardware(gpu, gpus_per_replica, precision)
    sh = shape(model, precision)
    step = StepModel(hw, sh, calibration.efficiency)
    rows = Mix[FloatArray](
        *(np.atleast_1d(np.asarray(v, dtype=np.float64))
          for v in (mix.input_tokens, mix.prefill_tokens, mix.output_tokens))
    )  # fmt: skip
    inputs = rows.input_tokens
    arrays = roofline_arrays(
        step, inputs, rows.prefill_tokens, rows.output_tokens,
        slo.ttft_ms / 1000.0, slo.tpot_ms / 1000.0, slo.percentile,
    )  # fmt: skip
    fits = arrays.batch > 0
    # the notes describe the first row's mix, or the first that fits (a Monte Carlo sample
    # can ask for more context than fits; that row alone is then priced at +inf)
    first_row = int(np.argmax(fits))
    first = _first(mix, first_row)
    roof = capacity_at(arrays, first_row)
    if roof is None:  # no row fits
        usable = (kv_budget_bytes(hw, sh) + sh.weight_bytes) / 1e9
        return (
            f"does not fit: {sh.weight_bytes / 1e9:.1f} GB of weights plus one request's KV cache "
            f"in {usable:.1f} GB usable ({gpus_per_replica}× {gpu.name})"
        )
    if not points:
        notes = [f"estimate: roofline (batch {roof.batch})"]
        if not roof.slo_met:
            notes.append(
                f"SLO not met even one request at a time (p{slo.percentile} TPOT "
                f"≈{roof.tpot_tail_s * 1000:.0f} ms, TTFT ≈{roof.ttft_tail_s * 1000:.0f} ms)"
            )
        return ReplicaCapacity(
            arrays.seconds_per_request, arrays.lone_latency_s, "roofline", roof.slo_met, False,
            first, None, roof, tuple(notes),
        )  # fmt: skip

    scale = roofline_scale(hw, sh, step)
    bench = benchmark_capacity(points, first, slo, scale)
    _, feasible = feasible_points(points, slo)
    measured = benchmark_seconds(feasible, rows, scale)
    seconds = np.where(fits, measured, np.inf) * np.ones_like(inputs)
    timed = lone_latency_s(points, rows)
    lone = arrays.lone_latency_s if timed is None else np.where(fits, timed, np.inf)
    return ReplicaCapacity(
        seconds, np.asarray(lone * np.ones_like(inputs)), bench.source, bench.slo_met,
        bench.lower_bound, first, bench, roof, bench.notes,
    )  # fmt: skip


def capacity_for(
    choice: SelfHostedChoice, catalog: Catalog, slo: Slo, calibration: Calibration, mix: Mix[Any]
) -> ReplicaCapacity | str:
    """A pairing's replica capacity at each mix, LoRA adapters' slowdown included."""
    compute = catalog.compute[choice.compute]
    points = catalog.points_for(
        choice.model, compute.gpu, choice.gpus_per_replica, choice.precision
    )
    capacity = replica_capacity(
        catalog.models[choice.model], catalog.gpus[compute.gpu], choice.gpus_per_replica,
        choice.precision, mix, slo, points, calibration,
    )  # fmt: skip
    if isinstance(capacity, str) or choice.lora_adapters == 0:
        return capacity
    factor = lora_factor(choice)
    return dataclasses.replace(
        capacity,
        seconds_rows=capacity.seconds_rows / factor,
        notes=(*capacity.notes, f"{choice.lora_adapters} LoRA adapters at {factor:.0%} throughput"),
    )
