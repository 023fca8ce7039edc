"""Break-even search (DESIGN §1.6): where self-hosting becomes, and stays, cheaper.

One routine serves the point result, Monte Carlo samples and sensitivity cases: every option
is costed once per row on a shared log grid, each self-hosted option's replica steps are added
on both sides, every (hosted, self-hosted) pair's sign changes are found with array operations
and each is bisected to 0.1 % of volume.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt

from costcalc.core.demand.traffic import FloatArray

Status = Literal["crosses", "never", "always"]
STATUSES: tuple[Status, ...] = ("always", "crosses", "never")  # codes 0, 1, 2 in arrays
IntArray = npt.NDArray[np.intp]

RELATIVE_TOLERANCE = 1e-3  # bisect each crossing to 0.1 % of volume
STEP_SIDE = 1e-9  # both sides of a replica step: just before and just after it


class Priced(Protocol):
    """An option's monthly USD per row at requests/day shaped (rows, volumes)."""

    def monthly_usd(self, requests_per_day: FloatArray) -> FloatArray: ...


@dataclass(frozen=True)
class Crossing:
    """Self-hosting becomes cheaper (up=True) or dearer (up=False) at this volume."""

    requests_per_day: float
    up: bool


@dataclass(frozen=True)
class BreakEven:
    status: Status
    requests_per_day: float | None  # lowest volume above which self-hosting stays cheaper
    crossings: tuple[Crossing, ...]


@dataclass(frozen=True)
class RowBreakEvens:
    """One pair's break-even in every row: status code (index into STATUSES) and volume
    (requests/day; NaN unless the row crosses). `crossings` is filled for every row only
    when all were asked for (the point result); else it is empty."""

    status: npt.NDArray[np.int8]
    requests_per_day: FloatArray
    crossings: tuple[tuple[Crossing, ...], ...]

    def row(self, i: int) -> BreakEven:
        status = STATUSES[int(self.status[i])]
        volume = float(self.requests_per_day[i]) if status == "crosses" else None
        return BreakEven(status, volume, self.crossings[i] if self.crossings else ())


Gap = Callable[[IntArray, FloatArray], FloatArray]  # rows, volumes → hosted − self-hosted USD


def bisect(gap: Gap, rows: IntArray, below: FloatArray, above: FloatArray) -> FloatArray:
    """Shrink every bracket [below, above] around a sign change of `gap` until it is 0.1 %
    wide, all brackets at once; returns the end where self-hosting is cheaper (gap > 0), so
    a reported volume is on the safe side of its crossing."""
    cheaper_above = gap(rows, above) > 0
    while True:
        open_ = above - below > RELATIVE_TOLERANCE * above * 0.5
        if not open_.any():
            break
        middle = np.sqrt(below * above)
        moved = gap(rows[open_], middle[open_]) > 0
        same = np.zeros_like(open_)
        same[open_] = moved == cheaper_above[open_]
        above = np.where(open_ & same, middle, above)
        below = np.where(open_ & ~same, middle, below)
    return np.where(cheaper_above, above, below)


def find(volumes: FloatArray, gaps: FloatArray, gap: Gap, every_crossing: bool) -> RowBreakEvens:
    """Break-even per row from `gaps` (hosted − self-hosted monthly USD) at ascending
    `volumes`, both shaped (rows, points); `gap` evaluates more points for the bisection."""
    cheaper = gaps > 0  # NaN (no price) counts as not cheaper
    always = cheaper.all(axis=1)
    never = ~cheaper[:, -1]
    status = np.where(always, 0, np.where(never, 2, 1)).astype(np.int8)
    change = cheaper[:, 1:] != cheaper[:, :-1]
    if every_crossing:
        rows, cells = np.nonzero(change)
    else:  # only the last cell where self-hosting turns cheaper, in rows that cross
        turns = change & cheaper[:, 1:]
        last = turns.shape[1] - 1 - np.argmax(turns[:, ::-1], axis=1)
        rows = np.flatnonzero(status == 1)
        cells = last[rows]
    found = bisect(gap, rows, volumes[rows, cells], volumes[rows, cells + 1])
    up = cheaper[rows, cells + 1]
    volume = np.full(len(gaps), np.nan)
    crossings: list[tuple[Crossing, ...]] = []
    if every_crossing:
        per_row: list[list[Crossing]] = [[] for _ in range(len(gaps))]
        for r, v, u in zip(rows, found, up, strict=True):
            per_row[r].append(Crossing(float(v), bool(u)))
        crossings = [tuple(c) for c in per_row]
        for i, c in enumerate(crossings):
            if int(status[i]) == 1:
                volume[i] = c[-1].requests_per_day
    else:
        volume[rows] = found
    return RowBreakEvens(status, volume, tuple(crossings))


@dataclass(frozen=True)
class PairBreakEven:
    hosted: str
    self_hosted: str
    with_labour: RowBreakEvens
    without_labour: RowBreakEvens


def _sorted_volumes(
    grid: FloatArray, steps: FloatArray, high: float
) -> tuple[FloatArray, IntArray]:
    """The grid plus both sides of each row's steps, ascending per row, and the order used."""
    sides = np.concatenate([steps * (1 - STEP_SIDE), steps * (1 + STEP_SIDE)], axis=1)
    sides = np.where(np.isnan(sides), high, sides)  # padding: repeats of the range's end
    volumes = np.concatenate([np.broadcast_to(grid, (len(steps), len(grid))), sides], axis=1)
    order = np.argsort(volumes, axis=1, kind="stable")
    return np.take_along_axis(volumes, order, axis=1), order


def pair_break_evens(
    hosted: Sequence[tuple[str, Priced]],
    self_hosted: Sequence[tuple[str, Priced, FloatArray, FloatArray]],
    take: Callable[[Priced, IntArray], Priced],
    low: float,
    high: float,
    grid_points: int,
    every_crossing: bool,
) -> list[PairBreakEven]:
    """Break-evens of every (hosted, self-hosted) pair over requests/day in [low, high].

    `self_hosted` items are (id, option, labour USD/month per row, replica steps per row);
    `take` narrows an option to some rows (for the bisection). Each option is costed once on
    the grid; a self-hosted option's steps are costed once, and every hosted option on them.
    """
    if not hosted or not self_hosted:
        return []
    rows = len(self_hosted[0][2])
    grid = np.geomspace(low, high, grid_points)
    on_grid = np.broadcast_to(grid, (rows, grid_points))
    hosted_grid = np.stack([h.monthly_usd(on_grid) for _, h in hosted])  # (hosted, rows, grid)
    out: dict[tuple[int, int], PairBreakEven] = {}
    for j, (sid, s, labour, steps) in enumerate(self_hosted):
        volumes, order = _sorted_volumes(grid, steps, high)
        extra = volumes.shape[1] > grid_points
        sides = np.concatenate([steps * (1 - STEP_SIDE), steps * (1 + STEP_SIDE)], axis=1)
        sides = np.where(np.isnan(sides), high, sides)
        s_cost = np.concatenate([s.monthly_usd(on_grid), s.monthly_usd(sides)], axis=1)
        at_steps = np.where(np.isnan(steps), high, steps)
        for k, (hid, h) in enumerate(hosted):
            # hosted cost is continuous: its value at a step serves both sides (1e-9 apart)
            h_steps = h.monthly_usd(at_steps)
            h_cost = np.concatenate([hosted_grid[k], h_steps, h_steps], axis=1)
            gaps = np.take_along_axis(h_cost - s_cost, order, axis=1) if extra else h_cost - s_cost

            def gap(index: IntArray, at: FloatArray, h: Priced = h, s: Priced = s) -> FloatArray:
                v = at[:, None]
                hh, ss = take(h, index), take(s, index)
                return np.asarray(hh.monthly_usd(v) - ss.monthly_usd(v))[:, 0]

            def gap_without(
                index: IntArray, at: FloatArray, gap: Gap = gap, labour: FloatArray = labour
            ) -> FloatArray:
                return gap(index, at) + labour[index]

            out[k, j] = (
                PairBreakEven(
                    hid, sid,
                    find(volumes, gaps, gap, every_crossing),
                    find(volumes, gaps + labour[:, None], gap_without, every_crossing),
                )
            )  # fmt: skip
    return [out[key] for key in sorted(out)]  # hosted-major, in the order given


class _Function:
    """A cost given as a plain function of a 1-D volume array, as one row."""

    def __init__(self, fn: Callable[[FloatArray], FloatArray]) -> None:
        self.fn = fn

    def monthly_usd(self, requests_per_day: FloatArray) -> FloatArray:
        volumes = np.asarray(requests_per_day, dtype=np.float64)
        return np.asarray(self.fn(volumes.reshape(-1))).reshape(volumes.shape)


def break_even(
    hosted: Callable[[FloatArray], FloatArray],
    self_hosted: Callable[[FloatArray], FloatArray],
    low: float,
    high: float,
    breakpoints: FloatArray | None = None,
    grid_points: int = 2049,
) -> BreakEven:
    """The break-even of two cost functions of requests/day (one row, with labour counted):
    `pair_break_evens` for a pair given as plain functions, with its steps given outright."""
    steps = np.array([]) if breakpoints is None else np.asarray(breakpoints, dtype=np.float64)
    steps = steps[(steps > low) & (steps < high)][None, :]
    (pair,) = pair_break_evens(
        [("hosted", _Function(hosted))],
        [("self_hosted", _Function(self_hosted), np.zeros(1), steps)],
        lambda option, _: option,
        low, high, grid_points, every_crossing=True,
    )  # fmt: skip
    return pair.with_labour.row(0)
