"""What a hosted offer charges: tier, long-context and batch prices, stacked over offers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from costcalc.core.demand.traffic import FloatArray
from costcalc.schema.catalog import HostedOffer
from costcalc.schema.profile import ServiceTier


@dataclass(frozen=True)
class Prices:
    """USD per million tokens for one way of buying (a tier, or the batch API); several
    offers' prices stacked are arrays (see `HostedPricing`)."""

    usd_per_mtok_input: float | FloatArray
    usd_per_mtok_output: float | FloatArray
    usd_per_mtok_cached_input: float | FloatArray | None
    usd_per_mtok_cache_write: float | FloatArray | None

    def scaled(self, factor: float) -> Prices:
        """Every rate × factor (batch APIs discount input, output, cache reads and writes alike)."""
        return Prices(
            self.usd_per_mtok_input * factor,
            self.usd_per_mtok_output * factor,
            None
            if self.usd_per_mtok_cached_input is None
            else self.usd_per_mtok_cached_input * factor,
            None
            if self.usd_per_mtok_cache_write is None
            else self.usd_per_mtok_cache_write * factor,
        )


def long_context_applies(offer: HostedOffer, input_tokens: float) -> bool:
    """Some offers reprice the whole request above an input size (Gemini 2.5 Pro: 200k)."""
    return offer.long_context is not None and input_tokens > offer.long_context.above_input_tokens


def tier_prices(offer: HostedOffer, tier: ServiceTier, input_tokens: float = 0.0) -> Prices | None:
    """Prices of a service tier for requests of `input_tokens`, or None when the catalog has
    no such price (a tier the offer lacks, or a tier above the long-context threshold)."""
    long = offer.long_context if long_context_applies(offer, input_tokens) else None
    if tier == "standard":
        if long is not None:
            write = long.usd_per_mtok_cache_write or offer.usd_per_mtok_cache_write
            return Prices(
                long.usd_per_mtok_input, long.usd_per_mtok_output,
                long.usd_per_mtok_cached_input, write,
            )  # fmt: skip
        return Prices(
            offer.usd_per_mtok_input,
            offer.usd_per_mtok_output,
            offer.usd_per_mtok_cached_input,
            offer.usd_per_mtok_cache_write,
        )
    chosen = offer.priority if tier == "priority" else offer.flex
    if chosen is None or long is not None:
        return None
    return Prices(
        chosen.usd_per_mtok_input,
        chosen.usd_per_mtok_output,
        chosen.usd_per_mtok_cached_input,
        offer.usd_per_mtok_cache_write,
    )


@dataclass(frozen=True)
class Bought:
    """The prices one request pays: live (its service tier) and batch (the batch API)."""

    live: Prices
    batch: Prices


def bought(offer: HostedOffer, tier: ServiceTier, input_tokens: float) -> Bought | None:
    """Live and batch prices for requests of `input_tokens`, or None when the tier has no
    price at that size. An offer without a batch API serves the deferrable share live."""
    live = tier_prices(offer, tier, input_tokens)
    if live is None:
        return None
    standard = tier_prices(offer, "standard", input_tokens)
    assert standard is not None
    if offer.batch_discount is None:
        return Bought(live, live)
    return Bought(live, standard.scaled(1.0 - offer.batch_discount))


def _stacked(sets: Sequence[Prices | None]) -> Prices:
    """Prices of several offers as (offers, 1, 1) arrays; NaN where a price does not exist."""

    def column(values: list[float | None]) -> FloatArray:
        return np.array([np.nan if v is None else v for v in values]).reshape(-1, 1, 1)

    def field(name: str) -> FloatArray:
        return column([None if p is None else getattr(p, name) for p in sets])

    return Prices(*(field(name) for name in _PRICE_FIELDS))


@dataclass(frozen=True)
class PriceTable:
    """Every per-offer figure the cost formula reads, as arrays over the offers axis."""

    short_live: Prices  # at or below the long-context threshold …
    short_batch: Prices
    long_live: Prices  # … and above it (NaN: no such price)
    long_batch: Prices
    min_cacheable_tokens: FloatArray  # (offers, 1, 1)
    cache_ttl_s: FloatArray  # (offers,), NaN where no lifetime is published
    cache_priced: npt.NDArray[np.bool_]  # (offers,): any cache-read price at all
    reasoning: npt.NDArray[np.bool_]  # (offers, 1, 1)

    def select(self, index: slice) -> PriceTable:
        def cut(p: Prices) -> Prices:
            return Prices(*(np.asarray(getattr(p, f))[index] for f in _PRICE_FIELDS))

        return PriceTable(
            cut(self.short_live), cut(self.short_batch), cut(self.long_live),
            cut(self.long_batch), self.min_cacheable_tokens[index], self.cache_ttl_s[index],
            self.cache_priced[index], self.reasoning[index],
        )  # fmt: skip


_PRICE_FIELDS = (
    "usd_per_mtok_input", "usd_per_mtok_output", "usd_per_mtok_cached_input",
    "usd_per_mtok_cache_write",
)  # fmt: skip


def price_table(
    offers: Sequence[HostedOffer], sets: Sequence[tuple[Bought | None, Bought | None]]
) -> PriceTable:
    def prices(side: int, live: bool) -> Prices:
        chosen = [pair[side] for pair in sets]
        return _stacked([None if b is None else (b.live if live else b.batch) for b in chosen])

    return PriceTable(
        prices(0, True), prices(0, False), prices(1, True), prices(1, False),
        np.array([o.min_cacheable_tokens for o in offers], dtype=float).reshape(-1, 1, 1),
        np.array([o.cache_ttl_s or np.nan for o in offers], dtype=float),
        np.array([any(b is not None and b.live.usd_per_mtok_cached_input is not None for b in pair)
                  for pair in sets]),
        np.array([o.reasoning for o in offers]).reshape(-1, 1, 1),
    )  # fmt: skip
