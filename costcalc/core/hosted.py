"""Hosted API cost (DESIGN §1.3): billed tokens priced with caching, batch share and tiers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from costcalc.core.inflation import Inflation
from costcalc.core.traffic import FloatArray, attempt_rates
from costcalc.core.units import DAYS_PER_MONTH, TOKENS_PER_MTOK
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
    hit_rate: float | str | FloatArray,
    ttl_s: float | None,
    lam_per_s: FloatArray,
    weights: FloatArray,
) -> FloatArray:
    """Share of attempts whose shared prefix is read from cache, per volume.

    `auto`: a prefix used by every request stays cached while requests arrive less than `ttl`
    apart, so an arrival in hour h hits with probability 1 − exp(−λ_h × ttl); the day's rate is
    the request-weighted mean. Example: λ = 0.01/s, ttl = 300 s → 1 − e^−3 = 0.950.
    """
    if not isinstance(hit_rate, str):  # a share, or one share per Monte Carlo sample
        return np.broadcast_to(np.asarray(hit_rate, dtype=np.float64), lam_per_s.shape[:1]).copy()
    if ttl_s is None:
        return np.zeros(lam_per_s.shape[0])
    per_hour = -np.expm1(-lam_per_s * ttl_s)
    return np.asarray(per_hour @ weights, dtype=np.float64)


def cost_per_attempt(
    tokens: Inflation, prices: Prices, hit: FloatArray, prefix_tokens: float, reasoning: float
) -> FloatArray:
    """USD of one billed attempt at each hit rate.

    Cached and written tokens are parts of the input, never added on top of it (the
    double-counting bug peers had): (I − Ch − W)·p_in + Ch·p_cached + W·p_write + (o + r)·p_out.
    Where cache writes cost more than plain input and hits are too rare to pay for them, a
    rational user turns caching off, so the cheaper of the two is taken.
    """
    uncached = tokens.input_tokens * prices.input + (tokens.output + reasoning) * prices.output
    if prices.cached_input is None:
        return np.broadcast_to(uncached / TOKENS_PER_MTOK, hit.shape).copy()
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
    return np.minimum(with_cache, uncached) / TOKENS_PER_MTOK


@dataclass(frozen=True)
class HostedCostModel:
    """Monthly cost of one hosted offer as a function of requests per day."""

    offer: HostedOffer
    tokens: Inflation
    prices: Prices
    batch_prices: Prices
    batch_share: float
    hit_rate: float | str | FloatArray
    weights: FloatArray
    hours: FloatArray | None = None  # hours each weight stands for (None: one each)

    @property
    def prefix_tokens(self) -> float:
        """The cacheable prefix, or 0 when it is shorter than the provider's minimum."""
        prefix = self.tokens.cacheable_prefix
        kept = np.where(prefix >= self.offer.min_cacheable_tokens, prefix, 0.0)
        return float(kept) if kept.ndim == 0 else kept  # type: ignore[return-value]

    def hit_rates(self, requests_per_day: FloatArray) -> FloatArray:
        lam = attempt_rates(requests_per_day, self.tokens.billed_attempts, self.weights)
        share = self.weights if self.hours is None else self.weights * self.hours
        return cache_hit_rate(self.hit_rate, self.offer.cache_ttl_s, lam, share)

    def usd_per_request(self, requests_per_day: FloatArray) -> FloatArray:
        hit = self.hit_rates(requests_per_day)
        reasoning = self.tokens.reasoning if self.offer.reasoning else 0.0
        live = cost_per_attempt(self.tokens, self.prices, hit, self.prefix_tokens, reasoning)
        batch = cost_per_attempt(self.tokens, self.batch_prices, hit, self.prefix_tokens, reasoning)
        blended = (1.0 - self.batch_share) * live + self.batch_share * batch
        return np.asarray(blended * self.tokens.billed_attempts, dtype=np.float64)

    def monthly_usd(self, requests_per_day: FloatArray) -> FloatArray:
        """Requests/day × USD/request × 730/24 days."""
        volumes = np.atleast_1d(np.asarray(requests_per_day, dtype=np.float64))
        return np.asarray(volumes * self.usd_per_request(volumes) * DAYS_PER_MONTH)


def hosted_cost_model(
    offer: HostedOffer,
    tokens: Inflation,
    tier: ServiceTier,
    batch_share: float,
    hit_rate: float | str,
    weights: FloatArray,
    price_input_tokens: float | None = None,
) -> HostedCostModel | None:
    """The cost model of an offer, or None when it has no price for the requested tier.

    Prices are those of requests of `tokens.input_tokens`, or of `price_input_tokens` when
    given (Monte Carlo samples straddle a long-context threshold and price each side apart).
    """
    size = tokens.input_tokens if price_input_tokens is None else price_input_tokens
    prices = tier_prices(offer, tier, size)
    if prices is None:
        return None
    standard = tier_prices(offer, "standard", size)
    assert standard is not None
    discount = offer.batch_discount or 0.0
    # An offer without a batch API serves the deferrable share at its live price.
    batch = standard.scaled(1.0 - discount) if offer.batch_discount is not None else prices
    return HostedCostModel(offer, tokens, prices, batch, batch_share, hit_rate, weights)
