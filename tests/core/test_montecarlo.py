"""Monte Carlo: sampling, quantiles against closed forms, seeding, and the exact row path."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from costcalc.core.analysis.compare import compare
from costcalc.core.analysis.montecarlo import draw, monte_carlo, run_rows
from costcalc.core.analysis.samples import quantiles
from costcalc.core.demand.inputs import row_inputs
from costcalc.core.selfhosted.capacity import Mix
from costcalc.core.selfhosted.replica import capacity_for
from costcalc.io.catalog import load_catalog
from costcalc.io.profiles import load_profile
from costcalc.schema.uncertain import Lognormal, Triangular, Uniform
from tests.conftest import PROFILES, TODAY, make_catalog, make_profile, point

FAST_POINT = point(
    input_tokens=100, output_tokens=100, request_throughput=10.0, ttft_ms_p99=200, tpot_ms_p99=20
)
COMPARE = {"hosted": ["test/api"], "self_hosted": [{"model": "m8b", "compute": "test/gpu"}]}
DAYS = 730 / 24


def comparison():  # type: ignore[no-untyped-def]
    return compare(make_profile(compare=COMPARE), make_catalog(points=[FAST_POINT]), TODAY)


def test_draws_follow_their_distributions() -> None:
    drawn = draw(
        {
            "traffic.requests_per_day": Lognormal(median=1000, p90=3000),
            "traffic.burst_factor": Uniform(low=1.2, high=2.0),
            "request.conversation.turns": Triangular(low=1, mode=2, high=9),
            "request.retries.failed": Uniform(low=0.5, high=2.0),  # clipped to the field's 0.99
        },
        100_000,
        seed=1,
    )
    volume = drawn["traffic.requests_per_day"]
    assert np.median(volume) == pytest.approx(1000, rel=0.02)
    assert np.quantile(volume, 0.9) == pytest.approx(3000, rel=0.03)
    burst = drawn["traffic.burst_factor"]
    assert (
        burst.min() >= 1.2 and burst.max() <= 2.0 and burst.mean() == pytest.approx(1.6, rel=0.01)
    )
    turns = drawn["request.conversation.turns"]
    # whole numbers; the triangle's mean (1 + 2 + 9) / 3 = 4, rounding keeps it within 0.05
    assert set(np.unique(turns)) <= set(range(1, 10)) and turns.mean() == pytest.approx(4, abs=0.05)
    assert drawn["request.retries.failed"].max() == 0.99


def test_same_seed_same_samples_other_seed_other_samples() -> None:
    spec = {"request.user_tokens": Uniform(low=10, high=20)}
    first, again = draw(spec, 50, seed=7), draw(spec, 50, seed=7)
    assert np.array_equal(first["request.user_tokens"], again["request.user_tokens"])
    assert not np.array_equal(
        first["request.user_tokens"], draw(spec, 50, 8)["request.user_tokens"]
    )


def test_uniform_volume_gives_linear_hosted_cost_quantiles() -> None:
    # hosted: (100 × $1 + 100 × $2) / 1e6 = $0.0003 a request, linear in volume (no caching);
    # R ~ U(43,200, 129,600): its P10 is 43,200 + 0.1 × 86,400 = 51,840 requests/day
    c = comparison()
    spec = {"traffic.requests_per_day": Uniform(low=43_200, high=129_600)}
    mc = monte_carlo(c, make_catalog(points=[FAST_POINT]), spec, 20_000, 0)
    q = quantiles(mc.monthly_usd["test/api"])
    assert q["p10"] == pytest.approx(51_840 * 0.0003 * DAYS, rel=0.015)  # $473.04
    assert q["p50"] == pytest.approx(86_400 * 0.0003 * DAYS, rel=0.015)  # $788.40
    assert q["p90"] == pytest.approx(120_960 * 0.0003 * DAYS, rel=0.015)  # $1,103.76
    # self-hosted: one replica all along, $1,460 compute + $800 labor whatever the volume
    assert np.allclose(mc.monthly_usd["m8b@test/gpu"], 2260.0)


def test_break_even_and_probability_against_closed_forms() -> None:
    c = comparison()
    catalog = make_catalog(points=[FAST_POINT])
    # R ~ U(100,000, 400,000): self-hosting is cheaper above 2,260 / (0.0003 × 30.4167)
    # = 247,671 requests/day, so P = (400,000 − 247,671) / 300,000 = 0.5078
    spec = {"traffic.requests_per_day": Uniform(low=100_000, high=400_000)}
    mc = monte_carlo(c, catalog, spec, 20_000, 0)
    (pair,) = mc.pairs
    crossing = 2260 / (0.0003 * DAYS)
    assert pair.p_self_hosted_cheaper == pytest.approx((400_000 - crossing) / 300_000, abs=0.01)
    # the crossing does not depend on volume: every sample crosses at 247,671 × 200 tokens
    assert pair.share_crosses == 1.0
    q = quantiles(pair.tokens_per_day)
    assert q["p10"] == pytest.approx(crossing * 200, rel=1e-3)
    assert q["p90"] == pytest.approx(crossing * 200, rel=1e-3)


def test_break_even_moves_with_uncertain_prompt_tokens() -> None:
    # u ~ U(50, 150): hosted $ (u + 200) / 1e6 a request; crossing R*(u) = 2,260 /
    # ((u + 200) e-6 × 30.4167) requests/day, at (u + 100) billed tokens each: rising in u, so
    # the P10 crossing is at u = 60 → 2,260 / (260e-6 × 30.4167) × 160 = 45.72M tokens/day
    c = comparison()
    spec = {"request.user_tokens": Uniform(low=50, high=150)}
    mc = monte_carlo(c, make_catalog(points=[FAST_POINT]), spec, 20_000, 3)
    (pair,) = mc.pairs
    q = quantiles(pair.tokens_per_day)

    def at(u: float) -> float:
        return 2260 / ((u + 200) * 1e-6 * DAYS) * (u + 100)

    assert q["p10"] == pytest.approx(at(60), rel=0.01)
    assert q["p90"] == pytest.approx(at(140), rel=0.01)


@given(
    low=st.floats(min_value=100, max_value=1e5),
    spread=st.floats(min_value=1.01, max_value=100),
    seed=st.integers(min_value=0, max_value=2**31),
)
def test_quantiles_are_ordered(low: float, spread: float, seed: int) -> None:
    c = comparison()
    spec = {"traffic.requests_per_day": Uniform(low=low, high=low * spread)}
    mc = monte_carlo(c, make_catalog(points=[FAST_POINT]), spec, 500, seed)
    for samples in [*mc.monthly_usd.values(), *(p.tokens_per_day for p in mc.pairs)]:
        q = quantiles(samples)
        values = [v if v is not None else np.inf for v in q.values()]
        assert values == sorted(values)


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: Path(p).stem)
def test_rows_at_the_point_reproduce_the_point_result(path: Path) -> None:
    """Rows and the point go through one engine: rows of the point values cost the same, and
    samples without uncertainty break even where the point does, to the 0.1 % bisection."""
    catalog = load_catalog([])
    c = compare(load_profile(path).profile, catalog, TODAY)
    result = run_rows(c, catalog, row_inputs(c.profile, {}, 3))
    for option in c.options:
        monthly = result.monthly_usd[option.id]
        assert monthly == pytest.approx(option.monthly_usd, rel=1e-9), option.id
    mc = monte_carlo(c, catalog, {}, 200, 0)
    for pair, samples in zip(c.pairs, mc.pairs, strict=True):
        be = pair.with_labor
        if be.status == "crosses":
            assert be.requests_per_day is not None
            expected = be.requests_per_day * c.tokens.billed_tokens
            # both ends bisected to 0.1 %, each on the side where self-hosting is cheaper
            assert quantiles(samples.tokens_per_day)["p50"] == pytest.approx(expected, rel=1e-3)
        else:
            assert getattr(samples, f"share_{be.status}") == 1.0


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: Path(p).stem)
def test_capacity_for_many_mixes_is_exact(path: Path) -> None:
    """capacity_for over many mixes at once equals capacity_for mix by mix, fits included."""
    catalog = load_catalog([])
    loaded = load_profile(path)
    c = compare(loaded.profile, catalog, TODAY)
    rng = np.random.default_rng(0)
    for option in c.self_hosted:
        tokens = option.cost.tokens.row(0)
        n = 40
        inputs = float(tokens.input_tokens) * np.exp(rng.uniform(-2, 2, n))
        output = float(tokens.output_tokens) * np.exp(rng.uniform(-1.5, 1.5, n))
        prefill = np.maximum(inputs * rng.uniform(0.1, 1, n), 1.0)
        choice = option.cost.choice
        slo = loaded.profile.slo
        many = capacity_for(choice, catalog, slo, c.calibration, Mix(inputs, prefill, output))
        assert not isinstance(many, str)  # some mix fits
        seconds, lone = many.seconds_rows, many.lone_latency_rows
        for k in range(n):
            mix = Mix(inputs[k], prefill[k], output[k])
            one = capacity_for(choice, catalog, slo, c.calibration, mix)
            if isinstance(one, str):
                assert np.isinf(seconds[k])
            else:
                assert (seconds[k], lone[k]) == pytest.approx(
                    (one.seconds_per_request, one.lone_latency_s), rel=1e-12
                )


def test_volume_set_on_the_command_line_is_not_sampled() -> None:
    c = comparison()
    c = dataclasses.replace(c, requests_per_day=50_000.0)
    spec = {"traffic.requests_per_day": Uniform(low=1, high=2)}
    mc = monte_carlo(c, make_catalog(points=[FAST_POINT]), spec, 100, 0, fixed_volume=True)
    assert np.all(mc.requests_per_day == 50_000.0)
    assert any("not sampled" in n for n in mc.notes)
