"""The `check`, `diff` and `sensitivity` JSON reports (schema_version 1) as pydantic models."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from costcalc.schema.report_base import Money, ReportModel, Status

# --- costcalc check ------------------------------------------------------------------------


class GateResult(ReportModel):
    metric: Literal["monthly_usd", "usd_per_1k_requests", "usd_per_mtok"]
    limit: float = Field(ge=0)
    projected: float = Field(ge=0)
    basis: str = Field(
        description="point, or the Monte Carlo quantile checked (e.g. p90) with --quantile."
    )
    passed: bool
    excess: float = Field(ge=0, description="Amount over the limit, in the metric's unit.")
    excess_pct: float | None


Rule = Literal[
    "--option", "budget.option", "budget.options", "costcalc.yaml", "featured", "cheapest"
]
RULE_NOTE = (
    "Which rule chose the option, the first that applies: --option, the profile's "
    "budget.option, costcalc.yaml's, the option the verdict recommends (featured), the cheapest "
    "(a saved report without a recommendation)."
)


class CheckResult(ReportModel):
    source: str = Field(description="The profile file.")
    profile: str | None
    status: Literal["pass", "fail", "no_budget", "error"]
    option: str | None = Field(description="The option checked.")
    chosen_by: Rule | None = Field(description=RULE_NOTE)
    monthly_usd: float | None
    gates: list[GateResult]
    error: str | None = Field(description="Why the profile could not be checked (status error).")
    warnings: list[str]


class CheckReport(ReportModel):
    """Output of `costcalc check --format json`, schema_version 1. Keys may be added; none are
    renamed or removed without a new schema_version."""

    model_config = ConfigDict(title="costcalc check --format json")

    schema_version: Literal[1]
    command: Literal["check"]
    passed: bool = Field(description="No profile over budget and none invalid (exit code 0).")
    summary: str
    results: list[CheckResult]


# --- costcalc diff -------------------------------------------------------------------------


class Change(ReportModel):
    past: float | None
    current: float | None
    delta: float | None = Field(description="current − past")
    pct: float | None = Field(description="delta / past in percent; null when past is 0 or missing")


class GatedChange(ReportModel):
    option: str
    chosen_by: Rule | None = Field(default=None, description=RULE_NOTE)
    past: float | None
    current: float | None
    delta: float | None
    pct: float | None


class VolumeChange(ReportModel):
    label: str = Field(description="requests/day, billed tokens/day or inflation factor")
    past: float | None
    current: float | None
    delta: float | None
    pct: float | None


class OptionChange(ReportModel):
    id: str
    past: float | None
    current: float | None
    delta: float | None
    pct: float | None


class BreakEvenChange(ReportModel):
    pair: str = Field(description="`hosted vs self-hosted`")
    past: float | None
    current: float | None
    delta: float | None
    pct: float | None
    past_status: Status | None
    current_status: Status | None


class DiffGate(ReportModel):
    name: Literal["--max-increase-pct", "--max-increase-usd"]
    limit: float
    value: float | None
    passed: bool


class Cheapest(ReportModel):
    past: str | None
    current: str | None


class DiffReport(ReportModel):
    """Output of `costcalc diff --format json`, schema_version 1. Keys may be added; none are
    renamed or removed without a new schema_version."""

    model_config = ConfigDict(title="costcalc diff --format json")

    schema_version: Literal[1]
    command: Literal["diff"]
    profile: str
    changed: bool = Field(description="Anything changed beyond rounding.")
    passed: bool = Field(description="No gate crossed (exit code 0).")
    gated: GatedChange
    gates: list[DiffGate]
    cheapest: Cheapest
    volume: list[VolumeChange]
    options: list[OptionChange]
    breakeven: list[BreakEvenChange]


# --- costcalc sensitivity ------------------------------------------------------------------

BreakEvenTokens = Annotated[float, Field(ge=0)] | Literal["never"]
MoneyPair = tuple[Money | None, Money | None]  # null: cannot serve at that value


class SensitivityPoint(ReportModel):
    breakeven_tokens_per_day: BreakEvenTokens
    hosted_monthly_usd: Money
    self_hosted_monthly_usd: Money


class SensitivityInput(ReportModel):
    field: str = Field(description="Profile field path, e.g. request.user_tokens.")
    source: Literal["P10–P90", "±25%"]
    low: float
    high: float
    breakeven_tokens_per_day: tuple[BreakEvenTokens, BreakEvenTokens]
    hosted_monthly_usd: MoneyPair
    self_hosted_monthly_usd: MoneyPair


class SensitivityReport(ReportModel):
    """Output of `costcalc sensitivity --format json`, schema_version 1. Keys may be added;
    none are renamed or removed without a new schema_version. A break-even is billed
    tokens/day: 0 when self-hosting is cheaper across the whole range, the string "never" when
    it is not cheaper at the range's end."""

    model_config = ConfigDict(title="costcalc sensitivity --format json")

    schema_version: Literal[1]
    command: Literal["sensitivity"]
    hosted: str
    self_hosted: str
    point: SensitivityPoint
    range_tokens_per_day: tuple[float, float]
    inputs: list[SensitivityInput] = Field(
        description="One entry per input that can move, largest effect on the break-even first."
    )
