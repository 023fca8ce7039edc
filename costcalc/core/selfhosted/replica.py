"""Replica capacity of a pairing at a token mix: the serving model under the SLO, the runs
measured at that mix where there are some, LoRA adapters' slowdown."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from costcalc.core.demand.tokens import Inflation
from costcalc.core.demand.traffic import FloatArray
from costcalc.core.selfhosted.capacity import Mix, same_mix, same_mixes
from costcalc.core.selfhosted.measured import Measured, measured_capacity
from costcalc.core.selfhosted.replicashape import (
    CapacityAtMix,
    Hardware,
    Shape,
    capacity_at,
    hardware,
    kv_budget_bytes,
    shape,
)
from costcalc.core.selfhosted.servingcapacity import Calibration, serving_arrays
from costcalc.schema.catalog import Catalog, GpuSpec, OpenModel, ThroughputPoint
from costcalc.schema.profile import SelfHostedChoice, Slo

# Stated default, not a measurement: vLLM serving several LoRA adapters on one base model at
# about 80 % of the base model's throughput (a vLLM fork reports "80%+ of non-LoRA performance").
LORA_THROUGHPUT_FACTOR = 0.8
INFEASIBLE = "cannot meet the SLO at any load"  # how an option that is not priced says why
TOO_LONG = "exceeds the model's context window"
NOT_SERVED = (INFEASIBLE, TOO_LONG)  # the reasons a report lists apart (not memory)


@dataclass(frozen=True)
class ReplicaCapacity:
    """What one replica sustains under the SLO at each row's mix, and how that is known at the
    first row's (the profile's own mix in the point result): source, SLO, notes."""

    seconds_rows: FloatArray  # replica-seconds per request, per row (+inf: does not fit)
    lone_latency_rows: FloatArray  # seconds, per row
    source: str  # model | benchmark (runs measured at the mix decided)
    lower_bound: bool
    mix: Mix[Any]  # the first row's
    predicted: CapacityAtMix  # the serving model at the first row's mix
    notes: tuple[str, ...]
    calibration: str = "built-in"  # built-in | own points | transferred

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
    calibration: Calibration,
    points: Sequence[ThroughputPoint] = (),
) -> ReplicaCapacity | str:
    """Capacity at each mix of `mix` (floats, or arrays with one mix per row): the serving
    model's highest load under the SLO, or, at a mix the pairing's `points` measured, what
    those runs say (core/selfhosted/measured.py). A string says why the option cannot serve
    the first mix: it does not fit in memory, or no load meets the SLO (then it is not
    priced). Rows where it does not fit or misses the SLO get +inf seconds."""
    hw = hardware(gpu, gpus_per_replica, precision)
    sh = shape(model, precision)
    rows = Mix[FloatArray](
        *(np.atleast_1d(np.asarray(v, dtype=np.float64))
          for v in (mix.input_tokens, mix.prefill_tokens, mix.output_tokens))
    )  # fmt: skip
    shortest = float(np.min(rows.input_tokens + rows.output_tokens))
    if kv_budget_bytes(hw, sh) < shortest * sh.kv_bytes_per_token:
        return _no_fit(hw, sh, gpu, gpus_per_replica)  # no row fits: nothing to search
    held = rows.input_tokens + rows.output_tokens
    too_long = held > (model.context_window or np.inf)
    if too_long.all():
        return (
            f"{TOO_LONG}: a request holds {float(held.min()):,.0f} tokens "
            f"(input and output), past its {model.context_window:,}"
        )
    params, label, used, own = calibration.for_pairing(
        model.id, gpu.id, gpus_per_replica, precision
    )
    arrays = serving_arrays(params, hw, sh, rows, slo)
    # a sample past the context window is served by no load
    arrays = dataclasses.replace(arrays, slo_met=arrays.slo_met & ~too_long)
    fits = arrays.batch > 0
    # the notes describe the first row's mix, or the first that fits and meets the SLO (a
    # Monte Carlo sample can ask for more context or a longer prefill than that allows; that
    # row alone is then priced at +inf)
    first_row = int(np.argmax(arrays.slo_met)) if arrays.slo_met.any() else int(np.argmax(fits))
    first = _first(mix, first_row)
    roof = capacity_at(arrays, first_row)
    if roof is None:  # no row fits
        return _no_fit(hw, sh, gpu, gpus_per_replica)
    measured = measured_capacity(points, first, slo)
    passed = measured is not None and measured.request_throughput is not None
    if not roof.slo_met and not passed:  # a run at this mix that meets the SLO overrules it
        return _infeasible(roof, slo, measured)
    seconds = np.where(arrays.slo_met, arrays.seconds_per_request, np.inf)
    how = {
        "built-in": "built-in calibration",
        "own points": (
            f"fitted to its {used} run{'s' * (used > 1)}"
            if own == used
            else f"fitted to its {own} run and {used - own} of the model elsewhere"
        ),
        "transferred": f"from {used} runs of the model on other hardware",
    }[label]
    notes: tuple[str, ...] = (f"serving model, {how}; batch {roof.batch} at the SLO",)
    source, floor = "model", False
    at_mix = np.asarray(
        [same_mixes(p, rows) for p in points if same_mix(p, first)]
        or [np.zeros(len(seconds), dtype=bool)],
        dtype=bool,
    ).any(axis=0)
    if measured is not None and measured.ceiling is not None:
        # no run at this mix meets the SLO, but lighter loads were not run: the model's,
        # kept below the lightest run that misses it
        seconds = np.where(at_mix, np.maximum(seconds, 1.0 / measured.ceiling), seconds)
        notes = (f"{measured.note}: a lighter load, from the serving model", *notes)
    if measured is not None and measured.request_throughput is not None:
        ran = 1.0 / measured.request_throughput
        # a floor only raises the model's figure; an interpolated measurement replaces it
        mine = np.minimum(seconds, ran) if measured.floor else np.full_like(seconds, ran)
        seconds = np.where(at_mix, mine, seconds)
        if not measured.floor or ran < float(arrays.seconds_per_request[first_row]):
            source, floor = "benchmark", measured.floor  # the runs set the figure
        notes = (measured.note, *notes)
    return ReplicaCapacity(
        seconds * np.ones_like(rows.input_tokens), arrays.lone_latency_s, source, floor,
        first, roof, notes, label,
    )  # fmt: skip


def _infeasible(roof: CapacityAtMix, slo: Slo, measured: Measured | None) -> str:
    """Why no load meets the SLO: the latencies one request at a time reaches that miss it."""
    pct = slo.percentile
    missed = []
    if roof.ttft_tail_s * 1000 > slo.ttft_ms:
        missed.append(f"p{pct} TTFT ≈{roof.ttft_tail_s * 1000:,.0f} ms (SLO {slo.ttft_ms:,.6g})")
    if roof.tpot_tail_s * 1000 > slo.tpot_ms:
        missed.append(f"p{pct} TPOT ≈{roof.tpot_tail_s * 1000:,.1f} ms (SLO {slo.tpot_ms:,.6g})")
    also = "" if measured is None else f"; {measured.note}"
    return f"{INFEASIBLE}: even one request at a time has {' and '.join(missed)}{also}"


def _no_fit(hw: Hardware, sh: Shape, gpu: GpuSpec, gpus_per_replica: int) -> str:
    usable = (kv_budget_bytes(hw, sh) + sh.weight_bytes) / 1e9
    return (
        f"does not fit: {sh.weight_bytes / 1e9:.1f} GB of weights plus one request's KV cache "
        f"in {usable:.1f} GB usable ({gpus_per_replica}× {gpu.name})"
    )


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
        choice.precision, mix, slo, calibration, points,
    )  # fmt: skip
    if isinstance(capacity, str) or choice.lora_adapters == 0:
        return capacity
    factor = lora_factor(choice)
    return dataclasses.replace(
        capacity,
        seconds_rows=capacity.seconds_rows / factor,
        notes=(*capacity.notes, f"{choice.lora_adapters} LoRA adapters at {factor:.0%} throughput"),
    )
