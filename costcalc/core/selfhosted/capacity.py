"""Self-hosted capacity (DESIGN §1.4): replica-seconds per request from benchmarks under the SLO."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic

import numpy as np
import numpy.typing as npt

from costcalc.core.demand.tokens import N
from costcalc.core.selfhosted.nnls import nnls
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
            if _close(first.input_tokens, p.input_tokens, 0.05) and _close(
                first.output_tokens, p.output_tokens, 0.05
            ):
                group.append(p)
                break
        else:
            groups.append([p])
    return groups


def _close(x: float, y: float, tolerance: float) -> bool:
    return abs(x - y) <= tolerance * max(x, y)


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


def feasible_points(
    points: Sequence[ThroughputPoint], slo: Slo
) -> tuple[list[OperatingPoint], list[OperatingPoint]]:
    """The operating point of each mix, and those meeting the SLO (all, when none does)."""
    ops = operating_points(points, slo)
    return ops, [op for op in ops if op.slo_met] or ops


@dataclass(frozen=True)
class Fit:
    """s = a·I_prefill + b·o + c over the operating points, with relative residuals per mix."""

    a: float
    b: float
    c: float
    residuals: tuple[float, ...]

    def seconds(self, mix: Mix[N]) -> N:
        return self.a * mix.prefill_tokens + self.b * mix.output_tokens + self.c


def fit_mixes(ops: Sequence[OperatingPoint]) -> Fit:
    """Non-negative least squares on relative error over two or more mixes.

    Relative weighting (each row divided by its measured s) keeps a slow long-prompt mix from
    swamping a fast short one. A constant term is fitted only from four mixes up, so three mixes
    never fit exactly by construction.
    """
    s = np.array([op.seconds_per_request for op in ops])
    columns = [
        [op.point.input_tokens for op in ops],
        [op.point.output_tokens for op in ops],
    ]
    if len(ops) >= 4:
        columns.append([1.0] * len(ops))
    design = np.array(columns, dtype=np.float64).T / s[:, None]
    coef = nnls(design, np.ones(len(ops)))
    a, b = float(coef[0]), float(coef[1])
    c = float(coef[2]) if len(coef) > 2 else 0.0
    residuals = tuple(float(r) for r in design @ coef - 1.0)
    return Fit(a, b, c, residuals)


def same_mixes(point: ThroughputPoint, mix: Mix[Any]) -> npt.NDArray[np.bool_]:
    """Per mix (arrays of mixes welcome): within 10 % of the point's prompt and output."""

    def close(x: float, y: Any) -> Any:
        return np.abs(x - y) <= SAME_MIX_TOLERANCE * np.maximum(x, y)

    return np.atleast_1d(
        close(point.input_tokens, mix.prefill_tokens)
        & close(point.output_tokens, mix.output_tokens)
    )


def same_mix(point: ThroughputPoint, mix: Mix[Any]) -> bool:
    return bool(same_mixes(point, mix)[0])


Scale = Callable[["OperatingPoint", Mix[Any]], Any]  # roofline time ratio: float, or one per mix


def benchmark_seconds(feasible: Sequence[OperatingPoint], mix: Mix[Any], scale: Scale) -> Any:
    """Replica-seconds per request at a mix, or at each of many (Mix holding arrays).

    A mix measured (within 10 %) → that point; else one measured mix → it scaled by `scale`;
    else the NNLS fit over the measured mixes.
    """
    measured = np.full(same_mixes(feasible[0].point, mix).shape, np.nan)
    for op in reversed(feasible):  # the first matching point wins
        measured = np.where(same_mixes(op.point, mix), op.seconds_per_request, measured)
    if not np.isnan(measured).any():
        return measured
    if len(feasible) == 1:
        modelled = feasible[0].seconds_per_request * scale(feasible[0], mix)
    else:
        modelled = fit_mixes(feasible).seconds(mix)
    return np.where(np.isnan(measured), modelled, measured)


@dataclass(frozen=True)
class BenchmarkCapacity:
    seconds_per_request: float
    source: str  # "benchmark" | "fit"
    slo_met: bool
    lower_bound: bool
    operating_points: tuple[OperatingPoint, ...]
    fit: Fit | None
    lone_latency_s: float | None
    notes: tuple[str, ...]


def benchmark_capacity(
    points: Sequence[ThroughputPoint],
    mix: Mix[Any],
    slo: Slo,
    scale: Scale,
) -> BenchmarkCapacity:
    """Replica-seconds per request at the profile's mix from measured points.

    The profile's own mix measured → that point. Two or more mixes → the NNLS fit. One other
    mix → that point scaled by `scale`, the calibrated roofline's ratio of the two mixes at the
    point's load (a measured anchor, a modelled slope).
    """
    ops, feasible = feasible_points(points, slo)
    notes = sorted({n for op in feasible for n in op.notes})
    match = next((op for op in feasible if same_mix(op.point, mix)), None)
    fit: Fit | None = None
    s = float(np.asarray(benchmark_seconds(feasible, mix, scale)).reshape(-1)[0])
    if match is not None:
        source, used = "benchmark", [match]
    elif len(feasible) == 1:
        ratio = float(np.asarray(scale(feasible[0], mix)).reshape(-1)[0])
        source, used = "fit", list(feasible)
        notes.append(f"one benchmarked mix, scaled to yours by the roofline (×{ratio:.2f} time)")
    else:
        fit = fit_mixes(feasible)
        source, used = "fit", list(feasible)
    if not all(op.slo_met for op in used):
        notes.append("no benchmark point meets the SLO")
    lower = any(not op.point.saturated for op in used)
    if lower:
        notes.append("capacity lower bound (unsaturated run)")
    return BenchmarkCapacity(
        seconds_per_request=s,
        source=source,
        slo_met=all(op.slo_met for op in used),
        lower_bound=lower,
        operating_points=tuple(ops),
        fit=fit,
        lone_latency_s=lone_latency_s(points, mix),
        notes=tuple(notes),
    )


def lone_latency_s(points: Sequence[ThroughputPoint], mix: Mix[N]) -> N | None:
    """L ≈ TTFT + o × TPOT at the lowest measured load, TTFT scaled to the profile's prefill.

    Medians are used where published, else p99 (a conservative stand-in).
    """

    def load(p: ThroughputPoint) -> float:
        return p.concurrency if p.concurrency is not None else p.request_throughput

    timed = [
        p for p in points if (p.ttft_ms_p50 or p.ttft_ms_p99) and (p.tpot_ms_p50 or p.tpot_ms_p99)
    ]
    if not timed:
        return None
    p = min(timed, key=load)
    ttft = float(p.ttft_ms_p50 or p.ttft_ms_p99 or 0.0) * mix.prefill_tokens / p.input_tokens
    tpot = float(p.tpot_ms_p50 or p.tpot_ms_p99 or 0.0)
    return (ttft + mix.output_tokens * tpot) / 1000.0


def leave_one_mix_out(ops: Sequence[OperatingPoint]) -> list[float | None]:
    """For each mix, the fit's relative error predicting it from the other mixes alone
    (None where fewer than two other mixes remain): how far the fit can be trusted between
    and beyond the measured mixes."""
    errors: list[float | None] = []
    for i, op in enumerate(ops):
        others = [o for j, o in enumerate(ops) if j != i]
        if len(others) < 2:
            errors.append(None)
            continue
        fit = fit_mixes(others)
        mix = Mix(op.point.input_tokens, op.point.input_tokens, op.point.output_tokens)
        errors.append(fit.seconds(mix) / op.seconds_per_request - 1.0)
    return errors
