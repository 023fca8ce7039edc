"""The `compare --format json` report (DESIGN §2.3, schema_version 2) as pydantic models."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    ConfigDict,
    Field,
    model_validator,
)

from costcalc.schema.report_base import Money as Money
from costcalc.schema.report_base import Quantiles as Quantiles
from costcalc.schema.report_base import ReportModel as ReportModel
from costcalc.schema.report_base import Span as Span
from costcalc.schema.report_base import Status as Status
from costcalc.schema.report_breakeven import BreakEven as BreakEven
from costcalc.schema.report_breakeven import Crossing as Crossing
from costcalc.schema.report_breakeven import CrossingPoint as CrossingPoint
from costcalc.schema.report_breakeven import StatusShares as StatusShares
from costcalc.schema.report_caveat import PriceCaveat
from costcalc.schema.report_verdict import ClassVerdict

# Keys of DESIGN §2.3 are required; keys added since are optional (default None), so a report
# saved by an earlier costcalc still reads. Keys may be added; a renamed key is a new
# schema_version. Version 2 spells four keys the US way, as the profile fields and flags do;
# a version 1 report is read by renaming them (V1_KEYS).

V1_KEYS = {  # schema_version 1 key → version 2 key, wherever it appears
    "without_labour": "without_labor",
    "monthly_usd_without_labour": "monthly_usd_without_labor",
    "labour": "labor",
    "one_off_amortised": "one_off_amortized",
}


def _renamed(value: Any) -> Any:
    if isinstance(value, dict):
        return {V1_KEYS.get(k, k): _renamed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v) for v in value]
    return value


class Volume(ReportModel):
    requests_per_day: float = Field(gt=0)
    headline_tokens_per_day: float = Field(
        ge=0, description="(user + output tokens) x requests/day: what a naive estimate counts."
    )
    billed_tokens_per_day: float = Field(
        ge=0,
        description="Billed attempts x (input + output) tokens x requests/day, after inflation.",
    )


class PerRequest(ReportModel):
    """Mean tokens per request by part."""

    system: float = Field(ge=0)
    tools: float = Field(ge=0)
    retrieval: float = Field(ge=0)
    history: float = Field(ge=0)
    user: float = Field(ge=0)
    output: float = Field(ge=0)
    reasoning: float | None = Field(default=None, ge=0)


class Inflation(ReportModel):
    factor: float = Field(ge=0, description="Billed tokens per headline token.")
    billed_attempts: float = Field(ge=1)
    sent_attempts: float | None = Field(
        default=None, ge=1, description="Attempts sent per request, 429s included."
    )
    per_request: PerRequest
    billed_tokens_per_request: float | None = Field(default=None, ge=0)


QUANTILES_NOTE = (
    "With --monte-carlo: P10/P50/P90 of monthly USD over the samples, each at its own volume."
)


class HostedOption(ReportModel):
    id: str
    kind: Literal["hosted"]
    monthly_usd: Money
    usd_per_mtok: Money = Field(description="USD per million billed tokens.")
    usd_per_1k_requests: Money
    cache_hit_rate: float | None = Field(default=None, ge=0, le=1)
    cache_savings_usd_per_month: float | None = None
    rate_limit_tier: str | None = None
    slo_met: bool | None = None
    notes: list[str] | None = None
    monthly_usd_quantiles: Quantiles | None = Field(default=None, description=QUANTILES_NOTE)

    omit_when_none = frozenset({"monthly_usd_quantiles"})


class FixedBreakdown(ReportModel):
    gateway: Money
    storage: Money
    labor: Money
    one_off_amortized: Money


class SelfHostedOption(ReportModel):
    id: str
    kind: Literal["self_hosted"]
    monthly_usd: Money
    usd_per_mtok: Money = Field(description="USD per million billed tokens.")
    usd_per_1k_requests: Money
    fixed_monthly_usd: Money
    replicas_peak: int = Field(ge=0)
    throughput_source: Literal["benchmark", "fit", "roofline", "model"] = Field(
        description="model: the serving model (core/selfhosted/serving.py), calibrated as "
        "`throughput_calibration` says; the other values are kept for reports of version 0.x."
    )
    throughput_calibration: Literal["built-in", "own points", "transferred"] | None = Field(
        default=None,
        description="built-in: the defaults fitted on every built-in benchmark run; own points: "
        "moved by a speed factor fitted on this pairing's runs; transferred: on its model's runs "
        "on other GPUs.",
    )
    replica_requests_per_s: float = Field(
        gt=0, description="SLO-compliant requests/s of one replica at the profile's mix."
    )
    cold_starts_per_day: float = Field(ge=0)
    cold_start_share: float | None = Field(default=None, ge=0, le=1)
    compute_monthly_usd: Money | None = None
    monthly_usd_without_labor: Money | None = None
    fixed_breakdown_usd: FixedBreakdown | None = None
    billing: Literal["hourly", "serverless"] | None = None
    lone_latency_s: float | None = Field(default=None, ge=0)
    capacity_lower_bound: bool | None = None
    slo_met: bool | None = None
    notes: list[str] | None = None
    monthly_usd_quantiles: Quantiles | None = Field(default=None, description=QUANTILES_NOTE)
    price_caveats: list[PriceCaveat] | None = Field(
        default=None,
        description="Prices monthly_usd rests on that are not public list prices; left out "
        "when every price is a list price.",
    )

    omit_when_none = frozenset({"monthly_usd_quantiles", "price_caveats"})


Option = Annotated[HostedOption | SelfHostedOption, Field(discriminator="kind")]


class Range(ReportModel):
    tokens_per_day: Span
    requests_per_day: Span


class Featured(ReportModel):
    """The pair every part of the report features (verdict, charts, sensitivity's default
    pair, CSV)."""

    hosted: str | None
    self_hosted: str | None
    why: str


class Calibration(ReportModel):
    """How well the serving model predicts the catalog's benchmark runs (request throughput),
    each predicted without its own source: median and worst |predicted / measured − 1|."""

    points: int = Field(ge=0)
    typical_error: float | None = Field(description="median absolute error, as a fraction")
    worst_error: float | None = Field(description="largest absolute error, as a fraction")


class Skipped(ReportModel):
    id: str
    reason: str


class MonteCarlo(ReportModel):
    """Set by --monte-carlo N: what was sampled."""

    samples: int = Field(ge=1)
    seed: int = Field(ge=0)
    uncertain: list[str] = Field(
        description="Field paths given as distributions, e.g. traffic.requests_per_day."
    )
    requests_per_day_quantiles: Quantiles | None = None
    billed_tokens_per_day_quantiles: Quantiles | None = None
    notes: list[str] | None = None


class CompareReport(ReportModel):
    """Output of `costcalc compare --format json`, schema_version 2. Keys may be added in later
    versions; none are renamed or removed without a new schema_version. A version 1 report
    (costcalc before the US spellings) is read too, its four renamed keys mapped."""

    model_config = ConfigDict(title="costcalc compare --format json")

    schema_version: Literal[2]

    @model_validator(mode="before")
    @classmethod
    def _from_version_1(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("schema_version") == 1:
            return {**_renamed(data), "schema_version": 2}
        return data

    costcalc_version: str | None = None
    profile: str = Field(description="The profile's name.")
    verdict: str | None = Field(
        default=None,
        description="The sentence at the top of the text report: self-host or keep the API, "
        "against the cheapest offer of the quality the profile asks for.",
    )
    verdicts: list[ClassVerdict] | None = Field(
        default=None, description="One verdict per class of hosted API compared."
    )
    volume: Volume
    inflation: Inflation
    options: list[Option]
    breakeven: list[BreakEven]
    range: Range | None = None
    cheapest: str | None = Field(
        description="Id of the cheapest option that meets the SLO, or null."
    )
    recommended: str | None = Field(
        default=None,
        description="Id of the option the verdict says to run at the profile's volume: what "
        "check and diff gate when no option is named.",
    )
    budget_option: str | None = Field(
        default=None, description="The profile's budget.option, which check and diff gate first."
    )
    featured: Featured | None = None
    default_set: str | None = Field(
        default=None,
        description="How the options were chosen when the profile has no compare: section.",
    )
    roofline_calibration: Calibration | None = None
    skipped: list[Skipped] | None = None
    monte_carlo: MonteCarlo | None = Field(
        default=None, description="Set by --monte-carlo N: what was sampled. null without it."
    )
    warnings: list[str]

    @model_validator(mode="after")
    def _ids_agree(self) -> CompareReport:
        """Ids are unique, and the cheapest and every break-even name a listed option."""
        ids = [o.id for o in self.options]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"options list {', '.join(twice)} more than once")
        named = (
            [("cheapest", self.cheapest), ("recommended", self.recommended)]
            + [
                (f"verdicts[{n}].{side}", getattr(v, side))
                for n, v in enumerate(self.verdicts or [])
                for side in ("hosted", "self_hosted")
            ]
            + [
                (f"breakeven[{n}].{side}", getattr(b, side))
                for n, b in enumerate(self.breakeven)
                for side in ("hosted", "self_hosted")
            ]
            + [
                (f"options[{n}].price_caveats.flex_alternative.hosted", v.flex_alternative.hosted)
                for n, o in enumerate(self.options)
                if isinstance(o, SelfHostedOption)
                for v in o.price_caveats or []
                if v.flex_alternative is not None
            ]
        )
        for where, wanted in named:
            if wanted is not None and wanted not in ids:
                raise ValueError(f"{where} `{wanted}` is not among the options")
        return self
