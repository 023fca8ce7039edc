"""Break-evens in the JSON report: where one hosted and one self-hosted option cross, windows."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator

from costcalc.schema.report_base import Quantiles, ReportModel, Status


class VolumeWindow(ReportModel):
    """An interval of volume where self-hosting is cheaper. A null end is open: the window
    reaches that end of the searched range (and may go on beyond it)."""

    low_requests_per_day: float | None = Field(ge=0)
    high_requests_per_day: float | None = Field(ge=0)
    low_tokens_per_day: float | None = Field(ge=0)
    high_tokens_per_day: float | None = Field(ge=0)


BREAKEVEN_NOTE = (
    "Lowest billed tokens/day above which self-hosting stays cheaper to the end of the range; "
    "null unless status is crosses."
)


WINDOWS_NOTE = (
    "Every interval of the searched range where self-hosting is cheaper (a status `never` "
    "may still have one that closes again)."
)


class Crossing(ReportModel):
    """A break-even: whether self-hosting ever gets cheaper in the range, and where."""

    status: Status
    tokens_per_day: float | None = Field(ge=0, description=BREAKEVEN_NOTE)
    requests_per_day: float | None = Field(ge=0)
    windows: list[VolumeWindow] | None = Field(default=None, description=WINDOWS_NOTE)

    @model_validator(mode="after")
    def _crossing_has_a_volume(self) -> Any:
        return _volume_if_crossing(self)


def _volume_if_crossing(crossing: Any) -> Any:
    """A saved report whose break-even `crosses` names the volume it crosses at."""
    if crossing.status == "crosses" and crossing.tokens_per_day is None:
        raise ValueError("status `crosses` needs the volume it crosses at (tokens_per_day)")
    return crossing


class CrossingPoint(ReportModel):
    """A volume where the cheaper side changes, tracing the volume upward."""

    tokens_per_day: float
    self_hosted_becomes: Literal["cheaper", "dearer"]


class StatusShares(ReportModel):
    """Shares of the samples in which the hosted offer has a price (crosses + never + always
    = 1), and `unpriced`: the share of all samples in which it has none (their input size is
    past a long-context threshold its tier does not price)."""

    omit_when_none: ClassVar[frozenset[str]] = frozenset({"unpriced"})

    crosses: float | None
    never: float | None
    always: float | None
    unpriced: float | None = None


class BreakEven(ReportModel):
    """One hosted option against one self-hosted option (with labor; `without_labor` apart)."""

    hosted: str
    self_hosted: str
    status: Status
    tokens_per_day: float | None = Field(ge=0, description=BREAKEVEN_NOTE)
    requests_per_day: float | None = Field(ge=0)
    windows: list[VolumeWindow] | None = Field(default=None, description=WINDOWS_NOTE)

    @model_validator(mode="after")
    def _crossing_has_a_volume(self) -> Any:
        return _volume_if_crossing(self)

    without_labor: Crossing | None = None
    cost_ratio: float | None = Field(
        default=None, description="Self-hosted / hosted monthly cost at the profile's volume."
    )
    crossings: list[CrossingPoint] | None = None
    tokens_per_day_quantiles: Quantiles | None = Field(
        default=None,
        description="With --monte-carlo: P10/P50/P90 of the break-even (with labor) in billed "
        "tokens/day; 0 where self-hosting is cheaper across the whole range, null where the "
        "quantile falls among samples that never cross in it.",
    )
    p_self_hosted_cheaper: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="With --monte-carlo: share of samples in which self-hosting costs less at "
        "the sample's volume.",
    )
    status_shares: StatusShares | None = None

    omit_when_none = frozenset({"tokens_per_day_quantiles", "p_self_hosted_cheaper",
                                "status_shares"})  # fmt: skip
