"""The one-line verdict and the facts every format shows the same way."""

from __future__ import annotations

from costcalc.core.breakeven import BreakEven
from costcalc.core.compare import Comparison, Pair
from costcalc.core.options import HostedOption, SelfHostedOption
from costcalc.render.context import ReportContext
from costcalc.render.fmt import si, times, usd

_STATUS_ORDER = {"always": 0, "crosses": 1, "never": 2}


def tokens_per_day(c: Comparison, requests_per_day: float | None) -> float | None:
    """Requests/day on the billed-token axis of the profile."""
    return None if requests_per_day is None else requests_per_day * c.tokens.billed_tokens


def best_pair(c: Comparison, hosted_id: str) -> Pair | None:
    """The eligible self-hosted option that breaks even earliest against a hosted option."""
    eligible = {o.id for o in c.self_hosted if o.eligible}
    pairs = [p for p in c.pairs if p.hosted == hosted_id and p.self_hosted in eligible]
    if not pairs:
        return None
    return min(
        pairs,
        key=lambda p: (_STATUS_ORDER[p.with_labour.status], p.with_labour.requests_per_day or 0.0),
    )


def range_text(c: Comparison) -> str:
    low, high = c.range_requests_per_day
    return f"{si(low * c.tokens.billed_tokens)}–{si(high * c.tokens.billed_tokens)} tokens/day"


def crossing(c: Comparison, be: BreakEven) -> tuple[str, str]:
    """A crossing as ('98.1M', '0.43×'): billed tokens/day and the multiple of the profile's."""
    tokens = tokens_per_day(c, be.requests_per_day)
    assert tokens is not None, "only a `crosses` break-even has a volume"
    return si(tokens), times(tokens / c.billed_tokens_per_day)


def breakeven_text(c: Comparison, be: BreakEven) -> str:
    """'above 98.1M tokens/day (0.43× yours)', 'never in 100K–2.3B tokens/day', …"""
    if be.status == "always":
        return f"cheaper across {range_text(c)}"
    if be.status == "never":
        return f"never in {range_text(c)}"
    volume, ratio = crossing(c, be)
    return f"above {volume} tokens/day ({ratio} yours)"


def breakeven_short(c: Comparison, be: BreakEven) -> str:
    """Table form: '555.1M (2.5× yours)', 'never', 'always'."""
    if be.status != "crosses":
        return be.status
    volume, ratio = crossing(c, be)
    return f"{volume} ({ratio} yours)"


def verdict(c: Comparison) -> str:
    """Cheapest option at the profile's volume, and where self-hosting breaks even against it."""
    volume = (
        f"At {si(c.requests_per_day)} requests/day "
        f"({si(c.billed_tokens_per_day)} billed tokens/day)"
    )
    if c.cheapest is None:
        return f"{volume} no option meets the SLO; see the notes."
    cheapest = next(o for o in c.options if o.id == c.cheapest)
    head = f"{volume} the cheapest option is {cheapest.id} at {usd(cheapest.monthly_usd)}/month."
    if isinstance(cheapest, SelfHostedOption):
        if not c.hosted:
            return head
        rival = c.hosted[0]
        rival_pair = next(
            p for p in c.pairs if p.hosted == rival.id and p.self_hosted == cheapest.id
        )
        return (
            f"{head} Against the cheapest hosted option, {rival.id} ({usd(rival.monthly_usd)}), "
            f"it is cheaper {breakeven_text(c, rival_pair.with_labour)}."
        )
    assert isinstance(cheapest, HostedOption)
    pair = best_pair(c, cheapest.id)
    if pair is None:
        return f"{head} No self-hosted option that meets the SLO was compared."
    be = pair.with_labour
    if be.status == "never":
        return f"{head} Self-hosting never beats it in {range_text(c)} (best: {pair.self_hosted})."
    if be.status == "always":
        return f"{head} Across {range_text(c)}, though, {pair.self_hosted} is cheaper."
    volume, ratio = crossing(c, be)
    return (
        f"{head} Self-hosting ({pair.self_hosted}) breaks even above {volume} tokens/day, "
        f"{ratio} your volume."
    )


def notes(c: Comparison, ctx: ReportContext) -> list[str]:
    """The assumptions behind the figures, as the text report and the HTML page list them."""
    out = []
    o = c.profile.overheads
    out.append(
        f"self-hosted fixed costs: gateway {usd(o.gateway_usd_per_month)}, labour "
        f"{o.engineer_hours_per_month:g} h × {usd(o.engineer_usd_per_hour)}/h per month"
    )
    if c.default_set:
        out.append(c.default_set)
    if ctx.defaults_used:
        out.append("defaults used: " + ", ".join(ctx.defaults_used))
    out.extend(f"{part.replace('_', ' ')}: {how}" for part, how in ctx.token_sources.items())
    if any(s.cost.source == "roofline" for s in c.self_hosted) and c.calibration.points_used:
        out.append(
            f"roofline estimates are calibrated on {c.calibration.points_used} benchmark points: "
            f"typically {c.calibration.typical_error:.0%} off, "
            f"at worst {c.calibration.worst_error:.0%}"
        )
    out.append(
        "`Cost now` is self-hosted ÷ hosted monthly cost at your volume; * marks the cheapest"
    )
    if c.monte_carlo is not None:
        out.append(
            "P10–P90 · P: the break-even's range over the samples (`never` past the range) and "
            "P, the share of samples in which self-hosting costs less at the sample's volume"
        )
        out.extend(c.monte_carlo.notes)
    return out
