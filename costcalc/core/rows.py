"""Every option's monthly cost for many variants of one profile at once, one row per variant.

A row is one Monte Carlo sample or one sensitivity case: its inputs are arrays over rows (a
field not given keeps the profile's value). The point formulas are reused as they are, fed
numpy arrays, replica capacity included (exact per row, no interpolation).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from costcalc.core.capacity import Mix
from costcalc.core.compare import Comparison
from costcalc.core.hosted import HostedCostModel, hosted_cost_model
from costcalc.core.inflation import Inflation, inflate_values
from costcalc.core.options import HostedOption, SelfHostedOption
from costcalc.core.replica import capacity_arrays
from costcalc.core.selfhosted import FixedCosts, SelfHostedModel
from costcalc.core.traffic import FloatArray
from costcalc.schema.catalog import Catalog

Rows = Mapping[str, FloatArray]  # field path → one value per row


def fed(values: object) -> Any:
    """Arrays where the point dataclasses are typed for floats: the formulas are numpy-generic."""
    return values


BoolArray = npt.NDArray[np.bool_]
CostFn = Callable[[FloatArray], FloatArray]  # requests/day per row → monthly USD per row


@dataclass(frozen=True)
class RowCosts:
    requests_per_day: FloatArray
    billed_tokens: FloatArray  # per request
    monthly_usd: dict[str, CostFn]  # option id → cost function over rows
    notes: tuple[str, ...]
    # requests/day between replica steps per row, for dedicated options sized for the peak
    step_spacing: dict[str, FloatArray] = dataclasses.field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.requests_per_day)


def row_tokens(comparison: Comparison, rows: Rows, size: int) -> Inflation:
    """The inflation breakdown per row (the point formulas, on arrays)."""
    request = comparison.profile.request

    def v(path: str, point: float) -> FloatArray:
        return rows[path] if path in rows else np.full(size, float(point))

    window = request.conversation.history_window
    return inflate_values(
        system=v("request.system_prompt.tokens", request.system_prompt.token_count),
        tools=v("request.tools.tokens", request.tools.token_count),
        chunks=v("request.retrieval.chunks", request.retrieval.chunks),
        tokens_per_chunk=v(
            "request.retrieval.tokens_per_chunk", request.retrieval.tokens_per_chunk
        ),
        user=v("request.user_tokens", request.user_tokens),
        output=v("request.output_tokens", request.output_tokens),
        reasoning=v("request.reasoning_tokens", request.reasoning_tokens or 0.0),
        turns=v("request.conversation.turns", request.conversation.turns),
        window=None if window == "all" else window,
        failed=v("request.retries.failed", request.retries.failed),
        max_retries=request.retries.max_retries,
        rate_limited=v("request.retries.rate_limited", request.retries.rate_limited),
        cache_history=request.caching.cache_history,
    )


def row_volumes(comparison: Comparison, rows: Rows, size: int, fixed: bool) -> FloatArray:
    """Requests/day per row; `fixed` when the command line set the volume."""
    traffic = comparison.profile.traffic
    if fixed:
        return np.full(size, comparison.requests_per_day)
    if traffic.conversations_per_day is not None:
        turns = comparison.profile.request.conversation.turns
        per_day = rows.get("traffic.conversations_per_day", traffic.conversations_per_day)
        return np.asarray(per_day * rows.get("request.conversation.turns", turns)) * np.ones(size)
    return rows.get("traffic.requests_per_day", np.full(size, comparison.requests_per_day))


def _hosted(
    cost: HostedCostModel, comparison: Comparison, tokens: Inflation, rows: Rows, size: int
) -> tuple[CostFn, str | None]:
    profile, offer = comparison.profile, cost.offer
    weights, hours = np.unique(cost.weights, return_counts=True)
    hit = rows.get("request.caching.hit_rate", profile.request.caching.hit_rate)
    batch = rows.get("traffic.batch_share", np.full(size, profile.traffic.batch_share))
    tier = profile.slo.service_tier

    def priced(size_tokens: float) -> HostedCostModel | None:
        model = hosted_cost_model(
            offer,
            tokens,
            tier,
            fed(batch),
            fed(hit),
            weights,
            price_input_tokens=size_tokens,
        )
        # hours of equal weight merged: the same sums, computed once per distinct weight
        return None if model is None else dataclasses.replace(model, hours=hours.astype(float))

    short = priced(0.0)
    if offer.long_context is None:
        assert short is not None
        return short.monthly_usd, None
    threshold = offer.long_context.above_input_tokens
    long_model = priced(float("inf"))
    is_long = tokens.input_tokens > threshold
    note = None
    if long_model is None and np.any(is_long):
        note = f"{offer.id}: no {tier}-tier price above {threshold:,.0f} input tokens (rows: NaN)"

    def monthly(volumes: FloatArray) -> FloatArray:
        short_usd = short.monthly_usd(volumes) if short is not None else np.full(size, np.nan)
        long_usd = long_model.monthly_usd(volumes) if long_model is not None else np.nan
        return np.where(is_long, long_usd, short_usd)

    return monthly, note


def _self_hosted(
    cost: SelfHostedModel, comparison: Comparison, catalog: Catalog, tokens: Inflation, rows: Rows,
    size: int,
) -> tuple[CostFn, str | None, FloatArray | None]:  # fmt: skip
    profile, choice = comparison.profile, cost.choice
    if choice.system_prompt_tokens is not None:
        tokens = dataclasses.replace(tokens, system=fed(np.full(size, choice.system_prompt_tokens)))
    cached = tokens.cacheable_prefix if choice.prefix_caching else 0.0
    inputs = np.asarray(tokens.input_tokens, dtype=np.float64)
    mix = Mix(fed(inputs), fed(np.maximum(inputs - cached, 1.0)), fed(np.asarray(tokens.output)))
    seconds, lone = capacity_arrays(choice, catalog, profile.slo, comparison.calibration, mix)
    note = None
    if np.isinf(seconds).any():
        share = float(np.isinf(seconds).mean())
        note = f"{cost.id}: the model does not fit in memory in {share:.1%} of rows (cost +inf)"
    over = profile.overheads
    hours = rows.get("overheads.engineer_hours_per_month", over.engineer_hours_per_month)
    rate = rows.get("overheads.engineer_usd_per_hour", over.engineer_usd_per_hour)
    one_off = rows.get("overheads.one_off_usd", over.one_off_usd)
    fixed = FixedCosts(
        gateway=fed(rows.get("overheads.gateway_usd_per_month", cost.fixed.gateway)),
        storage=fed(rows.get("overheads.storage_usd_per_month", cost.fixed.storage)),
        labour=fed(hours * rate),
        one_off=fed(one_off / over.amortization_months),
    )
    burst = rows.get("traffic.burst_factor", np.full(size, profile.traffic.burst_factor))
    distinct, counts = np.unique(cost.weights, return_counts=True)
    if cost.peak_sized:
        # sized for the busiest hour and billed for it all day: only that hour matters
        distinct, counts = distinct[-1:], counts[-1:]
    model = dataclasses.replace(
        cost, weights=distinct, hours=counts.astype(float), tokens=tokens,
        seconds_per_attempt=fed(seconds[:, None]), lone_latency_s=fed(lone[:, None]),
        burst_factor=fed(burst[:, None]), fixed=fixed,
    )  # fmt: skip
    # requests/day between replica steps, U·3600 / (β·A·s·w_max), as breakpoints() has them
    spacing = model.requests_per_replica() / model.weights.max() if cost.peak_sized else None
    return model.monthly_usd, note, spacing


def row_costs(
    comparison: Comparison, catalog: Catalog, rows: Rows, size: int, fixed_volume: bool
) -> RowCosts:
    """Cost functions of every option of `comparison`, one row per variant in `rows`."""
    tokens = row_tokens(comparison, rows, size)
    volumes = row_volumes(comparison, rows, size, fixed_volume)
    costs: dict[str, CostFn] = {}
    steps: dict[str, FloatArray] = {}
    notes: list[str] = []
    for option in comparison.options:
        if isinstance(option, HostedOption):
            fn, note = _hosted(option.cost, comparison, tokens, rows, size)
        else:
            assert isinstance(option, SelfHostedOption)
            fn, note, spacing = _self_hosted(option.cost, comparison, catalog, tokens, rows, size)
            if spacing is not None:
                steps[option.id] = spacing
        costs[option.id] = fn
        if note:
            notes.append(note)
    return RowCosts(volumes, np.asarray(tokens.billed_tokens), costs, tuple(notes), steps)


@dataclass(frozen=True)
class RowBreakEven:
    """Per row: the crossing in tokens/day (0: self-hosting cheaper across the range; +inf:
    never cheaper in it)."""

    tokens_per_day: FloatArray
    crosses: BoolArray
    never: BoolArray
    always: BoolArray


BREAKEVEN_GRID = 24  # log-spaced volumes over the range: 100× in 24 steps is 22 % a step
REFINE_STEPS = 3  # regula falsi steps inside the bracketing cell, each costing two evaluations


def _log_interpolate(
    lo: FloatArray, hi: FloatArray, g_lo: FloatArray, g_hi: FloatArray
) -> FloatArray:
    """Where the gap reaches 0 on the line through (log lo, g_lo) and (log hi, g_hi)."""
    drop = g_lo - g_hi
    t = np.clip(np.divide(g_lo, drop, out=np.full_like(g_lo, 0.5), where=drop != 0), 0.0, 1.0)
    return np.asarray(np.exp(np.log(lo) + t * (np.log(hi) - np.log(lo))))


def row_break_even(
    hosted: CostFn, self_hosted: CostFn, on_grid: tuple[FloatArray, FloatArray], grid: FloatArray,
    billed: FloatArray, spacing: FloatArray | None = None,
) -> RowBreakEven:  # fmt: skip
    """Lowest volume above which self-hosting stays cheaper, per row.

    `on_grid` holds both options' monthly USD on `grid` (rows × grid). The last cell where
    self-hosting turns cheaper brackets the crossing, refined by regula falsi in log volume;
    with `spacing` (a dedicated staircase) it then moves past the last step above it where
    self-hosting is dearer again, as the point search's breakpoints do.
    """
    gap = on_grid[1] - on_grid[0]
    cheaper = gap < 0
    always = np.asarray(cheaper.all(axis=1))
    never = ~cheaper[:, -1]
    crosses = ~always & ~never
    # last grid index where self-hosting is not cheaper; the crossing lies after it
    j = np.clip(len(grid) - 1 - np.argmax(~cheaper[:, ::-1], axis=1), 0, len(grid) - 2)
    rows = np.arange(gap.shape[0])
    lo, hi = grid[j], grid[j + 1]
    g_lo, g_hi = gap[rows, j], gap[rows, j + 1]
    for _ in range(REFINE_STEPS):
        mid = _log_interpolate(lo, hi, g_lo, g_hi)
        g_mid = self_hosted(mid) - hosted(mid)
        left = g_mid < 0  # already cheaper at mid: the crossing is below it
        hi, g_hi = np.where(left, mid, hi), np.where(left, g_mid, g_hi)
        lo, g_lo = np.where(left, lo, mid), np.where(left, g_lo, g_mid)
    crossing = _log_interpolate(lo, hi, g_lo, g_hi)
    if spacing is not None:
        crossing = _past_last_step(hosted, self_hosted, crossing, grid[-1], spacing, crosses)
    tokens = np.where(always, 0.0, np.where(never, np.inf, crossing * billed))
    return RowBreakEven(tokens, crosses, never, always)


def _past_last_step(
    hosted: CostFn, self_hosted: CostFn, start: FloatArray, high: float, spacing: FloatArray,
    active: BoolArray,
) -> FloatArray:  # fmt: skip
    """Move each row's crossing past the last replica step above it where self-hosting is
    dearer again (the point search puts both sides of every step on its grid).

    Dedicated cost is flat between steps and hosted cost rises, so within a step the gap only
    falls; just after step k it is g(k) = S_k − H(k·Δ). The steps with g ≥ 0 above the grid's
    crossing are taken to be a run from the first (true when hosted cost is linear or concave
    in volume), so the last is found by binary search, then its root by regula falsi.
    """

    def gap(volumes: FloatArray) -> FloatArray:
        return self_hosted(volumes) - hosted(volumes)

    first = np.ceil(start / spacing)
    last = np.floor(high / spacing)
    after = 1.0 + 1e-6  # just past the step, clear of the billing's own 1e-9 guard
    lo = np.where(active & (last >= first), first, np.nan)
    blip = ~np.isnan(lo) & (gap(np.where(np.isnan(lo), start, lo * spacing * after)) >= 0)
    if not blip.any():
        return start
    # g(lo) ≥ 0 > g(hi); rows without a blip get a harmless bracket whose result is dropped
    lo = np.where(blip, lo, 1.0)
    hi = np.where(blip, last + 1.0, 2.0)
    while np.any(hi - lo > 1):
        mid = np.floor((lo + hi) / 2.0)
        dearer = gap(np.maximum(mid, 1.0) * spacing * after) >= 0
        lo, hi = np.where(dearer, mid, lo), np.where(dearer, hi, mid)
    # within the step self-hosted cost is flat and hosted cost rises: regula falsi converges
    left, right = lo * spacing * after, np.minimum((lo + 1.0) * spacing / after, high)
    g_left, g_right = gap(left), gap(right)
    for _ in range(REFINE_STEPS):
        mid = _log_interpolate(left, right, g_left, g_right)
        g_mid = gap(mid)
        dearer = g_mid >= 0
        left, g_left = np.where(dearer, mid, left), np.where(dearer, g_mid, g_left)
        right, g_right = np.where(dearer, right, mid), np.where(dearer, g_right, g_mid)
    found = _log_interpolate(left, right, g_left, g_right)
    return np.where(blip, np.maximum(start, found), start)
