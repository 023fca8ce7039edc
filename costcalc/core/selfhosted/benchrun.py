"""Benchmark runs: one run as read from a tool's file, and its normalized catalog point."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass, field

import numpy as np

PERCENTILES = (50, 90, 95, 99)


@dataclass
class Run:
    """Measurements of one run, normalized to requests/s, tokens and milliseconds.

    `request_throughput` and `request_rate` are totals over every replica that served the run;
    TPOT means vLLM's: time per output token after the first.
    """

    fmt: str
    source: str
    model_name: str | None
    input_tokens: float
    output_tokens: float
    request_throughput: float
    output_tokens_max: float | None = None  # the longest answer, when the file says
    completed: int | None = None
    concurrency: float | None = None
    request_rate: float | None = None  # offered req/s; None = unlimited (all at once)
    num_prompts: int | None = None
    ttft_ms: dict[int, float] = field(default_factory=dict)  # percentile → ms
    tpot_ms: dict[int, float] = field(default_factory=dict)
    e2e_mean_s: float | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    date: dt.date | None = None
    engine: str = "vllm"
    engine_version: str | None = None
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        # every tool's file is JSON: a model "name" there may be a number or a list, which
        # names nothing (the run then needs --model)
        if not isinstance(self.model_name, str) or not self.model_name.strip():
            self.model_name = None


# What no real run has; the parsers refuse such values first, naming the file's own field, and
# `problems` is the last line of defence before the serving model sees a run.
MAX_TOKENS = 1e7  # per request, as the catalog's points allow
MAX_REQUESTS_PER_S = 1e6


OVER_OFFERED = 1.1  # served over offered rate a run can show: its clock starts at the first send


def problems(run: Run) -> list[tuple[str, str]]:
    """(field, problem) for every value of a run no measurement can have: not finite,
    negative, a throughput of 0, more tokens per request than any model holds."""
    found: list[tuple[str, str]] = []

    def check(
        name: str, value: float | None, high: float = math.inf, positive: bool = False
    ) -> None:
        if value is None:
            return
        if isinstance(value, bool) or not isinstance(value, int | float):
            found.append((name, f"must be a number, not {value!r}"))
        elif not math.isfinite(value):
            found.append((name, f"must be a finite number, not {value}"))
        elif value < 0 or (positive and value == 0):
            found.append((name, f"must be {'above' if positive else 'at least'} 0, not {value:g}"))
        elif value > high:
            found.append((name, f"is out of range: at most {high:g}, not {value:g}"))

    check("input_tokens", run.input_tokens, MAX_TOKENS)
    check("output_tokens", run.output_tokens, MAX_TOKENS)
    check("output_tokens_max", run.output_tokens_max, MAX_TOKENS)
    check("request_throughput", run.request_throughput, MAX_REQUESTS_PER_S, positive=True)
    check("completed", run.completed)
    check("num_prompts", run.num_prompts)
    check("concurrency", run.concurrency)
    check("request_rate", run.request_rate)
    check("e2e_mean_s", run.e2e_mean_s)
    for metric, values in (("ttft_ms", run.ttft_ms), ("tpot_ms", run.tpot_ms)):
        for p, value in values.items():
            check(f"{metric} p{p}", value)
        ordered = sorted(values.items())  # a higher percentile is never the smaller latency
        for (low_p, low), (high_p, high) in itertools.pairwise(ordered):
            if high < low:
                found.append((f"{metric} p{high_p}", f"is below p{low_p} ({high:g} < {low:g})"))
    offered, sent = run.request_rate, run.num_prompts or run.completed
    # N requests sent at λ a second take (N − 1)/λ to send: up to N/(N − 1) × λ served
    allowed = OVER_OFFERED * max(1.0, sent / (sent - 1.0) if sent and sent > 1 else 1.0)
    if offered and run.request_throughput and run.request_throughput > allowed * offered:
        # a run cannot complete requests faster than they were sent (10 % for timing noise)
        found.append(("request_throughput", f"{run.request_throughput:g} req/s is above the "
                      f"{offered:g} req/s the run offered"))  # fmt: skip
    return found


def percentiles_ms(values_s: list[float] | np.ndarray, scale: float = 1000.0) -> dict[int, float]:
    """p50/p90/p95/p99 of raw samples (linear interpolation, as vLLM's np.percentile)."""
    array = np.asarray(values_s, dtype=np.float64)
    if array.size == 0:
        return {}
    return {p: float(np.percentile(array, p)) * scale for p in PERCENTILES}


# A fixed-rate run "keeps up" when it completes at least this share of what an unsaturated
# server would: N requests offered at rate r finish in N/r + one request's latency.
KEEPS_UP = 0.85
# ... and its queue does not run away: p99 TTFT within this multiple of the median.
FLAT_TTFT = 5.0


def lower_bound(run: Run) -> bool:
    """True when the run measured the offered load, not the capacity (`saturated: false`).

    Example (llm-d, 2 × H100): 200 prompts offered at 3.6 req/s, mean latency 3.46 s: an idle
    server would finish in 200/3.6 + 3.46 = 59.0 s, i.e. 3.39 req/s; 3.48 measured ≥ 85 % of
    that and p99 TTFT is 1.07 × the median, so 3.48 req/s is a lower bound on capacity.
    """
    if run.request_rate is None or run.request_rate <= 0:
        return False  # closed loop or everything at once: the server set the pace
    expected = run.request_rate
    if run.num_prompts and run.e2e_mean_s is not None:
        expected = run.num_prompts / (run.num_prompts / run.request_rate + run.e2e_mean_s)
    keeps_up = run.request_throughput >= KEEPS_UP * expected
    p50, p99 = run.ttft_ms.get(50), run.ttft_ms.get(99)
    flat = p50 is None or p99 is None or p99 <= FLAT_TTFT * p50
    return keeps_up and flat
