"""Replica capacity of a pairing at a token mix: benchmarks under the SLO, roofline, LoRA."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from costcalc.core.calibrate import Calibration, hardware, observed_batch, shape
from costcalc.core.capacity import (
    BenchmarkCapacity,
    Mix,
    OperatingPoint,
    Scale,
    benchmark_capacity,
    benchmark_seconds,
    feasible_points,
    lone_latency_s,
)
from costcalc.core.inflation import Inflation
from costcalc.core.roofline import (
    Hardware,
    RooflineCapacity,
    Shape,
    StepModel,
    kv_budget_bytes,
    max_batch,
    max_batches,
    roofline_arrays,
    roofline_capacity,
)
from costcalc.core.traffic import FloatArray
from costcalc.schema.catalog import Catalog, GpuSpec, OpenModel, ThroughputPoint
from costcalc.schema.profile import SelfHostedChoice, Slo

# Stated default, not a measurement: vLLM serving several LoRA adapters on one base model at
# about 80 % of the base model's throughput (a vLLM fork reports "80%+ of non-LoRA performance").
LORA_THROUGHPUT_FACTOR = 0.8


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


def mix_of(tokens: Inflation, prefix_caching: bool) -> Mix:
    """What a replica sees of a request: vLLM's prefix cache spares the shared prefix's
    prefill. The open models here do not reason: reasoning tokens cost hosted offers only."""
    cached = tokens.cacheable_prefix if prefix_caching else 0.0
    return Mix(tokens.input_tokens, max(tokens.input_tokens - cached, 1.0), tokens.output)


def roofline_scale(hw: Hardware, sh: Shape, step: StepModel) -> Scale:
    """Roofline time of a mix (or of each of many) over a benchmarked point's, at the point's
    load: how one measured mix is carried to another."""

    def scale(op: OperatingPoint, target: Mix) -> Any:
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
    mix: Mix,
    slo: Slo,
    points: list[ThroughputPoint],
    calibration: Calibration,
) -> ReplicaCapacity | str:
    """Capacity from benchmark points when there are any, else the calibrated roofline; a
    string says why the model cannot run on this hardware."""
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

    bench = benchmark_capacity(points, mix, slo, roofline_scale(hw, sh, step))
    lone = bench.lone_latency_s if bench.lone_latency_s is not None else roof.lone_latency_s
    return ReplicaCapacity(
        bench.seconds_per_request, bench.source, lone, bench.slo_met, bench.lower_bound,
        mix, bench, roof, bench.notes,
    )  # fmt: skip


def capacity_for(
    choice: SelfHostedChoice, catalog: Catalog, slo: Slo, calibration: Calibration, mix: Mix
) -> ReplicaCapacity | str:
    """A pairing's replica capacity at a mix, LoRA adapters' slowdown included."""
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
        seconds_per_request=capacity.seconds_per_request / factor,
        notes=(*capacity.notes, f"{choice.lora_adapters} LoRA adapters at {factor:.0%} throughput"),
    )


def capacity_arrays(
    choice: SelfHostedChoice, catalog: Catalog, slo: Slo, calibration: Calibration, mix: Mix
) -> tuple[FloatArray, FloatArray]:
    """capacity_for's replica-seconds per request and lone latency for many mixes at once
    (`mix` holds arrays), exactly: +inf where the model does not fit. Monte Carlo's path."""
    compute = catalog.compute[choice.compute]
    hw = hardware(catalog.gpus[compute.gpu], choice.gpus_per_replica, choice.precision)
    sh = shape(catalog.models[choice.model], choice.precision)
    step = StepModel(hw, sh, calibration.efficiency)
    inputs = np.asarray(mix.input_tokens, dtype=np.float64)
    roof = roofline_arrays(
        step, inputs, np.asarray(mix.prefill_tokens), np.asarray(mix.output_tokens),
        slo.ttft_ms / 1000.0, slo.tpot_ms / 1000.0, slo.percentile,
    )  # fmt: skip
    points = catalog.points_for(
        choice.model, compute.gpu, choice.gpus_per_replica, choice.precision
    )
    seconds, lone = roof.seconds_per_request, roof.lone_latency_s
    if points:
        _, feasible = feasible_points(points, slo)
        measured = benchmark_seconds(feasible, mix, roofline_scale(hw, sh, step))
        seconds = np.where(roof.batch > 0, measured, np.inf) * np.ones_like(inputs)
        timed = lone_latency_s(points, mix)
        lone = lone if timed is None else np.where(roof.batch > 0, timed, np.inf)
    return seconds / lora_factor(choice), lone
