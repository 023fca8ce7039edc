"""`costcalc sensitivity`: the tornado as a table, a terminal chart and JSON."""

from __future__ import annotations

import json
import math
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from costcalc.core.sensitivity import Sensitivity, Swing
from costcalc.render.chart import tornado_chart
from costcalc.render.console import capture
from costcalc.render.fmt import si3, usd, usd_short

SCHEMA_VERSION = 1


def _volume(tokens: float) -> str:
    if math.isinf(tokens):
        return "never"
    return "always" if tokens == 0 else si3(tokens)


def _value(path: str, value: float) -> str:
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


def _change(result: Sensitivity, swing: Swing, side: int) -> float:
    """% change of the charted figure when the input is at its low (0) or high (1) value;
    a break-even that leaves the range is drawn at the range's end."""
    if by_breakeven(result):
        low, high = result.range_tokens
        value = min(max(swing.breakeven_tokens[side], low), high)
        return (value / result.breakeven_tokens - 1.0) * 100.0
    ratio = swing.self_hosted_usd[side] / swing.hosted_usd[side]
    return (ratio / (result.self_hosted_usd / result.hosted_usd) - 1.0) * 100.0


def _table(result: Sensitivity) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, collapse_padding=True)
    table.add_column("Input (low → high)", overflow="fold", ratio=1)
    table.add_column("Range", no_wrap=True)
    table.add_column("Break-even", no_wrap=True)
    table.add_column("Hosted $/mo", no_wrap=True, justify="right")
    table.add_column("Self-hosted $/mo", no_wrap=True, justify="right")
    for w in result.swings:
        table.add_row(
            f"{label(w.path)} ({w.source})",
            f"{_value(w.path, w.low)} → {_value(w.path, w.high)}",
            f"{_volume(w.breakeven_tokens[0])} → {_volume(w.breakeven_tokens[1])}",
            f"{usd(w.hosted_usd[0])} → {usd(w.hosted_usd[1])}",
            f"{usd(w.self_hosted_usd[0])} → {usd(w.self_hosted_usd[1])}",
        )
    return table


def render_text(result: Sensitivity, width: int = 100, color: bool = False) -> str:
    def body(console: Console) -> None:
        console.print(Text(f"Sensitivity: {result.hosted} vs {result.self_hosted}", style="bold"))
        console.print(
            f"At the point values: break-even {_volume(result.breakeven_tokens)} billed "
            f"tokens/day; {usd(result.hosted_usd)} vs {usd(result.self_hosted_usd)} a month. "
            "Each input moves on its own from its low to its high value (P10–P90 of its "
            "distribution, else ±25%), largest effect on the break-even first."
        )
        console.print()
        console.print(_table(result))

    text = capture(body, width, color)
    charted = by_breakeven(result)
    moving = [w for w in result.swings if (w.effect if charted else w.cost_effect) > 0][:12]
    if not moving:
        return text
    what = "break-even" if charted else "self-hosted ÷ hosted cost"
    chart = tornado_chart(
        [label(w.path) for w in moving],
        [_change(result, w, 0) for w in moving],
        [_change(result, w, 1) for w in moving],
        f"Change in the {what} (%): ○ input low, ● input high",
        width,
        color,
    )
    return text + "\n" + chart


def _number(value: float) -> float | str:
    """JSON has no infinity: a break-even never reached in the range is the string 'never'."""
    return "never" if math.isinf(value) else round(value, 6)


def to_dict(result: Sensitivity) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "command": "sensitivity",
        "hosted": result.hosted,
        "self_hosted": result.self_hosted,
        "point": {
            "breakeven_tokens_per_day": _number(result.breakeven_tokens),
            "hosted_monthly_usd": round(result.hosted_usd, 2),
            "self_hosted_monthly_usd": round(result.self_hosted_usd, 2),
        },
        "range_tokens_per_day": [round(v, 1) for v in result.range_tokens],
        "inputs": [
            {
                "field": w.path,
                "source": w.source,
                "low": round(w.low, 6),
                "high": round(w.high, 6),
                "breakeven_tokens_per_day": [_number(v) for v in w.breakeven_tokens],
                "hosted_monthly_usd": [round(v, 2) for v in w.hosted_usd],
                "self_hosted_monthly_usd": [round(v, 2) for v in w.self_hosted_usd],
            }
            for w in result.swings
        ],
    }


def render_json(result: Sensitivity) -> str:
    return json.dumps(to_dict(result), indent=2, allow_nan=False) + "\n"
