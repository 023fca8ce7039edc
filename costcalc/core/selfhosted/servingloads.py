"""The three loads a benchmark applies, through the serving model: a concurrency limit, an
offered rate (the running batch where Little's law and the step time agree), a burst of N
prompts sent at once. `predict` picks each prediction's own.
"""

from __future__ import annotations

import numpy as np

from costcalc.core.demand.traffic import FloatArray
from costcalc.core.selfhosted.serving import (
    BISECTIONS,
    Engine,
    Loads,
    Prediction,
    Replicas,
    ServingParams,
    prediction,
)


def predict(rep: Replicas, params: ServingParams, loads: Loads) -> Prediction:
    """Throughput and latency of each replica under its load."""
    with np.errstate(divide="ignore", invalid="ignore"):  # a replica that does not fit: 0
        return _predict(Engine(rep, params), loads)


def _predict(engine: Engine, loads: Loads) -> Prediction:
    kind, value = loads.kind, loads.value
    i, o = loads.input_tokens, loads.output_tokens
    limit = engine.max_batch(i, o)
    # clients of a benchmark's concurrency limit start at once and stay in step
    out = engine.closed(loads, np.where(kind == 0, value, limit), together=True)
    ceiling = engine.closed(loads, limit, together=False)
    rate = _offered(engine, loads, ceiling, limit)
    burst = _burst(engine, loads, limit, ceiling)
    unknown = (kind == 2) & ~np.isfinite(value)  # a burst of unknown size: the steady ceiling
    pick = [kind == 0, kind == 1, (kind == 2) & ~unknown, unknown]
    chosen = {
        name: np.select(pick, [getattr(p, name) for p in (out, rate, burst, ceiling)], np.nan)
        for name in Prediction.__dataclass_fields__
    }
    chosen["saturated"] = chosen["saturated"].astype(bool)
    chosen["request_throughput"] = np.where(limit > 0, chosen["request_throughput"], 0.0)
    return Prediction(**chosen)


def _offered(engine: Engine, loads: Loads, ceiling: Prediction, limit: FloatArray) -> Prediction:
    """Poisson arrivals at `value` req/s: bisect the batch B where B = λ × latency(B); above
    the replica's ceiling it runs saturated and the queue grows for the run's length."""
    rate = loads.value
    low, high = np.zeros_like(rate), np.maximum(limit, 1e-9)
    for _ in range(BISECTIONS):  # latency grows with B, so λ × latency(B) − B falls through 0
        middle = (low + high) / 2.0
        served = engine.closed(loads, middle, together=False)
        below = rate * (served.batch / served.request_throughput) > middle
        low, high = np.where(below, middle, low), np.where(below, high, middle)
    steady = engine.closed(loads, np.maximum(high, 1e-9), together=False)
    saturated = rate >= ceiling.request_throughput
    served_rate = np.where(saturated, ceiling.request_throughput, rate)
    tpot_s = np.where(saturated, ceiling.tpot_ms_p50, steady.tpot_ms_p50) / 1000.0
    ttft_s = np.where(saturated, ceiling.ttft_ms_p50, steady.ttft_ms_p50) / 1000.0
    # the last request's latency, its answer the longest: the batch thins as the run drains,
    # so its steps cost the weights' read alone past the others' answers (as in a burst)
    longest = loads.longest(engine.params.output_spread)
    alone = engine.step_s(np.zeros_like(rate), np.zeros_like(rate), loads.input_tokens)
    o = loads.output_tokens
    latency_s = (
        ttft_s
        + np.maximum(longest - 1.0, 0.0) * alone
        + np.maximum(o - 1.0, 0.0) * (np.maximum(tpot_s - alone, 0.0))
    )
    prompts = loads.prompts
    finite = np.isfinite(prompts) & (prompts > 0)
    # the benchmark's clock stops at the last completion: N/λ to send, then one latency
    n = np.where(finite, prompts, 1.0)
    # (the first request leaves at 0, the last at (N − 1) / λ; served slower, (N − 1) / X)
    duration = np.maximum(n - 1.0, 0.0) / served_rate + latency_s
    throughput = np.where(finite, n / duration, served_rate)
    # saturated: requests in the system grow by λ − X a second while they are sent, up to
    # N (1 − X/λ); only those past the batch limit wait for a slot (200 prompts into 256 slots
    # never queue, they slow every step instead)
    backlog = np.where(saturated & finite, n * (1.0 - served_rate / rate) - limit, 0.0)
    wait = np.maximum(backlog, 0.0) / served_rate
    return prediction(
        throughput, np.where(saturated, ceiling.batch, steady.batch), ttft_s + wait / 2.0,
        tpot_s, engine.params, saturated,
        ttft_p99_s=np.where(wait > 0, ttft_s + wait, np.nan),
    )  # fmt: skip


def _burst(engine: Engine, loads: Loads, limit: FloatArray, ceiling: Prediction) -> Prediction:
    """N prompts at once: the first wave (up to the batch limit) is prefilled, then decodes
    together; prompts beyond it enter as sequences finish, at the steady ceiling."""
    i, o, n = loads.input_tokens, loads.output_tokens, np.maximum(loads.value, 1.0)
    context = i + o / 2.0
    wave = np.maximum(np.minimum(n, limit), 1.0)
    prefill = engine.prefill_s(wave, loads.prefill, np.zeros_like(i), context)
    tpot = engine.step_s(wave, np.zeros_like(i), context)
    # the batch thins as answers end: every step pays the weights until the longest answer
    # ends, each sequence its own KV reads for its own length
    alone = engine.step_s(np.zeros_like(i), np.zeros_like(i), context)
    longest = loads.longest(engine.params.output_spread)
    decode = np.maximum(longest - 1.0, 0.0) * alone + np.maximum(o - 1.0, 0.0) * (tpot - alone)
    rest = np.maximum(n - wave, 0.0)
    # the requests reach the engine one by one through the API server: the last one no
    # sooner than N × its time, and the run ends no sooner than its own prefill and answer
    admitted_s = n * engine.params.frontend_ms / 1000.0
    own = engine.prefill_s(np.ones_like(i), loads.prefill, np.zeros_like(i), context)
    last_s = admitted_s + own + np.maximum(longest - 1.0, 0.0) * alone
    duration = np.maximum(prefill + decode + rest / ceiling.request_throughput, last_s)
    # first tokens come out at the end of each prefill chunk: with k chunks, the median
    # prompt's at (k + 1) / 2k of the prefill (all of it when the wave is one chunk); a
    # prompt past the first wave also waits for a free slot
    chunks = np.maximum(np.ceil(wave * loads.prefill / engine.chunk_tokens), 1.0)
    ttft_p50 = np.where(rest > 0, (n / 2.0 - wave).clip(0) / ceiling.request_throughput, 0.0)
    # and the median prompt reached the engine after half the others (a fitted sum: the two
    # waits overlap in part); the last one's first token comes after its admission and
    # prefill, or after the wave's, whichever is later, and within the run
    ttft_p50 = ttft_p50 + prefill * (chunks + 1.0) / (2.0 * chunks) + admitted_s / 2.0
    ttft_p99 = np.maximum(np.where(rest > 0, duration - decode, prefill), admitted_s + own)
    ttft_p50 = np.minimum(ttft_p50, ttft_p99)
    # a sequence prefilled early waits, first token out, for the rest of the prefill
    tpot_p50 = tpot + prefill * (chunks - 1.0) / (2.0 * chunks) / np.maximum(o - 1.0, 1.0)
    return prediction(
        n / duration, wave, ttft_p50, tpot_p50, engine.params, rest > 0,
        ttft_p99_s=ttft_p99, tpot_p99_s=tpot + prefill / np.maximum(o - 1.0, 1.0),
    )  # fmt: skip
