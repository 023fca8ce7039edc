"""`costcalc catalog check`: stale prices, deprecated offers, broken entries; for CI schedules."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
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
    from costcalc.io.catalog import Origins
    from costcalc.io.project import LoadedProject
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
    from costcalc.io.analyze import today
    from costcalc.render import catalog_check as render

    project = project_context(project_file, no_project)
    dirs = [*(project.catalogs if project else []), *(catalog or [])]
    paths = list(profiles or [])
    if not paths and project is not None:
        paths = [e.path for e in project.entries]
    date = on or today()
    if output_format is CheckFormat.github:
        from costcalc.io.project import repository_root

        root = repository_root(Path.cwd())
        shown: Callable[[str], str | None] = functools.partial(_from_root, root)
    else:
        shown = _shown
    found = _findings(dirs, paths, project, date, max_age_days, shown)
    checked = f"{len(paths)} profile(s), catalog {' + '.join(['built-in', *map(str, dirs)])}"
    if output_format is CheckFormat.json:
        text = render.render_json(found, checked, date.isoformat(), max_age_days)
    elif output_format is CheckFormat.github:
        text = render.render_github(found, None)  # paths are from the repository root already
    else:
        text = render.render_text(found, checked)
    write_output(text, output)
    if any(x.finding.kind == "error" for x in found):
        raise typer.Exit(2)
    if any(x.finding.fails for x in found):
        raise typer.Exit(1)


def _findings(
    dirs: list[Path], paths: list[Path], project: LoadedProject | None, date: dt.date,
    max_age_days: int, shown: Callable[[str], str | None],
) -> list[Located]:  # fmt: skip
    """Every finding, located; a catalog or profile that does not load is an "error" finding
    (in the format asked for, so CI shows it), not a message on stderr."""
    from costcalc.core.analysis.audit import Finding, audit
    from costcalc.errors import InputFileError, UserError
    from costcalc.io.analyze import analyze
    from costcalc.io.catalog import Problems, load_catalog
    from costcalc.render.catalog_check import Located

    problems: Problems = []
    origins: Origins = {}
    try:
        prices = load_catalog(dirs, problems=problems, origins=origins)
    except UserError as exc:
        file = str(exc.path) if isinstance(exc, InputFileError) else "catalog"
        where = shown(file) if isinstance(exc, InputFileError) else None
        return [Located(Finding("error", where or file, str(exc)), where)]
    found = [_problem(p, shown) for p in problems]
    named: dict[str, list[str]] = {}
    for path in paths if not problems else []:  # a broken catalog cannot price a profile
        label = project.relative(path) if project else str(path)
        try:
            _, comparison, _ = analyze(path, dirs, on=date)
        except UserError as exc:
            found.append(Located(Finding("error", label, str(exc)), shown(str(path))))
            continue
        for option in comparison.options:
            for oid in _ids(option):
                named.setdefault(oid, []).append(label)
    audited = audit(prices, date, max_age_days, named)
    return found + [_locate(f, prices, origins, shown) for f in audited]


def _ids(option: Option) -> list[str]:
    """The catalog entries an option rests on: a hosted offer, or a compute offer."""
    from costcalc.core.analysis.options import HostedOption, SelfHostedOption

    if isinstance(option, HostedOption):
        return [option.id]
    if isinstance(option, SelfHostedOption):
        return [option.cost.compute.id]
    return []


def _locate(
    finding: Finding, prices: Catalog, origins: Origins, shown: Callable[[str], str | None]
) -> Located:
    """The finding with its entry's file and line, read from where the loader found it."""
    from costcalc.io.yamlfile import locate
    from costcalc.render.catalog_check import Located

    entry = prices.hosted.get(finding.id) or prices.compute.get(finding.id)
    if id(entry) not in origins:
        return Located(finding)
    file, key, index = origins[id(entry)]
    found = locate(Path(file), [key, index, "id"])
    return Located(finding, shown(file), found[0] if found else None)


def _from_root(root: Path | None, file: str) -> str | None:
    """A file's path from the repository root, as GitHub annotations want it; None outside the
    repository (the installed package's own catalog), where an annotation cannot point."""
    if root is None:
        return None
    try:
        return Path(file).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


def _shown(file: str) -> str:
    """A catalog file's path from the current folder when it is under it (pricing/hosted.yaml)."""
    path = Path(file)
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return file


def _problem(
    problem: tuple[str, list[int | str], str], shown: Callable[[str], str | None]
) -> Located:
    from costcalc.core.analysis.audit import Finding
    from costcalc.io.yamlfile import locate
    from costcalc.render.catalog_check import Located

    file, keys, message = problem
    found = locate(Path(file), keys) if keys else None
    text = message.split(": ", 1)[-1] if message.startswith(file) else message
    where = shown(file)
    return Located(Finding("error", where or file, text), where, found[0] if found else None)
