"""Sensitivity: low/high values, the tornado's order and its figures against hand arithmetic."""

from __future__ import annotations

import json

import jsonschema
import pytest
from typer.testing import CliRunner

from costcalc.cli import app
from costcalc.core.analysis.compare import compare
from costcalc.core.analysis.sensitivity import input_ranges, sensitivity
from costcalc.errors import UnknownIdError
from costcalc.schema.uncertain import Uniform
from tests.conftest import ROOT, TODAY, make_catalog, make_profile, point

FAST_POINT = point(
    input_tokens=100, output_tokens=100, request_throughput=10.0, ttft_ms_p99=200, tpot_ms_p99=20
)
# a heavier run at the same mix gains nothing and misses the SLO: the replica's capacity under
# it is the measured 10 req/s (0.1 s a request), whatever the serving model would say
SATURATED = point(
    input_tokens=100, output_tokens=100, concurrency=64, request_throughput=10.00001,
    ttft_ms_p99=200, tpot_ms_p99=10_000,
)  # fmt: skip
COMPARE = {"hosted": ["test/api"], "self_hosted": [{"model": "m8b", "compute": "test/gpu"}]}
DAYS = 730 / 24
HOURS = Uniform(low=2, high=20)  # P10 3.8 h, P90 18.2 h; mean 11 h


def case(hours: float = 11):  # type: ignore[no-untyped-def]
    profile = make_profile(
        compare=COMPARE,
        traffic={"requests_per_day": 500_000},
        overheads={"engineer_hours_per_month": hours},
    )
    catalog = make_catalog(points=[FAST_POINT, SATURATED])
    return compare(profile, catalog, TODAY), catalog


def test_ranges_are_p10_p90_or_plus_minus_25_percent() -> None:
    c, _ = case()
    ranges = {
        path: (source, low, high)
        for path, source, low, high in input_ranges(
            c, {"overheads.engineer_hours_per_month": HOURS}
        )
    }
    assert ranges["overheads.engineer_hours_per_month"] == ("P10–P90", pytest.approx(3.8), 18.2)
    assert ranges["request.user_tokens"] == ("±25%", 75.0, 125.0)
    # a value of 0 cannot move ±25 %, and `turns: 1` rounds back to 1: both left out
    assert "overheads.gateway_usd_per_month" not in ranges
    assert "request.conversation.turns" not in ranges


def test_the_dominant_input_comes_first_with_hand_worked_break_evens() -> None:
    c, catalog = case()
    result = sensitivity(c, catalog, {"overheads.engineer_hours_per_month": HOURS})
    first, second = result.swings[0], result.swings[1]
    # self-hosted: one replica ($1,460) + hours × $100; hosted: $0.0003 a request, so the
    # crossing is (1,460 + 100 h) / (0.0003 × 30.4167) requests/day at 200 tokens each:
    # h = 3.8 → 201,644 → 40.33M tokens/day; h = 18.2 → 359,452 → 71.89M
    assert first.path == "overheads.engineer_hours_per_month"
    assert first.breakeven_tokens == pytest.approx(
        ((1460 + 380) / (0.0003 * DAYS) * 200, (1460 + 1820) / (0.0003 * DAYS) * 200), rel=2e-3
    )
    # burst 1.3 ± 25 % (1.0 to 1.625): at 1.625 a second replica is needed above
    # 0.8 / (1.625 × 0.1 s) × 86,400 = 425,354/day, past the 280,548/day crossing, where it
    # costs 2,920 + 1,100 = $4,020 > hosted's $3,881: cheaper for good only from
    # 4,020 / 0.009125 = 440,548/day. 56.11M → 88.11M tokens/day, second place
    assert second.path == "traffic.burst_factor"
    assert second.breakeven_tokens == pytest.approx(
        (2560 / (0.0003 * DAYS) * 200, 4020 / (0.0003 * DAYS) * 200), rel=2e-3
    )
    # $100/h ± 25 % at 11 h: 1,460 + 825 or 1,375 → 50.08M and 62.14M, a smaller spread
    rate = next(w for w in result.swings if w.path == "overheads.engineer_usd_per_hour")
    assert rate.effect < second.effect
    assert rate.breakeven_tokens == pytest.approx(
        ((1460 + 825) / (0.0003 * DAYS) * 200, (1460 + 1375) / (0.0003 * DAYS) * 200), rel=2e-3
    )
    volume = next(w for w in result.swings if w.path == "traffic.requests_per_day")
    assert volume.effect == 0  # the crossing does not depend on your own volume...
    # ...but the costs do: hosted at 375,000 and 625,000 requests/day
    assert volume.hosted_usd == pytest.approx((375_000 * 0.0003 * DAYS, 625_000 * 0.0003 * DAYS))
    assert result.breakeven_tokens == pytest.approx(2560 / (0.0003 * DAYS) * 200, rel=2e-3)


def test_a_replica_step_above_the_crossing_moves_it() -> None:
    # at 27.2 h self-hosting turns cheaper at (1,460 + 2,720) / 0.009125 = 458,082/day, but a
    # second replica is needed above 0.8 / (1.3 × 0.1 s) × 86,400 = 531,692/day, where it costs
    # 2,920 + 2,720 = $5,640 against hosted's $4,852: it is cheaper for good only from
    # 5,640 / 0.009125 = 618,082 requests/day, 123.6M tokens/day
    c, catalog = case(16)
    result = sensitivity(
        c, catalog, {"overheads.engineer_hours_per_month": Uniform(low=2, high=30)}
    )
    hours = next(w for w in result.swings if w.path == "overheads.engineer_hours_per_month")
    assert hours.breakeven_tokens[1] == pytest.approx(
        (2920 + 2720) / (0.0003 * DAYS) * 200, rel=2e-3
    )


def test_unknown_pair_names_the_choices() -> None:
    c, catalog = case()
    with pytest.raises(UnknownIdError, match=r"[Dd]id you mean"):
        sensitivity(c, catalog, {}, ("test/apl", "m8b@test/gpu"))


def test_cli_text_and_json() -> None:
    profile = str(ROOT / "profiles" / "seed-stage-uncertain.yaml")
    runner = CliRunner()
    text = runner.invoke(app, ["sensitivity", profile, "--width", "100"])
    assert text.exit_code == 0, text.stderr
    assert "Input (low → high)" in text.stdout and "○ input low, ● input high" in text.stdout
    assert max(len(line) for line in text.stdout.splitlines()) <= 100
    data = json.loads(runner.invoke(app, ["sensitivity", profile, "-f", "json"]).stdout)
    schema = json.loads((ROOT / "schemas" / "sensitivity.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    assert data["command"] == "sensitivity" and data["inputs"]
    # engineer hours (P10–P90 8.7 → 29.6 h) move this serverless pair's crossing most
    assert data["inputs"][0]["field"] == "overheads.engineer_hours_per_month"
    assert data["inputs"][1]["field"] == "request.conversation.turns"
    bad = runner.invoke(app, ["sensitivity", profile, "--pair", "openai/gpt-4o", "x@y/z"])
    assert bad.exit_code == 2 and "--pair" in bad.stderr
