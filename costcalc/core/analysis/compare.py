"""Compare hosted and self-hosted options for one profile: costs, cheapest, break-even pairs."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from costcalc.core.analysis.checks import Stale, check_ids, deprecation_warnings, stale
from costcalc.core.analysis.crossings import BreakEven
from costcalc.core.analysis.engine import break_evens, build
from costcalc.core.analysis.featured import Featured, feature
from costcalc.core.analysis.options import (
    HostedOption,
    Option,
    SelfHostedOption,
    price_hosted,
    price_self_hosted,
)
from costcalc.core.analysis.options import (
    retired as is_retired,
)
from costcalc.core.analysis.pricecaveat import PriceCaveat, price_caveats
from costcalc.core.analysis.selection import (
    default_set,
    deprecated_count,
    hosted_candidates,
    self_hosted_candidates,
    smallest_that_fit,
)
from costcalc.core.analysis.verdict import ClassVerdict, answer, class_verdicts, recommend
from costcalc.core.demand.inputs import row_inputs
from costcalc.core.demand.tokens import Inflation
from costcalc.core.demand.traffic import FloatArray
from costcalc.core.selfhosted.pricing import Skipped, self_hosted_pricing
from costcalc.core.selfhosted.replica import NOT_SERVED
from costcalc.core.selfhosted.servingcapacity import Calibration, calibrate, params_from
from costcalc.errors import InputFileError
from costcalc.schema.catalog import Catalog, ServingAccuracy
from costcalc.schema.profile import Profile

if TYPE_CHECKING:
    from costcalc.core.analysis.samples import MonteCarlo

DEFAULT_RANGE_TOKENS_PER_DAY = (1e5, 1e7)  # the seed's "somewhere between 100K and 10M"


@dataclass(frozen=True)
class Pair:
    """Break-even of one hosted option against one self-hosted option."""

    hosted: str
    self_hosted: str
    with_labor: BreakEven
    without_labor: BreakEven
    cost_ratio: float  # self-hosted / hosted monthly USD at the profile's volume


@dataclass(frozen=True)
class Comparison:
    profile: Profile
    requests_per_day: float
    tokens: Inflation[float]
    weights: FloatArray
    options: list[Option]  # sorted by monthly USD
    skipped: list[Skipped]
    pairs: list[Pair]
    range_requests_per_day: tuple[float, float]
    calibration: Calibration
    serving_accuracy: ServingAccuracy | None
    cheapest: str | None
    default_set: str | None
    featured: Featured
    verdicts: list[ClassVerdict] = field(default_factory=list)
    recommended: str | None = None  # the option the verdict says to run (gates default to it)
    warnings: list[str] = field(default_factory=list)
    monte_carlo: MonteCarlo | None = None  # set when uncertain inputs were sampled
    # priced from entries read too long ago: said once per run (text) or in `warnings` (JSON)
    stale: list[Stale] = field(default_factory=list)
    # figures resting on a price that is not a list price (RunPod's active rate), with the flex
    # rate's effect
    caveats: list[PriceCaveat] = field(default_factory=list)

    @property
    def billed_tokens_per_day(self) -> float:
        return self.requests_per_day * self.tokens.billed_tokens

    @property
    def headline_tokens_per_day(self) -> float:
        return self.requests_per_day * self.tokens.headline_tokens

    @property
    def hosted(self) -> list[HostedOption]:
        return [o for o in self.options if isinstance(o, HostedOption)]

    @property
    def self_hosted(self) -> list[SelfHostedOption]:
        return [o for o in self.options if isinstance(o, SelfHostedOption)]


def breakeven_range(
    billed_tokens_per_request: float,
    requests_per_day: float,
    tokens_per_day: tuple[float, float] | None,
) -> tuple[float, float]:
    """Requests/day range of the break-even search.

    Default: 100K–10M billed tokens/day, widened to cover 1/10 to 10× the profile's volume.
    Example: 1,000 tokens/request at 40,000 requests/day (40M tokens/day) → 100 to 400,000
    requests/day (100K to 400M tokens/day).
    """
    if tokens_per_day is None:
        low_tokens, high_tokens = DEFAULT_RANGE_TOKENS_PER_DAY
        volume_tokens = requests_per_day * billed_tokens_per_request
        low_tokens = min(low_tokens, volume_tokens / 10.0)
        high_tokens = max(high_tokens, volume_tokens * 10.0)
    else:
        low_tokens, high_tokens = tokens_per_day
    return low_tokens / billed_tokens_per_request, high_tokens / billed_tokens_per_request


def compare(
    profile: Profile,
    catalog: Catalog,
    today: dt.date,
    requests_per_day: float | None = None,
    range_tokens_per_day: tuple[float, float] | None = None,
    every_option: bool = False,
) -> Comparison:
    """Price every option at the profile's volume and find each hosted/self-hosted break-even.

    `every_option` (compare --all): every hosted offer of the catalog and every (model, compute
    offer) pairing at the smallest replica that fits in memory, whatever the profile lists."""
    rows = row_inputs(profile, {}, 1, requests_per_day)
    volume = float(rows.requests_per_day[0])
    tokens = rows.tokens.row(0)
    weights = rows.weights
    calibration = calibrate(
        params_from(catalog.serving), catalog.points, catalog.gpus, catalog.models
    )
    warnings: list[str] = []
    explicit = profile.compare is not None and not every_option
    if every_option:
        built = build(profile, catalog, calibration, rows, sorted(catalog.hosted), [])
        smallest, infeasible = smallest_that_fit(
            self_hosted_candidates(profile, catalog, every_class=True),
            lambda c: self_hosted_pricing(c, profile, catalog, calibration, rows),
        )
        built = dataclasses.replace(built, self_hosted=smallest, skipped=infeasible)
    elif explicit:
        check_ids(profile, catalog)
        assert profile.compare is not None
        built = build(
            profile, catalog, calibration, rows,
            profile.compare.hosted, profile.compare.self_hosted,
        )  # fmt: skip
    else:
        built = build(
            profile, catalog, calibration, rows,
            hosted_candidates(catalog, today), self_hosted_candidates(profile, catalog),
        )  # fmt: skip
    warnings.extend(
        f"{h.offer.id}: the catalog has no {profile.slo.service_tier}-tier price for requests "
        f"of {tokens.input_tokens:,.0f} input tokens; left out"
        for h in built.unpriced
    )
    billed = tokens.billed_tokens
    burst = profile.traffic.burst_factor
    hosted: list[Option] = [
        price_hosted(h, volume, billed, burst, weights, profile.slo) for h in built.priced
    ]
    selfs: list[Option] = [
        price_self_hosted(s, volume, billed, profile.slo) for s in built.self_hosted
    ]
    skipped = built.skipped

    default_set_text = None
    if every_option:
        default_set_text = (
            f"--all: every hosted offer of the catalog ({len(hosted)}) and every pairing of an "
            f"open model with a compute offer that fits in memory and meets the SLO "
            f"({len(selfs)}, each at the smallest replica that does)"
        )
    elif not explicit:
        chosen = default_set(
            profile, [o for o in hosted if isinstance(o, HostedOption)], selfs,
            deprecated_count(catalog, today),
        )  # fmt: skip
        # what fits in memory but misses the SLO at any load is listed apart, never priced
        infeasible = [x for x in skipped if x.reason.startswith(NOT_SERVED)]
        hosted, selfs, skipped = list(chosen.hosted), chosen.self_hosted, infeasible
        default_set_text = chosen.explanation
    else:
        warnings.extend(
            f"{s.id}: left out, {s.reason}"
            for s in skipped
            if not s.reason.startswith(NOT_SERVED)  # the report lists those apart
        )
        _something_runs(profile, hosted, selfs, skipped, warnings)

    options = sorted(hosted + selfs, key=lambda o: o.monthly_usd)
    # an offer past its deprecation date is priced when named, never called the cheapest
    options = [
        dataclasses.replace(o, eligible=False) if is_retired(o, today) else o for o in options
    ]
    eligible = [o for o in options if o.eligible]
    low, high = breakeven_range(billed, volume, range_tokens_per_day)
    by_id = {o.id: o for o in options}
    pairs = [
        Pair(
            hosted=p.hosted,
            self_hosted=p.self_hosted,
            with_labor=p.with_labor.row(0),
            without_labor=p.without_labor.row(0),
            cost_ratio=_ratio(by_id[p.self_hosted].monthly_usd, by_id[p.hosted].monthly_usd),
        )
        for p in break_evens(
            [o.cost for o in options if isinstance(o, HostedOption)],
            [o.cost for o in options if isinstance(o, SelfHostedOption)],
            low, high, dense=True,
        )
    ]  # fmt: skip
    verdicts = class_verdicts(
        options, {(p.hosted, p.self_hosted): (p.with_labor, p.without_labor) for p in pairs},
        volume, today, profile.model_class,
    )  # fmt: skip
    ids = [o.id for o in hosted] + [_compute_id(o) for o in selfs]
    old = stale(ids, catalog, today)
    if explicit:  # what the profile names: the date, and what to move to
        warnings.extend(deprecation_warnings(
            [o.id for o in hosted], catalog, today, tokens.input_tokens, tokens.output_tokens,
        ))  # fmt: skip
    elif every_option and (
        past := [o.id for o in hosted if catalog.hosted[o.id].retired_by(today)]
    ):
        warnings.append(
            f"{len(past)} offers past their deprecation date are priced but never the "
            f"cheapest: {', '.join(past)}"
        )
    if any(isinstance(o, HostedOption) and o.cost.offer.reasoning for o in options) and (
        profile.request.reasoning_tokens is None
    ):
        warnings.append(
            "reasoning models bill hidden reasoning tokens as output; set "
            "request.reasoning_tokens to count them (counted as 0)"
        )
    answered = answer(verdicts, profile.model_class)  # featured and recommended agree
    featured = feature(answered, options)
    return Comparison(
        profile=profile, requests_per_day=volume, tokens=tokens, weights=weights,
        options=options, skipped=skipped, pairs=pairs, range_requests_per_day=(low, high),
        calibration=calibration,
        serving_accuracy=catalog.serving.leave_one_out if catalog.serving else None,
        cheapest=eligible[0].id if eligible else None,
        default_set=default_set_text,
        featured=featured,
        recommended=recommend(answered),
        verdicts=verdicts,
        warnings=warnings, stale=old,
        caveats=price_caveats(options, featured.hosted, volume, low, high),
    )  # fmt: skip


def _something_runs(profile: Profile, hosted: list[Option], selfs: list[Option],
                    skipped: list[Skipped], warnings: list[str]) -> None:  # fmt: skip
    """A `compare:` section whose options cannot run is an error, not an empty report; one
    whose self-hosted options all drop out is said loudly (the report is hosted-only)."""
    assert profile.compare is not None
    reasons = "; ".join(f"{s.id}: {s.reason}" for s in skipped)
    if not hosted and not selfs:
        raise InputFileError(
            profile.name,
            "nothing to compare: every option in the profile's `compare:` section was ruled "
            f"out ({reasons or 'none listed'})",
            "compare",
        )
    if profile.compare.self_hosted and not selfs:
        warnings.append(
            "no self-hosted option in `compare:` can run, so this report prices hosted offers "
            f"only ({reasons})"
        )


def _ratio(self_hosted_usd: float, hosted_usd: float) -> float:
    """Self-hosted ÷ hosted monthly USD at the profile's volume (inf against a free offer)."""
    return self_hosted_usd / hosted_usd if hosted_usd > 0 else float(np.inf)


def _compute_id(option: Option) -> str:
    assert isinstance(option, SelfHostedOption)
    return option.cost.compute.id
