"""The one-line verdict and the facts every format shows the same way."""

from __future__ import annotations

from costcalc.core.analysis.compare import Comparison, Pair
from costcalc.core.analysis.crossings import BreakEven
from costcalc.core.analysis.pricecaveat import PriceCaveat
from costcalc.core.analysis.verdict import windows
from costcalc.core.selfhosted.replica import INFEASIBLE, NOT_SERVED
from costcalc.render.context import ReportContext
from costcalc.render.fmt import si, usd
from costcalc.render.names import Namer, same
from costcalc.render.verdict import answer_text, short_windows, span, windows_text


def tokens_per_day(c: Comparison, requests_per_day: float | None) -> float | None:
    """Requests/day on the billed-token axis of the profile."""
    return None if requests_per_day is None else requests_per_day * c.tokens.billed_tokens


def pair_of(c: Comparison, hosted_id: str, self_hosted_id: str) -> Pair:
    return next(p for p in c.pairs if (p.hosted, p.self_hosted) == (hosted_id, self_hosted_id))


def range_text(c: Comparison) -> str:
    """'17.7–400K requests/day (100K–2.3B tokens/day)': the searched range."""
    low, high = c.range_requests_per_day
    tokens = c.tokens.billed_tokens
    return f"{span(low, high)} requests/day ({span(low * tokens, high * tokens)} tokens/day)"


def breakeven_text(c: Comparison, be: BreakEven) -> str:
    """Every window where self-hosting is cheaper, requests/day first: 'cheaper from 418.3K
    requests/day (655M tokens/day)', 'cheaper at 5.6K–19.7K requests/day (…)', 'never cheaper
    in 100–400K requests/day (…)'."""
    return windows_text(c, windows(be))


SHORT_WINDOWS = 2  # windows a table cell lists; the rest are counted


def breakeven_short(c: Comparison, be: BreakEven) -> str:
    """Table form in requests/day, billed tokens/day beside a single window: '≥418.3K (655M)',
    '35.5K–51.3K, ≥59.7K', 'always', 'never'."""
    found = windows(be)
    if not found:
        return "never"
    parts = []
    for w in found[:SHORT_WINDOWS]:
        lo, hi = w.low_requests_per_day, w.high_requests_per_day
        parts.append(
            "always" if lo is None and hi is None
            else f"≥{si(lo)}" if lo is not None and hi is None
            else f"≤{si(hi)}" if lo is None and hi is not None
            else span(lo or 0.0, hi or 0.0)
        )  # fmt: skip
    if len(found) > SHORT_WINDOWS:
        parts.append(f"+{len(found) - SHORT_WINDOWS} more")
    elif len(found) == 1 and parts[0] != "always":
        w = found[0]
        ends = [x for x in (w.low_requests_per_day, w.high_requests_per_day) if x is not None]
        tokens = [x * c.tokens.billed_tokens for x in ends]
        parts[0] += f" ({span(*tokens) if len(tokens) == 2 else si(tokens[0])})"
    return ", ".join(parts)


def verdict(c: Comparison, name: Namer = same) -> str:
    """The one sentence that answers the profile's question (render.verdict.answer_text); the
    featured pair (`c.featured`) is its pair, so the verdict and the charts name the same two.
    `name` turns ids into what the page shows (the HTML report's display names)."""
    if c.cheapest is None:
        return f"At {si(c.requests_per_day)} requests/day no option meets the SLO; see the notes."
    return answer_text(c, name)


def slo_mark(slo_met: bool | None) -> str:
    """'met', 'miss' or '?' (latency unknown)."""
    return "?" if slo_met is None else "met" if slo_met else "miss"


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
    if c.hosted:
        out.append(
            "SLO: met or miss by the serving model (self-hosted) or the published median latency "
            "(hosted; `costcalc catalog show ID` gives its source); ? = latency unknown, no public "
            "measurement of the offer, so it is never counted as meeting the SLO"
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


CAVEAT_MARK = "†"  # beside a figure that rests on a price that is not a public list price
BASIS_TEXT = {"unlisted": "not publicly listed", "negotiated": "negotiated"}
PRICE_NAME = {
    "usd_per_second_active": "active (warm-worker) rate", "usd_per_second_flex": "flex rate",
    "usd_per_hour": "hourly price", "usd_per_gpu_hour": "price per GPU-hour",
    "storage_usd_per_gb_month": "storage price",
}  # fmt: skip


def marked(c: Comparison, option_id: str, figure: str) -> str:
    """'$1,829†' where the option's figure rests on a price that is not a list price."""
    return figure + CAVEAT_MARK if any(v.option == option_id for v in c.caveats) else figure


def _basis(c: Comparison, v: PriceCaveat) -> str:
    """The price, its basis and its note: 'RunPod Serverless's active (warm-worker) rate is not
    publicly listed: since 2026-04-23, RunPod's docs say …'."""
    provider = next(o for o in c.self_hosted if o.id == v.option).cost.compute.provider
    note = f": {v.note.rstrip('.')}" if v.note else ""
    return f"{provider}'s {PRICE_NAME[v.price]} is {BASIS_TEXT[v.basis]}{note}"


def _effect(c: Comparison, v: PriceCaveat) -> str:
    """'$1,829/month bills 1 warm worker at the active rate, $0.00024/s' and, for an active
    rate, '; at the flex rate, $0.00034/s (+42%), it costs $2,092/month (+$263); against …
    self-hosting is then cheaper: never; without labor: never (at the active rate: …)'."""
    option = next(o for o in c.self_hosted if o.id == v.option)
    figure = f"{usd(option.monthly_usd)}/month"
    if v.flex is None:
        return f"{figure} uses {v.price} {v.usd:g}"
    f, workers = v.flex, f"{v.warm_workers} warm worker{'s' if v.warm_workers != 1 else ''}"
    per = " per GPU" if v.gpus_per_worker > 1 else ""
    workers += f" of {v.gpus_per_worker} GPUs" if per else ""
    out = (
        f"{figure} bills {workers} at the active rate, ${v.usd:g}/s{per}; at the flex rate, "
        f"${f.usd_per_gpu_second:g}/s (+{f.usd_per_gpu_second / v.usd - 1:.0%}), it costs "
        f"{usd(f.monthly_usd)}/month (+{usd(f.extra_usd_per_month)})"
    )
    if f.hosted is None or f.with_labor is None or f.without_labor is None:
        return out
    now = pair_of(c, f.hosted, v.option)
    return (
        f"{out}; against {f.hosted} self-hosting is then cheaper: "
        f"{short_windows(c, windows(f.with_labor))}; without labor: "
        f"{short_windows(c, windows(f.without_labor))} (at the active rate: "
        f"{short_windows(c, windows(now.with_labor))}; without labor: "
        f"{short_windows(c, windows(now.without_labor))})"
    )


def caveat_text(c: Comparison, v: PriceCaveat) -> str:
    """The whole caveat in one sentence (JSON `text`): option, figure, basis, flex effect."""
    return f"{v.option}: {_effect(c, v)}; {_basis(c, v)}."


def caveat_groups(c: Comparison, ids: set[str] | None = None) -> list[tuple[str, list[str]]]:
    """The caveats of the options `ids` (default all), grouped by basis and note: the note is
    said once ('† not publicly listed: since 2026-04-23, …'), then one line per option."""
    groups: dict[str, list[str]] = {}
    for v in c.caveats:
        if ids is None or v.option in ids:
            what = f"{CAVEAT_MARK} {_basis(c, v)}."
            groups.setdefault(what, []).append(f"{v.option}: {_effect(c, v)}.")
    return list(groups.items())


def verdict_caveat(c: Comparison) -> str | None:
    """A short line under the verdict when its self-hosted figure rests on such a price."""
    found = [v for v in c.caveats if v.option == c.featured.self_hosted]
    if not found:
        return None
    flex = next((v.flex for v in found if v.flex is not None), None)
    tail = f"; at the flex rate it costs {usd(flex.monthly_usd)}/month" if flex else ""
    return (
        f"{CAVEAT_MARK} The self-hosted figure rests on a price that is "
        f"{' and '.join(dict.fromkeys(BASIS_TEXT[v.basis] for v in found))}{tail} "
        "(see under the cost table)."
    )
