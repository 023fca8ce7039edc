"""Hosted API cost (DESIGN §1.3): billed tokens priced with caching, batch share and tiers."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from costcalc.core.demand.inputs import RowInputs
from costcalc.core.demand.tokens import Inflation
from costcalc.core.demand.traffic import FloatArray
from costcalc.core.hosted.prices import Bought, Prices, PriceTable, bought, price_table
from costcalc.core.units import DAYS_PER_MONTH, SECONDS_PER_HOUR, TOKENS_PER_MTOK
from costcalc.schema.catalog import HostedOffer
from costcalc.schema.profile import ServiceTier


def cache_hit_rate(
    ttl_s: float | FloatArray | None, lam_per_s: FloatArray, day_shares: FloatArray
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
    tokens: Inflation[Any],
    prices: Prices,
    hit: Any,
    prefix_tokens: Any,
    reasoning: Any,
) -> FloatArray:
    """USD of one billed attempt at each hit rate (every argument broadcasts).

    Cached and written tokens are parts of the input, never added on top of it (the
    double-counting bug peers had): (I − Ch − W)·p_in + Ch·p_cached + W·p_write + (o + r)·p_out.
    Where cache writes cost more than plain input and hits are too rare to pay for them, a
    rational user turns caching off, so the cheaper of the two is taken. Stacked prices are
    arrays, NaN where an offer has no cache price.
    """
    uncached = (
        tokens.input_tokens * prices.usd_per_mtok_input
        + (tokens.output_tokens + reasoning) * prices.usd_per_mtok_output
    )
    if prices.usd_per_mtok_cached_input is None:
        return np.asarray(uncached + 0.0 * hit) / TOKENS_PER_MTOK
    cached = np.asarray(prices.usd_per_mtok_cached_input)
    write = np.asarray(
        np.nan if prices.usd_per_mtok_cache_write is None else prices.usd_per_mtok_cache_write
    )
    # no prefix (0 tokens) reads and writes nothing, so the formula below gives `uncached`
    cached_read = hit * prefix_tokens
    written = np.where(np.isnan(write), 0.0, (1.0 - hit) * prefix_tokens)
    write_price = np.where(np.isnan(write), prices.usd_per_mtok_input, write)
    with_cache = (
        uncached
        - (cached_read + written) * prices.usd_per_mtok_input
        + cached_read * np.nan_to_num(cached)
        + written * write_price
    )
    best = np.where(np.isnan(cached), uncached, np.minimum(with_cache, uncached))
    return np.asarray(best) / TOKENS_PER_MTOK


@dataclass(frozen=True)
class HostedPricing:
    """Monthly cost of one or several hosted offers for every row of inputs, at any volumes.

    One offer (`hosted_pricing`): `monthly_usd` takes requests/day shaped (rows, volumes) and
    returns the same shape (a 1-D array is one row's volumes). Several (`stack_hosted`):
    `monthly_usd_all` returns (offers, rows, volumes), every offer priced in one pass.
    Requests above a long-context threshold (Gemini 2.5 Pro: 200k input tokens) pay other
    prices; rows on each side of it are priced apart (NaN where the tier has no such price).
    """

    offers: tuple[HostedOffer, ...]
    bought: tuple[tuple[Bought | None, Bought | None], ...]  # per offer: short, long
    table: PriceTable
    tokens: Inflation[FloatArray]  # one value per row
    is_long: npt.NDArray[np.bool_]  # (offers, rows)
    batch_share: FloatArray
    hit_rate: FloatArray | None  # None: auto
    weights: FloatArray  # distinct hourly shares of the day's requests …
    hours: FloatArray  # … and how many hours have each

    @property
    def offer(self) -> HostedOffer:
        assert len(self.offers) == 1, "one offer's figures asked of a stack"
        return self.offers[0]

    @property
    def prices(self) -> Bought | None:
        """Row 0's prices (the profile's own, in the point result)."""
        short, long = self.bought[0]
        return long if self.is_long[0, 0] else short

    @property
    def prefix_tokens(self) -> FloatArray:
        """The cacheable prefix per row of the (first) offer, 0 below its minimum."""
        return self._prefix()[0, :, 0]

    def _prefix(self) -> FloatArray:
        prefix = _column(self.tokens.cacheable_prefix_tokens)
        return np.asarray(np.where(prefix >= self.table.min_cacheable_tokens, prefix, 0.0))

    def _hits(self, volumes: FloatArray) -> FloatArray:
        """(offers, rows, volumes) cache hit rates."""
        shape = (len(self.offers), *volumes.shape)
        if self.hit_rate is not None:
            return np.broadcast_to(_column(self.hit_rate), shape).copy()
        hits = np.zeros(shape)
        ttl = self.table.cache_ttl_s
        live = np.flatnonzero(~np.isnan(ttl) & self.table.cache_priced)
        if live.size:  # only offers with a published lifetime and a cache price hit at all
            attempts = _column(self.tokens.billed_attempts)[0][..., None]
            lam = volumes[..., None] * attempts * self.weights / SECONDS_PER_HOUR
            ttls = ttl[live].reshape(-1, 1, 1, 1)
            hits[live] = cache_hit_rate(ttls, lam[None], self.weights * self.hours)
        return hits

    def hit_rates(self, requests_per_day: FloatArray) -> FloatArray:
        volumes = np.atleast_2d(np.asarray(requests_per_day, dtype=np.float64))
        return np.asarray(self._hits(volumes)[0])

    def usd_per_request_all(self, volumes: FloatArray, cached: bool = True) -> FloatArray:
        """(offers, rows, volumes) USD per request; `cached=False` prices every prefix
        token as plain input (what caching saves is the difference)."""
        shape = (len(self.offers), *volumes.shape)
        hit = self._hits(volumes) if cached else np.zeros(shape)
        cols = self.tokens.map(lambda v: _column(v)[0])
        prefix = self._prefix()
        thought = np.where(self.table.reasoning, cols.reasoning_tokens, 0.0)
        share = _column(self.batch_share)[0]
        t = self.table

        def priced(live: Prices, batch: Prices) -> FloatArray:
            on_live = cost_per_attempt(cols, live, hit, prefix, thought)
            on_batch = cost_per_attempt(cols, batch, hit, prefix, thought)
            return np.asarray((1.0 - share) * on_live + share * on_batch)

        per_attempt = priced(t.short_live, t.short_batch)
        if self.is_long.any():
            longer = priced(t.long_live, t.long_batch)
            per_attempt = np.where(self.is_long[:, :, None], longer, per_attempt)
        return np.asarray(per_attempt * _column(self.tokens.billed_attempts)[0])

    def monthly_usd_all(self, requests_per_day: FloatArray, cached: bool = True) -> FloatArray:
        """Requests/day × USD/request × 730/24 days, shaped (offers, rows, volumes)."""
        volumes = np.atleast_2d(np.asarray(requests_per_day, dtype=np.float64))
        return np.asarray(volumes * self.usd_per_request_all(volumes, cached) * DAYS_PER_MONTH)

    def usd_per_request(self, requests_per_day: FloatArray) -> FloatArray:
        volumes = np.atleast_2d(np.asarray(requests_per_day, dtype=np.float64))
        return np.asarray(self.usd_per_request_all(volumes)[0])

    def monthly_usd(self, requests_per_day: FloatArray, cached: bool = True) -> FloatArray:
        return np.asarray(self.monthly_usd_all(requests_per_day, cached)[0])

    def select(self, option: int) -> HostedPricing:
        """One offer of a stack."""
        return dataclasses.replace(
            self, offers=self.offers[option : option + 1],
            bought=self.bought[option : option + 1],
            table=self.table.select(slice(option, option + 1)),
            is_long=self.is_long[option : option + 1],
        )  # fmt: skip

    def take(self, index: npt.NDArray[np.intp] | slice) -> HostedPricing:
        return dataclasses.replace(
            self, tokens=self.tokens.map(lambda v: np.asarray(v[index])),
            is_long=self.is_long[:, index], batch_share=self.batch_share[index],
            hit_rate=None if self.hit_rate is None else self.hit_rate[index],
        )  # fmt: skip


def _column(values: FloatArray) -> FloatArray:
    """(rows,) → (1, rows, 1): broadcasts against (offers, rows, volumes)."""
    return np.asarray(values, dtype=np.float64).reshape(1, -1, 1)


def hosted_pricing(offer: HostedOffer, rows: RowInputs, tier: ServiceTier) -> HostedPricing:
    """The cost of an offer for every row of `rows` (see `HostedPricing`)."""
    weights, hours = np.unique(rows.weights, return_counts=True)
    long = offer.long_context
    is_long = (
        np.asarray(rows.tokens.input_tokens > long.above_input_tokens)
        if long is not None
        else np.zeros(rows.size, dtype=bool)
    )
    sets = ((bought(offer, tier, 0.0), bought(offer, tier, np.inf) if long else None),)
    return HostedPricing(
        offers=(offer,),
        bought=sets,
        table=price_table((offer,), sets),
        tokens=rows.tokens,
        is_long=is_long[None, :],
        batch_share=rows.batch_share,
        hit_rate=rows.hit_rate,
        weights=weights,
        hours=hours.astype(np.float64),
    )


def stack_hosted(options: Sequence[HostedPricing]) -> HostedPricing:
    """Several offers priced for the same rows, as one (every offer in one array pass)."""
    offers = tuple(o for option in options for o in option.offers)
    sets = tuple(b for option in options for b in option.bought)
    return dataclasses.replace(
        options[0],
        offers=offers,
        bought=sets,
        table=price_table(offers, sets),
        is_long=np.concatenate([o.is_long for o in options]),
    )
