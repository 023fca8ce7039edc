"""`costcalc bench plan`: which vLLM benchmark runs measure what a profile needs."""

from __future__ import annotations

from dataclasses import dataclass

from costcalc.core.demand.tokens import inflate
from costcalc.core.selfhosted.replicashape import hardware, max_batch, shape
from costcalc.schema.catalog import GpuSpec, OpenModel
from costcalc.schema.profile import Profile

CONCURRENCY_LEVELS = (1, 2, 4, 8, 16, 32, 64, 128, 256)
MIN_PROMPTS = 100  # enough requests at low concurrency for stable percentiles
PROMPTS_PER_SLOT = 8  # waves per concurrency slot at high concurrency


@dataclass(frozen=True)
class Mix:
    name: str
    prefix_tokens: int  # shared by every prompt: what vLLM's prefix cache serves
    input_tokens: int  # random, per prompt, after the prefix
    output_tokens: int


@dataclass(frozen=True)
class BenchPlan:
    mixes: tuple[Mix, ...]
    concurrencies: tuple[int, ...]
    max_batch: int

    @staticmethod
    def prompts(concurrency: int) -> int:
        """max(100, 8 × C): 100 at C = 1, 1,024 at C = 128."""
        return max(MIN_PROMPTS, PROMPTS_PER_SLOT * concurrency)


def plan(
    profile: Profile, model: OpenModel, gpu: GpuSpec, gpus_per_replica: int, precision: str
) -> BenchPlan:
    """The profile's own mix, one with twice the uncached input and one with twice the output,
    so the prefill and decode costs can both be fitted; concurrency doubles from 1 until the
    KV cache of the longest mix is full.

    Example: 2,400 prefix + 395 input tokens, 350 output → mixes (2400+395, 350),
    (2400+790, 350), (2400+395, 700).
    """
    tokens = inflate(profile.request)
    prefix = round(tokens.cacheable_prefix_tokens)
    rest = max(round(tokens.input_tokens - prefix), 1)
    out = max(round(tokens.output_tokens), 1)
    mixes = (
        Mix("yours", prefix, rest, out),
        Mix("longer-input", prefix, 2 * rest, out),
        Mix("longer-output", prefix, rest, 2 * out),
    )
    hw, sh = hardware(gpu, gpus_per_replica, precision), shape(model, precision)
    limit = min(max_batch(hw, sh, m.prefix_tokens + m.input_tokens, m.output_tokens) for m in mixes)
    levels = tuple(c for c in CONCURRENCY_LEVELS if c <= max(limit, 1))
    if limit > levels[-1] and limit <= CONCURRENCY_LEVELS[-1]:
        levels += (limit,)  # end the sweep where the KV cache is full
    return BenchPlan(mixes, levels, limit)
