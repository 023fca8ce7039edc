"""Priced options at the profile's volume: the rows of the comparison table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from costcalc.core.demand.traffic import FloatArray, peak_hour_ratio
from costcalc.core.hosted.pricing import HostedPricing
from costcalc.core.hosted.ratelimits import needed_tier, peak_minute
from costcalc.core.selfhosted.pricing import SelfHostedPricing
from costcalc.core.units import DAYS_PER_MONTH, TOKENS_PER_MTOK
from costcalc.schema.catalog import HostedOffer
from costcalc.schema.profile import Slo


@dataclass(frozen=True)
class Option:
    """One row of the comparison: monthly USD and the unit costs that explain it."""

    id: str
    kind: str  # hosted | self_hosted
    monthly_usd: float
    usd_per_mtok: float
    usd_per_1k_requests: float
    notes: tuple[str, ...]
    eligible: bool  # may be called the cheapest: not known to miss the SLO
    slo_met: bool | None  # None: unknown (a hosted offer without published latency)


@dataclass(frozen=True)
class HostedOption(Option):
    cost: HostedPricing
    cache_hit_rate: float
    cache_savings_usd_per_month: float
    rate_limit_tier: str | None


@dataclass(frozen=True)
class SelfHostedOption(Option):
    cost: SelfHostedPricing
    monthly_usd_without_labor: float
    compute_monthly_usd: float
    replicas_peak: int
    cold_starts_per_day: float
    cold_start_share: float


def retired(option: Option, today: dt.date) -> bool:
    """A hosted offer on or past its deprecation date."""
    return isinstance(option, HostedOption) and option.cost.offer.retired_by(today)


def unit_costs(
    monthly_usd: float, requests_per_day: float, billed_tokens_per_request: float
) -> tuple[float, float]:
    """(USD per million billed tokens, USD per 1,000 requests) at a volume."""
    requests_per_month = requests_per_day * DAYS_PER_MONTH
    per_mtok = monthly_usd / (requests_per_month * billed_tokens_per_request) * TOKENS_PER_MTOK
    return per_mtok, monthly_usd / requests_per_month * 1000.0


def published_latency_meets(offer: HostedOffer, slo: Slo) -> tuple[bool | None, str]:
    """Whether the offer's published median latency meets the SLO, and the note that says so.

    Medians only: a median over the target misses a p90 or p99 target for sure; one under it
    says nothing about the tail, so it counts as met with the figures shown. Example: median TTFT
    7.5 s against a 2,000 ms target misses; 121 tokens/s is 8.3 ms per token against 100 ms."""
    lat = offer.latency
    if lat is None:
        return None, "latency unknown"
    ms_per_token = 1000.0 / lat.output_tokens_per_s
    figures = f"median TTFT {lat.ttft_s:g} s, {lat.output_tokens_per_s:g} tokens/s"
    misses = []
    if lat.ttft_s * 1000.0 > slo.ttft_ms:
        misses.append(f"TTFT {lat.ttft_s:g} s > {slo.ttft_ms / 1000:g} s")
    if ms_per_token > slo.tpot_ms:
        misses.append(f"{ms_per_token:.0f} ms/token > {slo.tpot_ms:g} ms")
    if misses:
        return False, f"misses the SLO: published median {', '.join(misses)}"
    return True, f"published {figures} ({lat.as_of.isoformat()})"


def price_hosted(
    cost: HostedPricing,
    requests_per_day: float,
    billed_tokens_per_request: float,
    burst_factor: float,
    weights: FloatArray,
    slo: Slo,
) -> HostedOption:
    """The offer's row at the profile's volume (the first row of `cost`)."""
    volume = np.array([[requests_per_day]])
    first = cost.take(slice(0, 1))
    monthly = float(first.monthly_usd(volume)[0, 0])
    uncached = float(first.monthly_usd(volume, cached=False)[0, 0])
    prefix = float(first.prefix_tokens[0])
    hit = float(first.hit_rates(volume)[0, 0]) if prefix > 0 else 0.0
    tokens = first.tokens.row(0)
    reasoning = tokens.reasoning_tokens if cost.offer.reasoning else 0.0
    need = peak_minute(
        tokens, requests_per_day, peak_hour_ratio(weights) / 24.0, burst_factor, hit, reasoning
    )
    tier = needed_tier(cost.offer, need)
    notes = []
    if tier is not None and tier != cost.offer.rate_limits[0].tier:  # the entry tier says nothing
        notes.append(
            "exceeds published rate-limit tiers" if tier == "above published tiers"
            else f"needs rate-limit tier {tier}"
        )  # fmt: skip
    prices = cost.prices
    if prefix > 0 and prices is not None and prices.live.usd_per_mtok_cached_input is not None:
        if cost.hit_rate is None and cost.offer.cache_ttl_s is None:
            notes.append("no cache hits counted: cache lifetime not published")
        else:
            notes.append(f"cache hit {hit:.0%}")
    if cost.offer.reasoning and tokens.reasoning_tokens == 0:
        notes.append("reasoning tokens not counted")
    if cost.offer.price_basis != "list" or cost.offer.price_basis_note:
        # a price that is not a public list price, or that sources disagree on, is said
        # beside the figure (Fireworks' 8B: 0.10 in LiteLLM, 0.20 on its own page)
        basis = cost.offer.price_basis
        shown = basis if isinstance(basis, str) else ", ".join(f"{k} {v}" for k, v in basis.items())
        why = cost.offer.price_basis_note
        head = "price" if shown == "list" else f"price {shown}"
        notes.insert(0, head + (f": {why}" if why else ""))
    slo_met, latency_note = published_latency_meets(cost.offer, slo)
    if slo_met is False:  # first: a one-line note keeps it
        notes.insert(0, latency_note)
    elif slo_met:  # unknown: the report's SLO column says `?`
        notes.append(latency_note)
    per_mtok, per_1k = unit_costs(monthly, requests_per_day, billed_tokens_per_request)
    return HostedOption(
        id=cost.offer.id, kind="hosted", monthly_usd=monthly, usd_per_mtok=per_mtok,
        usd_per_1k_requests=per_1k, notes=tuple(notes), eligible=slo_met is not False,
        slo_met=slo_met,
        cost=cost, cache_hit_rate=hit, cache_savings_usd_per_month=uncached - monthly,
        rate_limit_tier=tier,
    )  # fmt: skip


def cold_starts_break_slo(cold_start_share: float, cold_start_s: float, slo: Slo) -> bool:
    """Cold starts sink the TTFT SLO when more requests meet one than the percentile spares:
    at p99, more than 1 % of requests waiting a 15 s cold start break a 2 s TTFT target."""
    return cold_start_share > 1.0 - slo.percentile / 100.0 and cold_start_s * 1000.0 > slo.ttft_ms


def price_self_hosted(
    cost: SelfHostedPricing, requests_per_day: float, billed_tokens_per_request: float, slo: Slo
) -> SelfHostedOption:
    """The pairing's row at the profile's volume (the first row of `cost`)."""
    bill = cost.take(slice(0, 1)).bill(np.array([[requests_per_day]]))
    compute = float(bill.usd_per_month[0, 0])
    monthly = compute + cost.fixed.total_usd_per_month
    notes = list(cost.notes)
    cold = float(bill.cold_starts_per_day[0, 0])
    if cost.compute.billing == "serverless":
        warm = cost.choice.min_replicas
        notes.append(f"{warm} warm worker{'s' if warm != 1 else ''}" if warm else "scales to zero")
        if cold >= 0.5:
            share_met = float(bill.cold_start_share[0, 0])
            notes.append(f"{cold:,.0f} cold starts/day ({share_met:.1%} of requests)")
        max_workers = cost.choice.max_replicas or cost.compute.max_workers_default
        if max_workers is not None and bill.replicas_peak[0, 0] > max_workers:
            notes.insert(
                0, f"needs max workers ≥ {int(bill.replicas_peak[0, 0])} (default {max_workers})"
            )
    # capacity is sized under the SLO (an option that cannot meet it is not priced); only
    # cold starts can still break it
    share = float(bill.cold_start_share[0, 0])
    slo_met = not cold_starts_break_slo(share, cost.compute.cold_start_s, slo)
    if not slo_met:
        notes.insert(0, "cold starts break the TTFT SLO")

    per_mtok, per_1k = unit_costs(monthly, requests_per_day, billed_tokens_per_request)
    return SelfHostedOption(
        id=cost.id, kind="self_hosted", monthly_usd=monthly, usd_per_mtok=per_mtok,
        usd_per_1k_requests=per_1k, notes=tuple(notes), eligible=slo_met, slo_met=slo_met,
        cost=cost, monthly_usd_without_labor=compute + cost.fixed.without_labor_usd_per_month,
        compute_monthly_usd=compute, replicas_peak=int(bill.replicas_peak[0, 0]),
        cold_starts_per_day=cold, cold_start_share=share,
    )  # fmt: skip
