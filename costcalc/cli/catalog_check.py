"""`costcalc catalog check`: stale prices, deprecated offers, broken entries; for CI schedules."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from costcalc.cli.catalog import app as catalog_app
from costcalc.cli.common import (
    CatalogOption,
    NoProjectOption,
    OutputOption,
    ProjectFileOption,
    TodayOption,
    project_context,
    user_errors,
    write_output,
)

if TYPE_CHECKING:
    from costcalc.core.analysis.audit import Finding
    from costcalc.core.analysis.options import Option
    from costcalc.render.catalog_check import Located
    from costcalc.schema.catalog import Catalog


class CheckFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"


@catalog_app.command("check")
@user_errors
def check(
    profiles: Annotated[
        list[Path] | None,
        typer.Argument(metavar="[PROFILE]...",
                       help="Profiles whose offers must be current (default: costcalc.yaml's)."),
    ] = None,
    catalog: CatalogOption = None,
    max_age_days: Annotated[
        int, typer.Option("--max-age-days", min=1, max=36_500, metavar="N",
                          help="A price older than this is stale (default 120).")
    ] = 120,
    output_format: Annotated[
        CheckFormat, typer.Option("--format", "-f",
                                  help="text, json, or github (workflow annotations).")
    ] = CheckFormat.text,
    output: OutputOption = None,
    on: TodayOption = None,
    project_file: ProjectFileOption = None,
    no_project: NoProjectOption = False,
) -> None:  # fmt: skip
    """Check the catalog: stale prices, deprecated and retiring offers, broken entries.

    Lists every hosted or compute price older than --max-age-days, every hosted offer past
    its deprecation date or reaching it within 30 days (with a successor: the same
    provider's cheapest offer of its class), and duplicate ids and dangling references in
    the catalog files. Exit 1 when an offer a profile uses is deprecated or stale beyond the
    limit, 2 when a catalog file is broken, else 0: run it in CI on a schedule.

    \b
    Examples:
      costcalc catalog check                       (the profiles of costcalc.yaml)
      costcalc catalog check profiles/*.yaml --max-age-days 90 --format github
    """
    from costcalc.core.analysis.audit import audit
    from costcalc.io.analyze import analyze, today
    from costcalc.io.catalog import Origins, Problems, load_catalog
    from costcalc.render import catalog_check as render

    project = project_context(project_file, no_project)
    dirs = [*(project.catalogs if project else []), *(catalog or [])]
    paths = list(profiles or [])
    if not paths and project is not None:
        paths = [e.path for e in project.entries]
    date = on or today()
    problems: Problems = []
    origins: Origins = {}
    prices = load_catalog(dirs, problems=problems, origins=origins)
    named: dict[str, list[str]] = {}
    if not problems:  # a broken catalog cannot price a profile
        for path in paths:
            shown = project.relative(path) if project else str(path)
            _, comparison, _ = analyze(path, dirs, on=date)
            for option in comparison.options:
                for oid in _ids(option):
                    named.setdefault(oid, []).append(shown)
    found = [_locate(f, prices, origins) for f in audit(prices, date, max_age_days, named)]
    found = [*(_problem(p) for p in problems), *found]
    checked = f"{len(paths)} profile(s), catalog {' + '.join(['built-in', *map(str, dirs)])}"
    if output_format is CheckFormat.json:
        text = render.render_json(found, checked, date.isoformat(), max_age_days)
    elif output_format is CheckFormat.github:
        from costcalc.io.project import repository_root

        root = repository_root(Path.cwd())
        text = render.render_github(found, str(root) if root else None)
    else:
        text = render.render_text(found, checked)
    write_output(text, output)
    if problems:
        raise typer.Exit(2)
    if any(x.finding.fails for x in found):
        raise typer.Exit(1)


def _ids(option: Option) -> list[str]:
    """The catalog entries an option rests on: a hosted offer, or a compute offer."""
    from costcalc.core.analysis.options import HostedOption, SelfHostedOption

    if isinstance(option, HostedOption):
        return [option.id]
    if isinstance(option, SelfHostedOption):
        return [option.cost.compute.id]
    return []


def _locate(finding: Finding, prices: Catalog, origins: dict[int, str]) -> Located:
    """The finding with its entry's file and line, read from where the loader found it."""
    from costcalc.io.yamlfile import locate
    from costcalc.render.catalog_check import Located

    entry = prices.hosted.get(finding.id) or prices.compute.get(finding.id)
    origin = origins.get(id(entry), "")
    file, _, record = origin.partition(": ")
    key, _, index = record.rstrip("]").partition("[")
    if not file or not index.isdigit():
        return Located(finding)
    found = locate(Path(file), [key, int(index), "id"])
    return Located(finding, _shown(file), found[0] if found else None)


def _shown(file: str) -> str:
    """A catalog file's path from the current folder when it is under it (pricing/hosted.yaml)."""
    path = Path(file)
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return file


def _problem(problem: tuple[str, list[int | str], str]) -> Located:
    from costcalc.core.analysis.audit import Finding
    from costcalc.io.yamlfile import locate
    from costcalc.render.catalog_check import Located

    file, keys, message = problem
    found = locate(Path(file), keys) if keys else None
    text = message.split(": ", 1)[-1] if message.startswith(file) else message
    return Located(Finding("error", _shown(file), text), _shown(file), found[0] if found else None)
