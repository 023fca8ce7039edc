"""Dedicated and serverless billing of self-hosted replicas."""

from __future__ import annotations

import math

import numpy as np
import pytest

from costcalc.core.selfhosted.billing import (
    cold_start_rate,
    dedicated_bill,
    replicas_needed,
    serverless_bill,
    worker_up_share,
)
from costcalc.core.units import SECONDS_PER_MONTH


def flat(rate_per_s: float) -> np.ndarray:
    return np.full((1, 24), rate_per_s)


def test_replicas_needed_rounds_up_with_headroom() -> None:
    # 1.7 busy replicas at 80 %: 1.7 / 0.8 = 2.125 → 3; exactly 2.0 stays 2
    assert replicas_needed(np.array([1.7, 1.6]), 0.8).tolist() == [3.0, 2.0]


def test_dedicated_worked_example() -> None:
    # λ = 2/s, s = 0.5 s → ρ = 1.0; β 1.2 → 1.2 / 0.8 = 1.5 → 2 replicas; 1 GPU each, $2/h
    bill = dedicated_bill(flat(2.0), 0.5, 1.2, 0.8, 1, 1, 1, 2.0, autoscale_hourly=False)
    assert bill.replicas_peak[0] == 2
    assert bill.usd_per_month[0] == pytest.approx(2 * 2.0 * 730)


def test_dedicated_packs_replicas_onto_multi_gpu_instances() -> None:
    # 3 replicas of 2 GPUs on 8-GPU instances: ceil(6 / 8) = 1 instance at $20/h
    bill = dedicated_bill(flat(2.0), 1.2, 1.0, 1.0, 1, 2, 8, 20.0, autoscale_hourly=False)
    assert bill.replicas_peak[0] == 3
    assert bill.usd_per_month[0] == pytest.approx(20.0 * 730)


def test_dedicated_keeps_min_replicas_at_zero_traffic() -> None:
    bill = dedicated_bill(flat(0.0), 0.5, 1.0, 0.8, 2, 1, 1, 1.0, autoscale_hourly=False)
    assert bill.usd_per_month[0] == pytest.approx(2 * 730)


def test_hourly_autoscaling_bills_each_hour_for_its_own_replicas() -> None:
    lam = np.zeros((1, 24))
    lam[0, :6] = 4.0  # busy 6 hours: ρ = 4 × 0.5 = 2 → 3 replicas at 80 %
    bill = dedicated_bill(lam, 0.5, 1.0, 0.8, 0, 1, 1, 1.0, autoscale_hourly=True)
    # 6 hours × 3 instances × $1 × 730/24 days
    assert bill.usd_per_month[0] == pytest.approx(6 * 3 * 730 / 24)


def test_worker_up_share_without_cold_start_is_design_formula() -> None:
    # λ = 0.01/s, T = 10 s → 1 − e^−0.1 = 0.0952
    assert worker_up_share(np.array([0.01]), 10.0, 0.0)[0] == pytest.approx(1 - math.exp(-0.1))


def test_worker_up_share_with_cold_start_counts_the_start() -> None:
    # λ = 0.01, T = 10, c = 15: (λc + e^{λT} − 1)/(λc + e^{λT}) = (0.15 + 0.10517)/(1.25517)
    expected = (0.15 + math.exp(0.1) - 1) / (0.15 + math.exp(0.1))
    assert worker_up_share(np.array([0.01]), 10.0, 15.0)[0] == pytest.approx(expected)
    # cold starts per second λ/(λc + e^{λT}) = 0.01 / 1.25517
    assert cold_start_rate(np.array([0.01]), 10.0, 15.0)[0] == pytest.approx(
        0.01 / (0.15 + math.exp(0.1))
    )


def test_up_share_is_stable_at_huge_rates() -> None:
    assert worker_up_share(np.array([1e6]), 10.0, 15.0)[0] == pytest.approx(1.0)
    assert cold_start_rate(np.array([1e6]), 10.0, 15.0)[0] == pytest.approx(0.0)


def test_serverless_active_worker_only() -> None:
    # light load fits in the one warm worker: billed at the active rate all month, no flex
    bill = serverless_bill(flat(0.01), 0.5, 1.0, 0.8, 1, 1, 0.0002, 0.0001, 5.0, 5.0, 15.0)
    assert bill.usd_per_month[0] == pytest.approx(0.0001 * SECONDS_PER_MONTH)
    assert bill.cold_starts_per_day[0] == 0.0


def test_serverless_flex_beyond_the_warm_worker() -> None:
    # ρ/U = 2 × 0.5 / 0.8 = 1.25 workers; 0.25 above the warm one at flex price, 2 GPUs each
    bill = serverless_bill(flat(2.0), 0.5, 1.0, 0.8, 1, 2, 0.0002, 0.0001, 5.0, 5.0, 15.0)
    flex = 0.25 * 24 * 3600 * (730 / 24) * 2 * 0.0002
    active = 1 * 2 * 0.0001 * SECONDS_PER_MONTH
    assert bill.usd_per_month[0] == pytest.approx(flex + active)


def test_serverless_scale_to_zero_pays_cold_starts() -> None:
    # λ = 0.001/s, T = L + τ = 10 s, c = 15 s
    bill = serverless_bill(flat(0.001), 0.5, 1.0, 0.8, 0, 1, 0.0002, 0.0001, 5.0, 5.0, 15.0)
    up = (0.015 + math.exp(0.01) - 1) / (0.015 + math.exp(0.01))
    assert bill.usd_per_month[0] == pytest.approx(up * SECONDS_PER_MONTH * 0.0002)
    starts = 0.001 / (0.015 + math.exp(0.01)) * 86_400
    assert bill.cold_starts_per_day[0] == pytest.approx(starts)
    assert bill.cold_start_share[0] == pytest.approx(starts / 86.4)
