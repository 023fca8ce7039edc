"""Cost curves for the charts: the cheapest hosted and self-hosted options across the range."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from costcalc.core.analysis.compare import Comparison
from costcalc.core.analysis.engine import Built
from costcalc.core.analysis.options import HostedOption, SelfHostedOption
from costcalc.core.analysis.samples import QUANTILES, quantile
from costcalc.core.demand.traffic import FloatArray
from costcalc.core.hosted.pricing import HostedPricing
from costcalc.core.selfhosted.pricing import SelfHostedPricing

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
    tokens_per_request: float = 1.0  # billed: requests/day = tokens/day ÷ this (second axis)


BAND_BLOCK_ROWS = 512


def _band(built: Built, oid: str, requests: FloatArray) -> tuple[FloatArray, FloatArray]:
    """P10 and P90 over the samples of one option's cost at each volume, costed a block of
    samples at a time (stored as float32: 100,000 samples × 240 volumes is 96 MB)."""
    options: list[HostedPricing | SelfHostedPricing] = [*built.hosted, *built.self_hosted]
    option = next(o for o in options if _id(o) == oid)
    size = len(option.tokens.user_tokens)
    costs = np.empty((size, len(requests)), dtype=np.float32)
    for start in range(0, size, BAND_BLOCK_ROWS):
        index = np.arange(start, min(size, start + BAND_BLOCK_ROWS))
        volumes = np.broadcast_to(requests, (len(index), len(requests)))
        costs[index] = option.take(index).monthly_usd(volumes)
    _, p10 = QUANTILES[0]
    _, p90 = QUANTILES[2]
    return quantile(costs, p10, axis=0), quantile(costs, p90, axis=0)


def _id(option: HostedPricing | SelfHostedPricing) -> str:
    return option.offer.id if isinstance(option, HostedPricing) else option.id


def cost_curves(c: Comparison, points: int = CURVE_POINTS, bands: bool = False) -> Curves | None:
    """Monthly USD of the chart pair on a log grid over the break-even range; with `bands` and
    Monte Carlo, each volume also gets the P10–P90 of the samples at that many requests/day
    (points × samples evaluations)."""
    pair = c.featured.pair  # the pair the verdict is about
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
        if bands and mc is not None and mc.built is not None:
            band = _band(mc.built, oid, requests)
        point = option.cost.take(slice(0, 1)).monthly_usd(requests[None, :])[0]
        curves.append(Curve(oid, option.kind, np.asarray(point), band))
    be = next(p for p in c.pairs if (p.hosted, p.self_hosted) == pair).with_labor
    crossing = be.requests_per_day * billed if be.requests_per_day is not None else None
    return Curves(
        requests * billed, curves, c.requests_per_day * billed, crossing, be.status, billed
    )
