"""`--format markdown`: the same report as GitHub-flavoured Markdown, for PRs and wikis."""

from __future__ import annotations

from costcalc.core.analysis.checks import all_stale
from costcalc.core.analysis.compare import Comparison
from costcalc.core.analysis.options import SelfHostedOption
from costcalc.render.context import ReportContext
from costcalc.render.fmt import count, md_cell, si, times, usd
from costcalc.render.ranges import breakeven_cell, cost_range, pair_samples, summary_line
from costcalc.render.summary import (
    breakeven_text,
    caveat_groups,
    left_out_lines,
    marked,
    verdict,
    verdict_caveat,
)
from costcalc.render.verdict import class_line, savings_text


def _table(header: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    align = ["---:" if i in right else "---" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(md_cell(x) for x in row) + " |" for row in rows]
    return lines


def render_markdown(c: Comparison, ctx: ReportContext) -> str:
    t = c.tokens
    out = [
        f"### costcalc: {c.profile.name}",
        "",
        f"**{verdict(c)}**",
        "",
        *([savings, ""] if (savings := savings_text(c) if c.cheapest else None) else []),
        *([caveat, ""] if (caveat := verdict_caveat(c)) else []),
        f"{count(c.requests_per_day)} requests/day, "
        f"{si(c.billed_tokens_per_day)} billed tokens/day "
        f"({times(t.factor)} the {si(c.headline_tokens_per_day)} headline tokens).",
        "",
    ]
    if c.verdicts:
        out += ["By class of hosted API (with labor):", ""]
        out += [f"- {md_cell(class_line(c, v))}" for v in c.verdicts] + [""]
    mc = c.monte_carlo is not None
    rows = [
        [
            f"**{o.id}**" if o.id == c.cheapest else o.id,
            o.kind.replace("_", "-"),
            marked(c, o.id, usd(o.monthly_usd)),
            *([cost_range(c, o.id)] if mc else []),
            f"{o.usd_per_mtok:.3f}",
            f"{o.usd_per_1k_requests:.3f}",
            str(o.replicas_peak) if isinstance(o, SelfHostedOption) else "–",
            "; ".join(o.notes),
        ]
        for o in c.options
    ]
    header = ["Option", "Kind", "$/month", "$/M tok", "$/1k req", "Replicas", "Notes"]
    if mc:
        header.insert(3, "P10–P90")
    out += _table(header, rows, set(range(2, len(header) - 1)))
    for head, lines in caveat_groups(c):
        out += ["", md_cell(head), "", *(f"- {md_cell(line)}" for line in lines)]
    left_out = left_out_lines(c)
    if left_out:
        out += ["", left_out[0] + ":", *(f"- {md_cell(line.strip())}" for line in left_out[1:])]
    sampled = summary_line(c)
    if sampled:
        out += ["", sampled]
    per_attempt = t.input_tokens + t.output_tokens
    parts = [
        ("system prompt", t.system_tokens), ("tool schemas", t.tools_tokens),
        ("retrieved context", t.retrieval_tokens),
        ("history", t.history_tokens), ("user message", t.user_tokens), ("output", t.output_tokens),
    ]  # fmt: skip
    out += ["", "Token inflation per request:", ""]
    out += _table(
        ["Component", "Tokens", "Share"],
        [[name, count(v), f"{v / per_attempt:.0%}"] for name, v in parts if v > 0]
        + [["retries", f"+{count((t.billed_attempts - 1) * per_attempt)}", ""]] * (
            t.billed_attempts > 1
        )
        + [["billed", count(t.billed_tokens), times(t.factor)]],
        {1, 2},
    )  # fmt: skip
    if c.pairs:
        out += ["", "Where self-hosting is cheaper, requests/day (billed tokens/day):", ""]
        header = ["Hosted", "Self-hosted", "Self-hosting is cheaper", "Without labor", "Cost now"]
        rows = []
        for p in c.pairs:
            row = [p.hosted, p.self_hosted, breakeven_text(c, p.with_labor),
                   breakeven_text(c, p.without_labor), times(p.cost_ratio)]  # fmt: skip
            ps = pair_samples(c, p.hosted, p.self_hosted)
            if ps is not None:
                row.insert(3, breakeven_cell(ps))
            rows.append(row)
        if mc:
            header.insert(3, "P10–P90 · P(cheaper)")
        out += _table(header, rows, {len(header) - 1})
    warnings = [*ctx.warnings, *c.warnings, *all_stale([c])]
    if warnings:
        out += ["", *[f"> warning: {w}" for w in warnings]]
    return "\n".join(out) + "\n"
