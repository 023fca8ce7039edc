"""Calibrate the serving model on benchmark points, and replay points through it.

The fit minimises the squared log error of request throughput, plus 0.4 of that of the
median TTFT and TPOT where a point publishes them, over every point at once. Each parameter is
searched in turn on a grid inside its bounds, the grid narrowing each round (coordinate search);
every grid is one vectorised prediction of all points at all its values.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from costcalc.core.demand.traffic import FloatArray
from costcalc.core.selfhosted.replicashape import hardware, shape
from costcalc.core.selfhosted.serving import (
    LOAD_KINDS,
    Loads,
    Prediction,
    Replicas,
    ServingParams,
)
from costcalc.core.selfhosted.servingloads import predict
from costcalc.schema.catalog import GpuSpec, OpenModel, ThroughputPoint

# (low, high) of each fitted parameter; tensor_parallel is fitted only with multi-GPU points
BOUNDS = {
    "bandwidth": (0.2, 1.0),
    "compute": (0.1, 1.0),
    "overhead_ms": (0.0, 40.0),
    "sequence_us": (0.0, 400.0),
    "tensor_parallel": (0.5, 1.0),
    "allreduce_us": (0.0, 100.0),
    "output_spread": (0.0, 1.5),
    "legacy_cpu_factor": (0.0, 10.0),
    "chunk_tokens": (512.0, 16384.0),
    "frontend_ms": (0.0, 10.0),
    "legacy_chunk_tokens": (64.0, 32768.0),
}
MULTI_GPU = ("tensor_parallel", "allreduce_us")
SEARCHED_TOGETHER = [
    ("bandwidth", "overhead_ms"),
    ("compute", "sequence_us"),
    ("output_spread",),
    ("chunk_tokens",),
    ("frontend_ms",),
]
LOG_SCALED = ("chunk_tokens", "legacy_chunk_tokens")  # searched on a log2 scale
GRID = 9  # values tried per parameter and round
ROUNDS = 4
# the latencies' weight beside throughput, chosen on the held-out medians (a hyperparameter:
# 0.25 gave throughput 12.0 %, TTFT 18.4 %, TPOT 25.6 %; 0.4 gave 11.7 %, 20.8 %, 24.1 %; with
# the burst bounded by its last admission, 0.4 gives 12.4 %, 21.1 %, 24.5 %)
LATENCY_WEIGHT = 0.4


@dataclass(frozen=True)
class Observed:
    """Points as arrays, ready for `predict`; NaN where a latency was not published."""

    points: tuple[ThroughputPoint, ...]
    replicas: Replicas
    loads: Loads
    request_throughput: FloatArray
    ttft_ms_p50: FloatArray
    tpot_ms_p50: FloatArray

    def __len__(self) -> int:
        return len(self.points)

    def subset(self, keep: Sequence[int] | np.ndarray) -> Observed:
        index = np.asarray(keep, dtype=np.intp)

        def cut(obj: object) -> object:
            return dataclasses.replace(
                obj,  # type: ignore[type-var]
                **{
                    f.name: None if getattr(obj, f.name) is None else getattr(obj, f.name)[index]
                    for f in dataclasses.fields(obj)  # type: ignore[arg-type]
                },
            )

        return Observed(
            tuple(self.points[i] for i in index),
            cut(self.replicas),  # type: ignore[arg-type]
            cut(self.loads),  # type: ignore[arg-type]
            self.request_throughput[index],
            self.ttft_ms_p50[index],
            self.tpot_ms_p50[index],
        )


def observe(
    points: Sequence[ThroughputPoint], gpus: dict[str, GpuSpec], models: dict[str, OpenModel]
) -> Observed:
    """The points whose GPU and model the catalog knows, as arrays."""
    known = tuple(p for p in points if p.gpu in gpus and p.model in models)
    pairs = [
        (
            hardware(gpus[p.gpu], p.gpus_per_replica, p.precision),
            shape(models[p.model], p.precision),
        )
        for p in known
    ]
    legacy = [legacy_engine(p.engine_version, p.as_of) for p in known]

    def column(values: list[float | None]) -> FloatArray:
        return np.asarray([np.nan if v is None else v for v in values], dtype=np.float64)

    return Observed(
        known,
        Replicas.of(pairs, legacy),
        loads_of(known),
        column([p.request_throughput for p in known]),
        column([p.ttft_ms_p50 for p in known]),
        column([p.tpot_ms_p50 for p in known]),
    )


# vLLM 0.6.0 and its multi-step scheduling: vllm-project.github.io _posts/2024-09-05-perf-update.md
VLLM_0_6 = dt.date(2024, 9, 5)


def legacy_engine(version: str | None, ran: dt.date | None = None) -> bool:
    """vLLM before 0.6 ("0.5.4", "v0.4.3"); a run that does not say counts as current unless
    it ran before 0.6 was released."""
    text = version or ""
    # the number after "vllm" where the text names it ("CUDA 12.1, vLLM 0.5.3"), else the first
    found = re.search(r"vllm\D{0,12}?(\d+)\.(\d+)", text, re.I) or re.search(r"(\d+)\.(\d+)", text)
    if found is None:
        return ran is not None and ran < VLLM_0_6
    return (int(found.group(1)), int(found.group(2))) < (0, 6)


def loads_of(points: Sequence[ThroughputPoint]) -> Loads:
    """Each point's workload and load as it ran."""
    kinds = [LOAD_KINDS.index(p.load or "burst") for p in points]
    values = [
        (p.concurrency, p.request_rate, p.num_prompts)[k]
        for p, k in zip(points, kinds, strict=True)
    ]
    return Loads(
        np.asarray([p.input_tokens for p in points], dtype=np.float64),
        np.asarray([p.output_tokens for p in points], dtype=np.float64),
        np.asarray(kinds, dtype=np.int8),
        np.asarray([np.nan if v is None else v for v in values], dtype=np.float64),
        np.asarray([np.nan if p.num_prompts is None else p.num_prompts for p in points]),
        np.asarray(
            [np.nan if p.output_tokens_max is None else p.output_tokens_max for p in points]
        ),
    )


def loss(observed: Observed, predicted: Prediction) -> FloatArray:
    """Squared log errors per point: throughput, plus 0.4 of each published latency's.
    A point the replica cannot serve (0 predicted) costs 1e6."""
    with np.errstate(divide="ignore", invalid="ignore"):
        total = np.log(predicted.request_throughput / observed.request_throughput) ** 2
        for measured, model in (
            (observed.ttft_ms_p50, predicted.ttft_ms_p50),
            (observed.tpot_ms_p50, predicted.tpot_ms_p50),
        ):
            term = np.log(model / measured) ** 2
            total = total + LATENCY_WEIGHT * np.where(np.isnan(measured), 0.0, term)
    return np.asarray(np.where(np.isfinite(total), total, 1e6), dtype=np.float64)


def fit(
    observed: Observed, start: ServingParams | None = None, rounds: int = ROUNDS
) -> ServingParams:
    """The parameters that best predict `observed`, searched around `start` (the defaults):
    the whole range in the first of `rounds`; a warm start with fewer rounds searches the
    narrower ranges of the later rounds only (a refit after leaving a few points out).

    Parameters that trade off against each other are searched together on a 2-D grid
    (bandwidth with the step overhead: both set a lone decode step), so the search can move
    along the ridge where the points cannot tell them apart."""
    params = tail_ratios(observed.points, start or ServingParams())
    if len(observed) == 0:
        return params
    groups = list(SEARCHED_TOGETHER)
    if np.any(observed.replicas.gpus > 1):
        groups.append(MULTI_GPU)
    if np.any(observed.replicas.legacy > 0):
        groups += [("legacy_cpu_factor",), ("legacy_chunk_tokens",)]
    narrowed = 2.5 ** (ROUNDS - rounds)
    width = {
        name: (_scaled(name, BOUNDS[name])[1] - _scaled(name, BOUNDS[name])[0]) / narrowed
        for g in groups
        for name in g
    }
    for _ in range(rounds):
        for group in groups:
            axes = []
            for name in group:
                low, high = _scaled(name, BOUNDS[name])
                (now,) = _scaled(name, (getattr(params, name),))
                half = width[name] / 2
                axis = np.linspace(max(low, now - half), min(high, now + half), GRID)
                axes.append(np.exp2(axis) if name in LOG_SCALED else axis)
                width[name] /= 2.5
            combos = [c.ravel() for c in np.meshgrid(*axes, indexing="ij")]
            tiled = _tile(observed, len(combos[0]))
            # one parameter set per tiled prediction: arrays where ServingParams holds floats
            values: dict[str, Any] = {
                n: np.repeat(v, len(observed)) for n, v in zip(group, combos, strict=True)
            }
            trial = dataclasses.replace(params, **values)
            errors = loss(tiled, predict(tiled.replicas, trial, tiled.loads))
            best = int(np.argmin(errors.reshape(len(combos[0]), -1).sum(axis=1)))
            params = dataclasses.replace(
                params, **{n: float(v[best]) for n, v in zip(group, combos, strict=True)}
            )
    return params


def _scaled(name: str, values: tuple[float, ...]) -> tuple[float, ...]:
    """Values as the search steps them: log2 for LOG_SCALED parameters."""
    return tuple(float(np.log2(v)) for v in values) if name in LOG_SCALED else values


def _tile(observed: Observed, times: int) -> Observed:
    return observed.subset(np.tile(np.arange(len(observed)), times))


def tail_ratios(points: Sequence[ThroughputPoint], params: ServingParams) -> ServingParams:
    """p99 over p50 of TTFT and TPOT under a steady load: the median over the concurrency and
    rate points that publish both (a burst's tail is its queue, not steady-state jitter)."""
    steady = [p for p in points if p.load != "burst"]

    def ratio(pairs: list[tuple[float | None, float | None]], default: float) -> float:
        found = [hi / lo for lo, hi in pairs if lo and hi and hi >= lo]
        return float(np.median(found)) if found else default

    return dataclasses.replace(
        params,
        ttft_p99_over_p50=ratio(
            [(p.ttft_ms_p50, p.ttft_ms_p99) for p in steady], params.ttft_p99_over_p50
        ),
        tpot_p99_over_p50=ratio(
            [(p.tpot_ms_p50, p.tpot_ms_p99) for p in steady], params.tpot_p99_over_p50
        ),
    )


def replay(observed: Observed, params: ServingParams) -> Prediction:
    """Each point's own workload and load through the model."""
    return predict(observed.replicas, params, observed.loads)
