"""The cost engine: each option built once for a set of input rows, and every pair's break-even.

The point result is one row, Monte Carlo many samples, sensitivity a few cases: all go through
`build` and `break_evens`, so a sample without uncertainty gives the point result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from costcalc.core.analysis.breakeven import PairBreakEven, Priced, pair_break_evens
from costcalc.core.analysis.crossings import IntArray
from costcalc.core.demand.inputs import RowInputs
from costcalc.core.demand.traffic import FloatArray
from costcalc.core.hosted.pricing import HostedPricing, hosted_pricing, stack_hosted
from costcalc.core.selfhosted.calibrate import Calibration
from costcalc.core.selfhosted.pricing import SelfHostedPricing, Skipped, self_hosted_pricing
from costcalc.schema.catalog import Catalog
from costcalc.schema.profile import Profile, SelfHostedChoice

# The point result and sensitivity (a few rows): a dense grid, every replica step.
DENSE_GRID_POINTS = 2049
DENSE_STEP_LIMIT = 20_000
# Monte Carlo (thousands of rows): a coarser grid (100× in 49 points is 10 % a step) and up to
# 128 replica steps a row (past that, steps are under 1 % apart); every crossing is still
# refined to 0.1 %, and a test checks samples against the dense search row by row.
SAMPLE_GRID_POINTS = 49
SAMPLE_STEP_LIMIT = 128


@dataclass(frozen=True)
class Built:
    """The options of one comparison, priced for one set of rows."""

    hosted: list[HostedPricing]
    self_hosted: list[SelfHostedPricing]
    skipped: list[Skipped]
    unpriced: list[HostedPricing]  # no price in the profile's tier at the first row's size


def build(
    profile: Profile,
    catalog: Catalog,
    calibration: Calibration,
    rows: RowInputs,
    hosted_ids: Sequence[str],
    choices: Sequence[SelfHostedChoice],
) -> Built:
    hosted: list[HostedPricing] = []
    unpriced: list[HostedPricing] = []
    for oid in hosted_ids:
        pricing = hosted_pricing(catalog.hosted[oid], rows, profile.slo.service_tier)
        (hosted if pricing.prices is not None else unpriced).append(pricing)
    selfs: list[SelfHostedPricing] = []
    skipped: list[Skipped] = []
    for choice in choices:
        built = self_hosted_pricing(choice, profile, catalog, calibration, rows)
        if isinstance(built, Skipped):
            skipped.append(built)
        else:
            selfs.append(built)
    return Built(hosted, selfs, skipped, unpriced)


def _take(option: Priced, index: IntArray) -> Priced:
    assert isinstance(option, HostedPricing | SelfHostedPricing)
    return option.take(index)


def break_evens(
    hosted: Sequence[HostedPricing],
    self_hosted: Sequence[SelfHostedPricing],
    low: float,
    high: float,
    dense: bool,
) -> list[PairBreakEven]:
    """Every (hosted, self-hosted) pair's break-even in every row over [low, high]
    requests/day; `dense` for a few rows (all crossings kept), else the sample grid."""
    grid = DENSE_GRID_POINTS if dense else SAMPLE_GRID_POINTS
    limit = DENSE_STEP_LIMIT if dense else SAMPLE_STEP_LIMIT
    if not hosted:
        return []
    return pair_break_evens(
        [h.offer.id for h in hosted],
        stack_hosted(hosted),
        [(s.id, s, s.labor_usd_per_month, s.steps(low, high, limit)) for s in self_hosted],
        _take, low, high, grid, every_crossing=dense,
    )  # fmt: skip


def at_volumes(
    option: HostedPricing | SelfHostedPricing, requests_per_day: FloatArray
) -> FloatArray:
    """Monthly USD of each row at that row's own volume."""
    return np.asarray(option.monthly_usd(np.asarray(requests_per_day)[:, None])[:, 0])
