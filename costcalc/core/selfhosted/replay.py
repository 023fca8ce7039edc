"""Replay benchmark runs through the serving model, each calibrated without its own file.

A held-out run is predicted from everything else: the built-in points and the other files.
Which calibration served it is recorded: "own points" when at least two other points of its
pairing (model, GPU, GPUs per replica, precision) remain, "transferred" when only points of
its model on other hardware do, else "built-in" (the defaults fitted on every point).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from costcalc.core.selfhosted.serving import ServingParams
from costcalc.core.selfhosted.servingfit import Observed, fit, loss, replay
from costcalc.schema.catalog import ThroughputPoint

Calibration = Literal["built-in", "own points", "transferred"]
METRICS = ("request_throughput", "ttft_ms_p50", "ttft_ms_p99", "tpot_ms_p50", "tpot_ms_p99")
OWN_POINTS = 2  # runs of a pairing needed to calibrate it on its own
SCALES = np.geomspace(0.4, 2.5, 61)  # speed factors tried on a pairing's own points


@dataclass(frozen=True)
class Replayed:
    """One run: what was measured, what the model predicts, the error in % (None where the
    run did not publish the figure) and the calibration used."""

    point: ThroughputPoint
    group: str
    measured: dict[str, float | None]
    predicted: dict[str, float]
    error_pct: dict[str, float | None]
    calibration: Calibration


def pairing(point: ThroughputPoint) -> tuple[str, str, int, str]:
    return (point.model, point.gpu, point.gpus_per_replica, point.precision)


def scaled(params: ServingParams, speed: Any) -> ServingParams:
    """Every rate of the replica `speed` times faster (bandwidth, compute; overheads shorter),
    efficiencies capped at 1. `speed` may be an array (one per prediction)."""
    return dataclasses.replace(
        params,
        bandwidth=np.minimum(1.0, params.bandwidth * speed),
        compute=np.minimum(1.0, params.compute * speed),
        overhead_ms=params.overhead_ms / speed,
    )


def fit_speed(observed: Observed, params: ServingParams) -> ServingParams:
    """The speed factor (0.4–2.5×) that best predicts `observed` from `params`: every factor
    tried in one prediction."""
    tiled = observed.subset(np.tile(np.arange(len(observed)), len(SCALES)))
    trial = scaled(params, np.repeat(SCALES, len(observed)))
    errors = loss(tiled, replay(tiled, trial)).reshape(len(SCALES), -1).sum(axis=1)
    best = scaled(params, float(SCALES[int(np.argmin(errors))]))
    return dataclasses.replace(
        best, **{k: float(getattr(best, k)) for k in ("bandwidth", "compute", "overhead_ms")}
    )


def speed_basis(
    key: tuple[str, str, int, str], points: Sequence[ThroughputPoint]
) -> tuple[list[int], Calibration]:
    """The points a pairing's speed factor is fitted on, and what that calibration is called:
    its own runs (with its model's runs elsewhere when it has only one: one run cannot set a
    speed alone), else its model's runs on other hardware, else none (the built-in defaults)."""
    own = [i for i, p in enumerate(points) if pairing(p) == key]
    same_model = [i for i, p in enumerate(points) if p.model == key[0]]
    if len(own) >= OWN_POINTS:
        return own, "own points"
    if own:
        return same_model, "own points"
    return same_model, "transferred" if same_model else "built-in"


def calibration_for(
    point: ThroughputPoint, train: Observed, base: ServingParams
) -> tuple[ServingParams, Calibration]:
    """The parameters for a point's pairing: the base fit moved by a speed factor fitted on
    the points `speed_basis` picks from `train`."""
    chosen, label = speed_basis(pairing(point), train.points)
    if not chosen:
        return base, label
    return fit_speed(train.subset(chosen), base), label


def leave_one_out(observed: Observed, groups: Sequence[str], held: Sequence[str]) -> list[Replayed]:
    """Every point of each group in `held`, predicted by a calibration on all other groups."""
    out: list[Replayed] = []
    everything = fit(observed)  # each held-out fit starts here and refines (2 rounds)
    for group in dict.fromkeys(held):
        inside = [i for i, g in enumerate(groups) if g == group]
        train = observed.subset([i for i, g in enumerate(groups) if g != group])
        base = fit(train, everything, rounds=2)
        for i in inside:
            one = observed.subset([i])
            params, how = calibration_for(one.points[0], train, base)
            out.append(_replayed(one, group, params, how))
    return out


def _replayed(one: Observed, group: str, params: ServingParams, how: Calibration) -> Replayed:
    point = one.points[0]
    predicted = replay(one, params)
    values = {
        "request_throughput": float(predicted.request_throughput[0]),
        "ttft_ms_p50": float(predicted.ttft_ms_p50[0]),
        "ttft_ms_p99": float(predicted.ttft_ms_p99[0]),
        "tpot_ms_p50": float(predicted.tpot_ms_p50[0]),
        "tpot_ms_p99": float(predicted.tpot_ms_p99[0]),
    }
    measured = {name: getattr(point, name) for name in METRICS}
    errors = {
        name: None if measured[name] is None else (values[name] / measured[name] - 1.0) * 100.0
        for name in METRICS
    }
    return Replayed(point, group, measured, values, errors, how)


def summary(runs: Sequence[Replayed]) -> tuple[dict[str, float | None], dict[str, float | None]]:
    """Median and largest absolute error in % per metric (None: no run published it)."""
    median: dict[str, float | None] = {}
    largest: dict[str, float | None] = {}
    for name in METRICS:
        found = [abs(e) for r in runs if (e := r.error_pct[name]) is not None and np.isfinite(e)]
        median[name] = float(np.median(found)) if found else None
        largest[name] = float(np.max(found)) if found else None
    return median, largest
