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
# speed factors a pairing's runs choose from: 0.4× to 2.5×, 1.5 % apart, 1× exactly in the middle
SPEEDS = np.exp(np.linspace(-np.log(2.5), np.log(2.5), 121))
SPEEDS[60] = 1.0


@dataclass(frozen=True)
class Replayed:
    """One run: what was measured, what the model predicts, the error in % (None where the
    run did not publish the figure) and the calibration used."""

    point: ThroughputPoint
    group: str
    measured: dict[str, float | None]
    predicted: dict[str, float | None]  # None: the replica cannot serve the run (no fit)
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


class SpeedGrid:
    """Every point of `observed` predicted at every speed factor from `params` in one pass:
    fitting a pairing's speed on any subset of the points is then a sum and an argmin."""

    def __init__(self, observed: Observed, params: ServingParams) -> None:
        n = len(observed)
        tiled = observed.subset(np.tile(np.arange(n), len(SPEEDS)))
        self.params = params
        self.predicted = replay(tiled, scaled(params, np.repeat(SPEEDS, n)))
        self.losses = loss(tiled, self.predicted).reshape(len(SPEEDS), n)
        self.n = n

    def best(self, rows: Sequence[int]) -> int:
        """The index into SPEEDS that best predicts the points `rows` (1× without any)."""
        if not len(rows):
            return len(SPEEDS) // 2
        return int(np.argmin(self.losses[:, list(rows)].sum(axis=1)))

    def params_at(self, speed: int) -> ServingParams:
        moved = scaled(self.params, float(SPEEDS[speed]))
        return dataclasses.replace(
            moved, **{k: float(getattr(moved, k)) for k in ("bandwidth", "compute", "overhead_ms")}
        )

    def values(self, row: int, speed: int) -> dict[str, float]:
        """Point `row`'s predicted figures at SPEEDS[speed]."""
        at = speed * self.n + row
        return {name: float(getattr(self.predicted, name)[at]) for name in METRICS}


def fit_speed(observed: Observed, params: ServingParams) -> ServingParams:
    """`params` moved by the speed factor (0.4–2.5×) that best predicts `observed`."""
    grid = SpeedGrid(observed, params)
    return grid.params_at(grid.best(range(len(observed))))


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


def leave_one_out(
    observed: Observed,
    groups: Sequence[str],
    held: Sequence[str],
    defaults: ServingParams | None = None,
) -> list[Replayed]:
    """Every point of each group in `held`, predicted by a calibration on all other groups.

    Without `defaults` (the built-in points held out in turn) the defaults are refitted
    without each group, from the fit on everything (2 rounds). With them (a user's files,
    which the defaults never saw) only the pairing's speed factor is chosen without the file,
    from one grid of every point at every speed.
    """
    out: list[Replayed] = []
    shared = None if defaults is None else SpeedGrid(observed, defaults)
    everything = fit(observed) if defaults is None else defaults
    for group in dict.fromkeys(held):
        inside = [i for i, g in enumerate(groups) if g == group]
        rest = [i for i, g in enumerate(groups) if g != group]
        train = observed.subset(rest)
        grid = shared or SpeedGrid(observed, fit(train, everything, rounds=2))
        for i in inside:
            point = observed.points[i]
            chosen, how = speed_basis(pairing(point), train.points)
            out.append(
                _replayed(point, group, grid.values(i, grid.best([rest[k] for k in chosen])), how)
            )
    return out


def _replayed(
    point: ThroughputPoint, group: str, values: dict[str, float], how: Calibration
) -> Replayed:
    measured = {name: getattr(point, name) for name in METRICS}
    # a replica that does not fit predicts nothing: no figure, no error
    kept = {name: v if np.isfinite(v) and v > 0 else None for name, v in values.items()}
    errors = {
        name: None
        if measured[name] is None or (v := kept[name]) is None
        else (v / measured[name] - 1.0) * 100.0
        for name in METRICS
    }
    return Replayed(point, group, measured, kept, errors, how)


def summary(runs: Sequence[Replayed]) -> tuple[dict[str, float | None], dict[str, float | None]]:
    """Median and largest absolute error in % per metric (None: no run published it)."""
    median: dict[str, float | None] = {}
    largest: dict[str, float | None] = {}
    for name in METRICS:
        found = [abs(e) for r in runs if (e := r.error_pct[name]) is not None and np.isfinite(e)]
        median[name] = float(np.median(found)) if found else None
        largest[name] = float(np.max(found)) if found else None
    return median, largest
