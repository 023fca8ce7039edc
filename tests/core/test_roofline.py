"""Roofline estimate and its calibration against benchmark points."""

from __future__ import annotations

import numpy as np
import pytest

from costcalc.core.selfhosted.calibrate import calibrate, hardware, shape
from costcalc.core.selfhosted.roofline import (
    Efficiency,
    Hardware,
    StepModel,
    effective_gpus,
    kv_budget_bytes,
    max_batch,
    roofline_capacity,
    step_seconds,
)
from tests.conftest import GPU, MODEL, point

H100 = Hardware(memory_gb=80, bandwidth_gbs=3350, tflops=989, gpus=1)
LLAMA8 = shape(MODEL.model_copy(update={"params_b": 8.03}), "bf16")


def test_model_bytes() -> None:
    # 2 × 32 layers × 8 KV heads × 128 × 2 bytes = 131,072 B per token (Llama-3.1-8B)
    assert LLAMA8.kv_bytes_per_token == 131_072
    assert LLAMA8.weight_bytes == pytest.approx(16.06e9)
    assert shape(MODEL, "fp8").weight_bytes == pytest.approx(8e9)


def test_kv_budget_and_batch_limit() -> None:
    # 80 GB × 0.9 − 16.06 GB = 55.94 GB for the KV cache
    assert kv_budget_bytes(H100, LLAMA8) == pytest.approx(55.94e9)
    # 8,200-token contexts: 55.94e9 / (8,200 × 131,072) = 52 sequences
    assert max_batch(H100, LLAMA8, 8000, 200) == 52
    # short contexts hit vLLM's 256-sequence cap
    assert max_batch(H100, LLAMA8, 100, 100) == 256
    # 16 GB of weights do not fit on a 16 GB card
    assert max_batch(Hardware(16, 320, 65, 1), LLAMA8, 100, 100) == 0


def test_lone_step_is_weight_bandwidth_bound() -> None:
    # B = 1, no context: 16.06 GB / (3,350 GB/s × 0.7) = 6.849 ms
    step = step_seconds(H100, LLAMA8, Efficiency(0.7, 0.5), 1.0, 0.0, 100.0, 0.0)
    assert float(step) == pytest.approx(16.06e9 / (3350e9 * 0.7))


def test_tensor_parallel_efficiency_per_doubling() -> None:
    assert float(effective_gpus(8, 0.9)) == pytest.approx(8 * 0.9**3)
    assert float(effective_gpus(1, 0.5)) == 1.0


def test_capacity_is_the_largest_batch_within_the_tpot_slo() -> None:
    hw = hardware(GPU, 1, "bf16")  # 80 GB, 2,000 GB/s, 300 TFLOPS
    model = StepModel(hw, shape(MODEL, "bf16"), Efficiency(bandwidth=0.5, compute=0.5))
    cap = roofline_capacity(model, 1000, 1000, 200, ttft_slo_s=1.0, tpot_slo_s=0.020, percentile=50)
    assert cap is not None and cap.slo_met
    # step(B) = (16e9 + B × 1,100 × 131,072) / 1e12 ≤ 20 ms → B ≤ 27.7 → 27
    assert cap.batch == 27
    step = (16e9 + 27 * 1100 * 131_072) / 1e12
    assert cap.tpot_s == pytest.approx(step)
    # s = step × o / B
    assert cap.seconds_per_request == pytest.approx(step * 200 / 27)
    # lone request: prefill 2 × 8e9 × 1,000 / 150e12 + step(1), then 200 steps at B = 1
    step1 = (16e9 + 1100 * 131_072) / 1e12
    assert cap.lone_latency_s == pytest.approx(16e12 / 150e12 + step1 + 200 * step1)


def test_unreachable_slo_is_reported_at_batch_one() -> None:
    model = StepModel(hardware(GPU, 1, "bf16"), shape(MODEL, "bf16"), Efficiency(0.5, 0.5))
    cap = roofline_capacity(model, 1000, 1000, 200, 1.0, tpot_slo_s=0.001, percentile=99)
    assert cap is not None and not cap.slo_met and cap.batch == 1


def test_calibration_recovers_known_efficiencies() -> None:
    truth = Efficiency(bandwidth=0.6, compute=0.4)
    hw, sh = hardware(GPU, 1, "bf16"), shape(MODEL, "bf16")
    points = []
    for i, o, batch in [
        (100, 500, 4),
        (100, 500, 64),
        (4000, 100, 32),
        (8000, 200, 16),
        (500, 300, 128),
    ]:
        step = step_seconds(hw, sh, truth, float(batch), i, o, i + o / 2)
        points.append(
            point(
                input_tokens=i,
                output_tokens=o,
                concurrency=batch,
                request_throughput=float(batch / (step * o)),
            )
        )
    cal = calibrate(tuple(points), {GPU.id: GPU}, {MODEL.id: MODEL})
    assert cal.efficiency.bandwidth == pytest.approx(0.6)
    assert cal.efficiency.compute == pytest.approx(0.4)
    assert cal.points_used == 5 and cal.typical_error == pytest.approx(0.0, abs=1e-9)


def test_calibration_reads_tail_ratios_from_the_points() -> None:
    points = (
        point(tpot_ms_p50=10, tpot_ms_p99=20, ttft_ms_p50=100, ttft_ms_p99=300),
        point(tpot_ms_p50=10, tpot_ms_p99=10, ttft_ms_p50=100, ttft_ms_p99=100),
        point(tpot_ms_p50=10, tpot_ms_p99=15),
    )
    eff = calibrate(points, {GPU.id: GPU}, {MODEL.id: MODEL}).efficiency
    assert eff.tpot_p99_over_p50 == 1.5  # median of 2.0, 1.0, 1.5
    assert eff.ttft_p99_over_p50 == 2.0  # median of 3.0, 1.0
    # p95 sits between: 1.5 ** (1.6449 / 2.3263)
    assert eff.tail(1.5, 95) == pytest.approx(1.5 ** (1.6449 / 2.3263))
    assert eff.tail(1.5, 50) == 1.0


def test_calibration_without_points_keeps_defaults() -> None:
    cal = calibrate((), {GPU.id: GPU}, {MODEL.id: MODEL})
    assert cal.points_used == 0 and np.isnan(cal.typical_error)


def test_prefill_efficiency_from_the_fastest_median_ttft() -> None:
    from costcalc.core.selfhosted.calibrate import prefill_efficiency

    h100 = Hardware(memory_gb=80, bandwidth_gbs=3350, tflops=989, gpus=1)
    llmd = point(input_tokens=7999, output_tokens=200, ttft_ms_p50=244.09)
    queued = point(input_tokens=100, output_tokens=400, ttft_ms_p50=900)
    # 2 × 8.03e9 × 7,999 / (989e12 × 0.24409 s) = 0.532; the queued run implies less
    eff = prefill_efficiency([(h100, LLAMA8, llmd, 1.0), (h100, LLAMA8, queued, 1.0)])
    assert eff == pytest.approx(2 * 8.03e9 * 7999 / (989e12 * 0.24409), rel=1e-6)
    assert prefill_efficiency([]) == 0.5
