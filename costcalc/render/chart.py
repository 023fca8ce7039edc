"""Terminal charts drawn with plotext: cost curves over the break-even range, tornado bars."""

from __future__ import annotations

import math
from collections.abc import Sequence

import plotext as plt

from costcalc.core.analysis.curves import Curves
from costcalc.render.fmt import si, usd_short

HEIGHT = 20


def _decades(low: float, high: float) -> list[float]:
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    return [10.0**k for k in range(first, last + 1) if low <= 10.0**k <= high]


def _ticks(low: float, high: float) -> list[float]:
    """Powers of ten inside [low, high], with 3× between when there are few of them."""
    ticks = _decades(low, high)
    if len(ticks) < 4:
        ticks = sorted(
            t for k in _decades(low / 10, high * 10) for t in (k, 3 * k) if low <= t <= high
        )
    return ticks or [low, high]


def _start(width: int, height: int) -> None:
    plt.clear_figure()
    plt.limitsize(False, False)  # draw at the width asked for, not the terminal's
    plt.plotsize(width, height)
    plt.theme("clear")


def _finish(color: bool) -> str:
    text = plt.build()
    plt.clear_figure()
    text = text if color else plt.uncolorize(text)
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def cost_chart(curves: Curves, width: int = 100, color: bool = False) -> str:
    """Both options' monthly cost against billed tokens/day, log-log; the profile's volume
    and the crossing are vertical lines, named in the title."""
    _start(width, HEIGHT)
    x = [float(v) for v in curves.tokens_per_day]
    for curve in curves.curves:
        y = [max(float(v), 1e-9) for v in curve.monthly_usd]
        # different marks, so the curves stay apart without color (CI logs)
        marker = "braille" if curve.kind == "hosted" else "•"
        plt.plot(x, y, label=curve.option, marker=marker)
    plt.xscale("log")
    plt.yscale("log")
    xt = _ticks(x[0], x[-1])
    plt.xticks(xt, [si(t) for t in xt])
    values = [float(v) for c in curves.curves for v in c.monthly_usd if v > 0]
    yt = _ticks(min(values), max(values))
    plt.yticks(yt, [usd_short(t) for t in yt])
    per = curves.tokens_per_request
    marks = [f"you: {si(curves.volume_tokens / per)} req/day ({si(curves.volume_tokens)} tok)"]
    plt.vline(curves.volume_tokens)
    if curves.crossing_tokens is not None:
        plt.vline(curves.crossing_tokens)
        marks.append(
            f"break-even: {si(curves.crossing_tokens / per)} ({si(curves.crossing_tokens)})"
        )
    else:
        marks.append(f"break-even: {curves.status} in range")
    plt.title("$/month vs billed tokens/day · " + " · ".join(marks))  # over ~95 chars: dropped
    # the second axis a terminal chart can carry: each tick's requests/day under the axis
    plt.xlabel("in requests/day: " + " · ".join(f"{si(t)} = {si(t / per)}" for t in xt))
    return _finish(color)


def tornado_chart(
    labels: Sequence[str], lows: Sequence[float], highs: Sequence[float], title: str,
    width: int = 100, color: bool = False,
) -> str:  # fmt: skip
    """One bar per input from its effect at the input's low value (○) to its high value (●),
    in % of the point result; largest effect at the top, 0 marked."""
    count = len(labels)
    _start(width, max(8, 2 * count + 5))
    for i, (low, high) in enumerate(zip(lows, highs, strict=True)):
        y = count - i
        plt.plot([low, high], [y, y], marker="█")
        plt.plot([low], [y], marker="○")
        plt.plot([high], [y], marker="●")
    plt.vline(0)
    plt.yticks(list(range(count, 0, -1)), list(labels))
    plt.ylim(0.4, count + 0.6)
    span = [min(0.0, *lows, *highs), max(0.0, *lows, *highs)]
    ticks = [span[0] + (span[1] - span[0]) * k / 4 for k in range(5)]
    plt.xticks(ticks, [f"{t:+.0f}%" for t in ticks])
    plt.title(title)
    return _finish(color)
