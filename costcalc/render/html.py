"""`costcalc report`: one self-contained HTML page (no scripts, no network) with the charts."""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable, Sequence

from costcalc import __version__
from costcalc.core.analysis.checks import all_stale
from costcalc.core.analysis.compare import Comparison
from costcalc.core.analysis.curves import Curves
from costcalc.core.analysis.options import HostedOption, SelfHostedOption
from costcalc.core.analysis.sensitivity import Sensitivity
from costcalc.errors import MissingDependency
from costcalc.render import sensitivity as tornado
from costcalc.render.context import ReportContext
from costcalc.render.fmt import count, si, times, usd
from costcalc.render.names import display_name, namer
from costcalc.render.plot import cost_plot, tornado_plot
from costcalc.render.ranges import (
    breakeven_range,
    cost_range,
    pair_samples,
    probability,
    summary_line,
)
from costcalc.render.summary import (
    breakeven_text,
    caveat_groups,
    left_out_lines,
    marked,
    notes,
    range_text,
    slo_mark,
    verdict,
    verdict_caveat,
)
from costcalc.render.verdict import class_line, savings_text
from costcalc.schema.catalog import ComputeOffer, Dated, HostedOffer

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; max-width: 1040px; margin: 2em auto;
       padding: 0 1em; color: #1b1b1b; }
h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { margin-top: 1.8em; font-size: 1.2em; }
.verdict { font-size: 1.1em; font-weight: 600; background: #eef5fb; padding: .8em 1em;
           border-left: 4px solid #1f77b4; }
.savings { font-size: 1.05em; font-weight: 600; }
table { border-collapse: collapse; width: 100%; margin: .6em 0; font-size: .92em; }
th, td { text-align: left; padding: .35em .6em; border-bottom: 1px solid #ddd;
         vertical-align: top; }
td.n, th.n { text-align: right; white-space: nowrap; }
tr.best td { font-weight: 600; } .note { color: #666; font-size: .88em; }
img.chart { width: 100%; height: auto; border: 1px solid #eee; }
.warn { color: #8a5300; } footer { margin-top: 3em; color: #777; font-size: .85em; }
"""


def _e(text: object) -> str:
    """Escaped, with `code` spans as <code> (no raw Markdown on the page)."""
    return _CODE.sub(r"<code>\1</code>", html.escape(str(text)))


_CODE = re.compile(r"`([^`]+)`")
_URL = re.compile(r"https?://[^\s)]+")


def _linked(source: str) -> str:
    """A price source with every URL in it as a link (sources may add '(via LiteLLM …)')."""
    out, at = [], 0
    for m in _URL.finditer(source):
        out.append(_e(source[at : m.start()]))
        url = html.escape(m.group(0), quote=True)
        out.append(f'<a href="{url}">{url}</a>')
        at = m.end()
    out.append(_e(source[at:]))
    return "".join(out)


def _table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    numeric: set[int],
    classes: Sequence[str] | None = None,
) -> str:
    """Cells are escaped here; `classes` marks whole rows (the cheapest option)."""
    head = "".join(
        f'<th class="n">{_e(h)}</th>' if i in numeric else f"<th>{_e(h)}</th>"
        for i, h in enumerate(header)
    )
    body = []
    for r, row in enumerate(rows):
        cells = "".join(
            f'<td class="n">{_e(c)}</td>' if i in numeric else f"<td>{_e(c)}</td>"
            for i, c in enumerate(row)
        )
        css = f' class="{classes[r]}"' if classes and classes[r] else ""
        body.append(f"<tr{css}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _image(svg: bytes, alt: str) -> str:
    """An SVG as a data URI: self-contained, and its ids cannot clash with another chart's."""
    data = base64.b64encode(svg).decode("ascii")
    return f'<img class="chart" alt="{_e(alt)}" src="data:image/svg+xml;base64,{data}">'


def _chart(draw: Callable[[], bytes], alt: str) -> str:
    """A chart, or without matplotlib a note on how to add it (the tables carry every figure)."""
    try:
        return _image(draw(), alt)
    except MissingDependency:
        return (
            '<p class="note">No chart here: charts need matplotlib '
            "(<code>pip install 'costcalc[plot]'</code>, then run "
            "<code>costcalc report</code> again). The tables below carry every figure.</p>"
        )


def _options(c: Comparison) -> str:
    mc = c.monte_carlo is not None
    header = [
        "Option",
        "Kind",
        "$/month",
        *(["P10–P90"] if mc else []),
        "$/M tok",
        "$/1k req",
        "Replicas",
        "SLO",
        "Notes",
    ]
    rows = []
    for o in c.options:
        replicas = str(o.replicas_peak) if isinstance(o, SelfHostedOption) else "–"
        rows.append(
            [
                f"{display_name(o)} ({o.id})",
                o.kind.replace("_", "-"),
                marked(c, o.id, usd(o.monthly_usd)),
                *([cost_range(c, o.id)] if mc else []),
                f"{o.usd_per_mtok:.3f}",
                f"{o.usd_per_1k_requests:.3f}",
                replicas,
                slo_mark(o.slo_met),
                "; ".join(o.notes),
            ]
        )
    numeric = set(range(2, len(header) - 1))
    caveats = "".join(
        f'<p class="note">{_e(head)}</p><ul class="note">'
        + "".join(f"<li>{_e(line)}</li>" for line in lines)
        + "</ul>"
        for head, lines in caveat_groups(c)
    )
    best = ["best" if o.id == c.cheapest else "" for o in c.options]
    return _table(header, rows, numeric, best) + caveats


def _inflation(c: Comparison) -> str:
    t = c.tokens
    per_attempt = t.input_tokens + t.output_tokens
    parts = [
        ("system prompt", t.system_tokens),
        ("tool schemas", t.tools_tokens),
        ("retrieved context", t.retrieval_tokens),
        ("history", t.history_tokens),
        ("user message", t.user_tokens),
        ("output", t.output_tokens),
    ]
    rows = [[name, count(v), f"{v / per_attempt:.0%}"] for name, v in parts if v > 0]
    if t.billed_attempts > 1:
        rows.append(["retries", f"+{count((t.billed_attempts - 1) * per_attempt)}", ""])
    rows.append(["billed per request", count(t.billed_tokens), times(t.factor)])
    return _table(["Per request", "Tokens", "Share"], rows, {1, 2})


def _breakeven(c: Comparison) -> str:
    mc = c.monte_carlo is not None
    name = namer(c)
    header = ["Hosted", "Self-hosted", "Self-hosting is cheaper", "Without labor", "Cost now"]
    if mc:
        header[3:3] = ["P10–P90", "P(cheaper)"]
    rows = []
    for p in c.pairs:
        row = [
            name(p.hosted),
            name(p.self_hosted),
            breakeven_text(c, p.with_labor),
            breakeven_text(c, p.without_labor),
            times(p.cost_ratio),
        ]
        ps = pair_samples(c, p.hosted, p.self_hosted)
        if ps is not None:
            row[3:3] = [breakeven_range(ps), probability(ps)]
        rows.append(row)
    return _table(header, rows, {len(header) - 1})


def _sensitivity(result: Sensitivity) -> str:
    out = [
        f"<p>{_e(result.hosted)} against {_e(result.self_hosted)}: each input moves on its "
        "own from its low to its high value (P10–P90 of its distribution, else ±25 %).</p>",
        _table(tornado.HEADER, [tornado.cells(w) for w in result.swings], {3, 4}),
    ]
    data = tornado.chart_data(result)
    if data is not None:
        labels, lows, highs, what = data
        out.append(
            _chart(
                lambda: tornado_plot(labels, lows, highs, what, "svg"),
                f"Tornado chart: change in the {what} per input",
            )
        )
    return "".join(out)


def _assumptions(c: Comparison, ctx: ReportContext) -> str:
    items = [
        f"Volumes are requests per day, with billed tokens per day beside them; a month is 730 "
        f"hours. Break-evens searched over {range_text(c)}."
    ]
    items += notes(c, ctx)
    prices = []
    for opt in c.options:
        entry: Dated | None = opt.cost.offer if isinstance(opt, HostedOption) else None
        if isinstance(opt, SelfHostedOption):
            entry = opt.cost.compute
        if entry is not None:
            assert isinstance(entry, HostedOffer | ComputeOffer)
            prices.append(
                f"<tr><td>{_e(entry.id)}</td><td>{_e(entry.as_of.isoformat())}</td>"
                f"<td>{_linked(entry.source)}</td></tr>"
            )
    warnings = [*ctx.warnings, *c.warnings, *all_stale([c])]
    return (
        "<ul>"
        + "".join(f"<li>{_e(i)}</li>" for i in items)
        + "</ul>"
        + "<h3>Prices used</h3>"
        + "<table><thead><tr><th>Offer</th><th>As of</th><th>Source</th></tr></thead><tbody>"
        + "".join(dict.fromkeys(prices))  # an offer two options share is listed once
        + "</tbody></table>"
        + "".join(f'<p class="warn">warning: {_e(w)}</p>' for w in warnings)
    )


def _left_out(c: Comparison) -> str:
    """The self-hosted options that are not priced, each with why."""
    lines = left_out_lines(c)
    if not lines:
        return ""
    items = "".join(f"<li>{_e(line.strip())}</li>" for line in lines[1:])
    return f'<p class="note">{_e(lines[0])}:</p><ul class="note">{items}</ul>'


def _classes(c: Comparison) -> str:
    """The verdict by class, one item per class of hosted API."""
    if not c.verdicts:
        return ""
    name = namer(c)
    items = "".join(f"<li>{_e(class_line(c, v, name))}</li>" for v in c.verdicts)
    return f"<h2>By class of hosted API (with labor)</h2><ul>{items}</ul>"


def render_html(
    c: Comparison,
    ctx: ReportContext,
    curves: Curves | None,
    sensitivity: Sensitivity | None,
    generated: str,
) -> str:
    """The report page. Charts are matplotlib SVGs embedded as data URIs: nothing to fetch.
    `curves` (with bands after Monte Carlo) and `sensitivity` are computed by the caller."""
    p = c.profile
    chart = ""
    if curves is not None:
        chart = _chart(
            lambda: cost_plot(curves, "svg"), "Monthly cost against billed tokens per day"
        )
    sampled = summary_line(c)
    name = namer(c)
    savings = savings_text(c, name)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>costcalc: {_e(p.name)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{_e(p.name)}</h1>",
        f'<p class="note">{_e(p.description)}</p>' if p.description else "",
        f'<p class="verdict">{_e(verdict(c, name))}</p>',
        f'<p class="savings">{_e(savings)}</p>' if savings else "",
        f'<p class="note">{_e(caveat)}</p>' if (caveat := verdict_caveat(c)) else "",
        _classes(c),
        f"<p>{_e(count(c.requests_per_day))} requests/day · {_e(si(c.billed_tokens_per_day))} "
        f"billed tokens/day · {_e(si(c.headline_tokens_per_day))} headline "
        f"({_e(times(c.tokens.factor))} inflation)</p>",
        f'<p class="note">{_e(sampled)}</p>' if sampled else "",
        "<h2>Cost against volume</h2>",
        chart,
        "<h2>Monthly cost at your volume</h2>",
        _options(c),
        _left_out(c),
        "<h2>Token inflation: what one request is billed for</h2>",
        _inflation(c),
        "<h2>Break-even</h2>",
        _breakeven(c),
    ]
    if sensitivity is not None:
        parts += ["<h2>What moves the answer</h2>", _sensitivity(sensitivity)]
    parts += [
        "<h2>Assumptions</h2>",
        _assumptions(c, ctx),
        f"<footer>costcalc {_e(__version__)} · {_e(generated)}</footer></body></html>",
    ]
    return "\n".join(part for part in parts if part) + "\n"
