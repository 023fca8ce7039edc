"""Figures that rest on a price that is not a public list price, and the flex-rate alternative."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from costcalc.core.analysis.crossings import BreakEven
from costcalc.core.analysis.engine import break_evens
from costcalc.core.analysis.options import HostedOption, Option, SelfHostedOption
from costcalc.core.selfhosted.pricing import SelfHostedPricing
from costcalc.schema.catalog import ComputeOffer
from costcalc.schema.catalog_parts import ComputePrice, PriceBasis

ACTIVE: ComputePrice = "usd_per_second_active"


@dataclass(frozen=True)
class FlexAlternative:
    """The same option with its warm workers billed at the flex rate, as they may be without a
    sales deal: a warm 24 GB worker for 730 h is 0.00019 × 3600 × 730 = $499.32 a month
    instead of 0.00013 × 3600 × 730 = $341.64 (+46 %)."""

    usd_per_gpu_second: float  # the flex rate
    monthly_usd: float
    monthly_usd_without_labor: float
    extra_usd_per_month: float  # over the option's figure at the active rate
    hosted: str | None  # the hosted offer of the break-evens below (None: none compared)
    with_labor: BreakEven | None
    without_labor: BreakEven | None


@dataclass(frozen=True)
class PriceCaveat:
    """One price an option's figure rests on that is not a `list` price."""

    option: str
    price: ComputePrice  # the catalog field, e.g. usd_per_second_active
    basis: PriceBasis  # negotiated | unlisted
    usd: float  # the price used, in the field's unit
    note: str  # the catalog entry's price_basis_note
    warm_workers: int  # serverless workers billed all month at the price, else 0
    gpus_per_worker: int  # GPUs each is billed for (a tensor-parallel replica has several)
    flex: FlexAlternative | None  # only for an active rate that is not `list`


def prices_used(option: SelfHostedOption) -> list[ComputePrice]:
    """The compute prices the option's monthly figure uses: the hourly price, or the flex rate
    and, with warm workers, the active rate (storage is a fixed cost of cents, left out)."""
    o, c = option.cost.compute, option.cost.choice
    if o.billing == "hourly":
        return ["usd_per_gpu_hour" if o.usd_per_gpu_hour is not None else "usd_per_hour"]
    warm = c.min_replicas >= 1 and o.usd_per_second_active is not None
    return ["usd_per_second_flex", *([ACTIVE] if warm else [])]


def at_flex_rate(cost: SelfHostedPricing) -> SelfHostedPricing:
    """The pairing with its active rate replaced by the flex rate (nothing else changes)."""
    flex: ComputeOffer = cost.compute.model_copy(
        update={ACTIVE: cost.compute.usd_per_second_flex, "price_basis": "list"}
    )
    return dataclasses.replace(cost, compute=flex)


def flex_alternative(
    option: SelfHostedOption, hosted: HostedOption | None, volume: float, low: float, high: float
) -> FlexAlternative:
    """Monthly cost at the flex rate at the profile's volume, and the break-even against
    `hosted` over the same range [low, high] requests/day as the report's."""
    alt = at_flex_rate(option.cost)
    first = alt.take(slice(0, 1))
    at = np.array([[volume]])
    monthly = float(first.monthly_usd(at)[0, 0])
    without = float(first.monthly_usd(at, labor=False)[0, 0])
    with_labor = without_labor = None
    if hosted is not None:
        pair = break_evens([hosted.cost], [alt], low, high, dense=True)[0]
        with_labor, without_labor = pair.with_labor.row(0), pair.without_labor.row(0)
    flex = alt.compute.usd_per_second_flex
    assert flex is not None
    return FlexAlternative(
        usd_per_gpu_second=flex,
        monthly_usd=monthly,
        monthly_usd_without_labor=without,
        extra_usd_per_month=monthly - option.monthly_usd,
        hosted=hosted.id if hosted else None,
        with_labor=with_labor,
        without_labor=without_labor,
    )


def price_caveats(
    options: Sequence[Option], hosted_id: str | None, volume: float, low: float, high: float
) -> list[PriceCaveat]:
    """Every self-hosted option's prices that are not `list`, each with what it would cost at
    the flex rate where the price is an active rate. The break-even is against `hosted_id`
    (the featured hosted offer), else the cheapest hosted offer that may meet the SLO."""
    hosted = [o for o in options if isinstance(o, HostedOption)]
    against = next((o for o in hosted if o.id == hosted_id), None) or min(
        (o for o in hosted if o.eligible), key=lambda o: o.monthly_usd, default=None
    )
    out = []
    for option in options:
        if not isinstance(option, SelfHostedOption):
            continue
        compute = option.cost.compute
        for price in prices_used(option):
            basis = compute.basis_of(price)
            if basis == "list":
                continue
            usd, note = float(getattr(compute, price)), compute.price_basis_note
            warm, gpus = option.cost.choice.min_replicas, option.cost.choice.gpus_per_replica
            active = price == ACTIVE
            flex = flex_alternative(option, against, volume, low, high) if active else None
            warm = warm if compute.billing == "serverless" else 0
            out.append(PriceCaveat(option.id, price, basis, usd, note, warm, gpus, flex))
    return out
