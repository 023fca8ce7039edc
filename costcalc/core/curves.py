"""Cost curves for the charts: the cheapest hosted and self-hosted options across the range."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from costcalc.core.compare import Comparison
from costcalc.core.montecarlo import QUANTILES, quantile
from costcalc.core.options import HostedOption, SelfHostedOption
from costcalc.core.traffic import FloatArray

CURVE_POINTS = 240  # log-spaced volumes: enough for every replica step to show as a step


@dataclass(frozen=True)
class Curve:
    option: str
    kind: str  # hosted | self_hosted
    monthly_usd: FloatArray
    band: tuple[FloatArray, FloatArray] | None  # P10 and P90 per volume, with Monte Carlo


@dataclass(frozen=True)
class Curves:
    tokens_per_day: FloatArray  # x: billed tokens/day at the profile's mix
    curves: list[Curve]
    volume_tokens: float  # the profile's own
    crossing_tokens: float | None  # where self-hosting becomes and stays cheaper
    status: str  # crosses | never | always


def chart_pair(c: Comparison) -> tuple[str, str] | None:
    """The featured pair: the one the verdict is about."""
    return c.featured.pair


def cost_curves(c: Comparison, points: int = CURVE_POINTS, bands: bool = False) -> Curves | None:
    """Monthly USD of the chart pair on a log grid over the break-even range; with `bands` and
    Monte Carlo, each volume also gets the P10–P90 of the samples at that many requests/day
    (points × samples evaluations: 240 × 10,000 take about a second)."""
    pair = chart_pair(c)
    if pair is None:
        return None
    low, high = c.range_requests_per_day
    requests = np.geomspace(low, high, points)
    billed = c.tokens.billed_tokens
    options: dict[str, HostedOption | SelfHostedOption] = {o.id: o for o in c.hosted}
    options.update((o.id, o) for o in c.self_hosted)
    mc = c.monte_carlo
    curves = []
    for oid in pair:
        option = options[oid]
        band = None
        if bands and mc is not None and mc.costs is not None:
            size = mc.costs.size
            per_volume = np.stack([mc.costs.monthly_usd[oid](np.full(size, r)) for r in requests])
            _, p10 = QUANTILES[0]
            _, p90 = QUANTILES[2]
            band = (
                quantile(per_volume, p10, axis=1),
                quantile(per_volume, p90, axis=1),
            )
        curves.append(Curve(oid, option.kind, np.asarray(option.cost.monthly_usd(requests)), band))
    be = next(p for p in c.pairs if (p.hosted, p.self_hosted) == pair).with_labour
    crossing = be.requests_per_day * billed if be.requests_per_day is not None else None
    return Curves(requests * billed, curves, c.requests_per_day * billed, crossing, be.status)
