"""Hosted API cost (DESIGN §1.3): billed tokens priced with caching, batch share and tiers."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from costcalc.core.demand.inputs import RowInputs
from costcalc.core.demand.tokens import Inflation
from costcalc.core.demand.traffic import FloatArray
from costcalc.core.units import DAYS_PER_MONTH, SECONDS_PER_HOUR, TOKENS_PER_MTOK
from costcalc.schema.catalog import HostedOffer
from costcalc.schema.profile import ServiceTier


@dataclass(frozen=True)
class Prices:
    """USD per million tokens for one way of buying (a tier, or the batch API)."""

    input: float
    output: float
    cached_input: float | None
    cache_write: float | None

    def scaled(self, factor: float) -> Prices:
        """Every rate × factor (batch APIs discount input, output, cache reads and writes alike)."""
        return Prices(
            self.input * factor,
            self.output * factor,
            None if self.cached_input is None else self.cached_input * factor,
            None if self.cache_write is None else self.cache_write * factor,
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


def cache_hit_rate(
    ttl_s: float | None, lam_per_s: FloatArray, day_shares: FloatArray
) -> FloatArray:
    """Share of attempts whose shared prefix is read from cache (`hit_rate: auto`), per volume.

    A prefix used by every request stays cached while requests arrive less than `ttl` apart,
    so an arrival in hour h hits with probability 1 − exp(−λ_h × ttl); the day's rate is the
    request-weighted mean over the last axis. Example: λ = 0.01/s, ttl = 300 s → 1 − e^−3 = 0.950.
    """
    if ttl_s is None:
        return np.zeros(lam_per_s.shape[:-1])
    return np.asarray(-np.expm1(-lam_per_s * ttl_s) @ day_shares, dtype=np.float64)


def cost_per_attempt(
    tokens: Inflation[FloatArray],
    prices: Prices,
    hit: FloatArray,
    prefix_tokens: FloatArray,
    reasoning: FloatArray,
) -> FloatArray:
    """USD of one billed attempt at each hit rate (token arrays broadcast against `hit`).

    Cached and written tokens are parts of the input, never added on top of it (the
    double-counting bug peers had): (I − Ch − W)·p_in + Ch·p_cached + W·p_write + (o + r)·p_out.
    Where cache writes cost more than plain input and hits are too rare to pay for them, a
    rational user turns caching off, so the cheaper of the two is taken.
    """
    uncached = tokens.input_tokens * prices.input + (tokens.output + reasoning) * prices.output
    if prices.cached_input is None:
        return np.asarray(uncached + 0.0 * hit) / TOKENS_PER_MTOK
    # no prefix (0 tokens) reads and writes nothing, so the formula below gives `uncached`
    cached_read = hit * prefix_tokens
    written = (1.0 - hit) * prefix_tokens if prices.cache_write is not None else 0.0 * hit
    write_price = prices.cache_write if prices.cache_write is not None else prices.input
    with_cache = (
        uncached
        - (cached_read + written) * prices.input
        + cached_read * prices.cached_input
        + written * write_price
    )
    return np.asarray(np.minimum(with_cache, uncached)) / TOKENS_PER_MTOK


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


def _column(values: FloatArray) -> FloatArray:
    return np.asarray(values, dtype=np.float64).reshape(-1, 1)


@dataclass(frozen=True)
class HostedPricing:
    """Monthly cost of one hosted offer for every row of inputs, at any volumes.

    `monthly_usd` takes requests/day shaped (rows, volumes) and returns the same shape (a 1-D
    array is one row's volumes).
    Requests above a long-context threshold (Gemini 2.5 Pro: 200k input tokens) pay other
    prices; rows on each side of it are priced apart (NaN where the tier has no such price).
    """

    offer: HostedOffer
    tokens: Inflation[FloatArray]  # one value per row
    short: Bought | None  # prices at or below the long-context threshold
    long: Bought | None  # prices above it (None: no threshold, or no price there)
    is_long: npt.NDArray[np.bool_]  # per row
    batch_share: FloatArray
    hit_rate: FloatArray | None  # None: auto
    weights: FloatArray  # distinct hourly shares of the day's requests …
    hours: FloatArray  # … and how many hours have each

    @property
    def prices(self) -> Bought | None:
        """Row 0's prices (the profile's own, in the point result)."""
        return self.long if self.is_long[0] else self.short

    @property
    def prefix_tokens(self) -> FloatArray:
        """The cacheable prefix per row, or 0 where it is shorter than the provider's minimum."""
        prefix = self.tokens.cacheable_prefix
        return np.asarray(np.where(prefix >= self.offer.min_cacheable_tokens, prefix, 0.0))

    @property
    def reasoning(self) -> FloatArray:
        return self.tokens.reasoning if self.offer.reasoning else 0.0 * self.tokens.reasoning

    def hit_rates(self, requests_per_day: FloatArray) -> FloatArray:
        volumes = np.atleast_2d(np.asarray(requests_per_day, dtype=np.float64))
        if self.hit_rate is not None:
            return np.broadcast_to(_column(self.hit_rate), volumes.shape).copy()
        prices = [b.live for b in (self.short, self.long) if b is not None]
        if self.offer.cache_ttl_s is None or all(p.cached_input is None for p in prices):
            return np.zeros(volumes.shape)  # no lifetime published, or no cache price: no hits
        attempts = _column(self.tokens.billed_attempts)[..., None]
        lam = volumes[..., None] * attempts * self.weights / SECONDS_PER_HOUR
        return cache_hit_rate(self.offer.cache_ttl_s, lam, self.weights * self.hours)

    def usd_per_request(self, requests_per_day: FloatArray, cached: bool = True) -> FloatArray:
        volumes = np.atleast_2d(np.asarray(requests_per_day, dtype=np.float64))
        hit = self.hit_rates(volumes) if cached else np.zeros(volumes.shape)
        t = self.tokens
        cols = t.map(_column)
        prefix, reasoning, share = (
            _column(self.prefix_tokens),
            _column(self.reasoning),
            _column(self.batch_share),
        )

        def priced(b: Bought | None) -> FloatArray:
            if b is None:
                return np.full(hit.shape, np.nan)
            live = cost_per_attempt(cols, b.live, hit, prefix, reasoning)
            batch = cost_per_attempt(cols, b.batch, hit, prefix, reasoning)
            return np.asarray((1.0 - share) * live + share * batch)

        per_attempt = priced(self.short) if not self.is_long.any() else np.where(
            self.is_long[:, None], priced(self.long), priced(self.short)
        )  # fmt: skip
        return np.asarray(per_attempt * _column(t.billed_attempts))

    def monthly_usd(self, requests_per_day: FloatArray, cached: bool = True) -> FloatArray:
        """Requests/day × USD/request × 730/24 days; `cached=False` prices every prefix
        token as plain input (what caching saves is the difference)."""
        volumes = np.atleast_2d(np.asarray(requests_per_day, dtype=np.float64))
        return np.asarray(volumes * self.usd_per_request(volumes, cached) * DAYS_PER_MONTH)

    def take(self, index: npt.NDArray[np.intp] | slice) -> HostedPricing:
        return dataclasses.replace(
            self, tokens=self.tokens.map(lambda v: np.asarray(v[index])),
            is_long=self.is_long[index],
            batch_share=self.batch_share[index],
            hit_rate=None if self.hit_rate is None else self.hit_rate[index],
        )  # fmt: skip


def hosted_pricing(offer: HostedOffer, rows: RowInputs, tier: ServiceTier) -> HostedPricing:
    """The cost of an offer for every row of `rows` (see `HostedPricing`)."""
    weights, hours = np.unique(rows.weights, return_counts=True)
    long = offer.long_context
    is_long = (
        np.asarray(rows.tokens.input_tokens > long.above_input_tokens)
        if long is not None
        else np.zeros(rows.size, dtype=bool)
    )
    return HostedPricing(
        offer=offer,
        tokens=rows.tokens,
        short=bought(offer, tier, 0.0),
        long=bought(offer, tier, float("inf")) if long is not None else None,
        is_long=is_long,
        batch_share=rows.batch_share,
        hit_rate=rows.hit_rate,
        weights=weights,
        hours=hours.astype(np.float64),
    )
