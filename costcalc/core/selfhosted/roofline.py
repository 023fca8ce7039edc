"""Roofline estimate of vLLM serving (DESIGN §1.4) for (model, GPU) pairs without benchmarks.

One engine step serves every running sequence one token and folds in the prefill of newly
arrived requests (chunked prefill). Its time is the larger of reading weights + KV cache at the
achievable bandwidth and doing the FLOPs at the achievable compute rate. Efficiency factors are
calibrated against the benchmark points, and every figure from here is labelled an estimate.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from costcalc.core.demand.traffic import FloatArray

BYTES_PER_PARAM = {"bf16": 2.0, "fp8": 1.0, "int4": 0.56}  # int4 AWQ/GPTQ incl. scales
KV_BYTES_PER_ELEMENT = 2.0  # vLLM's default KV-cache dtype follows the bf16 activations
GPU_MEMORY_UTILIZATION = 0.9  # vLLM default share of GPU memory it takes
MAX_NUM_SEQS = 256  # vLLM default cap on sequences in one batch
ROOFLINE_CHUNK = 2048  # mixes searched at once
# Tail latency over median when no benchmark says otherwise, per percentile (see calibrate()).
Z_SCORES = {50: 0.0, 90: 1.2816, 95: 1.6449, 99: 2.3263}


@dataclass(frozen=True)
class Hardware:
    """One replica: `gpus` GPUs of one kind, tensor parallel."""

    memory_gb: float
    bandwidth_gbs: float
    tflops: float
    gpus: int


@dataclass(frozen=True)
class Shape:
    """What the roofline needs of a model: parameters and KV-cache geometry."""

    params_b: float
    layers: int
    kv_heads: int
    head_dim: int
    bytes_per_param: float

    @property
    def weight_bytes(self) -> float:
        return self.params_b * 1e9 * self.bytes_per_param

    @property
    def kv_bytes_per_token(self) -> float:
        """2 (K and V) × layers × kv_heads × head_dim × 2 bytes: Llama-3.1-8B → 131,072 B."""
        return 2.0 * self.layers * self.kv_heads * self.head_dim * KV_BYTES_PER_ELEMENT


@dataclass(frozen=True)
class Efficiency:
    """Achieved share of peak bandwidth and compute, and tail-over-median latency ratios."""

    bandwidth: float = 0.7
    compute: float = 0.5  # engine steps mixing decode and chunked prefill
    tensor_parallel: float = 1.0  # speed kept per doubling of GPUs in a replica
    prefill: float = 0.5  # a lone prompt's prefill, which sets TTFT
    tpot_p99_over_p50: float = 1.0
    ttft_p99_over_p50: float = 1.0

    def tail(self, ratio_p99: float, percentile: int) -> float:
        """Ratio at another percentile, log-interpolated by normal z-score: p50 → 1."""
        return float(ratio_p99 ** (Z_SCORES[percentile] / Z_SCORES[99]))


def effective_gpus(gpus: int, tensor_parallel: float | FloatArray) -> FloatArray:
    """GPUs' worth of speed from a tensor-parallel replica: each doubling keeps a share of the
    ideal, for the all-reduce traffic between GPUs (0.9 per doubling: 8 GPUs act like 5.8)."""
    return np.asarray(gpus * np.asarray(tensor_parallel) ** np.log2(gpus), dtype=np.float64)


def kv_budget_bytes(hw: Hardware, shape: Shape) -> float:
    """GPU memory left for the KV cache after the weights (negative: the model does not fit)."""
    return hw.memory_gb * 1e9 * hw.gpus * GPU_MEMORY_UTILIZATION - shape.weight_bytes


def max_batches(
    hw: Hardware, shape: Shape, input_tokens: FloatArray, output_tokens: FloatArray
) -> FloatArray:
    """Sequences that fit at once with a full context each, capped at vLLM's max_num_seqs;
    0 where not even one fits. One value per mix."""
    budget = kv_budget_bytes(hw, shape)
    per_sequence = (np.asarray(input_tokens) + np.asarray(output_tokens)) * shape.kv_bytes_per_token
    fits = np.minimum(MAX_NUM_SEQS, budget // per_sequence)
    return np.asarray(np.where(budget >= per_sequence, fits, 0.0), dtype=np.float64)


def max_batch(hw: Hardware, shape: Shape, input_tokens: float, output_tokens: float) -> int:
    """max_batches of one mix."""
    return int(max_batches(hw, shape, np.array([input_tokens]), np.array([output_tokens]))[0])


def step_seconds(
    hw: Hardware,
    shape: Shape,
    eff: Efficiency | tuple[FloatArray, FloatArray, FloatArray],
    batch: float | FloatArray,
    prefill_tokens: float,
    output_tokens: float,
    context: float,
) -> FloatArray:
    """max(memory, compute) time of one step of B sequences plus the B/o prefills arriving.

    Worked example, Llama-3.1-8B bf16 on one H100 SXM at 70 % of 3,350 GB/s, B = 1, short
    context: 16.06 GB / 2,345 GB/s = 6.8 ms per step, so about 146 tokens/s for a lone request.
    """
    factors: tuple[float | FloatArray, float | FloatArray, float | FloatArray] = (
        (eff.bandwidth, eff.compute, eff.tensor_parallel) if isinstance(eff, Efficiency) else eff
    )
    bandwidth_eff, compute_eff, tp_eff = factors
    gpus = effective_gpus(hw.gpus, tp_eff)
    bandwidth = hw.bandwidth_gbs * 1e9 * gpus * np.asarray(bandwidth_eff)
    flops = hw.tflops * 1e12 * gpus * np.asarray(compute_eff)
    batch_arr = np.asarray(batch, dtype=np.float64)
    memory_s = (shape.weight_bytes + batch_arr * context * shape.kv_bytes_per_token) / bandwidth
    tokens = batch_arr * (1.0 + prefill_tokens / output_tokens)
    compute_s = 2.0 * shape.params_b * 1e9 * tokens / flops
    return np.asarray(np.maximum(memory_s, compute_s), dtype=np.float64)


@dataclass(frozen=True)
class StepModel:
    """Step time, per-request GPU time and latencies at batch sizes B (vectorised)."""

    hw: Hardware
    shape: Shape
    eff: Efficiency

    def step_s(
        self, batch: FloatArray, prefill_tokens: float, output_tokens: float, context: float
    ) -> FloatArray:
        return step_seconds(
            self.hw, self.shape, self.eff, batch, prefill_tokens, output_tokens, context
        )

    def seconds_per_request(
        self, batch: FloatArray, prefill_tokens: float, output_tokens: float, context: float
    ) -> FloatArray:
        """Replica-seconds per request s(B) = step(B) × o / B."""
        return self.step_s(batch, prefill_tokens, output_tokens, context) * output_tokens / batch

    def prefill_s(self, prefill_tokens: float) -> float:
        gpus = float(effective_gpus(self.hw.gpus, self.eff.tensor_parallel))
        flops = self.hw.tflops * 1e12 * gpus * self.eff.prefill
        return 2.0 * self.shape.params_b * 1e9 * prefill_tokens / flops


@dataclass(frozen=True)
class RooflineCapacity:
    batch: int
    seconds_per_request: float
    ttft_s: float
    tpot_s: float
    lone_latency_s: float
    slo_met: bool
    tpot_tail_s: float  # at the SLO's percentile, at the chosen batch
    ttft_tail_s: float


@dataclass(frozen=True)
class RooflineArrays:
    """RooflineCapacity's figures for many mixes at once (batch 0: the mix does not fit)."""

    batch: FloatArray
    seconds_per_request: FloatArray
    ttft_s: FloatArray
    tpot_s: FloatArray
    lone_latency_s: FloatArray
    slo_met: npt.NDArray[np.bool_]
    tpot_tail_s: FloatArray
    ttft_tail_s: FloatArray


def roofline_arrays(
    model: StepModel,
    input_tokens: FloatArray,
    prefill_tokens: FloatArray,
    output_tokens: FloatArray,
    ttft_slo_s: float,
    tpot_slo_s: float,
    percentile: int,
) -> RooflineArrays:
    """Per mix, the largest batch whose tail TPOT and TTFT meet the SLO (batch 1 when none
    does), searched over every batch size up to what fits: a (mixes × batches) grid, built
    2,048 mixes at a time so 10,000 mixes × 256 batches stay near 20 MB."""
    if len(input_tokens) > ROOFLINE_CHUNK:
        parts = [
            roofline_arrays(
                model,
                input_tokens[i : i + ROOFLINE_CHUNK],
                prefill_tokens[i : i + ROOFLINE_CHUNK],
                output_tokens[i : i + ROOFLINE_CHUNK],
                ttft_slo_s,
                tpot_slo_s,
                percentile,
            )
            for i in range(0, len(input_tokens), ROOFLINE_CHUNK)
        ]
        return RooflineArrays(
            *(
                np.concatenate([getattr(part, f.name) for part in parts])
                for f in dataclasses.fields(RooflineArrays)
            )
        )
    limit = max_batches(model.hw, model.shape, input_tokens, output_tokens)
    batches = np.arange(1, max(int(limit.max()), 1) + 1, dtype=np.float64)[None, :]
    prefill, output = np.asarray(prefill_tokens)[:, None], np.asarray(output_tokens)[:, None]
    context = np.asarray(input_tokens)[:, None] + output / 2.0
    step = model.step_s(batches, prefill, output, context)  # type: ignore[arg-type]
    ttft = model.prefill_s(prefill) + step  # type: ignore[arg-type]
    tpot_tail = step * model.eff.tail(model.eff.tpot_p99_over_p50, percentile)
    ttft_tail = ttft * model.eff.tail(model.eff.ttft_p99_over_p50, percentile)
    ok = (tpot_tail <= tpot_slo_s) & (ttft_tail <= ttft_slo_s) & (batches <= limit[:, None])
    met = ok.any(axis=1)
    # the last batch size that meets the SLO, else the first
    index = np.where(met, ok.shape[1] - 1 - np.argmax(ok[:, ::-1], axis=1), 0)
    rows = np.arange(ok.shape[0])
    batch = batches[0, index]
    s = model.seconds_per_request(batch, prefill[:, 0], output[:, 0], context[:, 0])  # type: ignore[arg-type]
    fits = limit > 0
    return RooflineArrays(
        batch=np.where(fits, batch, 0.0),
        seconds_per_request=np.where(fits, s, np.inf),
        ttft_s=ttft[rows, index],
        tpot_s=step[rows, index],
        lone_latency_s=np.where(fits, ttft[:, 0] + output[:, 0] * step[:, 0], np.inf),
        slo_met=met & fits,
        tpot_tail_s=tpot_tail[rows, index],
        ttft_tail_s=ttft_tail[rows, index],
    )


def capacity_at(arrays: RooflineArrays, i: int) -> RooflineCapacity | None:
    """Mix i of `roofline_arrays` as a RooflineCapacity; None when it does not fit."""
    if arrays.batch[i] == 0:
        return None
    return RooflineCapacity(
        batch=int(arrays.batch[i]),
        seconds_per_request=float(arrays.seconds_per_request[i]),
        ttft_s=float(arrays.ttft_s[i]),
        tpot_s=float(arrays.tpot_s[i]),
        lone_latency_s=float(arrays.lone_latency_s[i]),
        slo_met=bool(arrays.slo_met[i]),
        tpot_tail_s=float(arrays.tpot_tail_s[i]),
        ttft_tail_s=float(arrays.ttft_tail_s[i]),
    )


def roofline_capacity(
    model: StepModel,
    input_tokens: float,
    prefill_tokens: float,
    output_tokens: float,
    ttft_slo_s: float,
    tpot_slo_s: float,
    percentile: int,
) -> RooflineCapacity | None:
    """roofline_arrays of one mix; None when the model does not fit."""
    one = roofline_arrays(
        model, np.array([input_tokens]), np.array([prefill_tokens]), np.array([output_tokens]),
        ttft_slo_s, tpot_slo_s, percentile,
    )  # fmt: skip
    return capacity_at(one, 0)


def geometric_mean_abs_error(ratios: FloatArray) -> float:
    """exp(mean |log r|) − 1: 0.25 means predictions are typically 25 % off either way."""
    return math.expm1(float(np.mean(np.abs(np.log(ratios))))) if len(ratios) else math.nan
