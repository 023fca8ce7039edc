"""`costcalc compare`: the report of one profile in text, JSON, Markdown or CSV."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from costcalc.cli.common import (
    CatalogOption,
    NoProjectOption,
    OutputOption,
    ProjectFileOption,
    QuietOption,
    SamplesOption,
    SeedOption,
    TodayOption,
    WidthOption,
    plot_format,
    project_context,
    project_range,
    say_stale,
    terminal_width,
    user_errors,
    write_output,
    write_plot,
)
from costcalc.cli.compare_render import Look, render_one, render_project
from costcalc.cli.values import parse_range, parse_volume
from costcalc.errors import UserError
from costcalc.io.analyze import analyze
from costcalc.render import Format


@user_errors
def compare(
    profile: Annotated[
        Path | None,
        typer.Argument(
            metavar="PROFILE",
            help="Traffic profile (YAML), e.g. profiles/rag-support-chatbot.yaml (default: "
            "every profile of costcalc.yaml).",
        ),
    ] = None,
    output_format: Annotated[
        Format,
        typer.Option(
            "--format",
            "-f",
            help="text (terminal), json (contract, schema_version 2), markdown or csv.",
        ),
    ] = Format.text,
    catalog: CatalogOption = None,
    requests_per_day: Annotated[
        str | None,
        typer.Option(
            "--requests-per-day",
            help="Override the profile's volume, e.g. 250k or 1.2M.",
            metavar="N",
        ),
    ] = None,
    volume_range: Annotated[
        str | None,
        typer.Option(
            "--range",
            help=(
                "Break-even search range in billed tokens/day, e.g. 100k:10M, or in "
                "requests/day with a req ending, e.g. 10k:1Mreq. "
                "Default: 100K-10M tokens/day, widened to 1/10-10x your volume."
            ),
            metavar="LOW:HIGH",
        ),
    ] = None,
    every_option: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Compare every hosted offer and every model/compute pairing of the catalog "
            "that fits in memory (smallest replica), instead of the profile's list.",
        ),
    ] = False,
    samples: SamplesOption = None,
    seed: SeedOption = 0,
    plot: Annotated[
        Path | None,
        typer.Option(
            "--plot",
            metavar="FILE.png|svg",
            help="Also draw the cost curves to an image (needs the plot extra: "
            "pip install 'costcalc[plot]'); P10-P90 bands with --monte-carlo.",
        ),
    ] = None,
    output: OutputOption = None,
    whole_project: Annotated[
        bool,
        typer.Option(
            "--project",
            help="Compare every profile of the project file; with -f json, one file holding "
            "every report: the baseline `costcalc diff --baseline` reads.",
        ),
    ] = False,
    project_file: ProjectFileOption = None,
    no_project: NoProjectOption = False,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose",
            "-v",
            help="Text report: every note of each option in full (default: one line each).",
        ),
    ] = False,
    width: WidthOption = None,
    color: Annotated[
        bool | None,
        typer.Option(
            "--color/--no-color",
            help="Color the text report (default: on a terminal, unless NO_COLOR is set).",
        ),
    ] = None,
    on: TodayOption = None,
    quiet: QuietOption = False,
) -> None:
    """Compare hosted APIs with self-hosted vLLM for a traffic profile.

    Prints the cheapest option at your volume, every option's monthly cost, the token
    inflation behind it, and where each self-hosted option breaks even against each hosted
    one. Without a `compare:` section in the profile, a default set is chosen from the
    catalog (and the report says which).

    \b
    Examples:
      costcalc compare profiles/rag-support-chatbot.yaml
      costcalc compare profiles/tool-agent.yaml -f json
      costcalc compare my.yaml --requests-per-day 300k
      costcalc compare my.yaml --catalog ./our-prices --range 1M:1B
      costcalc compare my.yaml --monte-carlo 10000 --seed 7
      costcalc compare my.yaml --monte-carlo 10000 --plot costs.png
      costcalc compare my.yaml --all -f csv -o every-option.csv

    Any number of the traffic, request or overheads sections may be a distribution:
    {median: 40000, p90: 90000} (lognormal), {low: 100, high: 300} (uniform) or
    {low: 4, mode: 8, high: 30} (triangular). Point results use the mean; --monte-carlo
    adds P10-P90 ranges of every cost and break-even, and the probability that self-hosting
    is cheaper at your volume.

    Exit codes: 0 success, 2 invalid usage or input, 3 internal error (a bug).
    """
    volume = parse_volume(requests_per_day, "--requests-per-day")
    project = project_context(project_file, no_project)
    catalogs = [*(project.catalogs if project else []), *(catalog or [])]
    span = parse_range(volume_range) if volume_range else project_range(project)
    image_format = plot_format(plot)
    use_color = (
        color
        if color is not None
        else output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    )
    look = Look(output_format, terminal_width(width), use_color, verbose)
    if whole_project or profile is None:
        if project is None:
            raise UserError(
                "no PROFILE given and no costcalc.yaml found from here up to the repository "
                "root; name a profile, or --project-file FILE"
            )
        if plot is not None:
            raise UserError("--plot draws one profile; name it")
        runs = [
            (project.relative(e.path), *analyze(e.path, catalogs, volume, span, samples, seed,
                                                every_option, on)[:2])
            for e in project.entries
        ]  # fmt: skip
        write_output(render_project(str(project.path), runs, look), output)
        say_stale([result for _, _, result in runs], quiet)
        return
    loaded, result, _ = analyze(profile, catalogs, volume, span, samples, seed, every_option, on)
    text = render_one(loaded, result, look)
    write_output(text, output)
    say_stale([result], quiet)
    if plot is not None:
        write_plot(result, plot, image_format)
