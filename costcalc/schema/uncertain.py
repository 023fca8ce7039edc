"""Uncertain profile inputs (DESIGN §1.7): a number may be given as a distribution instead.

`{median, p90}` is lognormal, `{low, high}` uniform, `{low, mode, high}` triangular. Only facts
about traffic and costs may be uncertain; SLO targets and the options compared are choices.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

from pydantic import Field, model_validator

from costcalc.schema.base import Strict

Z90 = 1.2815515655446004  # standard normal quantile at 0.90
DISTRIBUTION_KEYS = frozenset({"median", "p90", "low", "mode", "high"})


class _Distribution(Strict):
    """A distribution's parameters; `problem` says what makes them inconsistent, if anything."""

    def problem(self) -> str | None:
        raise NotImplementedError

    @model_validator(mode="after")
    def _consistent(self) -> _Distribution:
        problem = self.problem()
        if problem:
            raise ValueError(problem)
        return self


class Lognormal(_Distribution):
    """Median and 90th percentile: σ = ln(p90 / median) / z₀.₉, mean = median · e^{σ²/2}.

    Example: median 100, p90 200 → σ = 0.6931 / 1.2816 = 0.5409, mean = 100 · e^0.1463 = 115.75.
    """

    median: float = Field(gt=0, le=1e12)
    p90: float = Field(gt=0, le=1e12)

    def problem(self) -> str | None:
        return "`p90` must be above `median`" if self.p90 <= self.median else None

    @property
    def sigma(self) -> float:
        return math.log(self.p90 / self.median) / Z90

    @property
    def mean(self) -> float:
        return self.median * math.exp(self.sigma**2 / 2.0)

    def quantile(self, q: float) -> float:
        return self.median * math.exp(self.sigma * NormalDist().inv_cdf(q))


class Uniform(_Distribution):
    low: float = Field(ge=-1e12, le=1e12)
    high: float = Field(ge=-1e12, le=1e12)

    def problem(self) -> str | None:
        return "`high` must be above `low`" if self.high <= self.low else None

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2.0

    def quantile(self, q: float) -> float:
        return self.low + q * (self.high - self.low)


class Triangular(_Distribution):
    low: float = Field(ge=-1e12, le=1e12)
    mode: float = Field(ge=-1e12, le=1e12)
    high: float = Field(ge=-1e12, le=1e12)

    def problem(self) -> str | None:
        if not self.low <= self.mode <= self.high or self.high <= self.low:
            return "need `low` ≤ `mode` ≤ `high` with `low` < `high`"
        return None

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3.0

    def quantile(self, q: float) -> float:
        """Inverse CDF: below the mode's CDF value F_m = (m − a)/(b − a) the left branch."""
        a, m, b = self.low, self.mode, self.high
        split = (m - a) / (b - a)
        if q <= split:
            return a + math.sqrt(q * (b - a) * (m - a))
        return b - math.sqrt((1.0 - q) * (b - a) * (b - m))


Distribution = Lognormal | Uniform | Triangular


def parse_distribution(raw: dict[str, object]) -> Distribution:
    """The distribution a mapping describes, by its keys (pydantic errors name what is wrong)."""
    if "median" in raw or "p90" in raw:
        return Lognormal.model_validate(raw)
    if "mode" in raw:
        return Triangular.model_validate(raw)
    return Uniform.model_validate(raw)


@dataclass(frozen=True)
class UncertainField:
    """A profile field that may be a distribution: its bounds and whether it is a count."""

    path: str
    low: float
    high: float
    whole: bool = False  # samples are rounded (turns, chunks)


# Bounds repeat the schema's (costcalc/schema/profile.py); samples are clipped to them.
UNCERTAIN_FIELDS: dict[str, UncertainField] = {
    f.path: f
    for f in (
        UncertainField("traffic.requests_per_day", 1e-6, 1e10),
        UncertainField("traffic.conversations_per_day", 1e-6, 1e10),
        UncertainField("traffic.burst_factor", 1.0, 20.0),
        UncertainField("traffic.batch_share", 0.0, 1.0),
        UncertainField("request.user_tokens", 0.0, 1e7),
        UncertainField("request.output_tokens", 0.0, 1e7),
        UncertainField("request.reasoning_tokens", 0.0, 1e7),
        UncertainField("request.system_prompt.tokens", 0.0, 1e7),
        UncertainField("request.tools.tokens", 0.0, 1e7),
        UncertainField("request.retrieval.chunks", 0.0, 1000.0, whole=True),
        UncertainField("request.retrieval.tokens_per_chunk", 0.0, 1e7),
        UncertainField("request.conversation.turns", 1.0, 10_000.0, whole=True),
        UncertainField("request.retries.rate_limited", 0.0, 0.99),
        UncertainField("request.retries.failed", 0.0, 0.99),
        UncertainField("request.caching.hit_rate", 0.0, 1.0),
        UncertainField("overheads.gateway_usd_per_month", 0.0, 1e9),
        UncertainField("overheads.storage_usd_per_month", 0.0, 1e9),
        UncertainField("overheads.engineer_hours_per_month", 0.0, 10_000.0),
        UncertainField("overheads.engineer_usd_per_hour", 0.0, 1e9),
        UncertainField("overheads.one_off_usd", 0.0, 1e9),
    )
}
