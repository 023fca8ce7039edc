"""Price caveats in the JSON report: a figure that rests on a price not publicly listed."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from costcalc.schema.catalog_parts import ComputePrice
from costcalc.schema.report_base import Money, ReportModel
from costcalc.schema.report_breakeven import Crossing


class FlexAlternative(ReportModel):
    """The same option with its warm workers billed at the flex rate, as they may be without a
    sales deal, at the profile's volume; and its break-even against `hosted`."""

    usd_per_gpu_second: float = Field(gt=0, description="The flex rate, per GPU-second.")
    monthly_usd: Money
    monthly_usd_without_labor: Money
    extra_monthly_usd: float = Field(
        description="monthly_usd minus the option's monthly_usd (at the active rate)."
    )
    hosted: str | None = Field(
        description="The hosted offer of the break-evens: the featured one, else the cheapest "
        "that may meet the SLO; null when none was compared."
    )
    with_labor: Crossing | None = None
    without_labor: Crossing | None = None


class PriceCaveat(ReportModel):
    """A price the option's monthly figure uses that is not a public list price (catalog
    `price_basis`), e.g. RunPod's active-worker rate, unlisted since 2026-04-23."""

    price: ComputePrice = Field(description="The catalog field, e.g. usd_per_second_active.")
    basis: Literal["negotiated", "unlisted"]
    usd: float = Field(ge=0, description="The price used, in the unit its field names.")
    warm_workers: int = Field(
        ge=0, description="Serverless workers billed all month at this price (else 0)."
    )
    gpus_per_worker: int = Field(ge=1, description="GPUs each worker is billed for.")
    note: str = Field(description="The catalog entry's price_basis_note: since when, and where.")
    text: str = Field(description="The caveat as the text report prints it.")
    flex_alternative: FlexAlternative | None = Field(
        default=None, description="Set when the price is an active (warm-worker) rate."
    )
