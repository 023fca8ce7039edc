"""Number formatting shared by the renderers: money, token volumes, ratios."""

from __future__ import annotations

import math


def usd(value: float) -> str:
    """$1,234 from $100 up, $12.35 below, four decimals under a dollar: $0.0123."""
    if not math.isfinite(value):
        return "n/a"
    if value == 0:
        return "$0"
    if abs(value) >= 100:
        return f"${value:,.0f}"
    if abs(value) >= 1:
        return f"${value:,.2f}"
    return f"${value:.4f}"


def usd_short(value: float) -> str:
    """Compact money for ranges: $0.42, $8.50, $87, $1.3K, $24.8K."""
    if not math.isfinite(value):
        return "n/a"
    if abs(value) < 10:
        return usd(value)
    return f"${value:.0f}" if abs(value) < 1000 else f"${si(value)}"


def si(value: float, digits: int = 1) -> str:
    """226.3M, 18.8K, 2.3B, 950: volumes of tokens and requests."""
    if not math.isfinite(value):
        return "n/a"
    for limit, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= limit * (1 - 0.5 * 10**-digits):
            text = f"{value / limit:.{digits}f}"
            return (text[:-2] if text.endswith(".0") else text) + suffix
    return f"{value:.0f}" if value >= 10 or value == 0 else f"{value:.2g}"


def si3(value: float) -> str:
    """Three significant figures: 820M, 41.2M, 1.56B (ranges, where columns are tight)."""
    if not math.isfinite(value):
        return "n/a"
    for limit, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"), (1.0, "")):
        if abs(value) >= limit * 0.9995 or limit == 1.0:
            mantissa = value / limit
            digits = 0 if abs(mantissa) >= 99.95 else 1 if abs(mantissa) >= 9.995 else 2
            return f"{mantissa:.{digits}f}{suffix}"
    return f"{value:.3g}"  # pragma: no cover - the loop always returns


def count(value: float) -> str:
    """Whole numbers with thousands separators: 40,000; below 10, three significant digits
    (a profile of 0.064 requests a day is not "0")."""
    if 0 < abs(value) < 10 and value != round(value):
        return f"{value:.3g}"
    return f"{value:,.0f}"


def times(value: float) -> str:
    """A ratio such as 12.0× or 0.25×."""
    if not math.isfinite(value):
        return "n/a"
    return f"{value:.1f}×" if value >= 1 else f"{value:.2f}×"


_LINE_BREAKS = ("\r\n", "\r", "\n", "\u0085", "\u2028", "\u2029")


def md_cell(text: str) -> str:
    """Text safe inside a Markdown table cell: pipes escaped, every kind of line break (a bare
    CR ends a line in CommonMark too) as <br>."""
    text = text.replace("|", "\\|")
    for brk in _LINE_BREAKS:
        text = text.replace(brk, "<br>")
    return text
