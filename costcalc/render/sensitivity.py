"""`costcalc sensitivity`: the tornado as a table, a terminal chart and JSON."""

from __future__ import annotations

import math

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from costcalc.core.analysis.sensitivity import Sensitivity, Swing
from costcalc.render.chart import tornado_chart
from costcalc.render.console import capture
from costcalc.render.fmt import si3, usd, usd_short
from costcalc.schema.report_gates import SensitivityInput, SensitivityPoint, SensitivityReport

SCHEMA_VERSION = 1


def volume_text(tokens: float) -> str:
    if math.isinf(tokens):
        return "never"
    return "always" if tokens == 0 else si3(tokens)


def value_text(path: str, value: float) -> str:
    if path.startswith("request.retries") or path.endswith(("batch_share", "hit_rate")):
        return f"{value:.1%}"
    if path.endswith(("_usd_per_month", "usd_per_hour", "one_off_usd")):
        return usd_short(value)
    return si3(value) if value >= 1000 else f"{value:.3g}"


def label(path: str) -> str:
    """`request.system_prompt.tokens` → `system_prompt.tokens`."""
    return path.split(".", 1)[1]


def by_breakeven(result: Sensitivity) -> bool:
    """Chart the break-even when the point case crosses, else the cost ratio."""
    return 0 < result.breakeven_tokens < math.inf


def change_pct(result: Sensitivity, swing: Swing, side: int) -> float:
    """% change of the charted figure when the input is at its low (0) or high (1) value;
    a break-even that leaves the range is drawn at the range's end."""
    if by_breakeven(result):
        low, high = result.range_tokens
        value = min(max(swing.breakeven_tokens[side], low), high)
        return (value / result.breakeven_tokens - 1.0) * 100.0
    if not _by_ratio(result):  # against a free hosted offer: the gap in $ instead
        gap = swing.self_hosted_usd[side] - swing.hosted_usd[side]
        point_gap = result.self_hosted_usd - result.hosted_usd
        return (gap / point_gap - 1.0) * 100.0 if point_gap != 0 else 0.0
    ratio = swing.self_hosted_usd[side] / swing.hosted_usd[side]
    return (ratio / (result.self_hosted_usd / result.hosted_usd) - 1.0) * 100.0


def _by_ratio(result: Sensitivity) -> bool:
    """The cost ratio is charted only where the hosted cost is never 0 (a free offer)."""
    hosted = [result.hosted_usd, *(x for w in result.swings for x in w.hosted_usd)]
    return min(hosted) > 0


HEADER = ("Input (low → high)", "Range", "Break-even", "Hosted $/mo", "Self-hosted $/mo")


def cells(w: Swing) -> list[str]:
    """One table row: the input, its two values, and the break-even and costs at each."""
    return [
        f"{label(w.path)} ({w.source})",
        f"{value_text(w.path, w.low)} → {value_text(w.path, w.high)}",
        f"{volume_text(w.breakeven_tokens[0])} → {volume_text(w.breakeven_tokens[1])}",
        f"{usd(w.hosted_usd[0])} → {usd(w.hosted_usd[1])}",
        f"{usd(w.self_hosted_usd[0])} → {usd(w.self_hosted_usd[1])}",
    ]


def chart_data(result: Sensitivity) -> tuple[list[str], list[float], list[float], str] | None:
    """Labels, % changes at the low and high values, and what changes: the inputs that move
    the charted figure, at most 12, largest first."""
    charted = by_breakeven(result)
    # an input that moves the figure by under 0.1 % would only be a dot on the zero line
    moving = [w for w in result.swings if (w.effect if charted else w.cost_effect) > 1e-3]
    # an input at whose low or high value the option cannot serve at all (cost n/a) has no
    # bar; the table shows it
    moving = [
        w for w in moving if all(math.isfinite(change_pct(result, w, side)) for side in (0, 1))
    ][:12]
    if not moving:
        return None
    return (
        [label(w.path) for w in moving],
        [change_pct(result, w, 0) for w in moving],
        [change_pct(result, w, 1) for w in moving],
        "break-even"
        if charted
        else ("self-hosted ÷ hosted cost" if _by_ratio(result) else "self-hosted − hosted cost"),
    )


def _table(result: Sensitivity) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, collapse_padding=True)
    table.add_column(HEADER[0], overflow="fold", ratio=1)
    for name in HEADER[1:3]:
        table.add_column(name, no_wrap=True)
    for name in HEADER[3:]:
        table.add_column(name, no_wrap=True, justify="right")
    for w in result.swings:
        table.add_row(*cells(w))
    return table


def render_text(result: Sensitivity, width: int = 100, color: bool = False) -> str:
    def body(console: Console) -> None:
        console.print(Text(f"Sensitivity: {result.hosted} vs {result.self_hosted}", style="bold"))
        console.print(
            f"At the point values: break-even {volume_text(result.breakeven_tokens)} billed "
            f"tokens/day; {usd(result.hosted_usd)} vs {usd(result.self_hosted_usd)} a month. "
            "Each input moves on its own from its low to its high value (P10–P90 of its "
            "distribution, else ±25%), largest effect on the break-even first."
        )
        console.print()
        console.print(_table(result))

    text = capture(body, width, color)
    data = chart_data(result)
    if data is None:
        return text
    labels, lows, highs, what = data
    title = f"Change in the {what} (%): ○ input low, ● input high"
    return text + "\n" + tornado_chart(labels, lows, highs, title, width, color)


def _number(value: float) -> float | str:
    """JSON has no infinity: a break-even never reached in the range is the string 'never'."""
    return "never" if math.isinf(value) else round(value, 6)


def report(result: Sensitivity) -> SensitivityReport:
    """The tornado as the schema_version 1 report (costcalc/schema/report_gates.py)."""
    return SensitivityReport(
        schema_version=SCHEMA_VERSION,
        command="sensitivity",
        hosted=result.hosted,
        self_hosted=result.self_hosted,
        point=SensitivityPoint(
            breakeven_tokens_per_day=_number(result.breakeven_tokens),
            hosted_monthly_usd=round(result.hosted_usd, 2),
            self_hosted_monthly_usd=round(result.self_hosted_usd, 2),
        ),
        range_tokens_per_day=_pair(result.range_tokens, 1),
        inputs=[
            SensitivityInput(
                field=w.path,
                source=w.source,
                low=round(w.low, 6),
                high=round(w.high, 6),
                breakeven_tokens_per_day=(
                    _number(w.breakeven_tokens[0]),
                    _number(w.breakeven_tokens[1]),
                ),
                hosted_monthly_usd=_pair(w.hosted_usd, 2),
                self_hosted_monthly_usd=_pair(w.self_hosted_usd, 2),
            )
            for w in result.swings
        ],
    )


def _pair(values: tuple[float, float], digits: int) -> tuple[float | None, float | None]:
    """Rounded; None where the option cannot serve the profile at that value (cost infinite)."""
    low, high = (round(v, digits) if math.isfinite(v) else None for v in values)
    return low, high


def render_json(result: Sensitivity) -> str:
    return report(result).json_text()
