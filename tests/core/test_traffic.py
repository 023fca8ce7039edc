"""Daily traffic shapes and arrival rates."""

from __future__ import annotations

import numpy as np
import pytest

from costcalc.core.demand.traffic import PATTERNS, attempt_rates, hourly_weights, peak_hour_ratio
from tests.conftest import make_profile


@pytest.mark.parametrize("pattern", sorted(PATTERNS))
def test_named_patterns_are_24_weights_summing_to_one(pattern: str) -> None:
    w = hourly_weights(make_profile(traffic={"pattern": pattern}).traffic)
    assert w.shape == (24,)
    assert w.sum() == pytest.approx(1.0)
    assert (w > 0).all()


def test_custom_weights_are_normalized() -> None:
    raw = [0.0] * 24
    raw[1] = raw[2] = 3.0
    w = hourly_weights(make_profile(traffic={"pattern": "custom", "hourly_weights": raw}).traffic)
    assert w[1] == pytest.approx(0.5) and w[0] == 0.0
    # all traffic in 2 hours: the busiest hour carries 12× the mean hour
    assert peak_hour_ratio(w) == pytest.approx(12.0)


def test_business_hours_peak_ratio() -> None:
    w = hourly_weights(make_profile(traffic={"pattern": "business-hours"}).traffic)
    # peak weight 2.0 over a sum of 22.9 → 2.0 / 22.9 × 24 = 2.096
    assert peak_hour_ratio(w) == pytest.approx(2.0 / sum(PATTERNS["business-hours"]) * 24)


def test_attempt_rate_worked_example() -> None:
    # 86,400 requests/day, 1.5 attempts each, flat: 86,400 × 1.5 / 24 / 3600 = 1.5 per second
    lam = attempt_rates(np.array([86_400.0]), 1.5, np.full(24, 1 / 24))
    assert lam.shape == (1, 24)
    assert lam[0] == pytest.approx(np.full(24, 1.5))
