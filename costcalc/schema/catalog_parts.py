"""The parts catalog entries share: dates and sources, tier prices, rate limits, latency."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field, model_validator

from costcalc.schema.base import Strict, UsdPerMtok


class Dated(Strict):
    """Every catalog figure says when it was true and where it came from."""

    as_of: dt.date
    source: str = Field(min_length=4, description="URL (or repository path) of the figure")
    notes: str = ""


class TierPrices(Strict):
    usd_per_mtok_input: UsdPerMtok
    usd_per_mtok_output: UsdPerMtok
    usd_per_mtok_cached_input: UsdPerMtok | None = None

    @model_validator(mode="after")
    def _cached_is_not_dearer(self) -> Any:
        return cached_not_above_input(self)


def cached_not_above_input(prices: Any) -> Any:
    """A cached input token never costs more than an uncached one (a typo, if it does)."""
    cached, plain = prices.usd_per_mtok_cached_input, prices.usd_per_mtok_input
    if cached is not None and cached > plain:
        raise ValueError(
            f"usd_per_mtok_cached_input ({cached:g}) is above usd_per_mtok_input ({plain:g})"
        )
    return prices


class LongContext(TierPrices):
    """Prices that apply to the whole request once its input exceeds `above_input_tokens`."""

    above_input_tokens: int = Field(gt=0)
    usd_per_mtok_cache_write: UsdPerMtok | None = None


class RateLimitTier(Strict):
    """Published limits of one usage tier; `itpm`/`otpm` where input and output count apart."""

    tier: str
    rpm: float | None = Field(default=None, gt=0)
    tpm: float | None = Field(default=None, gt=0)
    itpm: float | None = Field(default=None, gt=0)
    otpm: float | None = Field(default=None, gt=0)


class PublishedLatency(Dated):
    """Median latency of a hosted offer as a public source measures it (not our own run)."""

    ttft_s: float = Field(gt=0, le=600, description="median time to first token, seconds")
    output_tokens_per_s: float = Field(gt=0, le=100_000, description="median output speed")
