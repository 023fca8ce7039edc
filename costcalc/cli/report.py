"""`costcalc report`: the whole analysis as one self-contained HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from costcalc.cli.common import (
    CatalogOption,
    NoProjectOption,
    OutputOption,
    ProjectFileOption,
    SamplesOption,
    SeedOption,
    project_context,
    project_range,
    user_errors,
    write_output,
)
from costcalc.cli.values import parse_volume
from costcalc.io.analyze import analyze, today


@user_errors
def report(
    profile: Annotated[Path, typer.Argument(metavar="PROFILE", help="Traffic profile (YAML).")],
    output: OutputOption = None,
    catalog: CatalogOption = None,
    project_file: ProjectFileOption = None,
    no_project: NoProjectOption = False,
    samples: SamplesOption = None,
    seed: SeedOption = 0,
    requests_per_day: Annotated[
        str | None,
        typer.Option("--requests-per-day", metavar="N", help="Override the profile's volume."),
    ] = None,
) -> None:
    """Write one HTML page: verdict, cost chart, tables, sensitivity and assumptions.

    The page is self-contained (charts are embedded SVG, no scripts, fonts or CDN), so it
    opens offline and can be attached to a pull request or an email. Charts need the plot
    extra (pip install 'costcalc[plot]'); without it the page has every table and says how to
    add the charts. With --monte-carlo the tables show P10-P90 ranges
    and the cost chart P10-P90 bands.

    \b
    Examples:
      costcalc report profiles/seed-stage-uncertain.yaml --monte-carlo 10000 -o report.html
      costcalc report my.yaml -o build/costs.html
    """
    from costcalc.core.analysis.curves import cost_curves
    from costcalc.core.analysis.sensitivity import sensitivity
    from costcalc.errors import UserError
    from costcalc.render.context import ReportContext
    from costcalc.render.html import render_html

    volume = parse_volume(requests_per_day, "--requests-per-day")
    project = project_context(project_file, no_project)
    catalogs = [*(project.catalogs if project else []), *(catalog or [])]
    span = project_range(project)
    loaded, comparison, prices = analyze(profile, catalogs, volume, span, samples, seed)
    try:
        tornado = sensitivity(comparison, prices, loaded.uncertain)
    except UserError:
        tornado = None  # one kind of option only: nothing to weigh against
    ctx = ReportContext(loaded.token_sources, loaded.defaults_used, loaded.warnings)
    curves = cost_curves(comparison, bands=True)
    page = render_html(comparison, ctx, curves, tornado, f"generated {today().isoformat()}")
    write_output(page, output)
    if output is not None:
        typer.echo(f"wrote {output}", err=True)
