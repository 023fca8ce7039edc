"""The parts catalog entries share: dates and sources, price bases, tier prices, rate limits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal

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


PriceBasis = Literal["list", "negotiated", "unlisted"]
ComputePrice = Literal[
    "usd_per_hour", "usd_per_gpu_hour", "usd_per_second_flex", "usd_per_second_active",
    "storage_usd_per_gb_month",
]  # fmt: skip
HostedPrice = Literal[
    "usd_per_mtok_input", "usd_per_mtok_output", "usd_per_mtok_cached_input",
    "usd_per_mtok_cache_write",
]  # fmt: skip
PRICE_BASIS_NOTE = (
    "Whether the entry's prices are public list prices (`list`, the default), a deal of "
    "yours (`negotiated`) or figures the provider no longer publishes (`unlisted`): one "
    "basis for every price of the entry, or a mapping from price field to basis (a price "
    "not named is `list`), e.g. {usd_per_second_active: unlisted}. Reports say so next to "
    "any figure that rests on a price that is not `list`."
)


def basis_of(basis: PriceBasis | Mapping[Any, PriceBasis], price: str) -> PriceBasis:
    """The basis of one price field: the entry's own, or what its mapping says (else list)."""
    return basis if isinstance(basis, str) else basis.get(price, "list")


def check_price_basis(entry: Any) -> Any:
    """A mapping names only prices the entry has; `unlisted` says since when and where
    (price_basis_note), as every dated figure does."""
    basis = entry.price_basis
    if not isinstance(basis, str):
        for price in basis:
            if getattr(entry, price) is None:
                raise ValueError(f"price_basis names {price}, which this entry has no price for")
    bases = {basis} if isinstance(basis, str) else set(basis.values())
    if "unlisted" in bases and not entry.price_basis_note.strip():
        raise ValueError(
            "price_basis `unlisted` needs price_basis_note: since when the price is not "
            "published, and where that is stated"
        )
    return entry
