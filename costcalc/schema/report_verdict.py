"""The verdict by class in the JSON report: each class's cheapest offer, windows, and why."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from costcalc.schema.report_base import Money, ReportModel, Status
from costcalc.schema.report_breakeven import VolumeWindow

Part = Literal["warm floor", "GPU usage", "labor", "gateway and storage"]


class CostAt(ReportModel):
    """The self-hosted option's monthly USD at one volume (its break-even with labor, else the
    profile's volume), by what drives it."""

    requests_per_day: float = Field(ge=0)
    tokens_per_day: float = Field(ge=0)
    warm_floor_usd: Money = Field(
        description="Compute billed with no traffic at all: warm workers, minimum instances."
    )
    gpu_usage_usd: Money = Field(description="Compute above that floor, growing with traffic.")
    labor_usd: Money
    other_fixed_usd: Money = Field(description="Gateway, storage, one-off costs amortized.")
    dominant: Part
    dominant_share: float = Field(ge=0, le=1)


class Side(ReportModel):
    """Where the class's self-hosted option is cheaper, with or without labor."""

    status: Status
    requests_per_day: float | None = Field(
        ge=0, description="Lowest volume above which it stays cheaper (status crosses)."
    )
    tokens_per_day: float | None = Field(ge=0)
    windows: list[VolumeWindow]


class ClassVerdict(ReportModel):
    """One class of hosted API: its cheapest offer against the best self-hosted option."""

    model_class: Literal["frontier", "large", "small", "open"] = Field(
        description="open: hosts of an open model that is self-hosted in the same comparison."
    )
    open_model: str | None = Field(
        default=None, description="The open model whose hosts form the class (class open)."
    )
    label: str
    offers_compared: int = Field(ge=1)
    hosted: str = Field(description="The class's cheapest offer at the profile's volume.")
    hosted_monthly_usd: Money
    self_hosted: str | None = Field(
        description="The cheapest self-hosted option at the profile's volume when one is cheaper "
        "there, else the one cheaper from the lowest volume; null when none meets the SLO."
    )
    self_hosted_monthly_usd: Money | None
    with_labor: Side | None
    without_labor: Side | None
    cost_at: CostAt | None
    text: str = Field(description="The line the text report prints for the class.")
