"""Calibrate the roofline against benchmark points: efficiency factors and tail ratios."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from costcalc.core.selfhosted.roofline import (
    BYTES_PER_PARAM,
    Efficiency,
    Hardware,
    Shape,
    geometric_mean_abs_error,
    max_batch,
    step_seconds,
)
from costcalc.schema.catalog import GpuSpec, OpenModel, ThroughputPoint

BANDWIDTH_GRID = np.round(np.arange(0.30, 0.951, 0.025), 3)
COMPUTE_GRID = np.round(np.arange(0.15, 0.901, 0.025), 3)
TENSOR_PARALLEL_GRID = np.round(np.arange(0.60, 1.001, 0.025), 3)


def hardware(gpu: GpuSpec, gpus: int, precision: str) -> Hardware:
    """FP8 runs on FP8 tensor cores where the GPU has them, else at the BF16 rate."""
    tflops = gpu.fp8_tflops if precision == "fp8" and gpu.fp8_tflops else gpu.bf16_tflops
    return Hardware(gpu.memory_gb, gpu.bandwidth_gbs, tflops, gpus)


def shape(model: OpenModel, precision: str) -> Shape:
    return Shape(
        model.params_b, model.layers, model.kv_heads, model.head_dim, BYTES_PER_PARAM[precision]
    )


def observed_batch(point: ThroughputPoint, limit: int) -> float:
    """Sequences in flight during a run: its concurrency cap, else Little's law X × latency."""
    if point.concurrency is not None:
        return float(min(point.concurrency, limit))
    if point.ttft_ms_p50 is not None and point.tpot_ms_p50 is not None:
        latency_s = (point.ttft_ms_p50 + point.output_tokens * point.tpot_ms_p50) / 1000.0
        return float(min(max(1.0, point.request_throughput * latency_s), limit))
    return float(limit)


def _median_ratio(pairs: list[tuple[float | None, float | None]]) -> float:
    ratios = [hi / lo for lo, hi in pairs if lo and hi and hi >= lo]
    return float(np.median(ratios)) if ratios else 1.0


@dataclass(frozen=True)
class Calibration:
    efficiency: Efficiency
    points_used: int
    typical_error: float  # geometric mean |log(pred/measured)|, as a fraction
    worst_error: float


def calibrate(
    points: tuple[ThroughputPoint, ...],
    gpus: dict[str, GpuSpec],
    models: dict[str, OpenModel],
) -> Calibration:
    """Grid-search the (bandwidth, compute) efficiencies that best predict the measured points.

    Every point with a known GPU and model shape takes part; the error reported is how far the
    calibrated roofline stays from the measurements it was fitted to.
    """
    tail = Efficiency(
        tpot_p99_over_p50=_median_ratio([(p.tpot_ms_p50, p.tpot_ms_p99) for p in points]),
        ttft_p99_over_p50=_median_ratio([(p.ttft_ms_p50, p.ttft_ms_p99) for p in points]),
    )
    rows = []
    for p in points:
        if p.gpu not in gpus or p.model not in models:
            continue
        hw = hardware(gpus[p.gpu], p.gpus_per_replica, p.precision)
        sh = shape(models[p.model], p.precision)
        limit = max_batch(hw, sh, p.input_tokens, p.output_tokens)
        if limit == 0:
            continue
        rows.append((hw, sh, p, observed_batch(p, limit)))
    if not rows:
        return Calibration(tail, 0, float("nan"), float("nan"))
    prefill = prefill_efficiency(rows)
    # Without a multi-GPU benchmark the tensor-parallel factor cannot be fitted: keep it at 1.
    tp_grid = TENSOR_PARALLEL_GRID if any(hw.gpus > 1 for hw, *_ in rows) else np.array([1.0])
    grid = np.meshgrid(BANDWIDTH_GRID, COMPUTE_GRID, tp_grid, indexing="ij")
    log_err = np.zeros(grid[0].shape)
    for hw, sh, p, batch in rows:
        predicted = _predict(hw, sh, p, batch, (grid[0], grid[1], grid[2]))
        log_err += np.log(predicted / p.request_throughput) ** 2
    at = np.unravel_index(int(np.argmin(log_err)), log_err.shape)
    best = Efficiency(
        bandwidth=float(grid[0][at]),
        compute=float(grid[1][at]),
        tensor_parallel=float(grid[2][at]),
        prefill=prefill,
        tpot_p99_over_p50=tail.tpot_p99_over_p50,
        ttft_p99_over_p50=tail.ttft_p99_over_p50,
    )
    ratios = np.array(
        [_predict(hw, sh, p, batch, best) / p.request_throughput for hw, sh, p, batch in rows],
        dtype=np.float64,
    ).ravel()
    worst = float(np.max(np.abs(ratios - 1.0)))
    return Calibration(best, len(rows), geometric_mean_abs_error(ratios), worst)


def prefill_efficiency(rows: list[tuple[Hardware, Shape, ThroughputPoint, float]]) -> float:
    """Share of peak compute a prompt's prefill reaches (it sets the TTFT estimate), from
    single-GPU runs' median TTFT.

    A TTFT is prefill plus queueing, so 2·P·I / (peak × TTFT) is a lower bound on the true
    efficiency, and the highest one is the tightest. Example (llm-d, H100): 2 × 8.03e9 × 7,999
    / (989e12 × 0.244 s) = 0.53. Kept between 0.2 and 0.85; 0.5 without data.
    """
    implied = [
        2.0 * sh.params_b * 1e9 * p.input_tokens / (hw.tflops * 1e12 * p.ttft_ms_p50 / 1000.0)
        for hw, sh, p, _ in rows
        if hw.gpus == 1 and p.ttft_ms_p50
    ]
    return float(np.clip(max(implied), 0.2, 0.85)) if implied else 0.5


def _predict(
    hw: Hardware,
    sh: Shape,
    p: ThroughputPoint,
    batch: float,
    eff: Efficiency | tuple[np.ndarray, np.ndarray, np.ndarray],
) -> np.ndarray:
    """Predicted requests/s of a point, for one efficiency or a grid of them.

    Benchmarks send random prompts, so nothing of the input is prefix-cached.
    """
    context = p.input_tokens + p.output_tokens / 2.0
    step = step_seconds(hw, sh, eff, batch, p.input_tokens, p.output_tokens, context)
    return np.asarray(batch / (step * p.output_tokens))
