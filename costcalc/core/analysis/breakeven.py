"""Break-even search (DESIGN §1.6): where self-hosting becomes, and stays, cheaper.

One routine serves the point result, Monte Carlo samples and sensitivity cases: every option
is costed once per row on a shared log grid, each self-hosted option's replica steps are added
on both sides, every (hosted, self-hosted) pair's sign changes are found with array operations
and each is refined to 0.1 % of volume (crossings.refine).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from costcalc.core.analysis.crossings import BreakEven, IntArray, RowBreakEvens, Search, reorder
from costcalc.core.demand.traffic import FloatArray

STEP_SIDE = 1e-6  # both sides of a replica step, clear of the billing's own 1e-9 rounding guard


class Priced(Protocol):
    """An option's monthly USD per row at requests/day shaped (rows, volumes)."""

    def monthly_usd(self, requests_per_day: FloatArray) -> FloatArray: ...


class PricedMany(Protocol):
    """Several options' monthly USD, shaped (options, rows, volumes), in one pass."""

    def monthly_usd_all(self, requests_per_day: FloatArray) -> FloatArray: ...

    def select(self, option: int) -> Any: ...  # one option of them, a Priced


@dataclass(frozen=True)
class PairBreakEven:
    hosted: str
    self_hosted: str
    with_labor: RowBreakEvens
    without_labor: RowBreakEvens


def join(pieces: Sequence[PairBreakEven]) -> PairBreakEven:
    """One pair's results over consecutive chunks of rows, as one."""
    first = pieces[0]
    return PairBreakEven(
        first.hosted, first.self_hosted,
        RowBreakEvens.joined([p.with_labor for p in pieces]),
        RowBreakEvens.joined([p.without_labor for p in pieces]),
    )  # fmt: skip


def _sorted_volumes(
    grid: FloatArray, steps: FloatArray, high: float
) -> tuple[FloatArray, IntArray, FloatArray]:
    """The grid plus both sides of each row's steps, ascending per row; the order used; and
    the sides alone (padding, where a row has fewer steps, sits at the range's end)."""
    sides = np.concatenate([steps * (1 - STEP_SIDE), steps * (1 + STEP_SIDE)], axis=1)
    sides = np.where(np.isnan(sides), high, sides)
    volumes = np.concatenate([np.broadcast_to(grid, (len(steps), len(grid))), sides], axis=1)
    order = np.argsort(volumes, axis=1, kind="stable")
    return reorder(volumes, order), order, sides


def _hosted_at_steps(
    hosted: PricedMany,
    take: Callable[[Any, IntArray], Any],
    on_grid: FloatArray,
    grid: FloatArray,
    at_steps: FloatArray,
    s_before: FloatArray,
    s_after: FloatArray,
    labor: FloatArray,
) -> FloatArray:
    """Every hosted option's cost at each replica step, shaped (hosted, rows, steps), or a
    stand-in with the same sign of hosted − self-hosted on both sides of the step.

    Hosted cost is volume × cost per request, and the cost per request only moves one way
    with volume (cache hits rise with the request rate; each attempt's cost is linear in the
    hit rate, or capped at the uncached cost). So at a step v inside grid cell i, H(v) lies in
    v × [min(c_i, c_i+1), max(c_i, c_i+1)], with c = H / volume at the cell's ends: exactly
    v × c for an offer without `auto` caching. Where those bounds decide the sign on both sides,
    with labor and without, the lower bound stands in; only steps whose cost level lies inside
    the bounds are costed exactly. Hosted cost is continuous, so one value serves both sides
    (2e-6 apart).
    """
    cell = np.clip(np.searchsorted(grid, at_steps) - 1, 0, len(grid) - 2)
    row = np.arange(at_steps.shape[0])[:, None]
    with np.errstate(invalid="ignore"):  # NaN where an offer has no price: costed exactly
        per_low = on_grid[:, row, cell] / grid[cell]  # USD/month per request/day at the ends
        per_high = on_grid[:, row, cell + 1] / grid[cell + 1]
        low = at_steps * np.minimum(per_low, per_high)  # (hosted, rows, steps)
        high = at_steps * np.maximum(per_low, per_high)
    exact = np.zeros(low.shape, dtype=bool)
    for shift in (0.0, labor[:, None]):  # with labor, and without (self-hosted cost − labor)
        before, after = s_before - shift, s_after - shift
        dearer = high <= before  # not cheaper on either side, wherever in the cell H(v) is
        cheaper_then_dearer = (low > before) & ((low > after) | (high <= after))
        exact |= ~(dearer | cheaper_then_dearer)
    # decided: every value in [low, high] gives the right sign on both sides, so `low` serves
    values = low.copy()
    if at_steps.shape[0] == 1:  # one row: every option at every point needed, in one pass
        needed = exact.any(axis=0)
        if needed.any():
            rows_exact, cols = np.nonzero(needed)
            at = at_steps[rows_exact, cols][:, None]
            priced = hosted.monthly_usd_all(at)[:, :, 0]  # (hosted, points)
            chosen = values[:, rows_exact, cols]
            values[:, rows_exact, cols] = np.where(exact[:, rows_exact, cols], priced, chosen)
        return values
    for k in np.flatnonzero(exact.any(axis=(1, 2))):  # many rows: each option at its points
        rows_exact, cols = np.nonzero(exact[k])
        h = take(hosted.select(int(k)), rows_exact)
        values[k, rows_exact, cols] = h.monthly_usd(at_steps[rows_exact, cols][:, None])[:, 0]
    return values


def pair_break_evens(
    hosted_ids: Sequence[str],
    hosted: PricedMany,
    self_hosted: Sequence[tuple[str, Priced, FloatArray, FloatArray]],
    take: Callable[[Any, IntArray], Any],
    low: float,
    high: float,
    grid_points: int,
    every_crossing: bool,
) -> list[PairBreakEven]:
    """Break-evens of every (hosted, self-hosted) pair over requests/day in [low, high].

    `hosted` prices every hosted option at once; `self_hosted` items are (id, option, labor
    USD/month per row, replica steps per row); `take` narrows an option to some rows (for
    the refinement). Each option is costed once on the grid; a self-hosted option's steps
    are costed once, and all hosted options are searched against it at once, as one array of
    (hosted, row) combinations.
    """
    if not hosted_ids or not self_hosted:
        return []
    rows, count = len(self_hosted[0][2]), len(hosted_ids)
    grid = np.geomspace(low, high, grid_points)
    on_grid = np.broadcast_to(grid, (rows, grid_points))
    hosted_grid = hosted.monthly_usd_all(on_grid)  # (hosted, rows, grid)
    search = Search(every_crossing)
    for j, (_, s, labor, steps) in enumerate(self_hosted):
        volumes, order, sides = _sorted_volumes(grid, steps, high)
        s_cost = np.asarray(s.monthly_usd(np.concatenate([on_grid, sides], axis=1)))
        # gaps in the order computed (grid, then below and above each step); the search
        # reorders their signs, 1 byte each, rather than the 8-byte costs
        gaps = np.empty((count, *s_cost.shape))
        np.subtract(hosted_grid, s_cost[None, :, :grid_points], out=gaps[:, :, :grid_points])
        if steps.shape[1]:
            s_before, s_after = np.split(s_cost[:, grid_points:], 2, axis=1)
            at_steps = np.where(np.isnan(steps), high, steps)
            h_steps = _hosted_at_steps(
                hosted, take, hosted_grid, grid, at_steps, s_before, s_after, labor
            )
            middle = grid_points + steps.shape[1]
            np.subtract(h_steps, s_before[None], out=gaps[:, :, grid_points:middle])
            np.subtract(h_steps, s_after[None], out=gaps[:, :, middle:])
        gaps = gaps.reshape(count * rows, -1)  # combination c = k·rows + r
        search.add(volumes, order, gaps, np.zeros(count * rows), j)  # with labor
        search.add(volumes, order, gaps, np.tile(labor, count), j)  # without: + labor USD/month
    one = [hosted.select(k) for k in range(count)]

    def gap(owner: IntArray, combination: IntArray, at: FloatArray) -> FloatArray:
        """Hosted − self-hosted USD/month of each (option, combination) at its volume: each
        hosted option once for all its points, each self-hosted option likewise."""
        which, row = np.divmod(combination, rows)
        v, out = at[:, None], np.zeros(len(at))
        for k, mine in _groups(which):
            h = one[k] if rows == 1 else take(one[k], row[mine])
            out[mine] += np.asarray(h.monthly_usd(v[mine]))[:, 0]
        for j, mine in _groups(owner):
            s = self_hosted[j][1] if rows == 1 else take(self_hosted[j][1], row[mine])
            out[mine] -= np.asarray(s.monthly_usd(v[mine]))[:, 0]
        return out

    found = search.solve(gap)
    out = []
    for k, hid in enumerate(hosted_ids):  # hosted-major, in the order given
        part = slice(k * rows, (k + 1) * rows)
        for j, (sid, *_) in enumerate(self_hosted):
            with_labor, without_labor = found[2 * j], found[2 * j + 1]
            out.append(PairBreakEven(hid, sid, with_labor.part(part), without_labor.part(part)))
    return out


def _groups(keys: IntArray) -> list[tuple[int, IntArray]]:
    """The positions of each distinct key, key by key."""
    order = np.argsort(keys, kind="stable")
    distinct, first = np.unique(keys[order], return_index=True)
    return [(int(k), i) for k, i in zip(distinct, np.split(order, first[1:]), strict=True)]


class _Function:
    """A cost given as a plain function of a 1-D volume array, as one row."""

    def __init__(self, fn: Callable[[FloatArray], FloatArray]) -> None:
        self.fn = fn

    def monthly_usd(self, requests_per_day: FloatArray) -> FloatArray:
        volumes = np.asarray(requests_per_day, dtype=np.float64)
        return np.asarray(self.fn(volumes.reshape(-1))).reshape(volumes.shape)

    def monthly_usd_all(self, requests_per_day: FloatArray) -> FloatArray:
        return self.monthly_usd(requests_per_day)[None]

    def select(self, option: int) -> _Function:
        return self


def break_even(
    hosted: Callable[[FloatArray], FloatArray],
    self_hosted: Callable[[FloatArray], FloatArray],
    low: float,
    high: float,
    breakpoints: FloatArray | None = None,
    grid_points: int = 2049,
) -> BreakEven:
    """The break-even of two cost functions of requests/day (one row, with labor counted):
    `pair_break_evens` for a pair given as plain functions, with its steps given outright.
    Like every hosted offer, `hosted(v) / v` must only move one way as v grows (the search
    bounds hosted cost at a step by the grid's neighbours on that premise)."""
    steps = np.array([]) if breakpoints is None else np.asarray(breakpoints, dtype=np.float64)
    steps = steps[(steps > low) & (steps < high)][None, :]
    (pair,) = pair_break_evens(
        ["hosted"],
        _Function(hosted),
        [("self_hosted", _Function(self_hosted), np.zeros(1), steps)],
        lambda option, _: option,
        low, high, grid_points, every_crossing=True,
    )  # fmt: skip
    return pair.with_labor.row(0)
