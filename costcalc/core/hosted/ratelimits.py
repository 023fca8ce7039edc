"""Rate-limit tiers (DESIGN §1.3): which published tier the peak minute of traffic needs."""

from __future__ import annotations

from dataclasses import dataclass

from costcalc.core.demand.tokens import Inflation
from costcalc.schema.catalog import HostedOffer


@dataclass(frozen=True)
class PeakMinute:
    """Requests and tokens sent in the busiest minute, counted the way limits count them."""

    requests: float
    tokens: float
    input_tokens_uncached: float
    output_tokens: float


def peak_minute(
    tokens: Inflation[float],
    requests_per_day: float,
    peak_hour_share: float,
    burst_factor: float,
    hit_rate: float,
    reasoning: float,
) -> PeakMinute:
    """Sent attempts (429s included: they count against limits) in the peak minute.

    Example: 144,000 requests/day, flat (share 1/24), β = 1.5, A_sent = 1 →
    144,000 / 24 / 60 × 1.5 = 150 requests in the peak minute.
    """
    rpm = requests_per_day * tokens.sent_attempts * peak_hour_share / 60.0 * burst_factor
    output = tokens.output_tokens + reasoning
    cached = hit_rate * tokens.cacheable_prefix_tokens
    return PeakMinute(
        requests=rpm,
        tokens=rpm * (tokens.input_tokens + output),
        # Anthropic does not count cache reads against input-tokens-per-minute
        input_tokens_uncached=rpm * (tokens.input_tokens - cached),
        output_tokens=rpm * output,
    )


def needed_tier(offer: HostedOffer, need: PeakMinute) -> str | None:
    """The lowest published tier whose every limit covers the peak minute.

    Returns None when the catalog has no limits for the offer, and "above published tiers"
    when even the top tier is short.
    """
    if not offer.rate_limits:
        return None
    for tier in offer.rate_limits:
        checks = (
            (tier.rpm, need.requests),
            (tier.tpm, need.tokens),
            (tier.itpm, need.input_tokens_uncached),
            (tier.otpm, need.output_tokens),
        )
        if all(limit is None or used <= limit for limit, used in checks):
            return tier.tier
    return "above published tiers"
