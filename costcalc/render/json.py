"""`--format json`: the compare report of DESIGN §2.3 as its model (costcalc/schema/report.py)."""

from __future__ import annotations

import math
from typing import Any

from costcalc import __version__
from costcalc.core.analysis.checks import all_stale
from costcalc.core.analysis.compare import Comparison
from costcalc.core.analysis.crossings import BreakEven
from costcalc.core.analysis.options import HostedOption, Option, SelfHostedOption
from costcalc.core.analysis.verdict import OPEN, windows
from costcalc.core.analysis.verdict import ClassVerdict as ClassVerdictCore
from costcalc.render.summary import caveat_text, tokens_per_day, verdict
from costcalc.render.verdict import class_line
from costcalc.schema import report as rep
from costcalc.schema.report_breakeven import VolumeWindow
from costcalc.schema.report_caveat import FlexAlternative, PriceCaveat
from costcalc.schema.report_verdict import ClassVerdict, CostAt, Side

SCHEMA_VERSION = 2  # 2: US spellings of four keys (CHANGELOG); version 1 reports still read


def _r(value: float | None, digits: int) -> float | None:
    """Rounded for stable output; None for missing or non-finite values (JSON has no NaN)."""
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def _f(value: float, digits: int) -> float:
    """Rounded, for a figure that is always finite (the model refuses NaN and infinities)."""
    return round(float(value), digits)


def _crossing(c: Comparison, be: BreakEven) -> rep.Crossing:
    return rep.Crossing(
        status=be.status,
        tokens_per_day=_r(tokens_per_day(c, be.requests_per_day), 1),
        requests_per_day=_r(be.requests_per_day, 1),
        windows=_windows(c, be),
    )


def _windows(c: Comparison, be: BreakEven) -> list[VolumeWindow]:
    return [
        VolumeWindow(
            low_requests_per_day=_r(w.low_requests_per_day, 1),
            high_requests_per_day=_r(w.high_requests_per_day, 1),
            low_tokens_per_day=_r(tokens_per_day(c, w.low_requests_per_day), 1),
            high_tokens_per_day=_r(tokens_per_day(c, w.high_requests_per_day), 1),
        )
        for w in windows(be)
    ]


def _side(c: Comparison, be: BreakEven | None) -> Side | None:
    return None if be is None else Side(**_crossing(c, be).model_dump())


def _verdict(c: Comparison, v: ClassVerdictCore) -> ClassVerdict:
    shares = v.shares
    cost_at = None
    if shares is not None:
        part, share = shares.dominant
        cost_at = CostAt(
            requests_per_day=_f(shares.requests_per_day, 1),
            tokens_per_day=_f(shares.requests_per_day * c.tokens.billed_tokens, 1),
            warm_floor_usd=_f(shares.warm_floor_usd, 2),
            gpu_usage_usd=_f(shares.gpu_usage_usd, 2),
            labor_usd=_f(shares.labor_usd, 2),
            other_fixed_usd=_f(shares.other_fixed_usd, 2),
            dominant=part,
            dominant_share=_f(share, 4),
        )
    s = v.self_hosted
    return ClassVerdict(
        model_class=v.model_class,
        open_model=v.key.removeprefix(OPEN) if v.model_class == "open" else None,
        label=v.label,
        offers_compared=v.offers,
        hosted=v.hosted.id,
        hosted_monthly_usd=_f(v.hosted.monthly_usd, 2),
        self_hosted=s.id if s else None,
        self_hosted_monthly_usd=_f(s.monthly_usd, 2) if s else None,
        with_labor=_side(c, v.with_labor),
        without_labor=_side(c, v.without_labor),
        cost_at=cost_at,
        text=class_line(c, v),
    )


def _caveats(c: Comparison, option_id: str) -> list[PriceCaveat] | None:
    """The prices the option's figure rests on that are not list prices; None: none."""
    out = []
    for v in (v for v in c.caveats if v.option == option_id):
        f = v.flex
        flex = None
        if f is not None:
            flex = FlexAlternative(
                usd_per_gpu_second=f.usd_per_gpu_second,
                monthly_usd=_f(f.monthly_usd, 2),
                monthly_usd_without_labor=_f(f.monthly_usd_without_labor, 2),
                extra_monthly_usd=_f(f.extra_usd_per_month, 2),
                hosted=f.hosted,
                with_labor=_crossing(c, f.with_labor) if f.with_labor else None,
                without_labor=_crossing(c, f.without_labor) if f.without_labor else None,
            )
        caveat = PriceCaveat(
            price=v.price, basis=v.basis, usd=v.usd, warm_workers=v.warm_workers,
            gpus_per_worker=v.gpus_per_worker,
            note=v.note, text=caveat_text(c, v), flex_alternative=flex,
        )  # fmt: skip
        out.append(caveat)
    return out or None


def _quantiles(q: dict[str, float | None], digits: int) -> rep.Quantiles:
    return rep.Quantiles(p10=_r(q["p10"], digits), p50=_r(q["p50"], digits),
                         p90=_r(q["p90"], digits))  # fmt: skip


def _monte_carlo(c: Comparison) -> rep.MonteCarlo | None:
    mc = c.monte_carlo
    if mc is None:
        return None
    return rep.MonteCarlo(
        samples=mc.samples,
        seed=mc.seed,
        uncertain=list(mc.uncertain),
        requests_per_day_quantiles=_quantiles(mc.requests_per_day_quantiles, 3),
        billed_tokens_per_day_quantiles=_quantiles(mc.billed_tokens_per_day_quantiles, 1),
        notes=list(mc.notes),
    )


def _pair_samples(c: Comparison, hosted: str, self_hosted: str) -> dict[str, Any]:
    """The Monte Carlo keys of a break-even; none without --monte-carlo."""
    from costcalc.render.ranges import pair_samples

    ps = pair_samples(c, hosted, self_hosted)
    if ps is None:
        return {}
    return {
        "tokens_per_day_quantiles": _quantiles(ps.tokens_per_day_quantiles, 1),
        "p_self_hosted_cheaper": _r(ps.p_self_hosted_cheaper, 4),
        "status_shares": rep.StatusShares(
            crosses=_r(ps.share_crosses, 4),
            never=_r(ps.share_never, 4),
            always=_r(ps.share_always, 4),
            unpriced=_r(ps.share_unpriced, 4) if ps.share_unpriced else None,
        ),
    }


def _option(o: Option, c: Comparison) -> rep.HostedOption | rep.SelfHostedOption:
    common: dict[str, Any] = {
        "id": o.id,
        "monthly_usd": _f(o.monthly_usd, 2),
        "usd_per_mtok": _f(o.usd_per_mtok, 6),
        "usd_per_1k_requests": _f(o.usd_per_1k_requests, 6),
        "slo_met": o.slo_met,
        "notes": list(o.notes),
        "monthly_usd_quantiles": (
            None
            if c.monte_carlo is None
            else _quantiles(c.monte_carlo.monthly_usd_quantiles[o.id], 2)
        ),
    }
    if isinstance(o, HostedOption):
        return rep.HostedOption(
            kind="hosted",
            cache_hit_rate=_r(o.cache_hit_rate, 4),
            cache_savings_usd_per_month=_r(o.cache_savings_usd_per_month, 2),
            rate_limit_tier=o.rate_limit_tier,
            **common,
        )
    assert isinstance(o, SelfHostedOption)
    fixed = o.cost.fixed
    return rep.SelfHostedOption(
        kind="self_hosted",
        fixed_monthly_usd=_f(fixed.total_usd_per_month, 2),
        replicas_peak=o.replicas_peak,
        throughput_source=o.cost.source,
        throughput_calibration=o.cost.capacity.calibration,
        replica_requests_per_s=_f(o.cost.replica_requests_per_s, 4),
        cold_starts_per_day=_f(o.cold_starts_per_day, 2),
        cold_start_share=_r(o.cold_start_share, 6),
        compute_monthly_usd=_r(o.compute_monthly_usd, 2),
        monthly_usd_without_labor=_r(o.monthly_usd_without_labor, 2),
        fixed_breakdown_usd=rep.FixedBreakdown(
            gateway=_f(fixed.gateway_usd_per_month, 2),
            storage=_f(fixed.storage_usd_per_month, 2),
            labor=_f(fixed.labor_usd_per_month, 2),
            one_off_amortized=_f(fixed.one_off_usd_per_month, 2),
        ),
        billing=o.cost.compute.billing,
        lone_latency_s=_r(o.cost.lone_latency_s, 3),
        capacity_lower_bound=o.cost.lower_bound,
        price_caveats=_caveats(c, o.id),
        **common,
    )


def _calibration(c: Comparison) -> rep.Calibration:
    """The serving model's accuracy on the catalog's runs: each predicted without its own
    source (serving.yaml) where the catalog states it, else the in-sample fit."""
    held_out = c.serving_accuracy
    if held_out is not None:
        return rep.Calibration(
            points=held_out.runs,
            typical_error=_r(held_out.median_abs_error_pct / 100.0, 4),
            worst_error=_r(held_out.max_abs_error_pct / 100.0, 4),
        )
    points, typical, worst = c.calibration.fit_errors
    return rep.Calibration(points=points, typical_error=_r(typical, 4), worst_error=_r(worst, 4))


def report(c: Comparison, extra_warnings: list[str] | None = None) -> rep.CompareReport:
    """The comparison as the schema_version 2 report; keys beyond DESIGN §2.3 are additions."""
    t = c.tokens
    low, high = c.range_requests_per_day
    return rep.CompareReport(
        schema_version=SCHEMA_VERSION,
        costcalc_version=__version__,
        profile=c.profile.name,
        verdict=verdict(c),
        verdicts=[_verdict(c, v) for v in c.verdicts],
        volume=rep.Volume(
            requests_per_day=_f(c.requests_per_day, 3),
            headline_tokens_per_day=_f(c.headline_tokens_per_day, 1),
            billed_tokens_per_day=_f(c.billed_tokens_per_day, 1),
        ),
        inflation=rep.Inflation(
            factor=_f(t.factor, 4),
            billed_attempts=_f(t.billed_attempts, 6),
            sent_attempts=_f(t.sent_attempts, 6),
            per_request=rep.PerRequest(
                system=_f(t.system_tokens, 2),
                tools=_f(t.tools_tokens, 2),
                retrieval=_f(t.retrieval_tokens, 2),
                history=_f(t.history_tokens, 2),
                user=_f(t.user_tokens, 2),
                output=_f(t.output_tokens, 2),
                reasoning=_r(t.reasoning_tokens, 2),
            ),
            billed_tokens_per_request=_f(t.billed_tokens, 2),
        ),
        options=[_option(o, c) for o in c.options],
        breakeven=[
            rep.BreakEven(
                hosted=p.hosted,
                self_hosted=p.self_hosted,
                **_crossing(c, p.with_labor).model_dump(),
                without_labor=_crossing(c, p.without_labor),
                cost_ratio=_r(p.cost_ratio, 4),
                crossings=[
                    rep.CrossingPoint(
                        tokens_per_day=_f(x.requests_per_day * t.billed_tokens, 1),
                        self_hosted_becomes="cheaper" if x.up else "dearer",
                    )
                    for x in p.with_labor.crossings
                ],
                **_pair_samples(c, p.hosted, p.self_hosted),
            )
            for p in c.pairs
        ],
        range=rep.Range(
            tokens_per_day=(_f(low * t.billed_tokens, 1), _f(high * t.billed_tokens, 1)),
            requests_per_day=(_f(low, 3), _f(high, 3)),
        ),
        cheapest=c.cheapest,
        recommended=c.recommended,
        budget_option=c.profile.budget.option if c.profile.budget else None,
        featured=rep.Featured(
            hosted=c.featured.hosted, self_hosted=c.featured.self_hosted, why=c.featured.why
        ),
        default_set=c.default_set,
        roofline_calibration=_calibration(c),
        skipped=[rep.Skipped(id=s.id, reason=s.reason) for s in c.skipped],
        monte_carlo=_monte_carlo(c),
        warnings=[*(extra_warnings or []), *c.warnings, *all_stale([c])],
    )


def render_json(c: Comparison, extra_warnings: list[str] | None = None) -> str:
    return report(c, extra_warnings).json_text()
