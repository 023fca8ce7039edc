"""The one-line verdict and the facts every format shows the same way."""

from __future__ import annotations

from costcalc.core.analysis.compare import Comparison, Pair
from costcalc.core.analysis.crossings import BreakEven
from costcalc.core.analysis.options import HostedOption, SelfHostedOption
from costcalc.core.selfhosted.replica import INFEASIBLE, NOT_SERVED
from costcalc.render.context import ReportContext
from costcalc.render.fmt import si, times, usd


def tokens_per_day(c: Comparison, requests_per_day: float | None) -> float | None:
    """Requests/day on the billed-token axis of the profile."""
    return None if requests_per_day is None else requests_per_day * c.tokens.billed_tokens


def pair_of(c: Comparison, hosted_id: str, self_hosted_id: str) -> Pair:
    return next(p for p in c.pairs if (p.hosted, p.self_hosted) == (hosted_id, self_hosted_id))


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
    """Cheapest option at the profile's volume, and where self-hosting breaks even: always
    about the featured pair (`c.featured`), so the verdict and the charts name the same pair."""
    volume = (
        f"At {si(c.requests_per_day)} requests/day "
        f"({si(c.billed_tokens_per_day)} billed tokens/day)"
    )
    if c.cheapest is None:
        return f"{volume} no option meets the SLO; see the notes."
    cheapest = next(o for o in c.options if o.id == c.cheapest)
    head = f"{volume} the cheapest option is {cheapest.id} at {usd(cheapest.monthly_usd)}/month."
    featured = c.featured.pair
    if featured is None:
        if isinstance(cheapest, HostedOption):
            return f"{head} No self-hosted option that meets the SLO was compared."
        return head
    hosted_id, self_id = featured
    pair = pair_of(c, hosted_id, self_id)
    if isinstance(cheapest, SelfHostedOption):
        rival = next(o for o in c.hosted if o.id == hosted_id)
        return (
            f"{head} Against the cheapest hosted option, {rival.id} ({usd(rival.monthly_usd)}), "
            f"it is cheaper {breakeven_text(c, pair.with_labor)}."
        )
    if not any(o.eligible for o in c.self_hosted):
        return f"{head} No self-hosted option that meets the SLO was compared."
    be = pair.with_labor
    if be.status == "never":
        return f"{head} Self-hosting never beats it in {range_text(c)} (best: {self_id})."
    if be.status == "always":
        return f"{head} Across {range_text(c)}, though, {self_id} is cheaper."
    volume, ratio = crossing(c, be)
    return (
        f"{head} Self-hosting ({self_id}) breaks even above {volume} tokens/day, "
        f"{ratio} your volume."
    )


def notes(c: Comparison, ctx: ReportContext) -> list[str]:
    """The assumptions behind the figures, as the text report and the HTML page list them."""
    out = []
    o = c.profile.overheads
    out.append(
        f"self-hosted fixed costs: gateway {usd(o.gateway_usd_per_month)}, labor "
        f"{o.engineer_hours_per_month:g} h × {usd(o.engineer_usd_per_hour)}/h per month"
    )
    if c.default_set:
        out.append(c.default_set)
    if ctx.defaults_used:
        out.append("defaults used: " + ", ".join(ctx.defaults_used))
    out.extend(f"{part.replace('_', ' ')}: {how}" for part, how in ctx.token_sources.items())
    if c.self_hosted and c.serving_accuracy is not None:
        acc = c.serving_accuracy
        out.append(
            f"self-hosted capacity: the serving model, which predicts the {acc.runs} built-in "
            "benchmark runs (each without its own source) within "
            f"{acc.median_abs_error_pct:.0f}% (median), {acc.max_abs_error_pct:.0f}% at worst; "
            "`costcalc bench predict` checks yours"
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


LEFT_OUT_SHOWN = 10  # infeasible options listed by name; the rest are counted


def left_out_lines(c: Comparison) -> list[str]:
    """Self-hosted options not priced because no load meets the SLO (each with the latency one
    request at a time reaches) or a request is longer than the model's context window."""
    out = [s for s in c.skipped if s.reason.startswith(NOT_SERVED)]
    if not out:
        return []
    why = (
        INFEASIBLE
        if all(s.reason.startswith(INFEASIBLE) for s in out)
        else "cannot serve this profile"
    )
    lines = [f"Not priced: {len(out)} self-hosted option(s) {why}"]
    lines += [f"  {s.id}: {s.reason.removeprefix(INFEASIBLE + ': ')}" for s in out[:LEFT_OUT_SHOWN]]
    if len(out) > LEFT_OUT_SHOWN:
        lines.append(f"  … and {len(out) - LEFT_OUT_SHOWN} more (every one in -f json, `skipped`)")
    return lines
