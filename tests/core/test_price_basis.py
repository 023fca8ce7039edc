"""Price bases in the catalog, and the flex-rate alternative of a figure on an unlisted rate."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from costcalc.core.analysis.compare import compare
from costcalc.core.analysis.pricecaveat import prices_used
from costcalc.core.units import SECONDS_PER_MONTH
from tests.conftest import TODAY, compute_offer, make_catalog, make_profile, point

FAST_POINT = point(
    input_tokens=100, output_tokens=100, request_throughput=10.0, ttft_ms_p99=200, tpot_ms_p99=20
)
UNLISTED_ACTIVE: dict[str, Any] = {
    "price_basis": {"usd_per_second_active": "unlisted"},
    "price_basis_note": "since 2026-04-23, discounts through sales inquiry (runpod/docs)",
}


def warm_24gb(**fields: Any) -> Any:
    """RunPod's 24 GB pool as priced on 2026-05-08: flex $0.00019/s, active $0.00013/s."""
    base = {
        "id": "test/warm", "billing": "serverless", "usd_per_hour": None,
        "usd_per_second_flex": 0.00019, "usd_per_second_active": 0.00013,
    }  # fmt: skip
    return compute_offer(**{**base, **UNLISTED_ACTIVE, **fields})


def compared(offer: Any, warm: int = 1) -> Any:
    choice = {"model": "m8b", "compute": offer.id, "min_replicas": warm}
    profile = make_profile(compare={"hosted": ["test/api"], "self_hosted": [choice]})
    return compare(profile, make_catalog(compute=[offer], points=[FAST_POINT]), TODAY)


def test_price_basis_defaults_to_list() -> None:
    offer = compute_offer()
    assert offer.price_basis == "list"
    assert offer.basis_of("usd_per_hour") == "list"


def test_a_mapping_marks_one_price_and_leaves_the_others_list() -> None:
    offer = warm_24gb()
    assert offer.basis_of("usd_per_second_active") == "unlisted"
    assert offer.basis_of("usd_per_second_flex") == "list"


def test_one_word_marks_every_price_of_the_entry() -> None:
    offer = compute_offer(price_basis="negotiated")
    assert offer.basis_of("usd_per_hour") == "negotiated"
    assert offer.basis_of("storage_usd_per_gb_month") == "negotiated"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"price_basis": "unlisted"}, "needs price_basis_note"),
        ({"price_basis": {"usd_per_hour": "unlisted"}}, "needs price_basis_note"),
        ({"price_basis": {"usd_per_second_active": "list"}}, "no price for"),
        ({"price_basis": "cheap"}, "'list', 'negotiated' or 'unlisted'"),
        ({"price_basis": {"usd_per_sec": "unlisted"}, "price_basis_note": "x"}, "usd_per_sec"),
        ({"price_basis_notes": "typo"}, "Extra inputs are not permitted"),
    ],
)
def test_bad_price_basis_is_refused(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        compute_offer(**fields)


def test_a_warm_24gb_worker_costs_46_percent_more_at_the_flex_rate() -> None:
    # 730 h a month: active 0.00013 × 3600 × 730 = $341.64; flex 0.00019 × 3600 × 730 = $499.32
    assert SECONDS_PER_MONTH == 3600 * 730
    result = compared(warm_24gb())
    option = result.self_hosted[0]
    assert option.compute_monthly_usd == pytest.approx(341.64)  # 1 req/s never needs a 2nd worker
    (caveat,) = result.caveats
    assert (caveat.option, caveat.price, caveat.basis) == (
        "m8b@test/warm", "usd_per_second_active", "unlisted",
    )  # fmt: skip
    assert caveat.usd == 0.00013 and caveat.warm_workers == 1
    flex = caveat.flex
    assert flex is not None and flex.hosted == "test/api"
    assert flex.extra_usd_per_month == pytest.approx(499.32 - 341.64)  # $157.68, +46 %
    # no labor, gateway or storage: the option is its warm worker, 499.32 / 341.64 = 1.46
    assert flex.monthly_usd_without_labor / option.monthly_usd_without_labor == pytest.approx(
        1.4615, abs=1e-3
    )
    # + labor 8 h × $100 = $800; no gateway, no storage in the test catalog
    assert flex.monthly_usd == pytest.approx(1299.32)
    assert flex.monthly_usd_without_labor == pytest.approx(499.32)


def test_the_flex_rate_moves_the_floor_dominated_break_even() -> None:
    # hosted: 300 µ$ a request × 730/24 days = $0.009125 per request/day and month; the
    # self-hosted cost is its floor up to ~4 requests/s, so each break-even is floor / 0.009125
    result = compared(warm_24gb())
    (pair,) = result.pairs
    flex = result.caveats[0].flex
    assert flex is not None and flex.with_labor is not None and flex.without_labor is not None
    per_request_day = 0.0003 * 730 / 24
    assert pair.with_labor.requests_per_day == pytest.approx(1141.64 / per_request_day, rel=2e-3)
    assert flex.with_labor.status == "crosses"
    assert flex.with_labor.requests_per_day == pytest.approx(1299.32 / per_request_day, rel=2e-3)
    assert flex.without_labor.requests_per_day == pytest.approx(
        499.32 / per_request_day, rel=2e-3
    )  # 54,720 requests/day instead of 37,440


def test_no_caveat_without_warm_workers_or_on_list_prices() -> None:
    assert compared(warm_24gb(), warm=0).caveats == []  # flex only: a list price
    listed = warm_24gb(price_basis="list", price_basis_note="")
    assert compared(listed).caveats == []


def test_a_negotiated_hourly_price_is_a_caveat_without_a_flex_alternative() -> None:
    offer = compute_offer(price_basis="negotiated", price_basis_note="our 2026 contract")
    result = compared(offer)
    (caveat,) = result.caveats
    assert (caveat.price, caveat.basis, caveat.flex, caveat.warm_workers) == (
        "usd_per_hour", "negotiated", None, 0,
    )  # fmt: skip
    assert prices_used(result.self_hosted[0]) == ["usd_per_hour"]


def test_a_hosted_price_sources_disagree_on_is_said_beside_it() -> None:
    from costcalc.io.catalog import load_catalog

    offer = load_catalog().hosted["fireworks/llama-3.1-8b-instruct"]
    assert offer.price_basis == "list" and "sources disagree" in offer.price_basis_note
    import pytest as _pytest
    from pydantic import ValidationError

    from costcalc.schema.catalog import HostedOffer

    data = offer.model_dump() | {"price_basis": {"usd_per_mtok_cache_write": "negotiated"}}
    with _pytest.raises(ValidationError, match="no price for"):  # it has no cache-write price
        HostedOffer.model_validate(data)
    data["price_basis"] = {"usd_per_mtok_input": "unlisted"}
    data["price_basis_note"] = ""
    with _pytest.raises(ValidationError, match="needs price_basis_note"):
        HostedOffer.model_validate(data)
