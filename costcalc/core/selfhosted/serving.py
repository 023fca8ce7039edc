"""A continuous-batching step model of one vLLM replica: throughput and latency at a given load.

One decode step gives every running sequence one token; prompts are prefilled in chunks of a
calibrated size in steps of their own, which pause decoding (vLLM before 0.6 ran them so; later
engines fold chunks into decode steps, which this model does not). A step takes a CPU time
plus the larger of reading the weights and the running sequences' KV cache at the achieved
bandwidth, and doing 2 FLOPs per parameter per token at the achieved compute rate. Three loads
are modelled, as benchmarks apply them:

- concurrency C (a closed loop: C clients, each sends its next request when one returns);
- an offered rate λ (open loop): the running batch is where Little's law and the step time
  agree, B = λ × latency(B); above the replica's limit the queue grows for the run's length;
- a burst of N prompts sent at once (rate inf, no cap): prefill all that fit, then decode.

Every function takes arrays (one entry per prediction), so a calibration or a sweep of loads is
one pass. Worked example: Llama-3.1-8B bf16 (16.06 GB of weights) on one H100 SXM (3,350 GB/s)
at 70 % of bandwidth reads its weights in 16.06 / 2,345 = 6.85 ms a step; with a 2 ms overhead
a lone request decodes at 1 / 8.85 ms = 113 tokens/s.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from costcalc.core.demand.traffic import FloatArray
from costcalc.core.selfhosted.replicashape import (
    GPU_MEMORY_UTILIZATION,
    MAX_NUM_SEQS,
    Z_SCORES,
    Hardware,
    Shape,
    effective_gpus,
)

LoadKind = Literal["concurrency", "rate", "burst"]
LOAD_KINDS: tuple[LoadKind, ...] = ("concurrency", "rate", "burst")  # codes 0, 1, 2 in arrays
BISECTIONS = 20  # halvings of the batch interval for an offered rate: 256 / 2^20 of a sequence


@dataclass(frozen=True)
class ServingParams:
    """Calibrated efficiencies: shares of peak bandwidth and compute that steps achieve, a fixed
    cost per step, the speed kept per doubling of tensor-parallel GPUs, and tail ratios."""

    bandwidth: float = 0.7
    compute: float = 0.5
    overhead_ms: float = 2.0
    sequence_us: float = (
        20.0  # CPU time a step spends on each running sequence (scheduling, sampling)
    )
    tensor_parallel: float = 0.9
    allreduce_us: float = 10.0  # latency of one all-reduce between a replica's GPUs (2 a layer)
    # how far the longest of N answers runs past the mean when a run does not say:
    # longest = mean × (1 + spread × ln N); 0 is a benchmark's fixed lengths, 1 exponential-like
    output_spread: float = 0.5
    # vLLM before 0.6 spent more CPU time a step (scheduling, sampling, detokenizing each
    # sequence) that 0.6's multi-step scheduling and later engines hide: its CPU time is
    # (1 + this) × the current engine's, for points run on it
    legacy_cpu_factor: float = 0.0
    # prompt tokens one prefill step takes. vLLM's token budget a step (max_num_batched_tokens)
    # is 2,048 by default, 8,192 on 70 GB+ GPUs other than the A100 (engine/arg_utils.py,
    # get_batch_defaults); before 0.6 chunked prefill shared 512 tokens with the running
    # decodes, and without it a step took whole prompts. Fitted, since this model runs chunks
    # apart from decode steps; the legacy figure applies to runs on vLLM before 0.6
    chunk_tokens: float = 2048.0
    legacy_chunk_tokens: float = 2048.0
    # API-server time a request takes before the engine sees it (parsing, tokenizing): one
    # Python process, so a burst's N requests pass through it one by one and the median waits
    # for N/2 of them (320 requests at 3.5 ms: 0.55 s before its prefill can start)
    frontend_ms: float = 0.0
    ttft_p99_over_p50: float = 1.5
    tpot_p99_over_p50: float = 1.2


@dataclass(frozen=True)
class Replicas:
    """The hardware and model of each prediction, as arrays (one entry per prediction)."""

    weight_bytes: FloatArray
    kv_bytes_per_token: FloatArray
    flops_per_token: FloatArray  # 2 × parameters
    bandwidth_bytes_s: FloatArray  # peak, one GPU
    flops_s: FloatArray  # peak, one GPU, at the precision's tensor-core rate
    gpus: FloatArray
    memory_bytes: FloatArray  # all GPUs of the replica
    layers: FloatArray
    legacy: FloatArray  # 1: run on vLLM before 0.6 (see ServingParams.legacy_cpu_factor)

    @staticmethod
    def of(pairs: list[tuple[Hardware, Shape]], legacy: list[bool] | None = None) -> Replicas:
        def column(values: list[float]) -> FloatArray:
            return np.asarray(values, dtype=np.float64)

        return Replicas(
            column([s.weight_bytes for _, s in pairs]),
            column([s.kv_bytes_per_token for _, s in pairs]),
            column([2.0 * s.params_b * 1e9 for _, s in pairs]),
            column([h.bandwidth_gbs * 1e9 for h, _ in pairs]),
            column([h.tflops * 1e12 for h, _ in pairs]),
            column([float(h.gpus) for h, _ in pairs]),
            column([h.memory_gb * 1e9 * h.gpus for h, _ in pairs]),
            column([float(s.layers) for _, s in pairs]),
            column([float(x) for x in (legacy or [False] * len(pairs))]),
        )


@dataclass(frozen=True)
class Loads:
    """What each prediction runs: per-request mean input and output tokens, the load kind
    (index into LOAD_KINDS), its value (clients, req/s or prompts), the prompts sent (NaN:
    unknown or unbounded, a steady state) and the longest output (NaN: all as long as the
    mean, as a benchmark's fixed lengths; a finite run lasts until its longest answer ends)."""

    input_tokens: FloatArray
    output_tokens: FloatArray
    kind: npt.NDArray[np.int8]
    value: FloatArray
    prompts: FloatArray
    output_max: FloatArray
    prefill_tokens: FloatArray | None = None  # input not served from the prefix cache

    @property
    def prefill(self) -> FloatArray:
        return self.input_tokens if self.prefill_tokens is None else self.prefill_tokens

    def longest(self, spread: float) -> FloatArray:
        """The longest answer: as recorded, else the mean stretched by `spread` × ln N."""
        n = np.where(np.isfinite(self.prompts), self.prompts, 1.0)
        n = np.where(self.kind == 2, np.where(np.isfinite(self.value), self.value, n), n)
        guess = self.output_tokens * (1.0 + spread * np.log(np.maximum(n, 1.0)))
        recorded = np.fmax(self.output_max, self.output_tokens)
        return np.asarray(np.where(np.isnan(self.output_max), guess, recorded), dtype=np.float64)


@dataclass(frozen=True)
class Prediction:
    """Per prediction: completed requests/s of the replica, mean running sequences, latencies
    in ms (TPOT: per output token after the first), and whether the replica was the bottleneck
    (the load asked for more than it serves)."""

    request_throughput: FloatArray
    batch: FloatArray
    ttft_ms_p50: FloatArray
    ttft_ms_p99: FloatArray
    tpot_ms_p50: FloatArray
    tpot_ms_p99: FloatArray
    saturated: npt.NDArray[np.bool_]

    def ttft_ms(self, percentile: int) -> FloatArray:
        return _at_percentile(self.ttft_ms_p50, self.ttft_ms_p99, percentile)

    def tpot_ms(self, percentile: int) -> FloatArray:
        return _at_percentile(self.tpot_ms_p50, self.tpot_ms_p99, percentile)


def _at_percentile(p50: FloatArray, p99: FloatArray, percentile: int) -> FloatArray:
    """Log-interpolated by normal z-score between p50 and p99 (p90 → 55 % of the way)."""
    share = Z_SCORES[percentile] / Z_SCORES[99]
    return np.asarray(p50 * (p99 / p50) ** share, dtype=np.float64)


class Engine:
    """Step times of the replicas in `rep` under `params`."""

    def __init__(self, rep: Replicas, params: ServingParams) -> None:
        gpus = effective_gpus(rep.gpus, params.tensor_parallel)
        self.rep = rep
        self.params = params
        self.bandwidth = rep.bandwidth_bytes_s * gpus * params.bandwidth
        self.flops = rep.flops_s * gpus * params.compute
        # a tensor-parallel step all-reduces twice a layer: 80 layers at 10 µs add 1.6 ms
        allreduce_s = np.where(rep.gpus > 1, 2.0 * rep.layers * params.allreduce_us / 1e6, 0.0)
        self.cpu_scale = 1.0 + rep.legacy * params.legacy_cpu_factor
        self.overhead_s = params.overhead_ms / 1000.0 * self.cpu_scale + allreduce_s
        legacy_chunk = params.legacy_chunk_tokens
        self.chunk_tokens = np.where(rep.legacy > 0, legacy_chunk, params.chunk_tokens)

    def step_s(self, batch: FloatArray, prefill: FloatArray, context: FloatArray) -> FloatArray:
        """One step: `batch` sequences decoding at mean `context` tokens, plus `prefill`
        prompt tokens."""
        memory = (self.rep.weight_bytes + batch * context * self.rep.kv_bytes_per_token) / (
            self.bandwidth
        )
        compute = self.rep.flops_per_token * (batch + prefill) / self.flops
        cpu = self.overhead_s + batch * self.params.sequence_us / 1e6 * self.cpu_scale
        return np.asarray(cpu + np.maximum(memory, compute), dtype=np.float64)

    def max_batch(self, input_tokens: FloatArray, output_tokens: FloatArray) -> FloatArray:
        """Sequences the KV cache holds at their mean context I + O/2 (vLLM pages the cache
        and admits by blocks in use), capped at max_num_seqs; 0 where one full one does not fit."""
        budget = self.rep.memory_bytes * GPU_MEMORY_UTILIZATION - self.rep.weight_bytes
        mean = (input_tokens + output_tokens / 2.0) * self.rep.kv_bytes_per_token
        full = (input_tokens + output_tokens) * self.rep.kv_bytes_per_token
        held = np.floor(np.maximum(budget, 0.0) / mean)
        return np.asarray(np.where(budget >= full, np.minimum(held, MAX_NUM_SEQS), 0.0))

    def prefill_s(self, prompts: FloatArray, tokens: FloatArray, batch: FloatArray,
                  context: FloatArray) -> FloatArray:  # fmt: skip
        """Time to prefill `prompts` prompts of `tokens` each in chunks, alongside `batch`
        decoding sequences."""
        total = prompts * tokens
        steps = np.maximum(np.ceil(total / self.chunk_tokens), 1.0)
        return np.asarray(steps * self.step_s(batch, total / steps, context), dtype=np.float64)

    def closed(self, loads: Loads, clients: FloatArray, together: bool) -> Prediction:
        """`clients` requests kept in flight (a concurrency limit). Prefill steps do not
        overlap decode steps, so B sequences take, per cycle, the prefill of B prompts plus
        O − 1 decode steps: X = B / (prefill(B·I) + (O − 1) × step(B)). A sequence's decode
        is paused by the other prompts' prefills. `together`: clients start at once and stay
        in step (a benchmark's fixed lengths), so a prompt waits for half its wave's prefill;
        else it arrives alone and waits for its own prefill and half a step."""
        i, o, fresh = loads.input_tokens, loads.output_tokens, loads.prefill
        context = i + o / 2.0
        limit = self.max_batch(i, o)
        batch = np.minimum(clients, limit)
        zero = np.zeros_like(context)
        decode = self.step_s(batch, zero, context)
        wave = self.prefill_s(batch, fresh, zero, context)
        steps = np.maximum(o - 1.0, 0.0)
        throughput = batch / (wave + steps * decode)
        # a sequence's decode waits out the other B − 1 prompts' prefills, not its own
        others = wave * np.maximum(batch - 1.0, 0.0) / np.maximum(batch, 1.0)
        tpot = decode + others / np.maximum(steps, 1.0)
        # arriving alone, a prompt is prefilled beside the decoding batch, after whatever
        # prefill of the others is under way: they take a share ρ = others / cycle of the
        # time, and the wait behind them grows as ρ / (1 − ρ) × half a prefill (a queue's
        # mean wait); a lone client waits for no one (its own prefill is not a queue)
        own = self.prefill_s(np.ones_like(zero), fresh, batch, context)
        busy = np.minimum(others * throughput / np.maximum(batch, 1e-9), 0.95)
        alone = own + busy / (1.0 - busy) * own / 2.0
        ttft = wave / 2.0 if together else alone
        ttft = ttft + decode / 2.0
        queued = np.maximum(clients - batch, 0.0) / throughput
        return prediction(throughput, batch, ttft + queued, tpot, self.params, clients > limit)


def prediction(
    throughput: FloatArray,
    batch: FloatArray,
    ttft_s: FloatArray,
    tpot_s: FloatArray,
    params: ServingParams,
    saturated: npt.NDArray[np.bool_],
    ttft_p99_s: FloatArray | None = None,
    tpot_p99_s: FloatArray | None = None,
) -> Prediction:
    """Medians as computed; p99s given, else the calibrated ratio over the median."""
    ttft_p99 = ttft_s * params.ttft_p99_over_p50 if ttft_p99_s is None else ttft_p99_s
    ttft_p99 = np.where(np.isnan(ttft_p99), ttft_s * params.ttft_p99_over_p50, ttft_p99)
    tpot_p99 = tpot_s * params.tpot_p99_over_p50 if tpot_p99_s is None else tpot_p99_s
    return Prediction(
        np.asarray(throughput, dtype=np.float64), np.asarray(batch, dtype=np.float64),
        ttft_s * 1000.0, np.maximum(ttft_p99, ttft_s) * 1000.0,
        tpot_s * 1000.0, np.maximum(tpot_p99, tpot_s) * 1000.0,
        np.asarray(saturated, dtype=bool),
    )  # fmt: skip
