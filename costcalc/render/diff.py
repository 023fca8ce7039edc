"""`costcalc diff` as text, JSON, a quiet Markdown PR comment, or GitHub annotations."""

from __future__ import annotations

from collections.abc import Callable

from costcalc.core.gates.diff import Change, Gate, ReportDiff, Row
from costcalc.render.check import annotation
from costcalc.render.fmt import count, md_cell, si, usd
from costcalc.schema.report_gates import (
    BreakEvenChange,
    Cheapest,
    DiffGate,
    DiffReport,
    GatedChange,
    OptionChange,
    VolumeChange,
)

SCHEMA_VERSION = 1
MARKER = "<!-- costcalc diff -->"  # lets a bot find and update its own comment


def pct_text(change: Change) -> str:
    share = change.share
    return "n/a" if share is None else f"{share:+.1%}"


def money(value: float | None) -> str:
    return "–" if value is None else usd(value)


def delta_money(change: Change) -> str:
    delta = change.delta
    return "–" if delta is None else ("+" if delta >= 0 else "−") + usd(abs(delta))


def _tokens(value: float | None) -> str:
    return "–" if value is None else si(value)


def _volume_value(label: str, value: float | None) -> str:
    if value is None:
        return "–"
    return (
        f"{value:.2f}×"
        if label == "inflation factor"
        else (count(value) if label == "requests/day" else si(value))
    )


def _breakeven_value(row: Row, past: bool) -> str:
    status = row.past_status if past else row.current_status
    return _tokens(_side(row, past)) if status == "crosses" else status or "–"


def headline(d: ReportDiff) -> str:
    g = d.gated
    return (
        f"{d.profile}: {d.gated_option} ({d.chosen_by}) {money(g.past)} → "
        f"{money(g.current)}/month "
        f"({delta_money(g)}, {pct_text(g)})"
    )


def gate_value(gate: Gate) -> str:
    """'+33.33%', '+1,200.50 USD', 'from $0' or 'n/a': what a gate measured."""
    unit = "%" if gate.name.endswith("pct") else " USD"
    value = "n/a" if gate.value is None else f"{gate.value:+,.2f}{unit}"
    return "from $0" if gate.from_zero else value


def gate_lines(d: ReportDiff) -> list[str]:
    lines = []
    for gate in d.gates:
        value = gate_value(gate)
        verdict = "within" if gate.passed else "OVER"
        lines.append(f"{gate.name} {gate.limit:g}: increase {value}, {verdict}")
    return lines


def _table(
    rows: tuple[Row, ...], fmt: Callable[[Row, bool], str], only_changed: bool
) -> list[list[str]]:
    return [
        [r.label, fmt(r, True), fmt(r, False), pct_text(r.change)]
        for r in rows
        if r.changed or not only_changed
    ]


def _side(row: Row, past: bool) -> float | None:
    return row.change.past if past else row.change.current


def _sections(d: ReportDiff, only_changed: bool) -> list[tuple[str, list[list[str]]]]:
    def volume(r: Row, past: bool) -> str:
        return _volume_value(r.label, _side(r, past))

    def cost(r: Row, past: bool) -> str:
        return money(_side(r, past))

    return [
        ("Volume", _table(d.volume, volume, only_changed)),
        ("Monthly cost", _table(d.options, cost, only_changed)),
        ("Break-even (billed tokens/day)", _table(d.breakeven, _breakeven_value, only_changed)),
    ]


def render_text(d: ReportDiff) -> str:
    lines = [headline(d)]
    if d.cheapest[0] != d.cheapest[1]:
        lines.append(f"cheapest option: {d.cheapest[0]} → {d.cheapest[1]}")
    if not d.changed:
        lines.append("no change in costs, volumes or break-even")
    for title, rows in _sections(d, only_changed=True):
        if rows:
            width = max(len(r[0]) for r in rows)
            lines += ["", f"{title:<{width}}  {'past':>12}  {'current':>12}  {'change':>8}"]
            lines += [f"{r[0]:<{width}}  {r[1]:>12}  {r[2]:>12}  {r[3]:>8}" for r in rows]
    gates = gate_lines(d)
    if gates:
        lines += ["", *gates]
    return "\n".join(lines) + "\n"


def report(d: ReportDiff) -> DiffReport:
    """The diff as the schema_version 1 report (costcalc/schema/report_gates.py)."""

    def change(c: Change) -> dict[str, float | None]:
        return {"past": c.past, "current": c.current, "delta": c.delta,
                "pct": None if c.share is None else round(c.share * 100, 4)}  # fmt: skip

    return DiffReport(
        schema_version=SCHEMA_VERSION,
        command="diff",
        profile=d.profile,
        changed=d.changed,
        passed=d.passed,
        gated=GatedChange(option=d.gated_option, chosen_by=d.chosen_by, **change(d.gated)),
        gates=[
            DiffGate(name=g.name, limit=g.limit, value=g.value, passed=g.passed) for g in d.gates
        ],
        cheapest=Cheapest(past=d.cheapest[0], current=d.cheapest[1]),
        volume=[VolumeChange(label=r.label, **change(r.change)) for r in d.volume],
        options=[OptionChange(id=r.label, **change(r.change)) for r in d.options],
        breakeven=[
            BreakEvenChange(
                pair=r.label,
                **change(r.change),
                past_status=r.past_status,
                current_status=r.current_status,
            )
            for r in d.breakeven
        ],
    )


def render_json(d: ReportDiff) -> str:
    return report(d).json_text()


def render_markdown(d: ReportDiff) -> str:
    """A compact PR comment of what changed; empty when nothing did (no noise on the PR)."""
    if not d.changed and d.passed:
        return ""
    out = [MARKER, f"**costcalc** · {headline(d)}"]
    if d.cheapest[0] != d.cheapest[1]:
        out.append(f"Cheapest option: `{d.cheapest[0]}` → `{d.cheapest[1]}`")
    for title, rows in _sections(d, only_changed=True):
        if rows:
            out += ["", f"| {title} | past | current | change |", "| --- | ---: | ---: | ---: |"]
            out += ["| " + " | ".join(md_cell(x) for x in r) + " |" for r in rows]
    failed = [line for line, g in zip(gate_lines(d), d.gates, strict=True) if not g.passed]
    if failed:
        out += ["", *[f"❌ {line}" for line in failed]]
    return "\n".join(out) + "\n"


def render_github(d: ReportDiff) -> str:
    lines = []
    for line, gate in zip(gate_lines(d), d.gates, strict=True):
        if not gate.passed:
            lines.append(annotation("error", "costcalc cost increase", f"{headline(d)}; {line}"))
    if d.changed:
        lines.append(annotation("notice", "costcalc diff", headline(d)))
    return "\n".join(lines) + ("\n" if lines else "")
