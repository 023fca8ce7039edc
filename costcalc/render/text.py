"""Terminal report: verdict, options table, token inflation, break-even, notes (rich → str)."""

from __future__ import annotations

from rich import box
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from costcalc.core.analysis.compare import Comparison
from costcalc.core.analysis.curves import Curves
from costcalc.core.analysis.options import SelfHostedOption
from costcalc.core.analysis.verdict import first_cheaper
from costcalc.core.demand.traffic import peak_hour_ratio
from costcalc.render.chart import cost_chart
from costcalc.render.console import capture
from costcalc.render.context import ReportContext
from costcalc.render.fmt import count, si, times, usd
from costcalc.render.ranges import breakeven_cell, cost_range, pair_samples, summary_line
from costcalc.render.summary import (
    breakeven_short,
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

SOURCE_LABEL = {
    "benchmark": "benchmark",
    "fit": "fit to benchmarks",
    "roofline": "estimate: roofline",
    "model": "serving model",
}


SHOW_ALL_UP_TO = 30  # options; past that (compare --all) the terminal report trims
SHOWN_PER_KIND = 10  # cheapest hosted and self-hosted options listed when trimming
SHOWN_BREAKEVEN_TABLES = 5


def shown(c: Comparison) -> tuple[set[str], str | None]:
    """The ids the terminal report lists, and a line saying what it left out (None: all).

    Past 30 options it keeps the 10 cheapest of each kind and the featured pair, grouped by
    kind; JSON, Markdown and CSV always list every option."""
    if len(c.options) <= SHOW_ALL_UP_TO:
        return {o.id for o in c.options}, None
    keep = {o.id for o in c.hosted[:SHOWN_PER_KIND]} | {
        o.id for o in c.self_hosted[:SHOWN_PER_KIND]
    }
    keep |= {i for i in (c.featured.hosted, c.featured.self_hosted) if i is not None}
    more_h = len(c.hosted) - len([o for o in c.hosted if o.id in keep])
    more_s = len(c.self_hosted) - len([o for o in c.self_hosted if o.id in keep])
    return keep, (
        f"{len(c.options)} options compared; shown: the {SHOWN_PER_KIND} cheapest of each kind "
        f"and the featured pair ({more_h} more hosted and {more_s} more self-hosted not shown; "
        "-f csv lists every option, -f json or -f markdown every option and break-even)"
    )


def _options_table(c: Comparison, verbose: bool) -> Table:
    """One row per option; its notes go on a dim line under the id, so columns stay narrow:
    one line, cut with `…`, unless `verbose`."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("Option (* cheapest)", overflow="fold", ratio=1)
    table.add_column("$/month", justify="right", no_wrap=True)
    if c.monte_carlo is not None:
        # one more column: share each gap's padding so the ids still fit on one line
        table.collapse_padding = True
        table.add_column("P10–P90", justify="right", no_wrap=True)
    table.add_column("$/M tok", justify="right", no_wrap=True)
    table.add_column("$/1k req", justify="right", no_wrap=True)
    table.add_column("Repl.", justify="right", no_wrap=True)
    table.add_column("SLO", justify="right", no_wrap=True)
    keep, trimmed = shown(c)
    # trimmed: grouped by kind (hosted first), each cheapest first
    listed = (
        c.options if trimmed is None
        else [o for o in [*c.hosted, *c.self_hosted] if o.id in keep]
    )  # fmt: skip
    for o in listed:
        replicas = str(o.replicas_peak) if isinstance(o, SelfHostedOption) else "–"
        name = Text(("*" if o.id == c.cheapest else " ") + o.id)
        cell: RenderableType = name
        if o.notes:
            note = Text("; ".join(o.notes), style="dim")
            if not verbose:
                note.no_wrap, note.overflow = True, "ellipsis"
            cell = Group(name, Padding(note, (0, 0, 0, 3)))
        ranged = [cost_range(c, o.id)] if c.monte_carlo is not None else []
        table.add_row(
            cell,
            marked(c, o.id, usd(o.monthly_usd)),
            *ranged,
            f"{o.usd_per_mtok:.3f}",
            f"{o.usd_per_1k_requests:.3f}",
            replicas,
            slo_mark(o.slo_met),
        )
    return table


def _inflation_table(c: Comparison) -> Table:
    t = c.tokens
    per_attempt = t.input_tokens + t.output_tokens
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("Per request", no_wrap=True)
    table.add_column("Tokens", justify="right", no_wrap=True)
    table.add_column("Share", justify="right", no_wrap=True)
    table.add_column("Why", overflow="fold")
    request = c.profile.request
    parts = [
        ("system prompt", t.system_tokens, "sent with every call"),
        ("tool schemas", t.tools_tokens, "sent with every call"),
        (
            "retrieved context",
            t.retrieval_tokens,
            f"{request.retrieval.chunks} chunks × {count(request.retrieval.tokens_per_chunk)}",
        ),
        (
            "history",
            t.history_tokens,
            f"{request.conversation.turns}-turn conversations, "
            f"window {request.conversation.history_window}",
        ),
        ("user message", t.user_tokens, "the headline input"),
        ("output", t.output_tokens, "the headline output"),
    ]
    for name, tokens, why in parts:
        if tokens > 0:  # a profile without tools or retrieval need not list them
            table.add_row(name, count(tokens), f"{tokens / per_attempt:.0%}", why)
    retries = (t.billed_attempts - 1.0) * per_attempt
    r = request.retries
    if retries > 0 or r.rate_limited > 0:  # no retries at all: no row
        table.add_row(
            "retries", f"+{count(retries)}", "",
            f"{r.failed:.0%} of attempts fail and are retried (up to {r.max_retries}); "
            f"{r.rate_limited:.0%} get a 429, not billed",
        )  # fmt: skip
    table.add_row(
        "billed", count(t.billed_tokens), "",
        f"{times(t.factor)} the {count(t.headline_tokens)} headline tokens (user + output)",
    )  # fmt: skip
    return table


def _caching_lines(c: Comparison) -> list[str]:
    lines = []
    for o in c.hosted:
        if o.cache_savings_usd_per_month > 0.005:
            share = o.cache_savings_usd_per_month / (o.monthly_usd + o.cache_savings_usd_per_month)
            prefix = float(o.cost.prefix_tokens[0])
            lines.append(
                f"caching saves {usd(o.cache_savings_usd_per_month)}/month ({share:.0%}) on {o.id} "
                f"({o.cache_hit_rate:.0%} hits on {count(prefix)} prefix tokens)"
            )
    return lines


def _breakeven_selfs(c: Comparison) -> list[SelfHostedOption]:
    """Every self-hosted option, or when trimming the featured one and those that break even
    earliest against the featured hosted option."""
    _, trimmed = shown(c)
    if trimmed is None or c.featured.pair is None:
        return c.self_hosted
    hosted_id, self_id = c.featured.pair
    ranked = sorted(
        (p for p in c.pairs if p.hosted == hosted_id),
        key=lambda p: (p.self_hosted != self_id, first_cheaper(p.with_labor)),
    )
    ids = [p.self_hosted for p in ranked[:SHOWN_BREAKEVEN_TABLES]]
    by_id = {o.id: o for o in c.self_hosted}
    return [by_id[i] for i in ids]


def _breakeven_tables(c: Comparison) -> list[tuple[str, Table]]:
    tables = []
    keep, trimmed = shown(c)
    hosted_shown = {o.id for o in c.hosted if trimmed is None or o.id in keep}
    for s in _breakeven_selfs(c):
        head = (
            f"{s.id}: {marked(c, s.id, usd(s.monthly_usd))}/month now "
            f"({SOURCE_LABEL[s.cost.source]}, "
            f"{s.cost.replica_requests_per_s:.3g} req/s per replica)"
        )
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
        indent = "" if c.monte_carlo is not None else "  "  # two more columns to fit
        rows = [p for p in c.pairs if p.self_hosted == s.id and p.hosted in hosted_shown]
        # ids whole (a folded id is misread); the window cells fold instead
        longest = max((len(indent + p.hosted) for p in rows), default=10)
        table.add_column(f"{indent}vs hosted", no_wrap=True, min_width=longest)
        table.add_column("Cheaper at, req/day", overflow="fold", ratio=1)
        if c.monte_carlo is not None:
            table.collapse_padding = True
            table.add_column("P10–P90 tok/day · P", overflow="fold", ratio=1)
        table.add_column("Without labor", overflow="fold", ratio=1)
        table.add_column("Cost now", justify="right", no_wrap=True)
        for p in rows:
            ps = pair_samples(c, p.hosted, p.self_hosted)
            ranged = [breakeven_cell(ps)] if ps else []
            table.add_row(
                f"{indent}{p.hosted}",
                breakeven_short(c, p.with_labor),
                *ranged,
                breakeven_short(c, p.without_labor),
                times(p.cost_ratio),
            )
        tables.append((head, table))
    return tables


def render_text(
    c: Comparison,
    ctx: ReportContext,
    curves: Curves | None,
    width: int = 100,
    color: bool = False,
    verbose: bool = False,
) -> str:
    """The terminal report; `curves` (core's cost curves of the featured pair) are drawn."""
    return capture(lambda console: _report(console, c, ctx, curves, verbose), width, color)


def _report(
    console: Console, c: Comparison, ctx: ReportContext, curves: Curves | None, verbose: bool
) -> None:
    p = c.profile
    title = Text(p.name, style="bold")
    if p.description:
        title.append(f" — {p.description}")
    console.print(title)
    console.print(
        f"{count(c.requests_per_day)} requests/day · "
        f"{si(c.billed_tokens_per_day)} billed tokens/day · "
        f"{si(c.headline_tokens_per_day)} headline ({times(c.tokens.factor)} inflation) · "
        f"{p.traffic.pattern} traffic, busiest hour {times(peak_hour_ratio(c.weights))} the mean"
    )
    sampled = summary_line(c)
    if sampled:
        console.print(sampled)
    console.print()
    console.print(Text(verdict(c), style="bold"))
    savings = savings_text(c) if c.cheapest else None
    for line in (savings, verdict_caveat(c)):
        if line:
            console.print(line)
    if c.verdicts:
        console.print()
        console.print(Text("By class of hosted API (with labor)", style="bold underline"))
        lines = Table.grid(padding=(0, 1))
        lines.add_column(no_wrap=True)
        lines.add_column(overflow="fold", ratio=1)
        for v in c.verdicts:
            lines.add_row("-", class_line(c, v))
        console.print(lines)
    console.print()
    console.print(Text("Monthly cost at your volume", style="bold underline"))
    _, trimmed = shown(c)
    if trimmed:
        console.print(Text(trimmed, style="italic"))
    console.print(_options_table(c, verbose))
    caveats = [
        x for h, lines in caveat_groups(c, shown(c)[0]) for x in (h, *(f"- {x}" for x in lines))
    ]
    for line in [*caveats, *left_out_lines(c)]:
        console.print(line, overflow="fold")
    console.print()
    console.print(Text("Token inflation: what one request is billed for", style="bold underline"))
    console.print(_inflation_table(c))
    for line in _caching_lines(c):
        console.print(f"  {line}")
    tables = _breakeven_tables(c)
    if tables:
        console.print()
        console.print(
            Text(
                f"Where self-hosting is cheaper, searched over {range_text(c)}",
                style="bold underline",
            )
        )
        if trimmed:
            console.print(
                Text(
                    f"shown: the {len(tables)} self-hosted options that break even earliest "
                    "against the featured hosted option, against the hosted options listed above",
                    style="italic",
                )
            )
        for head, table in tables:
            console.print(head)
            console.print(table)
    if curves is not None:
        console.print()
        console.print(
            Text(
                f"Cost curves: {curves.curves[0].option} vs {curves.curves[1].option}",
                style="bold underline",
            )
        )
        chart = cost_chart(curves, console.width, console.is_terminal)
        console.print(Text.from_ansi(chart.rstrip("\n"), no_wrap=True, overflow="crop"))
    console.print()
    console.print(Text("Notes", style="bold underline"))
    for note in notes(c, ctx):
        console.print(f"- {note}")
    if not verbose:
        console.print("- each option's notes are cut to one line: --verbose shows them in full")
    for warning in [*ctx.warnings, *c.warnings]:
        console.print(Text(f"warning: {warning}", style="yellow"))
