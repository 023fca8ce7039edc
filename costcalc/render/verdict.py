"""The verdict in words: one line per hosted class, and one sentence answering the profile."""

from __future__ import annotations

from costcalc.core.analysis.compare import Comparison
from costcalc.core.analysis.verdict import ClassVerdict, Window, answer
from costcalc.render.fmt import si, times, usd
from costcalc.render.names import Namer, same


def volume_text(c: Comparison, requests_per_day: float) -> str:
    """'418.3K requests/day (655M tokens/day)': requests first, billed tokens beside them."""
    tokens = requests_per_day * c.tokens.billed_tokens
    return f"{si(requests_per_day)} requests/day ({si(tokens)} tokens/day)"


def _span(c: Comparison, low: float, high: float) -> str:
    tokens = c.tokens.billed_tokens
    return f"{si(low)}–{si(high)} requests/day ({si(low * tokens)}–{si(high * tokens)} tokens/day)"


def windows_text(c: Comparison, found: tuple[Window, ...]) -> str:
    """Where self-hosting is cheaper, in the searched range: 'cheaper from 418.3K requests/day
    (655M tokens/day)', 'cheaper at 5.6K–19.7K requests/day (8.8M–30.8M tokens/day)', 'never
    cheaper in 17.7K–400K requests/day (…)'; several windows are joined with 'and'."""
    low, high = c.range_requests_per_day
    if not found:
        return f"never cheaper in {_span(c, low, high)}"
    parts = []
    shown = found if len(found) <= 2 else (found[0], found[-1])  # a staircase of instances
    for w in shown:
        if w.low_requests_per_day is None and w.high_requests_per_day is None:
            parts.append(f"cheaper across {_span(c, low, high)}")
        elif w.high_requests_per_day is None:
            assert w.low_requests_per_day is not None
            parts.append(f"cheaper from {volume_text(c, w.low_requests_per_day)}")
        elif w.low_requests_per_day is None:
            parts.append(f"cheaper up to {volume_text(c, w.high_requests_per_day)}")
        else:
            parts.append(f"cheaper at {_span(c, w.low_requests_per_day, w.high_requests_per_day)}")
    if len(found) > 2:
        parts.insert(1, f"in {len(found) - 2} more window{'s' if len(found) > 3 else ''}")
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]


def _short_windows(c: Comparison, found: tuple[Window, ...]) -> str:
    """Requests/day only, for the second half of a line: 'from 127.6K', '5.6K–19.7K', 'never'."""
    if not found:
        return "never"
    parts = []
    for w in found:
        lo = si(w.low_requests_per_day) if w.low_requests_per_day is not None else None
        hi = si(w.high_requests_per_day) if w.high_requests_per_day is not None else None
        parts.append(
            "across the range" if lo is None and hi is None
            else f"from {lo}" if hi is None
            else f"up to {hi}" if lo is None
            else f"{lo}–{hi}"
        )  # fmt: skip
    return ", ".join(parts)


def class_line(c: Comparison, v: ClassVerdict, name: Namer = same) -> str:
    """'small/nano APIs (4 compared): cheapest google/gemini-2.5-flash-lite, $7,927/month.
    Self-hosted (llama…, $2,906) is cheaper from 418.3K requests/day (655M tokens/day); without
    labor from 127.6K. At 418.3K requests/day labor is 70% of its cost.'"""
    h = v.hosted
    head = f"{v.label} ({v.offers} compared): cheapest {name(h.id)}, {usd(h.monthly_usd)}/month"
    if v.missing_slo:
        verb = "misses" if len(v.missing_slo) == 1 else "miss"
        head += f" ({', '.join(map(name, v.missing_slo))}: cheaper, but {verb} the SLO)"
    head += "."
    if v.self_hosted is None or v.shares is None:
        return f"{head} No self-hosted option that meets the SLO was compared."
    s = v.self_hosted
    part, share = v.shares.dominant
    where = (
        "at your volume"
        if v.shares.requests_per_day == c.requests_per_day
        else f"at {si(v.shares.requests_per_day)} requests/day"
    )
    return (
        f"{head} Self-hosted {name(s.id)} ({usd(s.monthly_usd)}) is "
        f"{windows_text(c, v.windows)}; "
        f"without labor {_short_windows(c, v.windows_without_labor)}. "
        f"{where[0].upper()}{where[1:]} {part} is {share:.0%} of its cost."
    )


def _inside(volume: float, found: tuple[Window, ...]) -> bool:
    return any(
        (w.low_requests_per_day is None or w.low_requests_per_day <= volume)
        and (w.high_requests_per_day is None or volume <= w.high_requests_per_day)
        for w in found
    )


def answer_text(c: Comparison, name: Namer = same) -> str:
    """One sentence that answers the profile's question: self-host or keep the API, at its
    volume, against the cheapest offer of the quality it asks for."""
    at = f"At {volume_text(c, c.requests_per_day)}"
    v = answer(c.verdicts, c.profile.model_class)
    if v is None:
        return f"{at} only self-hosted options were compared; see the table."
    h = v.hosted
    if v.self_hosted is None:
        return (
            f"{at} keep the API: {name(h.id)} costs {usd(h.monthly_usd)}/month and no self-hosted "
            "option that meets the SLO was compared."
        )
    s = v.self_hosted
    against = f"{name(h.id)} ({usd(h.monthly_usd)}/month, the cheapest of the {v.label})"
    if _inside(c.requests_per_day, v.windows) and s.monthly_usd < h.monthly_usd:
        return (
            f"{at} self-host: {name(s.id)} costs {usd(s.monthly_usd)}/month against {against}, "
            f"{times(s.monthly_usd / h.monthly_usd)} the price; it is {windows_text(c, v.windows)}."
        )
    without = (
        f" (without labor: {_short_windows(c, v.windows_without_labor)} requests/day)"
        if v.windows_without_labor != v.windows
        else ""
    )
    return (
        f"{at} keep the API: {against} beats self-hosting today; {name(s.id)} is "
        f"{windows_text(c, v.windows)}{without}."
    )


def savings_text(c: Comparison, name: Namer = same) -> str | None:
    """What the answer is worth a month and a year at the profile's volume, or None when it
    has no self-hosted side. Example: 'Self-hosting saves $5,021/month ($60,252/year, 63%)
    against google/gemini-2.5-flash-lite.'"""
    v = answer(c.verdicts, c.profile.model_class)
    if v is None or v.self_hosted is None:
        return None
    h, s = v.hosted, v.self_hosted
    gap = h.monthly_usd - s.monthly_usd
    if gap > 0:
        share = f", {gap / h.monthly_usd:.0%}" if h.monthly_usd > 0 else ""
        return (
            f"Self-hosting saves {usd(gap)}/month ({usd(12 * gap)}/year{share}) against "
            f"{name(h.id)}."
        )
    return (
        f"Keeping {name(h.id)} saves {usd(-gap)}/month ({usd(-12 * gap)}/year) against "
        f"self-hosting {name(s.id)}."
    )
