"""Monte Carlo (DESIGN §1.7): sample the uncertain inputs jointly, cost every option per sample.

Inputs are sampled independently with one seeded generator, in field-path order, so a seed
gives the same samples, and the same output, on every run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from costcalc.core.analysis.compare import Comparison
from costcalc.core.analysis.engine import (
    Built,
    at_volumes,
    break_evens,
    build,
)
from costcalc.core.analysis.samples import MonteCarlo, PairSamples
from costcalc.core.demand.inputs import RowInputs, row_inputs
from costcalc.core.demand.traffic import FloatArray
from costcalc.schema.catalog import Catalog
from costcalc.schema.uncertain import UNCERTAIN_FIELDS, Distribution, Lognormal, Uniform


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


@dataclass(frozen=True)
class RowResults:
    """Every option of a comparison run over many rows of inputs through the engine."""

    rows: RowInputs
    built: Built  # each option priced for every row: costs at any volume (for chart bands)
    monthly_usd: dict[str, FloatArray]  # option id → at each row's own volume
    pairs: list[PairSamples]
    notes: tuple[str, ...]


def run_rows(
    comparison: Comparison, catalog: Catalog, rows: RowInputs, dense: bool = False
) -> RowResults:
    """Price every option of `comparison` in every row and find each pair's break-even per
    row (the engine searches rows in chunks: memory stays flat in the number of rows)."""
    c = comparison
    built = build(
        c.profile, catalog, c.calibration, rows,
        [o.id for o in c.hosted], [o.cost.choice for o in c.self_hosted],
    )  # fmt: skip
    hosted, selfs = built.hosted, built.self_hosted
    notes = [f"{s.id}: left out of the samples, {s.reason}" for s in built.skipped]
    low, high = c.range_requests_per_day
    at_volume = {o.offer.id: at_volumes(o, rows.requests_per_day) for o in hosted}
    at_volume.update((o.id, at_volumes(o, rows.requests_per_day)) for o in selfs)
    found = {
        (p.hosted, p.self_hosted): p.with_labor
        for p in break_evens(hosted, selfs, low, high, dense)
    }
    billed = np.asarray(rows.tokens.billed_tokens)
    pairs = []
    for (hid, sid), pair in found.items():
        codes = pair.status
        # a row whose hosted offer has no price at its input size has no break-even: it is left
        # out of the quantiles (NaN) and of the shares, and counted apart
        known = ~np.isnan(at_volume[hid])
        crossing = pair.requests_per_day * billed
        tokens = np.where(codes == 0, 0.0, np.where(codes == 2, np.inf, crossing))
        tokens = np.where(known, tokens, np.nan)
        cheaper = at_volume[sid][known] < at_volume[hid][known]

        def share(values: npt.NDArray[np.bool_]) -> float:
            return float(values.mean()) if values.size else float("nan")

        pairs.append(
            PairSamples(
                hid, sid, tokens, share(cheaper), share(codes[known] == 1),
                share(codes[known] == 2), share(codes[known] == 0), float((~known).mean()),
            )
        )  # fmt: skip
    for h in hosted:
        missing = float(np.isnan(at_volume[h.offer.id]).mean())
        if missing > 0:
            notes.append(
                f"{h.offer.id}: no {c.profile.slo.service_tier}-tier price for the input size of "
                f"{missing:.1%} of rows; they are left out of its costs, break-evens and shares"
            )
    for sp in selfs:
        unfit = float(np.isinf(sp.seconds_rows).mean())
        if unfit > 0:
            notes.append(
                f"{sp.id}: cannot serve {unfit:.1%} of rows (the model does not fit in memory "
                "or no load meets the SLO at their sizes); they are priced as never cheaper"
            )
    return RowResults(rows, built, at_volume, pairs, tuple(notes))


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
    volume = comparison.requests_per_day if fixed_volume else None
    rows = row_inputs(comparison.profile, drawn, samples, volume)
    result = run_rows(comparison, catalog, rows)
    notes = list(result.notes)
    if not drawn:
        notes.append(
            "the profile has no uncertain inputs, so every sample is the point result; give a "
            "field as {median, p90}, {low, high} or {low, mode, high} to sample it"
        )
    if fixed_volume and any(p.startswith("traffic.") and p.endswith("_per_day") for p in drawn):
        notes.append("the volume was set on the command line, so its distribution is not sampled")
    volumes = rows.requests_per_day
    return MonteCarlo(
        samples, seed, tuple(sorted(drawn)), volumes,
        volumes * np.asarray(rows.tokens.billed_tokens), result.monthly_usd, result.pairs,
        tuple(notes), result.built,
    )  # fmt: skip
