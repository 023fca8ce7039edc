"""Monte Carlo ranges as every format shows them: P10–P90 costs, break-even, probabilities."""

from __future__ import annotations

import math

from costcalc.core.analysis.compare import Comparison
from costcalc.core.analysis.samples import PairSamples
from costcalc.render.fmt import si3, usd_short


def cost_range(c: Comparison, option_id: str) -> str:
    """'$1.3K–$2.9K' (P10–P90 monthly USD), or '' without Monte Carlo."""
    if c.monte_carlo is None:
        return ""
    q = c.monte_carlo.monthly_usd_quantiles[option_id]
    low, high = (usd_short(v) if v is not None else "n/a" for v in (q["p10"], q["p90"]))
    return f"{low}–{high}"


def pair_samples(c: Comparison, hosted: str, self_hosted: str) -> PairSamples | None:
    if c.monte_carlo is None:
        return None
    return next(
        (p for p in c.monte_carlo.pairs if (p.hosted, p.self_hosted) == (hosted, self_hosted)),
        None,
    )


def _volume(value: float | None) -> str:
    if value is None:
        return "never"
    return "always" if value == 0 else si3(value)


def breakeven_range(ps: PairSamples) -> str:
    """'219.7M–never': P10–P90 of the break-even in billed tokens/day."""
    q = ps.tokens_per_day_quantiles
    low, high = _volume(q["p10"]), _volume(q["p90"])
    return low if low == high else f"{low}–{high}"


def breakeven_cell(ps: PairSamples) -> str:
    """'218M–never · 1%': the P10–P90 break-even and P(self-hosting cheaper), for a table."""
    return f"{breakeven_range(ps)} · {probability(ps)}"


def probability(ps: PairSamples) -> str:
    """'62%', or 'n/a' when no sample priced the hosted offer."""
    p = ps.p_self_hosted_cheaper
    return "n/a" if math.isnan(p) else f"{p:.0%}"


def summary_line(c: Comparison) -> str | None:
    """What was sampled, for the report's head."""
    mc = c.monte_carlo
    if mc is None:
        return None
    if not mc.uncertain:
        return (
            f"Monte Carlo: {mc.samples:,} samples, but the profile has no uncertain inputs "
            "(give a field as {median, p90}, {low, high} or {low, mode, high}): ranges are points"
        )
    fields = ", ".join(path.split(".", 1)[1] for path in mc.uncertain)
    return (
        f"Monte Carlo: {mc.samples:,} samples (seed {mc.seed}) of {len(mc.uncertain)} uncertain "
        f"inputs ({fields}); ranges are P10–P90"
    )
