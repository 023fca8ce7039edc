"""What `bench show` reports of a set of points: each point against the SLO, and the mix fit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from costcalc.core.selfhosted.capacity import (
    Fit,
    fit_mixes,
    latency_ms,
    leave_one_mix_out,
    meets_slo,
    operating_points,
)
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


@dataclass(frozen=True)
class MixError:
    input_tokens: float
    output_tokens: float
    residual: float  # the fit's relative error at this mix
    held_out: float | None  # predicted from the other mixes alone (None: too few left)


@dataclass(frozen=True)
class MixFit:
    fit: Fit
    mixes: tuple[MixError, ...]


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


def mix_fit(points: Sequence[ThroughputPoint], slo: Slo) -> MixFit | None:
    """The NNLS fit over the operating points that meet the SLO (all when none does), with
    each mix's residual and leave-one-out error; None with fewer than two mixes."""
    ops = [op for op in operating_points(points, slo) if op.slo_met] or operating_points(
        points, slo
    )
    if len(ops) < 2:
        return None
    fit = fit_mixes(ops)
    mixes = tuple(
        MixError(op.point.input_tokens, op.point.output_tokens, residual, held_out)
        for op, residual, held_out in zip(ops, fit.residuals, leave_one_mix_out(ops), strict=True)
    )
    return MixFit(fit, mixes)
