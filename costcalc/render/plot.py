"""Charts as PNG or SVG with matplotlib (the optional `plot` extra): cost curves and tornado."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from costcalc.core.analysis.curves import Curves
from costcalc.errors import MissingDependency
from costcalc.render.fmt import si, usd_short

WIDTH_IN, HEIGHT_IN, DPI = 10.0, 5.6, 100  # 1000 × 560 pixels
COLORS = {"hosted": "#1f77b4", "self_hosted": "#d62728"}


def require() -> None:
    """Fail early, before any work, when matplotlib is missing."""
    _pyplot()


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise MissingDependency(
            "charts as images need matplotlib: pip install 'costcalc[plot]'"
        ) from None
    matplotlib.use("Agg")  # no display; the same pixels everywhere
    matplotlib.rcParams["svg.hashsalt"] = "costcalc"  # stable SVG ids: same input, same file
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, fmt: str) -> bytes:
    buffer = io.BytesIO()
    # no creation date in the file, so a report is reproducible byte for byte
    metadata = {"Date": None} if fmt == "svg" else {"Software": None}
    fig.savefig(buffer, format=fmt, dpi=DPI, metadata=metadata)
    _pyplot().close(fig)
    return buffer.getvalue()


def _money_axis(axis: Any) -> None:
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda v, _: usd_short(v)))


def cost_plot(curves: Curves, fmt: str = "png") -> bytes:
    """Both curves (the self-hosted staircase drawn as steps), P10–P90 bands when Monte Carlo
    ran, the profile's volume and the crossing annotated."""
    plt = _pyplot()
    from matplotlib.ticker import FuncFormatter

    fig, ax = plt.subplots(figsize=(WIDTH_IN, HEIGHT_IN), layout="constrained")
    x = curves.tokens_per_day
    for curve in curves.curves:
        color = COLORS[curve.kind]
        step = "post" if curve.kind == "self_hosted" else None
        if step:
            ax.step(x, curve.monthly_usd, where=step, color=color, label=curve.option, lw=1.8)
        else:
            ax.plot(x, curve.monthly_usd, color=color, label=curve.option, lw=1.8)
        if curve.band is not None:
            ax.fill_between(
                x, curve.band[0], curve.band[1], color=color, alpha=0.15, step=step,
                label=f"{curve.option}: P10–P90",
            )  # fmt: skip
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: si(v)))
    _money_axis(ax.yaxis)
    ax.axvline(curves.volume_tokens, color="#444444", ls="--", lw=1)
    ax.annotate(
        f"your volume\n{si(curves.volume_tokens / curves.tokens_per_request)} req/day",
        (curves.volume_tokens, 0.97),
        xycoords=("data", "axes fraction"), ha="right", va="top", fontsize=9,
    )  # fmt: skip
    if curves.crossing_tokens is not None:
        ax.axvline(curves.crossing_tokens, color="#2ca02c", lw=1.2)
        ax.annotate(
            f"break-even\n{si(curves.crossing_tokens / curves.tokens_per_request)} req/day",
            (curves.crossing_tokens, 0.03),
            xycoords=("data", "axes fraction"), ha="left", va="bottom", fontsize=9,
            color="#2ca02c",
        )  # fmt: skip
    else:
        ax.set_title(f"Self-hosting: {curves.status} in this range", fontsize=10)
    ax.set_xlabel("billed tokens per day (log)")
    per = curves.tokens_per_request  # a second axis on top: the same volumes in requests/day
    top = ax.secondary_xaxis("top", functions=(lambda t: t / per, lambda r: r * per))
    top.xaxis.set_major_formatter(FuncFormatter(lambda v, _: si(v)))
    top.set_xlabel("requests per day")
    ax.set_ylabel("USD per month (log)")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="upper left", fontsize=9)
    return _save(fig, fmt)


def tornado_plot(
    labels: Sequence[str], lows: Sequence[float], highs: Sequence[float], what: str,
    fmt: str = "png",
) -> bytes:  # fmt: skip
    """Horizontal bars from each input's low-value effect to its high-value effect (%)."""
    plt = _pyplot()
    height = max(2.5, 0.45 * len(labels) + 1.2)
    fig, ax = plt.subplots(figsize=(WIDTH_IN, height), layout="constrained")
    rows = list(range(len(labels)))[::-1]
    for y, low, high in zip(rows, lows, highs, strict=True):
        ax.barh(y, high - low, left=low, color="#9ecae1", height=0.6)
        ax.plot([low], [y], "o", mfc="white", mec="#08519c")
        ax.plot([high], [y], "o", color="#08519c")
    ax.axvline(0, color="#444444", lw=1)
    ax.set_yticks(rows, list(labels))
    ax.set_xlabel(f"change in the {what} (%): ○ input low, ● input high")
    ax.grid(True, axis="x", alpha=0.3)
    return _save(fig, fmt)
