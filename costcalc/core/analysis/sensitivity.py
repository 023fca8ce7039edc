"""Sensitivity (tornado): how far break-even and costs move as each input goes low → high.

Each input in turn takes its low and its high value, everything else its point value: the P10
and P90 of a distribution, else the point value ±25 %. All cases run at once as rows through
the cost engine, on the point result's dense grid.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from costcalc.core.analysis.compare import Comparison
from costcalc.core.analysis.montecarlo import run_rows
from costcalc.core.analysis.options import HostedOption, SelfHostedOption
from costcalc.core.demand.inputs import row_inputs
from costcalc.errors import UnknownIdError, UserError
from costcalc.schema.catalog import Catalog
from costcalc.schema.uncertain import UNCERTAIN_FIELDS, Distribution

SWING = 0.25  # an input without a distribution moves ±25 %


@dataclass(frozen=True)
class Swing:
    """One input's low and high value and what each does to the pair."""

    path: str
    source: str  # "P10–P90" or "±25%"
    low: float
    high: float
    breakeven_tokens: tuple[float, float]  # per day at low and high; 0 always, inf never
    hosted_usd: tuple[float, float]  # monthly, at the profile's volume (or the input's)
    self_hosted_usd: tuple[float, float]

    @property
    def effect(self) -> float:
        """Spread of the break-even, |ln(high/low)| (a move to or from never/always counts
        as the whole search range), then of the costs, for sorting."""
        return _log_spread(*self.breakeven_tokens)

    @property
    def cost_effect(self) -> float:
        return max(_log_spread(*self.hosted_usd), _log_spread(*self.self_hosted_usd))


@dataclass(frozen=True)
class Sensitivity:
    hosted: str
    self_hosted: str
    breakeven_tokens: float  # at every input's point value
    hosted_usd: float
    self_hosted_usd: float
    range_tokens: tuple[float, float]
    swings: list[Swing]  # largest effect first


def _log_spread(a: float, b: float) -> float:
    if a == b:
        return 0.0
    if min(a, b) <= 0 or math.isinf(max(a, b)):
        return math.inf
    return abs(math.log(b / a))


def _point(comparison: Comparison, path: str) -> float | None:
    node: Any = comparison.profile
    for key in path.split("."):
        node = getattr(node, key)
    return float(node) if isinstance(node, (int, float)) and not isinstance(node, bool) else None


def input_ranges(
    comparison: Comparison, uncertain: Mapping[str, Distribution]
) -> list[tuple[str, str, float, float]]:
    """(path, source, low, high) of every input that can move, in field order."""
    out = []
    for path, spec in UNCERTAIN_FIELDS.items():
        point = _point(comparison, path)
        if point is None:
            continue
        if path in uncertain:
            dist = uncertain[path]
            low, high, source = dist.quantile(0.1), dist.quantile(0.9), "P10–P90"
        else:
            low, high, source = point * (1 - SWING), point * (1 + SWING), "±25%"
        low, high = (min(max(v, spec.low), spec.high) for v in (low, high))
        if spec.whole:
            low, high = float(round(low)), float(round(high))
        if low != high:
            out.append((path, source, low, high))
    return out


def choose_pair(comparison: Comparison, pair: tuple[str, str] | None) -> tuple[str, str]:
    """The named pair, else the featured one (the pair the verdict is about); where the
    featured pair lacks a side (no option of that kind meets the SLO, or every hosted offer is
    past its deprecation date), the cheapest option of that kind, those that may be used
    first."""
    hosted = [o.id for o in comparison.options if isinstance(o, HostedOption)]
    selfs = [o.id for o in comparison.options if isinstance(o, SelfHostedOption)]
    if not hosted or not selfs:
        why = "; ".join(f"{s.id}: {s.reason}" for s in comparison.skipped[:3])
        raise UserError(
            "sensitivity needs at least one hosted and one self-hosted option that can be "
            f"priced; this profile has {len(hosted)} and {len(selfs)}"
            + (f" (not priced: {why})" if why else "")
        )
    if pair is not None:
        if pair[0] not in hosted:
            raise UnknownIdError("hosted option", pair[0], hosted, "--pair")
        if pair[1] not in selfs:
            raise UnknownIdError("self-hosted option", pair[1], selfs, "--pair")
        return pair

    def cheapest(kind: type) -> str:
        found = [o for o in comparison.options if isinstance(o, kind)]
        return min(found, key=lambda o: (not o.eligible, o.monthly_usd)).id

    f = comparison.featured
    return f.hosted or cheapest(HostedOption), f.self_hosted or cheapest(SelfHostedOption)


def sensitivity(
    comparison: Comparison,
    catalog: Catalog,
    uncertain: Mapping[str, Distribution],
    pair: tuple[str, str] | None = None,
) -> Sensitivity:
    """Row 0 is the point case; rows 2k+1 and 2k+2 are input k at its low and high value."""
    hosted, self_hosted = choose_pair(comparison, pair)
    ranges = input_ranges(comparison, uncertain)
    size = 1 + 2 * len(ranges)
    overrides: dict[str, np.ndarray] = {}
    for k, (path, _, low, high) in enumerate(ranges):
        point = _point(comparison, path)
        assert point is not None
        values = np.full(size, point)
        values[2 * k + 1], values[2 * k + 2] = low, high
        overrides[path] = values
    chosen = [o for o in comparison.options if o.id in (hosted, self_hosted)]
    trimmed = dataclasses.replace(comparison, options=chosen)
    result = run_rows(trimmed, catalog, row_inputs(comparison.profile, overrides, size), True)
    (found,) = result.pairs
    be, h, s = found.tokens_per_day, result.monthly_usd[hosted], result.monthly_usd[self_hosted]
    swings = [
        Swing(
            path,
            source,
            low,
            high,
            (float(be[2 * k + 1]), float(be[2 * k + 2])),
            (float(h[2 * k + 1]), float(h[2 * k + 2])),
            (float(s[2 * k + 1]), float(s[2 * k + 2])),
        )
        for k, (path, source, low, high) in enumerate(ranges)
    ]
    swings.sort(key=lambda w: (-w.effect, -w.cost_effect, w.path))
    low_r, high_r = comparison.range_requests_per_day
    billed = comparison.tokens.billed_tokens
    return Sensitivity(
        hosted, self_hosted, float(be[0]), float(h[0]), float(s[0]),
        (low_r * billed, high_r * billed), swings,
    )  # fmt: skip
