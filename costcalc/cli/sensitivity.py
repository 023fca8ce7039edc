"""`costcalc sensitivity`: which inputs move the break-even and the costs, and how far."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from costcalc.cli.common import (
    CatalogOption,
    NoProjectOption,
    OutputOption,
    ProjectFileOption,
    WidthOption,
    project_context,
    project_range,
    terminal_width,
    user_errors,
    write_output,
)


class SensitivityFormat(StrEnum):
    text = "text"
    json = "json"


@user_errors
def sensitivity(
    profile: Annotated[Path, typer.Argument(metavar="PROFILE", help="Traffic profile (YAML).")],
    pair: Annotated[
        tuple[str, str] | None,
        typer.Option(
            "--pair",
            metavar="HOSTED SELF",
            help="The hosted and self-hosted option to study (default: the pair the verdict "
            "is about, `featured` in compare -f json).",
        ),
    ] = None,
    catalog: CatalogOption = None,
    project_file: ProjectFileOption = None,
    no_project: NoProjectOption = False,
    output_format: Annotated[
        SensitivityFormat, typer.Option("--format", "-f", help="text (a tornado chart) or json.")
    ] = SensitivityFormat.text,
    output: OutputOption = None,
    width: WidthOption = None,
    color: Annotated[
        bool | None,
        typer.Option(
            "--color/--no-color",
            help="Color the chart (default: on a terminal, unless NO_COLOR is set).",
        ),
    ] = None,
) -> None:
    """Tornado: how far the break-even and monthly costs move as each input goes low → high.

    Every number of the profile's traffic, request and overheads sections moves on its own,
    the others held at their point values: from P10 to P90 when it is a distribution, else
    ±25 %. Inputs are sorted by their effect on the break-even volume (then on the costs).

    \b
    Examples:
      costcalc sensitivity profiles/seed-stage-uncertain.yaml
      costcalc sensitivity my.yaml --pair openai/gpt-4o-mini llama-3.1-8b-instruct@runpod/a40
      costcalc sensitivity my.yaml -f json -o tornado.json
    """
    from costcalc.core.analysis.sensitivity import sensitivity as run
    from costcalc.errors import UnknownIdError, UserError
    from costcalc.io.analyze import analyze
    from costcalc.render import sensitivity as render

    project = project_context(project_file, no_project)
    catalogs = [*(project.catalogs if project else []), *(catalog or [])]
    span = project_range(project)
    loaded, comparison, prices = analyze(profile, catalogs, None, span)
    try:
        result = run(comparison, prices, loaded.uncertain, pair)
    except UnknownIdError:
        raise  # names --pair already
    except UserError as exc:  # nothing to weigh: say which profile
        raise UserError(f"{profile}: {exc}") from None
    if output_format is SensitivityFormat.json:
        text = render.render_json(result)
    else:
        use_color = (
            color
            if color is not None
            else (output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ)
        )
        text = render.render_text(result, terminal_width(width), use_color)
    write_output(text, output)
