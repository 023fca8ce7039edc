"""`compare`'s output in the format asked for: one profile's report, or every profile's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from costcalc.render import Format

if TYPE_CHECKING:
    from costcalc.core.analysis.compare import Comparison
    from costcalc.io.profiles import LoadedProfile


@dataclass(frozen=True)
class Look:
    fmt: Format
    width: int
    color: bool
    verbose: bool


def render_one(loaded: LoadedProfile, result: Comparison, look: Look) -> str:
    """One profile's report; heavy renderers are imported only when asked for."""
    from costcalc.render.context import ReportContext

    ctx = ReportContext(loaded.token_sources, loaded.defaults_used, loaded.warnings)
    if look.fmt is Format.json:
        from costcalc.render.json import render_json

        return render_json(result, ctx.warnings)
    if look.fmt is Format.markdown:
        from costcalc.render.markdown import render_markdown

        return render_markdown(result, ctx)
    if look.fmt is Format.csv:
        from costcalc.render.csvout import render_csv

        return render_csv(result)
    from costcalc.core.analysis.curves import cost_curves
    from costcalc.render.text import render_text

    curves = cost_curves(result)
    return render_text(result, ctx, curves, look.width, look.color, look.verbose)


def render_project(
    project: str, runs: Sequence[tuple[str, LoadedProfile, Comparison]], look: Look
) -> str:
    """Every profile of the project: JSON as one document (the baseline of `diff --baseline`),
    CSV as one table with a `profile` column, text and Markdown one report after another."""
    if look.fmt is Format.json:
        from costcalc.render.json import report
        from costcalc.schema.report_project import ProfileReport, ProjectCompareReport

        return ProjectCompareReport(
            schema_version=1,
            command="compare --project",
            project=project,
            reports=[
                ProfileReport(path=path, report=report(result, loaded.warnings))
                for path, loaded, result in runs
            ],
        ).json_text()
    if look.fmt is Format.csv:
        tables = [render_one(loaded, result, look).splitlines() for _, loaded, result in runs]
        header = f"profile,{tables[0][0]}" if tables else "profile"
        rows = [f"{path},{row}" for (path, _, _), t in zip(runs, tables, strict=True)
                for row in t[1:]]  # fmt: skip
        return "\n".join([header, *rows]) + "\n"
    rule = "\n" + ("---" if look.fmt is Format.markdown else "=" * look.width) + "\n\n"
    return rule.join(render_one(loaded, result, look) for _, loaded, result in runs)
