"""Benchmark points under the SLO, and capacity read from runs measured at a mix."""

from __future__ import annotations

import pytest

from costcalc.core.selfhosted.capacity import Mix, latency_ms, meets_slo, operating_points
from costcalc.core.selfhosted.measured import measured_capacity
from costcalc.schema.profile import Slo
from tests.conftest import point

SLO = Slo(percentile=99, ttft_ms=1000, tpot_ms=50)


MIX = Mix(1000.0, 1000.0, 200.0)  # the points' own mix (tests.conftest.point)


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


def test_measured_capacity_interpolates_to_where_a_latency_reaches_the_slo() -> None:
    # the worked example of measured.py: 6.4 req/s at p99 TTFT 500 ms, 9.7 at 1,500 ms under
    # a 1,000 ms SLO: TTFT reaches it half-way, 6.4 + 0.5 × (9.7 − 6.4) = 8.05 req/s
    sweep = [
        point(concurrency=16, request_throughput=6.4, ttft_ms_p99=500, tpot_ms_p99=30),
        point(concurrency=32, request_throughput=9.7, ttft_ms_p99=1500, tpot_ms_p99=40),
    ]
    found = measured_capacity(sweep, MIX, SLO)
    assert found is not None and not found.floor
    assert found.request_throughput == pytest.approx(8.05)
    # TPOT binds first when it reaches its limit sooner: 30 → 90 ms against 50 ms is 1/3
    tight = [sweep[0], sweep[1].model_copy(update={"tpot_ms_p99": 90.0})]
    found = measured_capacity(tight, MIX, SLO)
    assert found is not None
    assert found.request_throughput == pytest.approx(6.4 + (9.7 - 6.4) / 3)


def test_measured_capacity_is_a_floor_when_nothing_heavier_misses() -> None:
    sweep = [point(concurrency=16, request_throughput=6.4, ttft_ms_p99=500, tpot_ms_p99=30)]
    found = measured_capacity(sweep, MIX, SLO)
    assert found is not None and found.floor and found.request_throughput == 6.4


def test_measured_capacity_reports_a_mix_where_no_run_meets_the_slo() -> None:
    sweep = [point(concurrency=4, request_throughput=1.0, ttft_ms_p99=5000)]
    found = measured_capacity(sweep, MIX, SLO)
    assert found is not None and found.request_throughput is None
    assert "no run at this mix meets the SLO (the lightest: concurrency 4)" in found.note
    assert found.ceiling == 1.0  # lighter loads were not run: capacity stays below 1 req/s


def test_bursts_and_other_mixes_are_not_measured_capacity() -> None:
    burst = point(concurrency=None, num_prompts=200, request_throughput=9.0, ttft_ms_p99=300)
    elsewhere = point(input_tokens=4000, request_throughput=2.0)
    assert burst.load == "burst"
    assert measured_capacity([burst, elsewhere], MIX, SLO) is None
