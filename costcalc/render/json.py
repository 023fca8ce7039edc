"""`--format json`: the schema_version 1 contract of DESIGN §2.3, plus documented extra keys."""

from __future__ import annotations

import json
import math
from typing import Any

from costcalc import __version__
from costcalc.core.breakeven import BreakEven
from costcalc.core.compare import Comparison
from costcalc.core.options import HostedOption, Option, SelfHostedOption
from costcalc.render.summary import tokens_per_day, verdict

SCHEMA_VERSION = 1


def _r(value: float | None, digits: int) -> float | None:
    """Rounded for stable output; None for missing or non-finite values (JSON has no NaN)."""
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def _breakeven(c: Comparison, be: BreakEven) -> dict[str, Any]:
    return {
        "status": be.status,
        "tokens_per_day": _r(tokens_per_day(c, be.requests_per_day), 1),
        "requests_per_day": _r(be.requests_per_day, 1),
    }


def _quantiles(values: Any, digits: int) -> dict[str, float | None]:
    from costcalc.core.montecarlo import quantiles

    return {k: _r(v, digits) for k, v in quantiles(values).items()}


def _monte_carlo(c: Comparison) -> dict[str, Any] | None:
    mc = c.monte_carlo
    if mc is None:
        return None
    return {
        "samples": mc.samples,
        "seed": mc.seed,
        "uncertain": list(mc.uncertain),
        "requests_per_day_quantiles": _quantiles(mc.requests_per_day, 3),
        "billed_tokens_per_day_quantiles": _quantiles(mc.billed_tokens_per_day, 1),
        "notes": list(mc.notes),
    }


def _pair_samples(c: Comparison, hosted: str, self_hosted: str) -> dict[str, Any]:
    from costcalc.render.ranges import pair_samples

    ps = pair_samples(c, hosted, self_hosted)
    if ps is None:
        return {}
    return {
        "tokens_per_day_quantiles": _quantiles(ps.tokens_per_day, 1),
        "p_self_hosted_cheaper": _r(ps.p_self_hosted_cheaper, 4),
        "status_shares": {
            "crosses": _r(ps.share_crosses, 4),
            "never": _r(ps.share_never, 4),
            "always": _r(ps.share_always, 4),
        },
    }


def _option(o: Option, c: Comparison) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": o.id,
        "kind": o.kind,
        "monthly_usd": _r(o.monthly_usd, 2),
        "usd_per_mtok": _r(o.usd_per_mtok, 6),
        "usd_per_1k_requests": _r(o.usd_per_1k_requests, 6),
    }
    if isinstance(o, HostedOption):
        out.update(
            cache_hit_rate=_r(o.cache_hit_rate, 4),
            cache_savings_usd_per_month=_r(o.cache_savings_usd_per_month, 2),
            rate_limit_tier=o.rate_limit_tier,
        )
    if isinstance(o, SelfHostedOption):
        fixed = o.cost.fixed
        out.update(
            fixed_monthly_usd=_r(fixed.total, 2),
            replicas_peak=o.replicas_peak,
            throughput_source=o.cost.source,
            replica_requests_per_s=_r(o.cost.replica_requests_per_s, 4),
            cold_starts_per_day=_r(o.cold_starts_per_day, 2),
            cold_start_share=_r(o.cold_start_share, 6),
            compute_monthly_usd=_r(o.compute_monthly_usd, 2),
            monthly_usd_without_labour=_r(o.monthly_usd_without_labour, 2),
            fixed_breakdown_usd={
                "gateway": _r(fixed.gateway, 2),
                "storage": _r(fixed.storage, 2),
                "labour": _r(fixed.labour, 2),
                "one_off_amortised": _r(fixed.one_off, 2),
            },
            billing=o.cost.compute.billing,
            lone_latency_s=_r(o.cost.lone_latency_s, 3),
            capacity_lower_bound=o.cost.lower_bound,
        )
    out.update(slo_met=o.eligible, notes=list(o.notes))
    if c.monte_carlo is not None:
        out["monthly_usd_quantiles"] = _quantiles(c.monte_carlo.monthly_usd[o.id], 2)
    return out


def to_dict(c: Comparison, extra_warnings: list[str] | None = None) -> dict[str, Any]:
    """The report as plain data; keys beyond DESIGN §2.3 are additions, never renames."""
    t = c.tokens
    low, high = c.range_requests_per_day
    calibration = c.calibration
    return {
        "schema_version": SCHEMA_VERSION,
        "costcalc_version": __version__,
        "profile": c.profile.name,
        "verdict": verdict(c),
        "volume": {
            "requests_per_day": _r(c.requests_per_day, 3),
            "headline_tokens_per_day": _r(c.headline_tokens_per_day, 1),
            "billed_tokens_per_day": _r(c.billed_tokens_per_day, 1),
        },
        "inflation": {
            "factor": _r(t.factor, 4),
            "billed_attempts": _r(t.billed_attempts, 6),
            "sent_attempts": _r(t.sent_attempts, 6),
            "per_request": {
                "system": _r(t.system, 2),
                "tools": _r(t.tools, 2),
                "retrieval": _r(t.retrieval, 2),
                "history": _r(t.history, 2),
                "user": _r(t.user, 2),
                "output": _r(t.output, 2),
                "reasoning": _r(t.reasoning, 2),
            },
            "billed_tokens_per_request": _r(t.billed_tokens, 2),
        },
        "options": [_option(o, c) for o in c.options],
        "breakeven": [
            {
                "hosted": p.hosted,
                "self_hosted": p.self_hosted,
                **_breakeven(c, p.with_labour),
                "without_labour": _breakeven(c, p.without_labour),
                "cost_ratio": _r(p.cost_ratio, 4),
                "crossings": [
                    {
                        "tokens_per_day": _r(tokens_per_day(c, x.requests_per_day), 1),
                        "self_hosted_becomes": "cheaper" if x.up else "dearer",
                    }
                    for x in p.with_labour.crossings
                ],
                **_pair_samples(c, p.hosted, p.self_hosted),
            }
            for p in c.pairs
        ],
        "range": {
            "tokens_per_day": [_r(low * t.billed_tokens, 1), _r(high * t.billed_tokens, 1)],
            "requests_per_day": [_r(low, 3), _r(high, 3)],
        },
        "cheapest": c.cheapest,
        "featured": {
            "hosted": c.featured.hosted,
            "self_hosted": c.featured.self_hosted,
            "why": c.featured.why,
        },
        "default_set": c.default_set,
        "roofline_calibration": {
            "points": calibration.points_used,
            "typical_error": _r(calibration.typical_error, 4),
            "worst_error": _r(calibration.worst_error, 4),
        },
        "skipped": [{"id": s.id, "reason": s.reason} for s in c.skipped],
        "monte_carlo": _monte_carlo(c),
        "warnings": [*(extra_warnings or []), *c.warnings],
    }


def render_json(c: Comparison, extra_warnings: list[str] | None = None) -> str:
    return json.dumps(to_dict(c, extra_warnings), indent=2, allow_nan=False) + "\n"
