"""Capacity from benchmark points: SLO selection, mix fit, scaling and lone latency."""

from __future__ import annotations

import numpy as np
import pytest

from costcalc.core.selfhosted.capacity import (
    Mix,
    benchmark_capacity,
    fit_mixes,
    latency_ms,
    lone_latency_s,
    meets_slo,
    operating_points,
)
from costcalc.core.selfhosted.nnls import nnls
from costcalc.schema.profile import Slo
from tests.conftest import point

SLO = Slo(percentile=99, ttft_ms=1000, tpot_ms=50)


def no_scale(op: object, mix: Mix) -> float:
    raise AssertionError("scaling must not be used when the mix was measured")


def test_latency_prefers_the_asked_percentile_then_stricter_then_laxer() -> None:
    p = point(ttft_ms_p50=100, ttft_ms_p99=400, tpot_ms_p50=20)
    assert latency_ms(p, "ttft", 99) == (400, 99)
    assert latency_ms(p, "ttft", 90) == (400, 99)  # p95 absent: p99 is the stricter stand-in
    assert latency_ms(p, "tpot", 99) == (20, 50)  # only the median was published
    assert latency_ms(p, "tpot", 50) == (20, 50)
    assert latency_ms(point(), "ttft", 99) == (None, 99)


def test_meets_slo_notes_what_it_could_not_check() -> None:
    ok, notes = meets_slo(point(ttft_ms_p99=900, tpot_ms_p50=40), SLO)
    assert ok and notes == ["TPOT checked at p50 (p99 not published)"]
    ok, notes = meets_slo(point(ttft_ms_p99=1100, tpot_ms_p99=40), SLO)
    assert not ok and notes == []
    ok, notes = meets_slo(point(), SLO)
    assert ok and len(notes) == 2


def test_the_fastest_point_that_breaks_the_slo_is_not_chosen() -> None:
    sweep = [
        point(concurrency=8, request_throughput=3.0, ttft_ms_p99=200, tpot_ms_p99=20),
        point(concurrency=32, request_throughput=7.0, ttft_ms_p99=600, tpot_ms_p99=45),
        point(concurrency=128, request_throughput=9.0, ttft_ms_p99=3000, tpot_ms_p99=90),
    ]
    (op,) = operating_points(sweep, SLO)
    assert op.slo_met and op.point.request_throughput == 7.0


def test_a_mix_where_nothing_meets_the_slo_keeps_its_lightest_run() -> None:
    sweep = [
        point(concurrency=8, request_throughput=3.0, ttft_ms_p99=2000),
        point(concurrency=32, request_throughput=7.0, ttft_ms_p99=5000),
    ]
    (op,) = operating_points(sweep, SLO)
    assert not op.slo_met and op.point.request_throughput == 3.0


def test_runs_within_five_percent_are_one_mix() -> None:
    sweep = [
        point(input_tokens=213, output_tokens=212, request_throughput=1.0),
        point(input_tokens=213, output_tokens=214, request_throughput=2.0),
        point(input_tokens=1000, output_tokens=200, request_throughput=5.0),
    ]
    ops = operating_points(sweep, SLO)
    assert [op.point.request_throughput for op in ops] == [2.0, 5.0]


def test_nnls_recovers_non_negative_coefficients() -> None:
    design = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    assert nnls(design, np.array([2.0, 3.0, 5.0])) == pytest.approx([2.0, 3.0])
    # a + b = 2, a + 2b = 1 is solved exactly by a = 3, b = −1; with b ≥ 0 the best is b = 0,
    # a = mean(2, 1) = 1.5 (squared error 0.5), beating a = 0, b = 0.8 (squared error 1.8)
    x = nnls(np.array([[1.0, 1.0], [1.0, 2.0]]), np.array([2.0, 1.0]))
    assert x == pytest.approx([1.5, 0.0])


def test_fit_recovers_known_prefill_and_decode_costs() -> None:
    # s = 1e-4 × I + 2e-3 × o: three mixes measured exactly
    a, b = 1e-4, 2e-3
    mixes = [(1000, 200), (2000, 100), (500, 500)]
    sweep = [
        point(input_tokens=i, output_tokens=o, request_throughput=1 / (a * i + b * o))
        for i, o in mixes
    ]
    fit = fit_mixes(operating_points(sweep, SLO))
    assert fit.a == pytest.approx(a) and fit.b == pytest.approx(b) and fit.c == 0.0
    assert max(abs(r) for r in fit.residuals) < 1e-9
    # the fitted s at an unmeasured mix: 1e-4 × 3000 + 2e-3 × 300 = 0.9 s
    cap = benchmark_capacity(sweep, Mix(3000, 3000, 300), SLO, no_scale)
    assert cap.source == "fit" and cap.seconds_per_request == pytest.approx(0.9)


def test_fit_with_intercept_from_four_mixes() -> None:
    a, b, c = 1e-4, 2e-3, 0.05
    mixes = [(1000, 200), (2000, 100), (500, 500), (4000, 50)]
    sweep = [
        point(input_tokens=i, output_tokens=o, request_throughput=1 / (a * i + b * o + c))
        for i, o in mixes
    ]
    fit = fit_mixes(operating_points(sweep, SLO))
    assert (fit.a, fit.b, fit.c) == pytest.approx((a, b, c))


def test_measured_mix_is_used_as_is() -> None:
    sweep = [point(request_throughput=4.0, ttft_ms_p99=100, tpot_ms_p99=10)]
    cap = benchmark_capacity(sweep, Mix(1040, 1040, 195), SLO, no_scale)
    assert cap.source == "benchmark" and cap.seconds_per_request == pytest.approx(0.25)
    assert cap.slo_met and not cap.lower_bound


def test_one_other_mix_is_scaled_by_the_roofline_ratio() -> None:
    sweep = [point(request_throughput=4.0, saturated=False)]
    cap = benchmark_capacity(sweep, Mix(5000, 5000, 100), SLO, lambda op, mix: 1.5)
    # 0.25 s measured × 1.5 modelled = 0.375 s
    assert cap.seconds_per_request == pytest.approx(0.375)
    assert cap.lower_bound and "capacity lower bound (unsaturated run)" in cap.notes


def test_lone_latency_from_the_lightest_run_scaled_to_the_prompt() -> None:
    sweep = [
        point(concurrency=1, ttft_ms_p50=100, tpot_ms_p50=10),
        point(concurrency=64, ttft_ms_p50=900, tpot_ms_p50=40),
    ]
    # TTFT 100 ms × (2,000 / 1,000 prefill tokens) + 300 × 10 ms = 3.2 s
    assert lone_latency_s(sweep, Mix(2000, 2000, 300)) == pytest.approx(3.2)
    assert lone_latency_s([point()], Mix(1, 1, 1)) is None


def test_leave_one_mix_out_predicts_each_mix_from_the_others() -> None:
    from costcalc.core.selfhosted.capacity import leave_one_mix_out

    a, b = 1e-4, 2e-3
    mixes = [(1000, 200), (2000, 100), (500, 500)]
    exact = [
        point(input_tokens=i, output_tokens=o, request_throughput=1 / (a * i + b * o))
        for i, o in mixes
    ]
    assert leave_one_mix_out(operating_points(exact, SLO)) == pytest.approx(
        [0.0, 0.0, 0.0], abs=1e-9
    )
    # the third mix measured 25 % slower than the linear model says: predicting it from the
    # other two (which fit exactly) comes out 20 % fast: 1/1.25 − 1 = −0.2
    skewed = [
        *exact[:2],
        point(
            input_tokens=500, output_tokens=500, request_throughput=1 / (1.25 * (a * 500 + b * 500))
        ),
    ]
    ops = operating_points(skewed, SLO)
    held_out = dict(zip((op.point.input_tokens for op in ops), leave_one_mix_out(ops), strict=True))
    assert held_out[500] == pytest.approx(-0.2)
    assert leave_one_mix_out(operating_points(exact[:2], SLO)) == [None, None]
