"""`costcalc diff`: what a change to a profile does to the bill, with gates for CI (exit 1)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from costcalc.cli.common import (
    CatalogOption,
    OutputOption,
    append_step_summary,
    finite,
    named,
    user_errors,
    write_output,
)
from costcalc.io.analyze import analyze

if TYPE_CHECKING:
    from costcalc.schema.report import CompareReport


class DiffFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    github = "github"


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
        Path, typer.Argument(metavar="BASE", help="Profile or saved compare JSON (before).")
    ],
    head: Annotated[
        Path, typer.Argument(metavar="HEAD", help="Profile or saved compare JSON (after).")
    ],
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

    catalogs = list(catalog or [])
    result = run_diff(_report(base, catalogs), _report(head, catalogs), option, max_increase_pct,
                      max_increase_usd)  # fmt: skip
    renderers = {
        DiffFormat.text: render.render_text, DiffFormat.json: render.render_json,
        DiffFormat.markdown: render.render_markdown, DiffFormat.github: render.render_github,
    }  # fmt: skip
    write_output(renderers[output_format](result), output)
    if output_format is DiffFormat.github:
        append_step_summary(render.render_markdown(result))
    raise typer.Exit(0 if result.passed else 1)
