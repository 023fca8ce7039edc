"""What a replica is made of (its GPUs, the model's shape, the memory left for the KV cache)
and the record of what it serves at a mix under the SLO."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from costcalc.core.demand.traffic import FloatArray
from costcalc.schema.catalog import GpuSpec, OpenModel

BYTES_PER_PARAM = {"bf16": 2.0, "fp8": 1.0, "int4": 0.56}  # int4 AWQ/GPTQ incl. scales
KV_BYTES_PER_ELEMENT = 2.0  # vLLM's default KV-cache dtype follows the bf16 activations
GPU_MEMORY_UTILIZATION = 0.9  # vLLM default share of GPU memory it takes
MAX_NUM_SEQS = 256  # vLLM default cap on sequences in one batch
# normal z-scores: a latency at percentile p is log-interpolated between p50 and p99 by them
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
    """What the serving model needs of a model: parameters and KV-cache geometry."""

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


def effective_gpus(gpus: int | FloatArray, tensor_parallel: float | FloatArray) -> FloatArray:
    """GPUs' worth of speed from a tensor-parallel replica: each doubling keeps a share of the
    ideal, for the all-reduce traffic between GPUs (0.9 per doubling: 8 GPUs act like 5.8)."""
    return np.asarray(gpus * np.asarray(tensor_parallel) ** np.log2(gpus), dtype=np.float64)


def hardware(gpu: GpuSpec, gpus: int, precision: str) -> Hardware:
    """FP8 runs on FP8 tensor cores where the GPU has them, else at the BF16 rate."""
    tflops = gpu.fp8_tflops if precision == "fp8" and gpu.fp8_tflops else gpu.bf16_tflops
    return Hardware(gpu.memory_gb, gpu.bandwidth_gbs, tflops, gpus)


def shape(model: OpenModel, precision: str) -> Shape:
    return Shape(
        model.params_b, model.layers, model.kv_heads, model.head_dim, BYTES_PER_PARAM[precision]
    )


def kv_budget_bytes(hw: Hardware, shape: Shape) -> float:
    """GPU memory left for the KV cache after the weights (negative: the model does not fit)."""
    return hw.memory_gb * 1e9 * hw.gpus * GPU_MEMORY_UTILIZATION - shape.weight_bytes


def max_batch(hw: Hardware, shape: Shape, input_tokens: float, output_tokens: float) -> int:
    """Sequences that fit at once with a full context each, capped at vLLM's max_num_seqs;
    0 when not even one fits."""
    per_sequence = (input_tokens + output_tokens) * shape.kv_bytes_per_token
    budget = kv_budget_bytes(hw, shape)
    return int(min(MAX_NUM_SEQS, budget // per_sequence)) if budget >= per_sequence else 0


@dataclass(frozen=True)
class CapacityAtMix:
    """The serving model at one mix: the batch chosen under the SLO and its figures."""

    batch: int
    seconds_per_request: float
    ttft_s: float
    tpot_s: float
    lone_latency_s: float
    slo_met: bool
    tpot_tail_s: float  # at the SLO's percentile, at the chosen batch
    ttft_tail_s: float


@dataclass(frozen=True)
class CapacityArrays:
    """CapacityAtMix's figures for many mixes at once (batch 0: the mix does not fit)."""

    batch: FloatArray
    seconds_per_request: FloatArray
    ttft_s: FloatArray
    tpot_s: FloatArray
    lone_latency_s: FloatArray
    slo_met: npt.NDArray[np.bool_]
    tpot_tail_s: FloatArray
    ttft_tail_s: FloatArray


def capacity_at(arrays: CapacityArrays, i: int) -> CapacityAtMix | None:
    """Mix i of `serving_arrays` as a CapacityAtMix; None when it does not fit."""
    if arrays.batch[i] == 0:
        return None
    return CapacityAtMix(
        batch=int(arrays.batch[i]),
        seconds_per_request=float(arrays.seconds_per_request[i]),
        ttft_s=float(arrays.ttft_s[i]),
        tpot_s=float(arrays.tpot_s[i]),
        lone_latency_s=float(arrays.lone_latency_s[i]),
        slo_met=bool(arrays.slo_met[i]),
        tpot_tail_s=float(arrays.tpot_tail_s[i]),
        ttft_tail_s=float(arrays.ttft_tail_s[i]),
    )
