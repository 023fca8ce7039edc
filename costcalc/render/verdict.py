"""The verdict in words: one line per hosted class, and one sentence answering the profile."""

from __future__ import annotations

from costcalc.core.analysis.compare import Comparison
from costcalc.core.analysis.verdict import ClassVerdict, Window, answer
from costcalc.render.fmt import si, si3, times, usd
from costcalc.render.names import Namer, same


def volume_text(c: Comparison, requests_per_day: float) -> str:
    """'418.3K requests/day (655M tokens/day)': requests first, billed tokens beside them."""
    tokens = requests_per_day * c.tokens.billed_tokens
    return f"{si(requests_per_day)} requests/day ({si(tokens)} tokens/day)"


def span(low: float, high: float) -> str:
    """Two volumes as a range a reader cannot misread: '5.6K–19.7K', '18 to 400K' (not
    '18–400K', which reads as 18K), '180.0K–182.2K' where one decimal would print '180K'
    twice… and three figures where even that would print the same number twice."""
    a, b = si(low), si(high)
    if a == b:
        a, b = si3(low), si3(high)
    if a.lstrip("-0123456789.") != b.lstrip("-0123456789."):  # different suffixes
        return f"{a} to {b}"
    return f"{a}–{b}"


def _span(c: Comparison, low: float, high: float) -> str:
    tokens = c.tokens.billed_tokens
    return f"{span(low, high)} requests/day ({span(low * tokens, high * tokens)} tokens/day)"


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


def short_windows(c: Comparison, found: tuple[Window, ...]) -> str:
    """Requests/day only, for the second half of a line: 'from 127.6K', '5.6K–19.7K', 'never'."""
    if not found:
        return "never"
    parts = []
    for w in found:
        lo, hi = w.low_requests_per_day, w.high_requests_per_day
        parts.append(
            "across the searched range" if lo is None and hi is None
            else f"from {si(lo)} requests/day" if lo is not None and hi is None
            else f"up to {si(hi)} requests/day" if hi is not None and lo is None
            else f"{span(lo or 0.0, hi or 0.0)} requests/day"
        )  # fmt: skip
    return ", ".join(parts)


def class_line(c: Comparison, v: ClassVerdict, name: Namer = same) -> str:
    """'small/nano APIs (4 compared): cheapest google/gemini-2.5-flash-lite, $7,927/month.
    Self-hosted (llama…, $2,906) is cheaper from 418.3K requests/day (655M tokens/day); without
    labor from 127.6K. At 418.3K requests/day labor is 70% of its cost.'"""
    h = v.hosted
    head = f"{v.label} ({v.offers} compared): cheapest {name(h.id)}, {usd(h.monthly_usd)}/month"
    if not h.eligible:
        head += " (every one compared misses the SLO)"
    elif v.missing_slo:
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
        f"without labor {short_windows(c, v.windows_without_labor)}. "
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
    volume, against the cheapest offer of the quality it asks for. Which is cheaper is decided
    by the costs at the volume; the windows (inside the searched range) say from where."""
    at = f"At {volume_text(c, c.requests_per_day)}"
    v = answer(c.verdicts, c.profile.model_class)
    if v is None:
        if c.hosted:  # every one past its deprecation date
            return (
                f"{at} every hosted offer compared is past its deprecation date, so none is "
                "recommended; see the table and the warnings."
            )
        return f"{at} only self-hosted options were compared; see the table."
    h, s = v.hosted, v.self_hosted
    if not h.eligible:
        head = (
            f"{at} no offer of the {v.label} compared meets the SLO ({name(h.id)}, the "
            f"cheapest at {usd(h.monthly_usd)}/month, misses it)"
        )
        if s is None:
            return f"{head}, and no self-hosted option that meets it was compared."
        return f"{head}: self-host, {name(s.id)} at {usd(s.monthly_usd)}/month."
    if s is None:
        missing = (
            "no self-hosted option was compared" if not c.self_hosted
            else "no self-hosted option that meets the SLO was compared"
        )  # fmt: skip
        return f"{at} keep the API: {name(h.id)} costs {usd(h.monthly_usd)}/month; {missing}."
    against = f"{name(h.id)} ({usd(h.monthly_usd)}/month, the cheapest of the {v.label})"
    where = windows_text(c, v.windows)
    if not _inside(c.requests_per_day, v.windows):
        where += " (your volume is outside the searched range)" if _outside(c) else ""
    if s.monthly_usd < h.monthly_usd:
        return (
            f"{at} self-host: {name(s.id)} costs {usd(s.monthly_usd)}/month against {against}, "
            f"{times(s.monthly_usd / h.monthly_usd)} the price; it is {where}."
        )
    without = (
        f"; without labor: {short_windows(c, v.windows_without_labor)}"
        if v.windows_without_labor != v.windows
        else ""
    )
    return (
        f"{at} keep the API: {against} beats self-hosting today; {name(s.id)} is {where}{without}."
    )


def _outside(c: Comparison) -> bool:
    low, high = c.range_requests_per_day
    return not low <= c.requests_per_day <= high


def savings_text(c: Comparison, name: Namer = same) -> str | None:
    """What the answer is worth a month and a year at the profile's volume, or None when it
    has no self-hosted side. Example: 'Self-hosting saves $5,021/month ($60,252/year, 63%)
    against google/gemini-2.5-flash-lite.'"""
    v = answer(c.verdicts, c.profile.model_class)
    if v is None or v.self_hosted is None or not v.hosted.eligible:
        return None  # nothing to save against: no self-hosted side, or the API misses the SLO
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
