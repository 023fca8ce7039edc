"""The cost engine: each option built once for a set of input rows, and every pair's break-even.

The point result is one row, Monte Carlo many samples, sensitivity a few cases: all go through
`build` and `break_evens`, so a sample without uncertainty gives the point result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from costcalc.core.analysis.breakeven import PairBreakEven, Priced, join, pair_break_evens
from costcalc.core.analysis.crossings import IntArray
from costcalc.core.demand.inputs import RowInputs
from costcalc.core.demand.traffic import FloatArray
from costcalc.core.hosted.pricing import HostedPricing, hosted_pricing, stack_hosted
from costcalc.core.selfhosted.pricing import SelfHostedPricing, Skipped, self_hosted_pricing
from costcalc.core.selfhosted.servingcapacity import Calibration
from costcalc.schema.catalog import Catalog
from costcalc.schema.profile import Profile, SelfHostedChoice

# Every crossing is refined to 0.1 % of volume on any grid; the grid sets the narrowest window
# of self-hosting being cheaper (or dearer) that can be missed between grid points, outside
# replica steps, which are always added (both sides of each, up to STEP_LIMIT a row).
DENSE_GRID_POINTS = 2049  # the point result and sensitivity (a few rows)
SAMPLE_GRID_POINTS = 49  # Monte Carlo (thousands of rows): 100× in 49 points is 10 % a step
STEP_LIMIT = 20_000
# Rows searched at once: (rows × volumes) × the larger of the hosted options and the hours of
# a day stays under this, so an array of the search (a serverless bill over 24 hours, every
# hosted option's costs) is about 16 MB whatever the number of rows or of replica steps.
CELLS_PER_CHUNK = 2_000_000


@dataclass(frozen=True)
class Built:
    """The options of one comparison, priced for one set of rows."""

    hosted: list[HostedPricing]  # in the order asked for
    self_hosted: list[SelfHostedPricing]
    skipped: list[Skipped]

    @property
    def priced(self) -> list[HostedPricing]:
        """The hosted offers with a price in the profile's tier at the first row's size."""
        return [h for h in self.hosted if h.prices is not None]

    @property
    def unpriced(self) -> list[HostedPricing]:
        return [h for h in self.hosted if h.prices is None]


def build(
    profile: Profile,
    catalog: Catalog,
    calibration: Calibration,
    rows: RowInputs,
    hosted_ids: Sequence[str],
    choices: Sequence[SelfHostedChoice],
) -> Built:
    tier = profile.slo.service_tier
    hosted = [hosted_pricing(catalog.hosted[oid], rows, tier) for oid in hosted_ids]
    selfs: list[SelfHostedPricing] = []
    skipped: list[Skipped] = []
    for choice in choices:
        built = self_hosted_pricing(choice, profile, catalog, calibration, rows)
        if isinstance(built, Skipped):
            skipped.append(built)
        else:
            selfs.append(built)
    return Built(hosted, selfs, skipped)


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
    requests/day; `dense` for a few rows (all crossings kept), else the sample grid. Rows are
    searched in chunks (see CELLS_PER_CHUNK)."""
    if not hosted or not self_hosted:
        return []
    grid = DENSE_GRID_POINTS if dense else SAMPLE_GRID_POINTS
    rows = len(self_hosted[0].burst_factor)
    steps = max(int(s.step_counts(low, high, STEP_LIMIT).max(initial=0)) for s in self_hosted)
    chunk = max(1, CELLS_PER_CHUNK // (max(len(hosted), 24) * (grid + 2 * steps)))
    ids, stack = [o.offer.id for o in hosted], stack_hosted(hosted)
    parts = []
    for start in range(0, rows, chunk):
        index = np.arange(start, min(rows, start + chunk))
        whole = chunk >= rows
        h = stack if whole else stack.take(index)
        s = self_hosted if whole else [o.take(index) for o in self_hosted]
        pairs = pair_break_evens(
            ids, h,
            [(o.id, o, o.labor_usd_per_month, o.steps(low, high, STEP_LIMIT)) for o in s],
            _take, low, high, grid, every_crossing=dense,
        )  # fmt: skip
        parts.append(pairs)
    if len(parts) == 1:
        return parts[0]
    return [join(pieces) for pieces in zip(*parts, strict=True)]


def at_volumes(
    option: HostedPricing | SelfHostedPricing, requests_per_day: FloatArray
) -> FloatArray:
    """Monthly USD of each row at that row's own volume."""
    return np.asarray(option.monthly_usd(np.asarray(requests_per_day)[:, None])[:, 0])
