"""What `bench show` reports of a set of points: each point against the SLO."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from costcalc.core.selfhosted.capacity import latency_ms, meets_slo, operating_points
from costcalc.schema.catalog import ThroughputPoint
from costcalc.schema.profile import Slo


@dataclass(frozen=True)
class PointCheck:
    """One point under the SLO: its latencies at the SLO's percentile (or the one used)."""

    point: ThroughputPoint
    chosen: bool  # the operating point of its mix
    slo_met: bool
    unchecked: bool  # a latency was not published
    ttft_ms: tuple[float | None, int]  # (value, percentile used)
    tpot_ms: tuple[float | None, int]


def check_points(points: Sequence[ThroughputPoint], slo: Slo) -> list[PointCheck]:
    """Every point, sorted by mix then throughput, checked against the SLO."""
    chosen = {id(op.point) for op in operating_points(points, slo)}
    out = []
    for p in sorted(points, key=lambda q: (q.input_tokens, q.output_tokens, q.request_throughput)):
        ok, notes = meets_slo(p, slo)
        out.append(
            PointCheck(
                p, id(p) in chosen, ok, any("SLO unchecked" in n for n in notes),
                latency_ms(p, "ttft", slo.percentile), latency_ms(p, "tpot", slo.percentile),
            )
        )  # fmt: skip
    return out
