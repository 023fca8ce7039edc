"""`costcalc diff`: what a change to a profile does to the bill, with gates for CI (exit 1)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from costcalc.cli.common import (
    CatalogOption,
    NoProjectOption,
    OutputOption,
    ProjectFileOption,
    append_step_summary,
    project_context,
    user_errors,
    write_output,
)
from costcalc.cli.values import finite, named
from costcalc.errors import UserError
from costcalc.io.analyze import analyze

if TYPE_CHECKING:
    from costcalc.io.project import LoadedProject
    from costcalc.schema.report import CompareReport


class DiffFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    github = "github"


def _emit(render: Any, result: Any, output_format: DiffFormat, output: Path | None) -> None:
    """Write the diff in its format (render is render.diff or render.project_diff: the same
    four functions); under GitHub Actions the Markdown goes to the step summary too."""
    renderers = {
        DiffFormat.text: render.render_text, DiffFormat.json: render.render_json,
        DiffFormat.markdown: render.render_markdown, DiffFormat.github: render.render_github,
    }  # fmt: skip
    write_output(renderers[output_format](result), output)
    if output_format is DiffFormat.github:
        append_step_summary(render.render_markdown(result))


def _project_diff(
    project: LoadedProject,
    baseline: Path,
    catalogs: list[Path],
    option: str | None,
    max_increase_pct: float | None,
    max_increase_usd: float | None,
    output_format: DiffFormat,
    output: Path | None,
) -> None:
    """Every profile of the project now against the baseline's reports; exit 1 when a gate
    breaks (a profile's, the total's, or a new profile's own budget)."""
    from costcalc.core.gates.project import project_diff
    from costcalc.io.analyze import check_profiles
    from costcalc.io.project import load_baseline
    from costcalc.render import project_diff as render
    from costcalc.schema.profile import Budget

    base = {r.path: r.report for r in load_baseline(baseline).reports}
    head, new, options = {}, {}, {}
    for entry in project.entries:
        path = project.relative(entry.path)
        options[path] = entry.budget.option if entry.budget else None
        if path in base:
            head[path] = _report(entry.path, catalogs)
        else:  # no baseline: checked on its own budget
            (new[path],) = check_profiles([entry], catalogs, Budget(), option)
    result = project_diff(base, head, new, option,
                          max_increase_pct, max_increase_usd, options)  # fmt: skip
    _emit(render, result, output_format, output)
    for p in result.profiles:  # a new profile that cannot be checked: say why, exit 2
        if p.check is not None and p.check.error is not None:
            typer.echo(f"error: {p.path}: {p.check.error}", err=True)
            raise typer.Exit(2)
    raise typer.Exit(0 if result.passed else 1)


def _report(path: Path, catalogs: list[Path]) -> CompareReport:
    """A saved compare JSON, parsed by its model, or a profile compared now."""
    from costcalc.io.project import is_report, load_report
    from costcalc.render.json import report

    if is_report(path):
        return load_report(path)
    loaded, comparison, _ = analyze(path, catalogs)
    return report(comparison, loaded.warnings)


@user_errors
def diff(
    base: Annotated[
        Path | None,
        typer.Argument(metavar="BASE", help="Profile or saved compare JSON (before)."),
    ] = None,
    head: Annotated[
        Path | None,
        typer.Argument(metavar="HEAD", help="Profile or saved compare JSON (after)."),
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option(
            "--baseline",
            metavar="FILE|DIR",
            help="Diff every profile of the project against this baseline (`compare --project "
            "-f json` on the target branch; a folder holding baseline.json) instead of BASE "
            "and HEAD: per profile and in total, new profiles checked on their own budget.",
        ),
    ] = None,
    project_file: ProjectFileOption = None,
    no_project: NoProjectOption = False,
    catalog: CatalogOption = None,
    option: Annotated[
        str | None,
        typer.Option(
            "--option",
            metavar="ID",
            help="Option to gate on (default: HEAD's budget.option, else the option its "
            "verdict recommends).",
            callback=named,
        ),
    ] = None,
    max_increase_pct: Annotated[
        float | None,
        typer.Option(
            "--max-increase-pct",
            min=0,
            callback=finite,
            metavar="P",
            help="Fail when its monthly cost rises more than P %.",
        ),
    ] = None,
    max_increase_usd: Annotated[
        float | None,
        typer.Option(
            "--max-increase-usd",
            min=0,
            callback=finite,
            metavar="U",
            help="Fail when its monthly cost rises more than U USD.",
        ),
    ] = None,
    output_format: Annotated[
        DiffFormat,
        typer.Option(
            "--format",
            "-f",
            help="text, json, markdown (a PR comment) or github (workflow annotations).",
        ),
    ] = DiffFormat.text,
    output: OutputOption = None,
) -> None:
    """Show past, current and change per option; exit 1 when a gate is crossed.

    BASE and HEAD are each a profile (compared now) or a saved `compare --format json`
    report, typically the baseline saved on the main branch. Markdown is a compact PR comment
    of what changed, and says nothing when nothing did.

    \b
    Examples:
      costcalc diff baseline.json profiles/tool-agent.yaml --max-increase-pct 10
      costcalc diff baseline.json profiles/tool-agent.yaml -f markdown -o comment.md
    """
    from costcalc.core.gates.diff import diff as run_diff
    from costcalc.render import diff as render

    project = project_context(project_file, no_project)
    catalogs = [*(project.catalogs if project else []), *(catalog or [])]
    if baseline is not None:
        if base is not None or head is not None:
            raise typer.BadParameter("give BASE and HEAD, or --baseline, not both")
        if project is None:
            raise UserError(
                "--baseline diffs the profiles of costcalc.yaml, and none was found from here "
                "up to the repository root; pass --project-file FILE"
            )
        _project_diff(project, baseline, catalogs, option, max_increase_pct, max_increase_usd,
                      output_format, output)  # fmt: skip
        return
    if base is None or head is None:
        raise typer.BadParameter("give BASE and HEAD (or --baseline FILE)")
    from costcalc.io.project import is_report  # here: pydantic's models load only when needed

    entry = project.entry_for(head) if project and not is_report(head) else None
    project_option = entry.budget.option if entry and entry.budget else None
    result = run_diff(_report(base, catalogs), _report(head, catalogs), option, max_increase_pct,
                      max_increase_usd, project_option)  # fmt: skip
    _emit(render, result, output_format, output)
    raise typer.Exit(0 if result.passed else 1)
