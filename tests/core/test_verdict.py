"""The verdict by class: windows from crossings, cost shares, the class chosen, the sentence."""

from __future__ import annotations

from pathlib import Path

import pytest

from costcalc.core.analysis.compare import compare
from costcalc.core.analysis.crossings import BreakEven, Crossing
from costcalc.core.analysis.verdict import Window, answer, cost_shares, first_cheaper, windows
from costcalc.render.verdict import answer_text, class_line
from tests.conftest import ROOT, TODAY, compute_offer, hosted_offer, make_catalog, make_profile
from tests.core.test_compare import COMPARE, FAST_POINT


def test_windows_from_crossings() -> None:
    up, down = Crossing(5_600, True), Crossing(19_700, False)
    # cheaper between two crossings, dearer again at the top: the status says never
    assert windows(BreakEven("never", None, (up, down))) == (Window(5_600, 19_700),)
    # dearer first: it was cheaper from the bottom of the range
    assert windows(BreakEven("crosses", 30_000, (down, Crossing(30_000, True)))) == (
        Window(None, 19_700),
        Window(30_000, None),
    )
    assert windows(BreakEven("always", None, ())) == (Window(None, None),)
    assert windows(BreakEven("never", None, ())) == ()
    # the sample grid keeps no crossings, only the last volume
    assert windows(BreakEven("crosses", 8_000, ())) == (Window(8_000, None),)
    assert first_cheaper(BreakEven("never", None, (up, down))) == 5_600
    assert first_cheaper(BreakEven("always", None, ())) == 0.0
    assert first_cheaper(BreakEven("never", None, ())) == float("inf")


def test_worked_verdict_and_cost_shares() -> None:
    result = compare(make_profile(compare=COMPARE), make_catalog(points=[FAST_POINT]), TODAY)
    (v,) = result.verdicts
    assert v.key == "small" and v.label == "small/nano APIs" and v.offers == 1
    assert v.hosted.id == "test/api" and v.self_hosted is not None
    # as in test_worked_comparison: cheaper from 2,260 / (0.0003 × 730/24) = 247,671 req/day
    assert v.windows == (Window(pytest.approx(247_671, rel=1e-3), None),)
    shares = v.shares
    assert shares is not None
    assert shares.requests_per_day == pytest.approx(247_671, rel=1e-3)
    # one always-on instance, $2/h × 730 h = $1,460: all of it is floor at any load one
    # replica serves; labor $800 (BASE_PROFILE's overheads), no gateway or storage
    assert shares.warm_floor_usd == pytest.approx(1460.0)
    assert shares.gpu_usage_usd == pytest.approx(0.0)
    assert shares.labor_usd == pytest.approx(800.0)
    assert shares.dominant == ("warm floor", pytest.approx(1460 / 2260))
    assert answer(result.verdicts, "small") is v
    assert result.featured.pair == ("test/api", v.self_hosted.id)
    line = class_line(result, v)
    assert "is cheaper from 247.7K requests/day" in line and "warm floor is 65% of its cost" in line
    # 86,400 requests/day is below the break-even: keep the API
    assert "At 86.4K requests/day (17.3M tokens/day) keep the API: test/api" in answer_text(result)


def test_serverless_floor_is_the_warm_workers() -> None:
    serverless = compute_offer(
        billing="serverless", usd_per_hour=None, usd_per_second_flex=0.0003,
        usd_per_second_active=0.0002, cold_start_s=15, idle_timeout_s=5,
    )  # fmt: skip
    compare_warm = {**COMPARE, "self_hosted": [{**COMPARE["self_hosted"][0], "min_replicas": 1}]}
    result = compare(
        make_profile(compare=compare_warm),
        make_catalog(compute=[serverless], points=[FAST_POINT]),
        TODAY,
    )
    s = result.self_hosted[0]
    shares = cost_shares(s, 50 * 86_400)
    # one warm worker billed every second of the month: $0.0002 × 2,628,000 s = $525.60
    assert shares.warm_floor_usd == pytest.approx(525.6)
    # at 50 req/s (a replica serves 40) a second worker is busy: flex seconds above the floor
    assert shares.gpu_usage_usd > 0
    assert shares.total_usd == pytest.approx(float(s.cost.monthly_usd([[50 * 86_400]])[0, 0]))


def test_open_model_hosts_form_their_own_class_and_answer_the_question() -> None:
    offers = [
        hosted_offer(id="p/api", usd_per_mtok_input=0.5),
        hosted_offer(id="h/m8b", open_model="m8b", usd_per_mtok_input=0.2),
        hosted_offer(id="r/old", usd_per_mtok_input=0.01, deprecation_date="2026-01-01"),
    ]
    compare_all = {**COMPARE, "hosted": ["p/api", "h/m8b", "r/old"]}
    result = compare(
        make_profile(compare=compare_all), make_catalog(hosted=offers, points=[FAST_POINT]), TODAY
    )
    # the retired offer is priced (the profile names it) but never a class's cheapest
    assert [(v.key, v.hosted.id) for v in result.verdicts] == [
        ("small", "p/api"),
        ("open:m8b", "h/m8b"),
    ]
    assert result.verdicts[1].label == "hosts of m8b"
    # the profile's question is answered against the cheapest offer of its quality: h/m8b
    assert answer(result.verdicts, "small") is result.verdicts[1]
    assert result.featured.hosted == "h/m8b"


def test_savings_and_display_names() -> None:
    from costcalc.render.names import display_name, namer
    from costcalc.render.verdict import savings_text

    result = compare(make_profile(compare=COMPARE), make_catalog(points=[FAST_POINT]), TODAY)
    # keep the API: $2,260 − $788.40 = $1,471.60 a month, × 12 = $17,659.20 a year
    assert savings_text(result) == (
        "Keeping test/api saves $1,472/month ($17,659/year) against self-hosting m8b@test/gpu."
    )
    hosted, selfhosted = result.hosted[0], result.self_hosted[0]
    assert display_name(hosted) == "Test api"
    assert display_name(selfhosted) == "8b on Test gpu"  # test/8b in bf16 on test/gpu
    assert namer(result)("m8b@test/gpu") == "8b on Test gpu"
    assert namer(result)("unknown") == "unknown"
    # at 10× the volume self-hosting wins: $788.40 × 10 = $7,884 against $2,260
    big = compare(make_profile(compare=COMPARE), make_catalog(points=[FAST_POINT]), TODAY, 864_000)
    text = savings_text(big)
    assert text is not None and text.startswith("Self-hosting saves $5,624/month ($67,488/year")


def test_text_chart_carries_requests_per_day() -> None:
    from costcalc.core.analysis.curves import cost_curves
    from costcalc.render.chart import cost_chart

    result = compare(make_profile(compare=COMPARE), make_catalog(points=[FAST_POINT]), TODAY)
    curves = cost_curves(result)
    assert curves is not None and curves.tokens_per_request == pytest.approx(200)
    chart = cost_chart(curves, 100)
    # 86,400 requests/day × 200 billed tokens = 17.3M tokens/day
    assert "you: 86.4K req/day (17.3M tok)" in chart
    assert "in requests/day: " in chart and "1M = 5K" in chart  # 1M tokens ÷ 200 per request


def test_spans_cannot_be_misread() -> None:
    from costcalc.render.verdict import span

    assert span(5_600, 19_700) == "5.6K–19.7K"
    assert span(17.7, 400e3) == "18 to 400K"  # not "18–400K", which reads as 18K
    assert span(1.17e9, 1.19e9) == "1.17B–1.19B"  # one decimal would print 1.2B twice
    assert span(180e3, 182.2e3) == "180K–182.2K"


def test_the_answer_never_rests_on_an_offer_that_misses_the_slo_or_is_retired() -> None:
    from costcalc.render.verdict import answer_text, savings_text

    slow = {"as_of": "2026-04-24", "source": "https://example.test", "ttft_s": 9.0,
            "output_tokens_per_s": 100}  # fmt: skip
    offers = [hosted_offer(id="a/slow", usd_per_mtok_input=0.01, latency=slow)]
    compared = {**COMPARE, "hosted": ["a/slow"]}
    result = compare(
        make_profile(compare=compared), make_catalog(hosted=offers, points=[FAST_POINT]), TODAY
    )
    # the only offer misses the SLO: the answer is to self-host, no savings against it, and
    # the featured pair has no hosted side (the option is never featured)
    text = answer_text(result)
    assert "no offer of the small/nano APIs compared meets the SLO" in text
    assert "self-host, m8b@test/gpu at $2,260/month" in text
    assert savings_text(result) is None
    assert result.featured.hosted is None and result.cheapest == "m8b@test/gpu"
    retired = [hosted_offer(id="r/old", usd_per_mtok_input=0.01, deprecation_date="2026-01-01")]
    result = compare(
        make_profile(compare={**COMPARE, "hosted": ["r/old"]}),
        make_catalog(hosted=retired, points=[FAST_POINT]),
        TODAY,
    )
    assert result.cheapest == "m8b@test/gpu" and result.verdicts == []
    assert "every hosted offer compared is past its deprecation date" in answer_text(result)


def test_outside_the_searched_range_the_costs_at_the_volume_decide() -> None:
    from costcalc.render.verdict import answer_text

    # 8.64M requests/day, searched only over 100K–10M tokens/day (500 to 50K requests/day):
    # hosted $78,840 against self-hosted well under it
    result = compare(
        make_profile(compare=COMPARE), make_catalog(points=[FAST_POINT]), TODAY,
        8_640_000, (1e5, 1e7),
    )  # fmt: skip
    text = answer_text(result)
    assert "self-host: m8b@test/gpu" in text
    assert "(your volume is outside the searched range)" in text


def test_cli_sensitivity_survives_a_featured_pair_without_a_side(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from costcalc.cli import app

    text = (ROOT / "profiles" / "rag-support-chatbot.yaml").read_text(encoding="utf-8")
    deprecated = text.split("compare:")[0] + (
        "compare:\n  hosted: [together/llama-3.1-8b-instruct-turbo]\n"
        "  self_hosted:\n    - {model: llama-3.1-8b-instruct, compute: runpod-serverless/48gb}\n"
    )
    profile = tmp_path / "p.yaml"
    profile.write_text(deprecated, encoding="utf-8")
    result = CliRunner().invoke(app, ["sensitivity", str(profile)])
    assert result.exit_code == 0, result.stderr
    assert "together/llama-3.1-8b-instruct-turbo" in result.stdout


def test_csv_carries_requests_per_day_and_every_window() -> None:
    import csv
    import io

    from costcalc.render.csvout import render_csv

    result = compare(make_profile(compare=COMPARE), make_catalog(points=[FAST_POINT]), TODAY)
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(render_csv(result)))}
    # against the featured self-hosted option: cheaper from 2,260 / (0.0003 × 730/24) req/day
    start = float(rows["test/api"]["breakeven_requests_per_day"])
    assert start == pytest.approx(247_671, rel=1e-3)
    assert rows["test/api"]["cheaper_windows_requests_per_day"] == f"{start:.1f}-"
