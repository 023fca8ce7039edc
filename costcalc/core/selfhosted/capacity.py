"""Benchmark points against the SLO: the token mix a replica sees, latencies at a percentile,
which runs meet the SLO and which measure the same mix."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic

import numpy as np
import numpy.typing as npt

from costcalc.core.demand.tokens import N
from costcalc.schema.catalog import ThroughputPoint
from costcalc.schema.profile import Slo

PERCENTILES = (50, 90, 95, 99)
SAME_MIX_TOLERANCE = 0.10  # a profile within 10 % of a benchmarked mix uses that point as is


@dataclass(frozen=True)
class Mix(Generic[N]):
    """The token mix of one request as a replica sees it (floats), or of each row (arrays)."""

    input_tokens: N  # all input, for KV memory
    prefill_tokens: N  # input not served from vLLM's prefix cache
    output_tokens: N

    @property
    def context(self) -> N:
        """Mean tokens a sequence holds in the KV cache while it decodes: I + o/2."""
        return self.input_tokens + self.output_tokens / 2.0


def latency_ms(point: ThroughputPoint, metric: str, percentile: int) -> tuple[float | None, int]:
    """A latency at the wanted percentile, else the next stricter one, else the next laxer one."""
    order = [p for p in PERCENTILES if p >= percentile] + [
        p for p in reversed(PERCENTILES) if p < percentile
    ]
    for p in order:
        value = getattr(point, f"{metric}_ms_p{p}")
        if value is not None:
            return float(value), p
    return None, percentile


def meets_slo(point: ThroughputPoint, slo: Slo) -> tuple[bool, list[str]]:
    """Whether a point's TTFT and TPOT meet the SLO, with notes on what could not be checked."""
    notes: list[str] = []
    ok = True
    for metric, limit in (("ttft", slo.ttft_ms), ("tpot", slo.tpot_ms)):
        value, used = latency_ms(point, metric, slo.percentile)
        if value is None:
            notes.append(f"{metric.upper()} not published: SLO unchecked")
            continue
        if used < slo.percentile:
            notes.append(f"{metric.upper()} checked at p{used} (p{slo.percentile} not published)")
        ok = ok and value <= limit
    return ok, notes


@dataclass(frozen=True)
class OperatingPoint:
    """The point chosen for one benchmarked mix: highest throughput that meets the SLO."""

    point: ThroughputPoint
    slo_met: bool
    notes: tuple[str, ...]

    @property
    def seconds_per_request(self) -> float:
        return 1.0 / self.point.request_throughput


def group_mixes(points: Sequence[ThroughputPoint]) -> list[list[ThroughputPoint]]:
    """Runs of one workload, grouped: means within 5 % count as one mix (the same 200 ShareGPT
    prompts measure 212 output tokens in one run and 214 in the next)."""
    groups: list[list[ThroughputPoint]] = []
    for p in sorted(points, key=lambda q: (q.input_tokens, q.output_tokens)):
        for group in groups:
            first = group[0]
            if within(first.input_tokens, p.input_tokens, 0.05) and within(
                first.output_tokens, p.output_tokens, 0.05
            ):
                group.append(p)
                break
        else:
            groups.append([p])
    return groups


def load_text(p: ThroughputPoint) -> str:
    """How a run was loaded: "concurrency 16", "4 req/s offered", "burst of 200"."""
    if p.load == "concurrency":
        return f"concurrency {p.concurrency:g}"
    if p.load == "rate":
        return f"{p.request_rate:.3g} req/s offered"
    return f"burst of {p.num_prompts}" if p.num_prompts else "all at once"


def within(x: Any, y: Any, tolerance: float) -> Any:
    """x and y (floats, or arrays) no further apart than `tolerance` of the larger."""
    return np.abs(x - y) <= tolerance * np.maximum(np.abs(x), np.abs(y))


def operating_points(points: Sequence[ThroughputPoint], slo: Slo) -> list[OperatingPoint]:
    """One point per mix; a mix where nothing meets the SLO keeps its lightest run."""
    chosen = []
    for group in group_mixes(points):
        checked = [(p, *meets_slo(p, slo)) for p in group]
        passing = [c for c in checked if c[1]]
        if passing:
            best = max(passing, key=lambda c: c[0].request_throughput)
        else:
            best = min(checked, key=lambda c: c[0].request_throughput)
        chosen.append(OperatingPoint(best[0], bool(best[1]), tuple(best[2])))
    return chosen


def same_mixes(point: ThroughputPoint, mix: Mix[Any]) -> npt.NDArray[np.bool_]:
    """Per mix (arrays of mixes welcome): within 10 % of the point's prompt and output. A
    benchmark's prompt is all prefilled and all held in the KV cache, so both the mix's
    prefill and its whole input must be near it."""

    return np.atleast_1d(
        within(point.input_tokens, mix.prefill_tokens, SAME_MIX_TOLERANCE)
        & within(point.input_tokens, mix.input_tokens, SAME_MIX_TOLERANCE)
        & within(point.output_tokens, mix.output_tokens, SAME_MIX_TOLERANCE)
    )


def same_mix(point: ThroughputPoint, mix: Mix[Any]) -> bool:
    return bool(same_mixes(point, mix)[0])
