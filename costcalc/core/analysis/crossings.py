"""Where one cost curve crosses another: sign changes on a volume grid, each refined to 0.1 %."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from costcalc.core.demand.traffic import FloatArray

Status = Literal["crosses", "never", "always"]
STATUSES: tuple[Status, ...] = ("always", "crosses", "never")  # codes 0, 1, 2 in arrays
IntArray = npt.NDArray[np.intp]

RELATIVE_TOLERANCE = 1e-3  # bisect each crossing to 0.1 % of volume


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

    @staticmethod
    def joined(parts: Sequence[RowBreakEvens]) -> RowBreakEvens:
        """Consecutive chunks of rows, as one."""
        return RowBreakEvens(
            np.concatenate([p.status for p in parts]),
            np.concatenate([p.requests_per_day for p in parts]),
            tuple(c for p in parts for c in p.crossings),
        )

    def part(self, rows: slice) -> RowBreakEvens:
        return RowBreakEvens(self.status[rows], self.requests_per_day[rows], self.crossings[rows])

    def row(self, i: int) -> BreakEven:
        status = STATUSES[int(self.status[i])]
        volume = float(self.requests_per_day[i]) if status == "crosses" else None
        return BreakEven(status, volume, self.crossings[i] if self.crossings else ())


Gap = Callable[[IntArray, FloatArray], FloatArray]  # rows, volumes → hosted − self-hosted USD
OwnedGap = Callable[[IntArray, IntArray, FloatArray], FloatArray]  # owners, combinations, volumes


def refine(
    gap: Gap,
    rows: IntArray,
    below: FloatArray,
    above: FloatArray,
    gap_below: FloatArray,
    gap_above: FloatArray,
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """Shrink every bracket [below, above] around a sign change of `gap` until it is 0.1 %
    wide, all brackets at once. Returns the end where self-hosting is cheaper (gap > 0), so a
    reported volume is on the safe side of its crossing, and whether that is the upper end.

    Each round probes three points per open bracket in one evaluation: the geometric middle
    (so a bracket at least halves, as in bisection) and both sides, ±0.025 %, of where a line in
    log volume through the ends crosses zero (a nearly straight gap is then bracketed to 0.05 %
    in one round: 7 % wide cells need 1–2 rounds instead of 7 halvings).
    """
    below, above = below.copy(), above.copy()
    gap_below, gap_above = gap_below.copy(), gap_above.copy()
    half_width = RELATIVE_TOLERANCE / 4.0
    while True:
        open_ = np.flatnonzero(above - below > RELATIVE_TOLERANCE * above * 0.5)
        if open_.size == 0:
            break
        lo, hi, g_lo, g_hi = below[open_], above[open_], gap_below[open_], gap_above[open_]
        drop = np.nan_to_num(g_lo - g_hi)
        t = np.clip(
            np.divide(np.nan_to_num(g_lo), drop, out=np.full_like(lo, 0.5), where=drop != 0),
            0.0,
            1.0,
        )
        x = np.exp(np.log(lo) + t * (np.log(hi) - np.log(lo)))
        probes = np.stack(
            [
                np.sqrt(lo * hi),
                np.clip(x / (1 + half_width), lo, hi),
                np.clip(x * (1 + half_width), lo, hi),
            ],
            axis=1,
        )
        values = gap(np.repeat(rows[open_], 3), probes.ravel()).reshape(-1, 3)
        points = np.concatenate([lo[:, None], probes, hi[:, None]], axis=1)
        gaps = np.concatenate([g_lo[:, None], values, g_hi[:, None]], axis=1)
        order = np.argsort(points, axis=1, kind="stable")
        points = np.take_along_axis(points, order, axis=1)
        gaps = np.take_along_axis(gaps, order, axis=1)
        cheaper = gaps > 0
        change = cheaper[:, 1:] != cheaper[:, :-1]
        j = change.shape[1] - 1 - np.argmax(change[:, ::-1], axis=1)  # the highest change
        k = np.arange(len(open_))
        below[open_], above[open_] = points[k, j], points[k, j + 1]
        gap_below[open_], gap_above[open_] = gaps[k, j], gaps[k, j + 1]
    up = gap_above > 0
    return np.where(up, above, below), up


def reorder(values: npt.NDArray[Any], order: IntArray) -> npt.NDArray[Any]:
    """`values` (..., rows, points) with each row's points in `order` (rows, points): one flat
    take (take_along_axis is ~5x slower at these sizes)."""
    rows, points = order.shape
    flat = (order + (np.arange(rows) * points)[:, None]).ravel()
    lead = values.shape[:-2]
    return np.asarray(np.take(values.reshape(*lead, rows * points), flat, axis=-1)).reshape(
        values.shape
    )


class Search:
    """Sign changes of many gap variants, gathered so that all are refined in one search.

    A variant is an array of gaps, hosted − self-hosted monthly USD at ascending volumes,
    shaped (combinations, points), owned by one self-hosted option, with a shift per
    combination added to it (a cost left out, such as labor). Refining every variant of every
    option together evaluates each option once a round, not once per option and round.
    """

    def __init__(self, every_crossing: bool) -> None:
        self.every_crossing = every_crossing
        self.variants: list[tuple[npt.NDArray[np.int8], IntArray, int]] = []
        self.columns: list[list[FloatArray]] = [[] for _ in range(7)]

    def add(
        self,
        volumes: FloatArray,
        order: IntArray,
        gaps: FloatArray,
        shift: FloatArray,
        owner: int,
    ) -> None:
        """A variant. Combination c is in row r = c % len(volumes): `gaps[c, order[r]]` are its
        gaps at the ascending `volumes[r]`."""
        rows_v, points = volumes.shape
        cheaper = gaps > -shift[:, None]  # NaN (no price) counts as not cheaper
        cheaper = reorder(cheaper.reshape(-1, rows_v, points), order).reshape(cheaper.shape)
        always = cheaper.all(axis=1)
        never = ~cheaper[:, -1]
        status = np.where(always, 0, np.where(never, 2, 1)).astype(np.int8)
        change = cheaper[:, 1:] != cheaper[:, :-1]
        if self.every_crossing:  # (flatnonzero is ~10x faster than a 2-D nonzero)
            rows, cells = np.divmod(np.flatnonzero(change), change.shape[1])
        else:  # only the last cell where self-hosting turns cheaper, in rows that cross
            turns = change & cheaper[:, 1:]
            last = turns.shape[1] - 1 - np.argmax(turns[:, ::-1], axis=1)
            rows = np.flatnonzero(status == 1)
            cells = last[rows]
        at = rows % rows_v
        for column, values in zip(
            self.columns,
            (
                np.full(len(rows), owner), rows, shift[rows],
                volumes[at, cells], volumes[at, cells + 1],
                gaps[rows, order[at, cells]] + shift[rows],
                gaps[rows, order[at, cells + 1]] + shift[rows],
            ),
            strict=True,
        ):  # fmt: skip
            column.append(values)
        self.variants.append((status, rows, len(gaps)))

    def solve(self, gap: OwnedGap) -> list[RowBreakEvens]:
        """Every variant's break-even per combination, in the order added. `gap(owners,
        combinations, at)` evaluates gaps (without shift) anywhere."""
        owners, combinations, shift, below, above, gap_below, gap_above = (
            np.concatenate(c) for c in self.columns
        )
        owner: IntArray = owners.astype(np.intp)
        combination: IntArray = combinations.astype(np.intp)

        def shifted(index: IntArray, at: FloatArray) -> FloatArray:
            return np.asarray(gap(owner[index], combination[index], at) + shift[index])

        found, up = refine(shifted, np.arange(len(owner)), below, above, gap_below, gap_above)
        out, start = [], 0
        for status, rows, size in self.variants:
            part = slice(start, start + len(rows))
            start += len(rows)
            out.append(_result(status, rows, found[part], up[part], size, self.every_crossing))
        return out


def _result(
    status: npt.NDArray[np.int8],
    rows: IntArray,
    found: FloatArray,
    up: npt.NDArray[np.bool_],
    size: int,
    every_crossing: bool,
) -> RowBreakEvens:
    volume = np.full(size, np.nan)
    crossings: list[tuple[Crossing, ...]] = []
    if every_crossing:
        per_row: list[list[Crossing]] = [[] for _ in range(size)]
        for r, v, u in zip(rows, found, up, strict=True):
            per_row[r].append(Crossing(float(v), bool(u)))
        crossings = [tuple(c) for c in per_row]
        for i, c in enumerate(crossings):
            if int(status[i]) == 1:
                volume[i] = c[-1].requests_per_day
    else:
        volume[rows] = found
    return RowBreakEvens(status, volume, tuple(crossings))
