"""Break-even search (DESIGN §1.6): where self-hosting becomes, and stays, cheaper."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from costcalc.core.traffic import FloatArray

CostCurve = Callable[[FloatArray], FloatArray]
Status = Literal["crosses", "never", "always"]

GRID_POINTS = 2049
RELATIVE_TOLERANCE = 1e-3  # bisect each crossing to 0.1 % of volume
MAX_BREAKPOINTS = 20_000


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


def search_grid(low: float, high: float, breakpoints: FloatArray) -> FloatArray:
    """A dense log grid plus both sides of every staircase step, so no step hides between points."""
    grid = np.geomspace(low, high, GRID_POINTS)
    inside = breakpoints[(breakpoints > low) & (breakpoints < high)]
    if 0 < inside.size <= MAX_BREAKPOINTS:
        grid = np.concatenate([grid, inside * (1 - 1e-9), inside * (1 + 1e-9)])
    return np.unique(grid)


def bisect(diff: CostCurve, below: float, above: float) -> float:
    """Shrink [below, above] around a sign change of diff until it is 0.1 % wide; returns the
    end where self-hosting is cheaper (diff > 0 there), so the reported volume is on the safe
    side of the crossing."""
    cheaper_above = bool(diff(np.array([above]))[0] > 0)
    while above - below > RELATIVE_TOLERANCE * above * 0.5:
        middle = np.sqrt(below * above)
        if bool(diff(np.array([middle]))[0] > 0) == cheaper_above:
            above = middle
        else:
            below = middle
    return above if cheaper_above else below


def break_even(
    hosted: CostCurve,
    self_hosted: CostCurve,
    low: float,
    high: float,
    breakpoints: FloatArray | None = None,
) -> BreakEven:
    """Compare two monthly-cost curves over requests/day in [low, high].

    `crosses`: self-hosting is dearer somewhere and cheaper from the reported volume to the end
    of the range; `always`: cheaper over the whole range; `never`: not cheaper at the range's end.
    """

    def diff(volumes: FloatArray) -> FloatArray:
        return hosted(volumes) - self_hosted(volumes)

    grid = search_grid(low, high, np.array([]) if breakpoints is None else breakpoints)
    cheaper = diff(grid) > 0
    changes = np.flatnonzero(cheaper[1:] != cheaper[:-1])
    crossings = tuple(
        Crossing(bisect(diff, float(grid[i]), float(grid[i + 1])), bool(cheaper[i + 1]))
        for i in changes
    )
    if cheaper.all():
        return BreakEven("always", None, crossings)
    if not cheaper[-1]:
        return BreakEven("never", None, crossings)
    return BreakEven("crosses", crossings[-1].requests_per_day, crossings)
