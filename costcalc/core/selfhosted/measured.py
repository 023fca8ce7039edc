"""Capacity read from runs measured at the profile's own mix, where there are such runs.

At a measured mix the runs' own latencies decide, not the model's: the highest throughput whose
published percentiles meet the SLO, interpolated toward the next run that misses it. A run that
only kept up with its offered rate (`saturated: false`) is a floor: capacity is at least what
it sustained. Bursts are skipped (they measure how fast one batch drains, not a sustained load).

Worked example: runs at 6.4 req/s (p95 TTFT 500 ms) and 9.7 req/s (1,500 ms) under a 1,000 ms
SLO: the TTFT reaches 1,000 ms half-way, so capacity is 6.4 + 0.5 × (9.7 − 6.4) = 8.05 req/s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from costcalc.core.selfhosted.capacity import Mix, latency_ms, load_text, meets_slo, same_mix
from costcalc.schema.catalog import ThroughputPoint
from costcalc.schema.profile import Slo


@dataclass(frozen=True)
class Measured:
    """What the runs at a mix say: a capacity (None: none of them meets the SLO), whether it
    is only a floor (every passing run was a lower bound, or none missed the SLO above it),
    and how it was read."""

    request_throughput: float | None
    floor: bool
    runs: int
    note: str
    ceiling: float | None = None  # none passes: the lightest run's throughput, which misses


def measured_capacity(
    points: Sequence[ThroughputPoint], mix: Mix[Any], slo: Slo
) -> Measured | None:
    """Capacity from the runs at `mix` (within 10 % of its prefill and output), None when no
    concurrency or rate run was measured there."""
    runs = sorted(
        (p for p in points if p.load != "burst" and same_mix(p, mix)),
        key=lambda p: p.request_throughput,
    )
    if not runs:
        return None
    passing = [p for p in runs if meets_slo(p, slo)[0]]
    if not passing:
        worst = runs[0]
        note = f"no run at this mix meets the SLO (the lightest: {load_text(worst)})"
        return Measured(None, False, len(runs), note, worst.request_throughput)
    best = passing[-1]
    above = [p for p in runs if p.request_throughput > best.request_throughput]
    missed = [p for p in above if not meets_slo(p, slo)[0]]
    if not missed:
        return Measured(
            best.request_throughput, True, len(runs),
            f"measured at this mix: {best.request_throughput:.3g} req/s ({load_text(best)}) meets "
            "the SLO; no heavier run, so that is a floor",
        )  # fmt: skip
    share = _crossing(best, missed[0], slo)
    value = best.request_throughput + share * (
        missed[0].request_throughput - best.request_throughput
    )
    return Measured(
        value, False, len(runs),
        f"measured at this mix: {value:.3g} req/s, between {load_text(best)} (meets the SLO) and "
        f"{load_text(missed[0])} (misses it)",
    )  # fmt: skip


def _crossing(ok: ThroughputPoint, bad: ThroughputPoint, slo: Slo) -> float:
    """How far from `ok` toward `bad` the first latency reaches its SLO limit (0–1), linear
    in throughput; 0 when a latency is not published on both."""
    shares = []
    for metric, limit in (("ttft", slo.ttft_ms), ("tpot", slo.tpot_ms)):
        low, _ = latency_ms(ok, metric, slo.percentile)
        high, _ = latency_ms(bad, metric, slo.percentile)
        if low is None or high is None or high <= limit:
            continue
        shares.append((limit - low) / (high - low) if high > low else 0.0)
    return max(0.0, min(shares)) if shares else 0.0
