"""Rate-limit tiers needed by the peak minute."""

from __future__ import annotations

import pytest

from costcalc.core.demand.tokens import inflate
from costcalc.core.hosted.ratelimits import needed_tier, peak_minute
from tests.conftest import hosted_offer, make_profile

TIERS = [
    {"tier": "1", "rpm": 500, "tpm": 200_000},
    {"tier": "2", "rpm": 5000, "tpm": 2_000_000},
]


def test_peak_minute_worked_example() -> None:
    t = inflate(make_profile().request)
    # 144,000/day, flat (1/24 per hour), β 1.5 → 144,000 / 24 / 60 × 1.5 = 150 requests/min
    need = peak_minute(t, 144_000, 1 / 24, 1.5, hit_rate=0.0, reasoning=0.0)
    assert need.requests == pytest.approx(150)
    assert need.tokens == pytest.approx(150 * 200)


def test_rate_limited_attempts_count_against_limits() -> None:
    t = inflate(make_profile(request={"retries": {"rate_limited": 0.5}}).request)
    need = peak_minute(t, 144_000, 1 / 24, 1.0, hit_rate=0.0, reasoning=0.0)
    assert need.requests == pytest.approx(200)  # 100/min billed, twice that sent


def test_lowest_tier_that_covers_the_peak() -> None:
    offer = hosted_offer(rate_limits=TIERS)
    t = inflate(make_profile().request)
    assert needed_tier(offer, peak_minute(t, 100_000, 1 / 24, 1.0, 0.0, 0.0)) == "1"
    # 2,000 requests/min × 200 tokens = 400k TPM: past tier 1's 200k
    assert needed_tier(offer, peak_minute(t, 2_880_000, 1 / 24, 1.0, 0.0, 0.0)) == "2"
    assert needed_tier(offer, peak_minute(t, 1e9, 1 / 24, 1.0, 0.0, 0.0)) == "above published tiers"
    assert needed_tier(hosted_offer(), peak_minute(t, 1e9, 1 / 24, 1.0, 0.0, 0.0)) is None


def test_cache_reads_do_not_count_against_input_tokens_per_minute() -> None:
    t = inflate(make_profile(request={"system_prompt": {"tokens": 1000}}).request)
    need = peak_minute(t, 1440 * 24, 1 / 24, 1.0, hit_rate=1.0, reasoning=0.0)
    # 24 requests/min × (1,100 input − 1,000 cached) = 2,400 uncached input tokens/min
    assert need.input_tokens_uncached == pytest.approx(2400)
