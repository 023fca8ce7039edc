"""Results over many samples: quantiles, each option's costs and each pair's break-even."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from costcalc.core.analysis.engine import Built
from costcalc.core.demand.traffic import FloatArray
from costcalc.core.units import DAYS_PER_MONTH

QUANTILES = (("p10", 0.10), ("p50", 0.50), ("p90", 0.90))


def quantile(
    values: npt.NDArray[np.floating[Any]], q: float, axis: int | None = None
) -> FloatArray:
    """The q-quantile as an order statistic ('inverted_cdf'): an infinite sample (a break-even
    never reached) cannot turn a neighbouring quantile into NaN by interpolation."""
    return np.asarray(np.quantile(values, q, axis=axis, method="inverted_cdf"), dtype=np.float64)


def quantiles(values: FloatArray) -> dict[str, float | None]:
    """P10/P50/P90 as order statistics, NaN samples left out; an infinite or undefined
    quantile is None (a break-even never reached in the range)."""
    finite_or_inf = values[~np.isnan(values)]
    if finite_or_inf.size == 0:
        return {name: None for name, _ in QUANTILES}
    out: dict[str, float | None] = {}
    for name, q in QUANTILES:
        value = float(quantile(finite_or_inf, q))
        out[name] = value if np.isfinite(value) else None
    return out


@dataclass(frozen=True)
class PairSamples:
    hosted: str
    self_hosted: str
    tokens_per_day: FloatArray  # 0: self-hosting cheaper across the range; inf: never in it
    p_self_hosted_cheaper: float  # at each sample's own volume, over the priced samples
    share_crosses: float  # shares of the priced samples …
    share_never: float
    share_always: float
    share_unpriced: float = 0.0  # … and of all samples: the hosted offer has no price there
    tokens_per_day_quantiles: dict[str, float | None] = field(init=False)

    def __post_init__(self) -> None:  # computed here, so every format shows the same figures
        object.__setattr__(self, "tokens_per_day_quantiles", quantiles(self.tokens_per_day))


@dataclass(frozen=True)
class MonteCarlo:
    samples: int
    seed: int
    uncertain: tuple[str, ...]
    requests_per_day: FloatArray
    billed_tokens_per_day: FloatArray
    monthly_usd: dict[str, FloatArray]  # option id → one figure per sample
    pairs: list[PairSamples]
    notes: tuple[str, ...]
    built: Built | None = None  # every option priced per sample, at any volume (for bands)
    monthly_usd_quantiles: dict[str, dict[str, float | None]] = field(init=False)
    requests_per_day_quantiles: dict[str, float | None] = field(init=False)
    billed_tokens_per_day_quantiles: dict[str, float | None] = field(init=False)

    def __post_init__(self) -> None:  # computed here, so every format shows the same figures
        costs = {oid: quantiles(values) for oid, values in self.monthly_usd.items()}
        object.__setattr__(self, "monthly_usd_quantiles", costs)
        object.__setattr__(self, "requests_per_day_quantiles", quantiles(self.requests_per_day))
        billed = quantiles(self.billed_tokens_per_day)
        object.__setattr__(self, "billed_tokens_per_day_quantiles", billed)

    def usd_per_1k_requests(self, option: str) -> FloatArray:
        return self.monthly_usd[option] / (self.requests_per_day * DAYS_PER_MONTH) * 1000.0

    def usd_per_mtok(self, option: str) -> FloatArray:
        return self.monthly_usd[option] / (self.billed_tokens_per_day * DAYS_PER_MONTH) * 1e6
