"""Break-even search: exact crossings, staircases, never and always."""

from __future__ import annotations

import numpy as np
import pytest

from costcalc.core.analysis.breakeven import break_even


def linear(k: float):  # type: ignore[no-untyped-def]
    return lambda r: k * np.asarray(r, dtype=float)


def constant(f: float):  # type: ignore[no-untyped-def]
    return lambda r: np.full(np.shape(r), f, dtype=float)


def test_linear_against_flat_crosses_at_fixed_over_slope() -> None:
    # hosted $0.01 per request/day-month, self-hosted $1,000 flat → 100,000 requests/day
    be = break_even(linear(0.01), constant(1000.0), 1e3, 1e7)
    assert be.status == "crosses"
    assert be.requests_per_day == pytest.approx(100_000, rel=1e-3)
    assert be.requests_per_day >= 100_000  # reported on the side where self-hosting is cheaper


def test_never_and_always() -> None:
    assert break_even(linear(0.01), constant(1e9), 1e3, 1e7).status == "never"
    always = break_even(linear(0.01), constant(1.0), 1e3, 1e7)
    assert always.status == "always" and always.requests_per_day is None


def test_staircase_reports_the_last_upward_crossing() -> None:
    # self-hosted: $1,000 per replica of 100,000 requests/day; hosted $0.0105 per request/day.
    # In each step (100k·n, 100k·(n+1)] self-hosting wins only above (n+1) × 95,238.
    step_cost, per_replica, k = 1000.0, 100_000.0, 0.0105

    def staircase(r: np.ndarray) -> np.ndarray:
        return step_cost * np.ceil(np.asarray(r) / per_replica - 1e-12)

    steps = per_replica * np.arange(1, 11)
    be = break_even(linear(k), staircase, 1e4, 1e6, steps)
    assert be.status == "crosses"
    # the range ends at 1,000,000 (10 replicas, $10,000): cheaper from 10,000 / 0.0105 = 952,381
    assert be.requests_per_day == pytest.approx(952_381, rel=1e-3)
    ups = [x for x in be.crossings if x.up]
    downs = [x for x in be.crossings if not x.up]
    # it becomes cheaper once in each of steps 1..10 and dearer at each of the 9 inner jumps
    assert len(ups) == 10 and len(downs) == 9
    assert [x.requests_per_day for x in downs] == pytest.approx(list(steps[:9]), rel=1e-3)


def test_crossing_costs_match_within_half_a_percent() -> None:
    hosted = linear(0.0123)

    def curved(r: np.ndarray) -> np.ndarray:
        return 500.0 + 3.0 * np.sqrt(np.asarray(r, dtype=float))

    be = break_even(hosted, curved, 1e2, 1e8)
    assert be.status == "crosses"
    r = np.array([be.requests_per_day])
    assert hosted(r)[0] == pytest.approx(curved(r)[0], rel=5e-3)
