"""Monte Carlo (DESIGN §1.7): sample the uncertain inputs jointly, cost every option per sample.

Inputs are sampled independently with one seeded generator, in field-path order, so a seed
gives the same samples, and the same output, on every run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from costcalc.core.compare import Comparison
from costcalc.core.options import HostedOption, SelfHostedOption
from costcalc.core.rows import BREAKEVEN_GRID, RowCosts, row_break_even, row_costs
from costcalc.core.traffic import FloatArray
from costcalc.schema.catalog import Catalog
from costcalc.schema.uncertain import UNCERTAIN_FIELDS, Distribution, Lognormal, Uniform

QUANTILES = (("p10", 0.10), ("p50", 0.50), ("p90", 0.90))


def draw(uncertain: Mapping[str, Distribution], samples: int, seed: int) -> dict[str, FloatArray]:
    """`samples` joint draws of every uncertain field, clipped to the field's bounds."""
    rng = np.random.default_rng(seed)
    drawn: dict[str, FloatArray] = {}
    for path in sorted(uncertain):
        dist, spec = uncertain[path], UNCERTAIN_FIELDS[path]
        if isinstance(dist, Lognormal):
            values = dist.median * np.exp(dist.sigma * rng.standard_normal(samples))
        elif isinstance(dist, Uniform):
            values = rng.uniform(dist.low, dist.high, samples)
        else:
            values = rng.triangular(dist.low, dist.mode, dist.high, samples)
        if spec.whole:
            values = np.rint(values)
        drawn[path] = np.clip(values, spec.low, spec.high)
    return drawn


def quantile(values: FloatArray, q: float, axis: int | None = None) -> FloatArray:
    """The q-quantile as an order statistic ('inverted_cdf'): an infinite sample (a break-even
    never reached) cannot turn a neighbouring quantile into NaN by interpolation."""
    return np.asarray(np.quantile(values, q, axis=axis, method="inverted_cdf"))


def quantiles(values: FloatArray) -> dict[str, float | None]:
    """P10/P50/P90 (linear interpolation); an infinite or undefined quantile is None."""
    finite_or_inf = values[~np.isnan(values)]
    if finite_or_inf.size == 0:
        return {name: None for name, _ in QUANTILES}
    out: dict[str, float | None] = {}
    for name, q in QUANTILES:
        value = float(quantile(finite_or_inf, q))
        out[name] = value if np.isfinite(value) else None
    return out


@dataclass(frozen=True)
class PairSamples:
    hosted: str
    self_hosted: str
    tokens_per_day: FloatArray  # 0: self-hosting cheaper across the range; inf: never in it
    p_self_hosted_cheaper: float  # at each sample's own volume
    share_crosses: float
    share_never: float
    share_always: float


@dataclass(frozen=True)
class MonteCarlo:
    samples: int
    seed: int
    uncertain: tuple[str, ...]
    requests_per_day: FloatArray
    billed_tokens_per_day: FloatArray
    monthly_usd: dict[str, FloatArray]  # option id → one figure per sample
    pairs: list[PairSamples]
    notes: tuple[str, ...]
    costs: RowCosts | None = None  # every option's cost per sample at any volume (for bands)

    def usd_per_1k_requests(self, option: str) -> FloatArray:
        return self.monthly_usd[option] / (self.requests_per_day * (730.0 / 24.0)) * 1000.0

    def usd_per_mtok(self, option: str) -> FloatArray:
        return self.monthly_usd[option] / (self.billed_tokens_per_day * (730.0 / 24.0)) * 1e6


def pair_samples(
    comparison: Comparison, costs: RowCosts, at_volume: dict[str, FloatArray]
) -> list[PairSamples]:
    """Break-even of every hosted/self-hosted pair, per row, with labour counted."""
    low, high = comparison.range_requests_per_day
    grid = np.geomspace(low, high, BREAKEVEN_GRID)
    on_grid = {
        oid: np.stack([fn(np.full(costs.size, g)) for g in grid], axis=1)
        for oid, fn in costs.monthly_usd.items()
    }
    out = []
    for h in comparison.options:
        if not isinstance(h, HostedOption):
            continue
        for s in comparison.options:
            if not isinstance(s, SelfHostedOption):
                continue
            found = row_break_even(
                costs.monthly_usd[h.id], costs.monthly_usd[s.id], (on_grid[h.id], on_grid[s.id]),
                grid, costs.billed_tokens, costs.step_spacing.get(s.id),
            )  # fmt: skip
            cheaper = at_volume[s.id] < at_volume[h.id]
            out.append(
                PairSamples(
                    h.id,
                    s.id,
                    found.tokens_per_day,
                    float(cheaper.mean()),
                    float(found.crosses.mean()),
                    float(found.never.mean()),
                    float(found.always.mean()),
                )
            )
    return out


def monte_carlo(
    comparison: Comparison,
    catalog: Catalog,
    uncertain: Mapping[str, Distribution],
    samples: int,
    seed: int,
    fixed_volume: bool = False,
) -> MonteCarlo:
    """Sample, cost every option at each sample's own volume, and find each pair's crossing."""
    drawn = draw(uncertain, samples, seed)
    costs = row_costs(comparison, catalog, drawn, samples, fixed_volume)
    volumes = costs.requests_per_day
    at_volume = {oid: fn(volumes) for oid, fn in costs.monthly_usd.items()}
    notes = list(costs.notes)
    if not drawn:
        notes.append(
            "the profile has no uncertain inputs, so every sample is the point result; give a "
            "field as {median, p90}, {low, high} or {low, mode, high} to sample it"
        )
    if fixed_volume and any(p.startswith("traffic.") and p.endswith("_per_day") for p in drawn):
        notes.append("the volume was set on the command line, so its distribution is not sampled")
    return MonteCarlo(
        samples, seed, tuple(sorted(drawn)), volumes, volumes * costs.billed_tokens, at_volume,
        pair_samples(comparison, costs, at_volume), tuple(notes), costs,
    )  # fmt: skip
