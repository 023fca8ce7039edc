"""Budget gates: which option is checked, how far over, and how budgets merge."""

from __future__ import annotations

import pytest

from costcalc.core.analysis.compare import compare
from costcalc.core.gates.budget import check, merge_budgets
from costcalc.errors import UnknownIdError
from costcalc.schema.profile import Budget
from tests.conftest import TODAY, make_catalog, make_profile, point

FAST_POINT = point(
    input_tokens=100, output_tokens=100, request_throughput=10.0, ttft_ms_p99=200, tpot_ms_p99=20
)
COMPARE = {"hosted": ["test/api"], "self_hosted": [{"model": "m8b", "compute": "test/gpu"}]}


def comparison():  # type: ignore[no-untyped-def]
    # hosted test/api: $788.40/month; self-hosted m8b@test/gpu: $2,260/month (see test_compare)
    return compare(make_profile(compare=COMPARE), make_catalog(points=[FAST_POINT]), TODAY)


def test_the_recommended_option_within_budget() -> None:
    result = check(comparison(), Budget(monthly_usd=1000), None)
    assert result.option.id == "test/api" and result.chosen_by == "featured"
    (gate,) = result.gates
    assert gate.passed and gate.excess == 0 and gate.projected == pytest.approx(788.4)


def test_named_option_over_budget_says_by_how_much() -> None:
    result = check(comparison(), Budget(monthly_usd=2000, option="m8b@test/gpu"), None)
    assert result.chosen_by == "budget.option" and not result.passed
    (gate,) = result.gates
    # $2,260 against $2,000: $260 over, 13 %
    assert gate.excess == pytest.approx(260) and gate.excess_share == pytest.approx(0.13)


def test_flag_wins_over_budget_option_and_all_limits_are_gated() -> None:
    budget = Budget(
        monthly_usd=5000, usd_per_1k_requests=0.2, usd_per_mtok=2.0, option="m8b@test/gpu"
    )
    result = check(comparison(), budget, "test/api")
    assert result.option.id == "test/api" and result.chosen_by == "--option"
    # test/api: $0.30 per 1k requests (over 0.2), $1.50 per M tokens (within 2.0)
    assert [(g.metric, g.passed) for g in result.gates] == [
        ("monthly_usd", True),
        ("usd_per_1k_requests", False),
        ("usd_per_mtok", True),
    ]


def test_unknown_option_lists_the_compared_ones() -> None:
    with pytest.raises(UnknownIdError, match="Did you mean test/api"):
        check(comparison(), Budget(monthly_usd=1), "test/apu")


def test_budgets_merge_key_by_key() -> None:
    merged = merge_budgets(Budget(monthly_usd=100, option="a/b"), Budget(usd_per_mtok=1.0))
    assert (merged.monthly_usd, merged.usd_per_mtok, merged.option) == (100, 1.0, "a/b")
    assert merge_budgets(None, Budget(monthly_usd=5)).monthly_usd == 5
    assert merge_budgets(Budget(monthly_usd=100), Budget(monthly_usd=50)).monthly_usd == 50


def test_one_rule_chooses_the_gated_option() -> None:
    from costcalc.core.gates.choice import Chosen, choose_option

    # the first that is set: flag, profile's budget.option, costcalc.yaml's, the verdict's
    # recommendation, the cheapest (a saved report from before there were recommendations)
    assert choose_option("f", "p", "y", "r", "c") == Chosen("f", "--option")
    assert choose_option(None, "p", "y", "r", "c") == Chosen("p", "budget.option")
    assert choose_option(None, None, "y", "r", "c") == Chosen("y", "costcalc.yaml")
    assert choose_option(None, None, None, "r", "c") == Chosen("r", "featured")
    assert choose_option(None, None, None, None, "c") == Chosen("c", "cheapest")
    assert choose_option(None, None, None, None, None) is None


def test_the_project_files_option_comes_after_the_profiles() -> None:
    result = compare(make_profile(compare=COMPARE), make_catalog(points=[FAST_POINT]), TODAY)
    chosen = check(result, Budget(monthly_usd=5000), None, None, project_option="m8b@test/gpu")
    assert (chosen.option.id, chosen.chosen_by) == ("m8b@test/gpu", "costcalc.yaml")
    own = compare(
        make_profile(compare=COMPARE, budget={"option": "test/api"}),
        make_catalog(points=[FAST_POINT]),
        TODAY,
    )
    chosen = check(own, Budget(monthly_usd=5000), None, None, project_option="m8b@test/gpu")
    assert (chosen.option.id, chosen.chosen_by) == ("test/api", "budget.option")


def test_a_profile_may_gate_several_options() -> None:
    from costcalc.core.gates.budget import checks

    # budget.options lists two: each is checked on every limit, and says which rule chose it
    result = compare(
        make_profile(compare=COMPARE, budget={"options": ["test/api", "m8b@test/gpu"]}),
        make_catalog(points=[FAST_POINT]),
        TODAY,
    )
    found = checks(result, Budget(monthly_usd=1000), None)
    # test/api $788.40 ≤ $1,000 passes; m8b@test/gpu $2,260 > $1,000 fails
    assert [(c.option.id, c.chosen_by, c.passed) for c in found] == [
        ("test/api", "budget.options", True),
        ("m8b@test/gpu", "budget.options", False),
    ]
    # --option names one: only that one
    (only,) = checks(result, Budget(monthly_usd=1000), "m8b@test/gpu")
    assert only.chosen_by == "--option"
