"""The comparison as a whole on a tiny in-memory catalog: costs, cheapest, break-even, defaults."""

from __future__ import annotations

import datetime as dt

import pytest

from costcalc.core.analysis.compare import breakeven_range, compare
from tests.conftest import TODAY, hosted_offer, make_catalog, make_profile, point

FAST_POINT = point(
    input_tokens=100, output_tokens=100, request_throughput=10.0, ttft_ms_p99=200, tpot_ms_p99=20
)
COMPARE = {"hosted": ["test/api"], "self_hosted": [{"model": "m8b", "compute": "test/gpu"}]}


def test_breakeven_range_default_and_widening() -> None:
    # 200 tokens/request at 86,400/day = 17.28M tokens/day: widened up to 172.8M
    assert breakeven_range(200, 86_400, None) == pytest.approx((500, 864_000))
    # 1,000 × 200 = 200K tokens/day: the low end widens to 20K (1/10), the high end stays 10M
    assert breakeven_range(200, 1000, None) == pytest.approx((100, 50_000))
    assert breakeven_range(200, 1000, (1e6, 1e9)) == pytest.approx((5000, 5e6))


def test_worked_comparison() -> None:
    result = compare(make_profile(compare=COMPARE), make_catalog(points=[FAST_POINT]), TODAY)
    hosted, selfhosted = result.hosted[0], result.self_hosted[0]
    # hosted: 300 µ$ × 86,400 × 730/24 = $788.40; self-hosted: 1 replica $1,460 + $800 labor
    assert hosted.monthly_usd == pytest.approx(788.4)
    assert selfhosted.monthly_usd == pytest.approx(2260.0)
    assert result.cheapest == "test/api"
    assert [o.id for o in result.options] == ["test/api", "m8b@test/gpu"]
    # per million billed tokens: 788.4 / (86,400 × 30.4167 × 200) × 1e6 = $1.50
    assert hosted.usd_per_mtok == pytest.approx(1.5)
    assert hosted.usd_per_1k_requests == pytest.approx(0.3)
    (pair,) = result.pairs
    # 0.0003 × R × 30.4167 = 2,260 → R = 247,671 requests/day (inside the first replica step)
    assert pair.with_labor.status == "crosses"
    assert pair.with_labor.requests_per_day == pytest.approx(2260 / (0.0003 * 730 / 24), rel=1e-3)
    # without labor: 1,460 / (0.0003 × 30.4167) = 160,000 requests/day
    assert pair.without_labor.requests_per_day == pytest.approx(160_000, rel=1e-3)
    assert pair.cost_ratio == pytest.approx(2260 / 788.4)


def test_volume_override_and_warnings() -> None:
    profile = make_profile(compare=COMPARE)
    stale = hosted_offer(as_of="2026-01-01", deprecation_date="2026-06-01", reasoning=True)
    result = compare(profile, make_catalog(hosted=[stale], points=[FAST_POINT]), TODAY, 1000.0)
    assert result.requests_per_day == 1000.0
    text = " ".join(result.warnings)
    # the stale price is kept apart, said once per run after the report (or in JSON warnings)
    assert "older than" not in text
    assert [(s.id, s.as_of.isoformat()) for s in result.stale] == [("test/api", "2026-01-01")]
    assert "past its deprecation date (2026-06-01)" in text
    assert "the catalog has no other" in text  # the only offer: no successor to suggest
    assert "request.reasoning_tokens" in text


def test_a_deprecated_offer_warns_with_its_successor() -> None:
    from costcalc.core.analysis.checks import deprecation_warnings, stale, stale_warning

    old = hosted_offer(id="p/old", deprecation_date="2026-06-01")
    soon = hosted_offer(id="p/soon", deprecation_date=(TODAY + dt.timedelta(days=12)).isoformat())
    cheap = hosted_offer(id="p/cheap", usd_per_mtok_input=0.2, usd_per_mtok_output=4.0)
    dear = hosted_offer(id="p/dear", usd_per_mtok_input=0.1, usd_per_mtok_output=8.0)
    other = hosted_offer(id="q/cheapest", provider="Q", usd_per_mtok_input=0.01)
    big = hosted_offer(id="p/big", model_class="large", usd_per_mtok_input=0.01)
    catalog = make_catalog(hosted=[old, soon, cheap, dear, other, big], points=[FAST_POINT])
    # per request of 1,000 input and 100 output tokens: p/cheap 0.2 × 1,000 + 4 × 100 = 600
    # against p/dear 0.1 × 1,000 + 8 × 100 = 900 (per million: the order is what counts); q/ is
    # another provider, p/big another class, p/soon retires within 30 days but not yet
    warnings = deprecation_warnings(["p/old", "p/soon", "p/cheap"], catalog, TODAY, 1000, 100)
    assert warnings == [
        "p/old is past its deprecation date (2026-06-01); the provider may no longer serve it; "
        "its suggested successor: p/cheap (same provider and class, the cheapest for this "
        "request)",
        f"p/soon is deprecated on {soon.deprecation_date}, in 12 days; its suggested successor: "
        "p/cheap (same provider and class, the cheapest for this request)",
    ]
    # 2026-01-01 to TODAY: the age in days, and the command that refreshes a hosted price
    aged = stale(["p/old", "p/old"], make_catalog(hosted=[hosted_offer(id="p/old",
                 as_of="2026-01-01")]), TODAY)  # fmt: skip
    days = (TODAY - dt.date(2026, 1, 1)).days
    assert [(a.id, a.age_days) for a in aged] == [("p/old", days)]
    assert f"p/old ({days} days, 2026-01-01)" in (stale_warning(aged) or "")
    assert "costcalc catalog update --from-litellm FILE -o DIR" in (stale_warning(aged) or "")


def test_default_set_keeps_one_offer_per_provider_and_the_cheapest_of_each_class() -> None:
    offers = [
        hosted_offer(id="a/cheap", usd_per_mtok_input=0.1),
        hosted_offer(id="a/dear", usd_per_mtok_input=5.0),
        hosted_offer(id="b/mid", usd_per_mtok_input=1.0),
        hosted_offer(id="c/big", model_class="large"),
        hosted_offer(id="c/bigger", model_class="large", usd_per_mtok_input=9.0),
        hosted_offer(id="e/huge", model_class="frontier"),
        hosted_offer(id="f/m8b", open_model="m8b", usd_per_mtok_input=2.0),
        hosted_offer(id="g/m8b", open_model="m8b", usd_per_mtok_input=3.0),
        hosted_offer(id="d/retired", deprecation_date="2026-01-01", usd_per_mtok_input=0.01),
    ]
    result = compare(make_profile(), make_catalog(hosted=offers, points=[FAST_POINT]), TODAY)
    # the profile's (small) class: the cheapest offer per provider, cheapest first (a/dear is
    # a's second); f/m8b is small too and the cheapest host of the self-hosted m8b; each other
    # class its cheapest (c/big, e/huge); never the retired offer, cheapest of all
    ids = {o.id for o in result.hosted}
    assert ids == {"a/cheap", "b/mid", "f/m8b", "g/m8b", "c/big", "e/huge"}
    assert result.default_set is not None and "no `compare:` section" in result.default_set
    assert "1 offers past their deprecation date are never included" in result.default_set
    assert "`compare --all` shows every one" in result.default_set
    assert [o.id for o in result.self_hosted] == ["m8b@test/gpu"]
    assert [v.key for v in result.verdicts] == ["frontier", "large", "small", "open:m8b"]
    assert [v.hosted.id for v in result.verdicts] == ["e/huge", "c/big", "a/cheap", "f/m8b"]
