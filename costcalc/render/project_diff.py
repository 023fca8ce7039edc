"""`costcalc diff --baseline`: the project's cost change per profile and in total."""

from __future__ import annotations

from costcalc.core.gates.diff import Change, Gate
from costcalc.core.gates.project import ProfileDiff, ProjectDiff
from costcalc.render import check as check_render
from costcalc.render import diff as diff_render
from costcalc.render.fmt import md_cell, usd
from costcalc.schema.report_gates import DiffGate
from costcalc.schema.report_project import ProfileChange, ProjectDiffReport, Total

MARKER = diff_render.MARKER  # one hidden marker: `costcalc comment` finds the comment by it


def _change(c: Change) -> str:
    """'$3,783 → $11,348 (+$7,565, +200.0%)', in diff's words for each part."""
    moved = f"{diff_render.money(c.past)} → {diff_render.money(c.current)}"
    if c.delta is None:
        return moved
    pct = "" if c.share is None else f", {diff_render.pct_text(c)}"
    return f"{moved} ({diff_render.delta_money(c)}{pct})"


def _row(p: ProfileDiff) -> tuple[str, str, str]:
    """(profile, option and rule, change) for one profile."""
    if p.diff is not None:
        d = p.diff
        return p.path, f"{d.gated_option} ({d.chosen_by})", _change(d.gated)
    if p.check is not None:
        if p.check.check is None:
            return p.path, "new, invalid", p.check.error or ""
        c = p.check.check
        verdict = {"pass": "within budget", "fail": "OVER budget", "no_budget": "no budget"}
        return (
            p.path,
            f"{c.option.id} ({c.chosen_by})",
            f"new: {usd(c.option.monthly_usd)}/month, {verdict[p.check.status]}",
        )
    return p.path, "removed", f"{usd(p.past_usd or 0.0)} → –"


def _gate_lines(gates: tuple[Gate, ...]) -> list[str]:
    lines = []
    for g in gates:
        value = diff_render.gate_value(g)
        lines.append(f"{g.name} {g.limit:g} on the total: {value}, {'ok' if g.passed else 'OVER'}")
    return lines


def _failures(pd: ProjectDiff) -> list[str]:
    out = []
    for p in pd.profiles:
        if p.diff is not None:
            lines = zip(diff_render.gate_lines(p.diff), p.diff.gates, strict=True)
            out += [f"{p.path}: {line}" for line, g in lines if not g.passed]
        elif p.check is not None and p.check.status in ("fail", "error"):
            out += [f"{p.path}: {i.sentence}" for i in check_render.items(p.check)]
    out += [line for line, g in zip(_gate_lines(pd.gates), pd.gates, strict=True) if not g.passed]
    return out


def render_text(pd: ProjectDiff) -> str:
    rows = [_row(p) for p in pd.profiles if p.status != "unchanged"]
    lines = [f"total: {_change(pd.total)}/month over {len(pd.profiles)} profile(s)"]
    if not rows:
        lines.append("no change in any profile's cost")
    width = max([len(r[0]) for r in rows] + [8])
    lines += [f"{r[0]:<{width}}  {r[1]}  {r[2]}" for r in rows]
    lines += [f"FAIL  {line}" for line in _failures(pd)]
    return "\n".join(lines) + "\n"


def render_markdown(pd: ProjectDiff) -> str:
    """The pull-request comment: only what changed, with the total; empty when nothing did."""
    if not pd.changed and pd.passed:
        return ""
    out = [MARKER, f"**costcalc** · LLM cost of this change: {_change(pd.total)}/month", ""]
    out += ["| Profile | Option (rule) | Monthly cost |", "| --- | --- | --- |"]
    out += [
        "| " + " | ".join(md_cell(x) for x in _row(p)) + " |"
        for p in pd.profiles
        if p.status != "unchanged"
    ]
    failed = _failures(pd)
    if failed:
        out += ["", *[f"❌ {md_cell(line)}" for line in failed]]
    return "\n".join(out) + "\n"


def render_github(pd: ProjectDiff) -> str:
    lines = [
        check_render.annotation("error", "costcalc cost increase", line) for line in _failures(pd)
    ]
    if pd.changed:
        lines.append(
            check_render.annotation("notice", "costcalc diff", f"total {_change(pd.total)}")
        )
    return "\n".join(lines) + ("\n" if lines else "")


def report(pd: ProjectDiff) -> ProjectDiffReport:
    c = pd.total
    return ProjectDiffReport(
        schema_version=1,
        command="diff --baseline",
        passed=pd.passed,
        changed=pd.changed,
        total=Total(
            past=c.past or 0.0,
            current=c.current or 0.0,
            delta=c.delta or 0.0,
            pct=None if c.share is None else round(c.share * 100, 4),
        ),
        gates=[
            DiffGate(name=g.name, limit=g.limit, value=g.value, passed=g.passed) for g in pd.gates
        ],
        profiles=[
            ProfileChange(
                path=p.path,
                status=p.status,
                diff=diff_render.report(p.diff) if p.diff else None,
                check=check_render.report([p.check]).results[0] if p.check else None,
                past_usd=p.past_usd,
            )
            for p in pd.profiles
        ],
    )


def render_json(pd: ProjectDiff) -> str:
    return report(pd).json_text()
