"""Project-wide reports: every profile's compare report in one file, and the diff against it."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from costcalc.schema.report import CompareReport
from costcalc.schema.report_base import ReportModel
from costcalc.schema.report_gates import CheckResult, DiffGate, DiffReport


class ProfileReport(ReportModel):
    path: str = Field(description="The profile's path from the project file's folder.")
    report: CompareReport


class ProjectCompareReport(ReportModel):
    """Output of `costcalc compare --project --format json`, schema_version 1: the baseline
    `costcalc diff --baseline` reads."""

    model_config = ConfigDict(title="costcalc compare --project --format json")

    schema_version: Literal[1]
    command: Literal["compare --project"]
    project: str = Field(description="The project file, as given or found.")
    reports: list[ProfileReport]


class Total(ReportModel):
    past: float = Field(description="USD/month of the gated options in the baseline.")
    current: float
    delta: float
    pct: float | None


class ProfileChange(ReportModel):
    path: str
    status: Literal["changed", "unchanged", "new", "removed"]
    diff: DiffReport | None = Field(
        default=None, description="Against the baseline (changed, unchanged)."
    )
    check: CheckResult | None = Field(
        default=None, description="A new profile has no baseline: its own budget is checked."
    )
    past_usd: float | None = Field(default=None, description="A removed profile's gated cost.")


class ProjectDiffReport(ReportModel):
    """Output of `costcalc diff --baseline FILE --format json`, schema_version 1."""

    model_config = ConfigDict(title="costcalc diff --baseline --format json")

    schema_version: Literal[1]
    command: Literal["diff --baseline"]
    passed: bool = Field(description="No gate crossed, no new profile over its budget.")
    changed: bool
    total: Total
    gates: list[DiffGate] = Field(description="The --max-increase-* gates on the total.")
    profiles: list[ProfileChange]
