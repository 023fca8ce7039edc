"""Properties of the model that must hold for any inputs (hypothesis)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from costcalc.core.analysis.breakeven import break_even
from costcalc.core.demand.tokens import inflate
from costcalc.core.demand.traffic import attempt_rates, hourly_weights
from costcalc.core.selfhosted.billing import dedicated_bill, serverless_bill
from tests.conftest import hosted_model as hosted_cost_model
from tests.conftest import hosted_offer, make_profile

prices = st.floats(min_value=0.0, max_value=100.0, allow_nan=False)
tokens = st.floats(min_value=0.0, max_value=50_000.0, allow_nan=False)
volumes = st.floats(min_value=1.0, max_value=1e8, allow_nan=False)
shares = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "user_tokens": draw(st.floats(1, 20_000)),
        "output_tokens": draw(tokens),
        "system_prompt": {"tokens": draw(tokens)},
        "tools": {"tokens": draw(tokens)},
        "retrieval": {
            "chunks": draw(st.integers(0, 20)),
            "tokens_per_chunk": draw(st.floats(0, 2000)),
        },
        "conversation": {
            "turns": draw(st.integers(1, 30)),
            "history_window": draw(st.sampled_from(["all", 0, 1, 5])),
        },
        "retries": {"failed": draw(st.floats(0, 0.5)), "max_retries": draw(st.integers(0, 5))},
        "caching": {"hit_rate": draw(shares), "cache_history": draw(st.booleans())},
    }


@st.composite
def offers(draw: st.DrawFn) -> dict[str, Any]:
    p_in = draw(prices)
    fields: dict[str, Any] = {"usd_per_mtok_input": p_in, "usd_per_mtok_output": draw(prices)}
    if draw(st.booleans()):
        fields["usd_per_mtok_cached_input"] = draw(st.floats(0, p_in)) if p_in > 0 else 0.0
        if draw(st.booleans()):
            fields["usd_per_mtok_cache_write"] = p_in * draw(st.floats(1.0, 2.0))
    if draw(st.booleans()):
        fields["batch_discount"] = draw(shares)
    return fields


def monthly(
    request: dict[str, Any], offer: dict[str, Any], volume: float, batch: float = 0.0
) -> float:
    profile = make_profile(request=request)
    model = hosted_cost_model(
        hosted_offer(**offer),
        inflate(profile.request),
        "standard",
        batch,
        profile.request.caching.hit_rate,
        hourly_weights(profile.traffic),
    )
    assert model is not None
    return float(model.monthly_usd(np.array([[volume]]))[0, 0])


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(requests(), offers(), volumes, volumes, shares)
def test_hosted_cost_never_falls_as_volume_rises(
    req: dict[str, Any], offer: dict[str, Any], a: float, b: float, batch: float
) -> None:
    low, high = sorted((a, b))
    assert monthly(req, offer, low, batch) <= monthly(req, offer, high, batch) * (1 + 1e-12)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(
    requests(),
    offers(),
    volumes,
    st.sampled_from(
        [
            "usd_per_mtok_input",
            "usd_per_mtok_output",
            "usd_per_mtok_cached_input",
            "usd_per_mtok_cache_write",
        ]
    ),
    st.floats(1.0, 3.0),
)
def test_hosted_cost_never_falls_as_a_price_rises(
    req: dict[str, Any], offer: dict[str, Any], volume: float, key: str, factor: float
) -> None:
    assume(key in offer)
    dearer = {**offer, key: offer[key] * factor}
    # a cached input price above the input price is refused by the catalog schema
    cached = dearer.get("usd_per_mtok_cached_input", 0.0)
    assume(cached <= dearer["usd_per_mtok_input"])
    assert monthly(req, offer, volume) <= monthly(req, dearer, volume) * (1 + 1e-12)


@settings(max_examples=100)
@given(st.floats(1e-9, 1e-4), st.floats(1e-9, 1e-4), tokens, tokens, volumes)
def test_per_token_and_per_million_prices_agree(
    per_token_in: float, per_token_out: float, user: float, output: float, volume: float
) -> None:
    assume(user + output > 0)
    request = {"user_tokens": user, "output_tokens": output}
    offer = {"usd_per_mtok_input": per_token_in * 1e6, "usd_per_mtok_output": per_token_out * 1e6}
    direct = volume * (user * per_token_in + output * per_token_out) * 730 / 24
    assert monthly(request, offer, volume) == pytest.approx(direct, rel=1e-9)


@settings(max_examples=150)
@given(
    volumes,
    volumes,
    st.floats(1e-4, 10.0),
    st.floats(1.0, 3.0),
    st.floats(0.1, 1.0),
    st.integers(0, 4),
    st.integers(1, 8),
    st.booleans(),
)
def test_dedicated_cost_is_a_non_decreasing_staircase(
    a: float, b: float, s: float, burst: float, util: float, min_rep: int, gpr: int, autoscale: bool
) -> None:
    low, high = sorted((a, b))
    weights = hourly_weights(make_profile(traffic={"pattern": "business-hours"}).traffic)
    lam = attempt_rates(np.array([low, high]), 1.0, weights)
    bill = dedicated_bill(lam, s, burst, util, min_rep, gpr, 8, 10.0, autoscale)
    assert bill.usd_per_month[0] <= bill.usd_per_month[1]
    assert bill.replicas_peak[0] <= bill.replicas_peak[1]


@settings(max_examples=150)
@given(
    volumes,
    volumes,
    st.floats(1e-3, 5.0),
    st.floats(0.1, 1.0),
    st.integers(0, 3),
    st.floats(0, 60),
    st.floats(0, 60),
    st.floats(0, 120),
)
def test_serverless_cost_never_falls_as_volume_rises(
    a: float, b: float, s: float, util: float, active: int, latency: float, idle: float, cold: float
) -> None:
    low, high = sorted((a, b))
    weights = hourly_weights(make_profile(traffic={"pattern": "consumer-evening"}).traffic)
    lam = attempt_rates(np.array([low, high]), 1.0, weights)
    bill = serverless_bill(lam, s, 1.3, util, active, 1, 0.0002, 0.00013, latency, idle, cold)
    assert bill.usd_per_month[0] <= bill.usd_per_month[1] * (1 + 1e-12)


@settings(max_examples=100)
@given(
    volumes,
    st.floats(1e-3, 5.0),
    st.integers(0, 3),
    st.floats(1.0, 3.0),
    st.sampled_from(["flex", "active"]),
)
def test_serverless_cost_never_falls_as_a_price_rises(
    volume: float, s: float, active: int, factor: float, which: str
) -> None:
    lam = attempt_rates(np.array([volume]), 1.0, np.full(24, 1 / 24))
    flex, act = 0.0002, 0.00013
    base = serverless_bill(lam, s, 1.0, 0.8, active, 1, flex, act, 5.0, 5.0, 15.0)
    flex2, act2 = (flex * factor, act) if which == "flex" else (flex, act * factor)
    dearer = serverless_bill(lam, s, 1.0, 0.8, active, 1, flex2, act2, 5.0, 5.0, 15.0)
    assert base.usd_per_month[0] <= dearer.usd_per_month[0] * (1 + 1e-12)


@settings(max_examples=60, deadline=None)
@given(st.floats(1e-4, 1.0), st.floats(10.0, 5000.0), st.floats(1e-3, 2.0), st.floats(1.0, 2.0))
def test_every_reported_breakeven_is_a_point_of_equal_cost(
    k: float, hourly_usd: float, s: float, burst: float
) -> None:
    weights = np.full(24, 1 / 24)

    def hosted(r: np.ndarray) -> np.ndarray:
        return k * np.asarray(r, dtype=float)

    def self_hosted(r: np.ndarray) -> np.ndarray:
        lam = attempt_rates(np.asarray(r, dtype=float), 1.0, weights)
        return dedicated_bill(lam, s, burst, 0.8, 1, 1, 1, hourly_usd, False).usd_per_month + 100.0

    per_replica = 0.8 * 3600 / (burst * s * weights.max())
    steps = per_replica * np.arange(1, 20_001)
    be = break_even(hosted, self_hosted, 10.0, 1e9, steps)
    if be.status == "crosses":
        assert be.requests_per_day is not None
        r = np.array([be.requests_per_day])
        assert hosted(r)[0] == pytest.approx(self_hosted(r)[0], rel=5e-3)
        assert hosted(r * 1.01)[0] > self_hosted(r * 1.01)[0] or be.requests_per_day * 1.01 > 1e9


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(
    requests(), offers(), volumes, volumes, shares, st.floats(1.0, 3600.0),
    st.sampled_from(["flat", "business-hours", "consumer-evening"]),
)  # fmt: skip
def test_hosted_cost_per_request_moves_one_way_with_volume(
    req: dict[str, Any], offer: dict[str, Any], a: float, b: float, batch: float, ttl: float,
    pattern: str,
) -> None:  # fmt: skip
    """With `hit_rate: auto` hosted monthly cost can fall as volume rises (more cache hits),
    but its cost per request only falls: the premise on which the break-even search bounds
    hosted cost at a replica step by its values at the grid points around it."""
    req = {**req, "caching": {"hit_rate": "auto", "cache_history": False}}
    profile = make_profile(request=req, traffic={"requests_per_day": 1000, "pattern": pattern})
    model = hosted_cost_model(
        hosted_offer(**offer, cache_ttl_s=ttl), inflate(profile.request), "standard", batch,
        "auto", hourly_weights(profile.traffic),
    )  # fmt: skip
    assert model is not None
    low, high = sorted((a, b))
    per_request = model.usd_per_request(np.array([[low, high]]))[0]
    assert per_request[1] <= per_request[0] * (1 + 1e-12) + 1e-18
