"""Hosted API cost: inflation priced with caching, cache writes, batch share and tiers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from costcalc.core.demand.tokens import inflate
from costcalc.core.demand.traffic import hourly_weights
from costcalc.core.hosted.prices import Prices
from costcalc.core.hosted.pricing import cache_hit_rate, cost_per_attempt
from costcalc.core.units import DAYS_PER_MONTH
from tests.conftest import hosted_model as hosted_cost_model
from tests.conftest import hosted_offer, make_profile

FLAT = np.full(24, 1 / 24)


def _tokens(**request: object):  # type: ignore[no-untyped-def]
    return inflate(make_profile(request=request).request)


def test_plain_cost_per_request_and_month() -> None:
    # 100 in × $1/M + 100 out × $2/M = $0.0003 per request
    profile = make_profile()
    model = hosted_cost_model(
        hosted_offer(), inflate(profile.request), "standard", 0.0, "auto", FLAT
    )
    assert model is not None
    volume = np.array([86_400.0])
    assert model.usd_per_request(volume)[0] == pytest.approx(0.0003)
    # monthly = 86,400 × 0.0003 × 730/24 = $788.40
    assert model.monthly_usd(volume)[0] == pytest.approx(86_400 * 0.0003 * 730 / 24)


def test_cached_tokens_are_part_of_the_input_not_extra() -> None:
    t = _tokens(user_tokens=100, output_tokens=100, system_prompt={"tokens": 2000})
    prices = Prices(
        usd_per_mtok_input=1.0,
        usd_per_mtok_output=2.0,
        usd_per_mtok_cached_input=0.1,
        usd_per_mtok_cache_write=None,
    )
    hit = np.array([0.0, 0.5, 1.0])
    usd = cost_per_attempt(t, prices, hit, prefix_tokens=2000, reasoning=0.0)
    # no hits: 2,100 × 1 + 100 × 2 = 2,300 µ$; all hits: 100 × 1 + 2,000 × 0.1 + 200 = 500 µ$
    assert usd * 1e6 == pytest.approx([2300, 1400, 500])


def test_cache_writes_replace_the_input_price_on_misses() -> None:
    t = _tokens(user_tokens=100, output_tokens=100, system_prompt={"tokens": 2000})
    anthropic = Prices(
        usd_per_mtok_input=1.0,
        usd_per_mtok_output=5.0,
        usd_per_mtok_cached_input=0.1,
        usd_per_mtok_cache_write=1.25,
    )
    usd = cost_per_attempt(t, anthropic, np.array([0.5]), prefix_tokens=2000, reasoning=0.0)
    # 100 × 1 + 1,000 read × 0.1 + 1,000 written × 1.25 + 100 × 5 = 1,950 µ$
    assert usd[0] * 1e6 == pytest.approx(1950)


def test_caching_is_switched_off_when_writes_cost_more_than_they_save() -> None:
    t = _tokens(user_tokens=100, output_tokens=100, system_prompt={"tokens": 2000})
    anthropic = Prices(
        usd_per_mtok_input=1.0,
        usd_per_mtok_output=5.0,
        usd_per_mtok_cached_input=0.1,
        usd_per_mtok_cache_write=1.25,
    )
    usd = cost_per_attempt(t, anthropic, np.array([0.1]), prefix_tokens=2000, reasoning=0.0)
    # with caching: 100 + 200 × 0.1 + 1,800 × 1.25 + 500 = 2,870; without: 2,100 + 500 = 2,600
    assert usd[0] * 1e6 == pytest.approx(2600)


def test_auto_hit_rate_from_arrivals_and_ttl() -> None:
    # λ = 0.01/s all day, ttl 300 s: 1 − e^(−3) = 0.950213
    lam = np.full((1, 24), 0.01)
    assert cache_hit_rate(300, lam, FLAT)[0] == pytest.approx(1 - math.exp(-3))
    # no published lifetime: auto counts no hits
    assert cache_hit_rate(None, lam, FLAT)[0] == 0.0


def test_auto_hit_rate_weights_hours_by_their_requests() -> None:
    weights = np.zeros(24)
    weights[:12] = 1 / 12
    lam = np.where(weights > 0, 0.01, 0.0)[None, :]
    # only busy hours carry requests, so the quiet hours' zero hit rate does not count
    assert cache_hit_rate(300, lam, weights)[0] == pytest.approx(1 - math.exp(-3))


def test_prefix_below_provider_minimum_is_not_cached() -> None:
    profile = make_profile(request={"system_prompt": {"tokens": 900}, "caching": {"hit_rate": 1.0}})
    offer = hosted_offer(usd_per_mtok_cached_input=0.1, min_cacheable_tokens=1024)
    model = hosted_cost_model(offer, inflate(profile.request), "standard", 0.0, 1.0, FLAT)
    assert model is not None and model.prefix_tokens == 0
    # 1,000 input × 1 + 100 × 2 = 1,200 µ$: no discount on the 900-token prompt
    assert model.usd_per_request(np.array([1000.0]))[0] * 1e6 == pytest.approx(1200)


def test_batch_share_blends_live_and_discounted_prices() -> None:
    profile = make_profile(traffic={"batch_share": 0.25})
    offer = hosted_offer(batch_discount=0.5)
    model = hosted_cost_model(
        offer, inflate(profile.request), "standard", 0.25, "auto", hourly_weights(profile.traffic)
    )
    assert model is not None
    # 0.75 × 300 µ$ + 0.25 × 150 µ$ = 262.5 µ$
    assert model.usd_per_request(np.array([1000.0]))[0] * 1e6 == pytest.approx(262.5)


def test_offer_without_batch_api_bills_batch_traffic_live() -> None:
    profile = make_profile()
    model = hosted_cost_model(
        hosted_offer(), inflate(profile.request), "standard", 1.0, "auto", FLAT
    )
    assert model is not None
    assert model.usd_per_request(np.array([1000.0]))[0] * 1e6 == pytest.approx(300)


def test_priority_tier_prices_and_missing_tier() -> None:
    profile = make_profile()
    offer = hosted_offer(priority={"usd_per_mtok_input": 2.0, "usd_per_mtok_output": 4.0})
    priority = hosted_cost_model(offer, inflate(profile.request), "priority", 0.0, "auto", FLAT)
    assert priority is not None
    assert priority.usd_per_request(np.array([1.0]))[0] * 1e6 == pytest.approx(600)
    assert hosted_cost_model(offer, inflate(profile.request), "flex", 0.0, "auto", FLAT) is None


def test_long_context_reprices_the_whole_request() -> None:
    long = {"above_input_tokens": 1000, "usd_per_mtok_input": 2.0, "usd_per_mtok_output": 3.0}
    offer = hosted_offer(long_context=long)
    small = make_profile()
    big = make_profile(request={"retrieval": {"chunks": 1, "tokens_per_chunk": 1000}})
    model_small = hosted_cost_model(offer, inflate(small.request), "standard", 0.0, "auto", FLAT)
    model_big = hosted_cost_model(offer, inflate(big.request), "standard", 0.0, "auto", FLAT)
    assert model_small is not None and model_big is not None
    assert model_small.usd_per_request(np.array([1.0]))[0] * 1e6 == pytest.approx(300)
    # 1,100 in × 2 + 100 out × 3 = 2,500 µ$
    assert model_big.usd_per_request(np.array([1.0]))[0] * 1e6 == pytest.approx(2500)


def test_reasoning_tokens_are_billed_as_output_on_reasoning_offers_only() -> None:
    profile = make_profile(request={"reasoning_tokens": 500})
    t = inflate(profile.request)
    thinking = hosted_cost_model(hosted_offer(reasoning=True), t, "standard", 0.0, "auto", FLAT)
    plain = hosted_cost_model(hosted_offer(), t, "standard", 0.0, "auto", FLAT)
    assert thinking is not None and plain is not None
    # 100 × 1 + (100 + 500) × 2 = 1,300 µ$ against 300 µ$
    assert thinking.usd_per_request(np.array([1.0]))[0] * 1e6 == pytest.approx(1300)
    assert plain.usd_per_request(np.array([1.0]))[0] * 1e6 == pytest.approx(300)


def test_retries_multiply_the_bill() -> None:
    profile = make_profile(request={"retries": {"failed": 0.5, "max_retries": 1}})
    model = hosted_cost_model(
        hosted_offer(), inflate(profile.request), "standard", 0.0, "auto", FLAT
    )
    assert model is not None
    # 1.5 billed attempts × 300 µ$
    assert model.usd_per_request(np.array([1.0]))[0] * 1e6 == pytest.approx(450)
    assert pytest.approx(30.416666) == DAYS_PER_MONTH
