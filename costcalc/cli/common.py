"""What every command shares: one error path, volume parsing, the price-age date, width."""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from costcalc.cli.values import parse_date, parse_range
from costcalc.errors import UserError

if TYPE_CHECKING:
    from costcalc.core.analysis.compare import Comparison
    from costcalc.io.project import LoadedProject

F = TypeVar("F", bound=Callable[..., Any])

CatalogOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--catalog",
        metavar="DIR",
        help="Catalog directory layered over the built-in one; repeatable.",
    ),
]


def output_path(text: str | Path) -> Path:
    """An output file as given: a trailing slash names a folder, which Path would drop
    (`-o reports/` would write a file named reports)."""
    if isinstance(text, Path):  # a default
        return text
    if text != "-" and text.endswith(("/", os.sep)):
        raise typer.BadParameter(
            f"{text}: names a folder (it ends with a slash); name the file to write in it"
        )
    return Path(text)


def checked_output(path: Path | None) -> Path | None:
    return _writable(path)  # typer passes a callback only the value when it takes one argument


def _writable(path: Path | None, hint: str | None = None) -> Path | None:
    """An output path checked before any work is done (a folder, a path under a file: exit 2)."""
    if path is not None and str(path) != "-":
        from costcalc.io.output import check_target

        try:
            check_target(path)
        except UserError as exc:
            raise typer.BadParameter(str(exc), param_hint=hint) from None
    return path


WidthOption = Annotated[
    int | None,
    typer.Option(
        "--width",
        min=60,
        max=400,
        metavar="COLUMNS",
        help="Text width (default: the terminal's, else 100).",
    ),
]

ProjectFileOption = Annotated[
    Path | None,
    typer.Option(
        "--project-file",
        metavar="FILE",
        help="Project file to read (default: costcalc.yaml, found from here up to the "
        "repository root): its catalogs, profiles, budgets and default range.",
    ),
]
NoProjectOption = Annotated[
    bool, typer.Option("--no-project", help="Ignore costcalc.yaml: only the flags count.")
]


def project_context(project_file: Path | None, no_project: bool) -> LoadedProject | None:
    """The project this command reads, or None (no costcalc.yaml, or --no-project)."""
    from costcalc.io.project import resolve_project

    return resolve_project(project_file, no_project, Path.cwd())


def project_range(project: LoadedProject | None) -> tuple[float, float, str] | None:
    """The project file's default `range:`, parsed as --range is; a bad one names the file
    and the field, not the flag."""
    if project is None or project.range is None:
        return None
    try:
        return parse_range(project.range)
    except typer.BadParameter as exc:
        raise UserError(f"{project.path}: field `range`: {exc.message}") from None


OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        help="Write the report here instead of stdout.",
        parser=output_path,
        callback=checked_output,
    ),
]


def _fail(message: str, code: int) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def user_errors(func: F) -> F:
    """One error path: user errors → message on stderr, exit 2; bugs → traceback, exit 3."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, typer.BadParameter):
            raise  # typer prints these with the usage line and exits 2
        except UserError as exc:
            _fail(str(exc), exc.exit_code)
        except Exception:
            traceback.print_exc()
            typer.echo(
                "costcalc hit an internal error (exit 3). This is a bug: please report it with "
                "the command line and the files it read.",
                err=True,
            )
            raise typer.Exit(3) from None
        return None

    return wrapper  # type: ignore[return-value]


def terminal_width(width: int | None) -> int:
    if width is not None:
        return width
    if sys.stdout.isatty():
        import shutil

        return max(80, shutil.get_terminal_size((100, 24)).columns)
    return 100


SamplesOption = Annotated[
    int | None,
    typer.Option(
        "--monte-carlo",
        min=100,
        max=1_000_000,
        metavar="N",
        help="Sample the profile's uncertain inputs N times (e.g. 10000): P10-P90 ranges.",
    ),
]
SeedOption = Annotated[
    int, typer.Option("--seed", min=0, help="Random seed of --monte-carlo; same seed, same output.")
]


def write_output(text: str, output: Path | None) -> None:
    """The report to stdout, or to a file (a JUnit report for the CI server, a PR comment)."""
    if output is None or str(output) == "-":  # `-o -`: stdout, as most tools read it
        sys.stdout.write(text)
        return
    from costcalc.io.output import write_file

    write_file(output, text)


def append_step_summary(markdown: str) -> None:
    """Under GitHub Actions, add the Markdown report to the job's step summary."""
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        from costcalc.io.output import append_file

        append_file(Path(summary_file), markdown)


def plot_format(path: Path | None) -> str | None:
    """png or svg from the file name, checked before any work is done."""
    if path is None:
        return None
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in ("png", "svg"):
        raise typer.BadParameter(f"{path}: name a .png or .svg file", param_hint="'--plot'")
    _writable(path, "'--plot'")
    return suffix


def write_plot(result: Comparison, path: Path, image_format: str | None) -> None:
    """The cost curves as an image (matplotlib), with P10-P90 bands after Monte Carlo."""
    from costcalc.core.analysis.curves import cost_curves
    from costcalc.render.plot import cost_plot

    curves = cost_curves(result, bands=True)
    if curves is None:
        raise UserError("--plot needs at least one hosted and one self-hosted option")
    from costcalc.io.output import write_file

    write_file(path, cost_plot(curves, image_format or "png"))
    typer.echo(f"wrote {path}", err=True)


TodayOption = Annotated[
    dt.date | None,
    typer.Option(
        "--today",
        metavar="YYYY-MM-DD",
        parser=parse_date,
        help="Judge deprecations and price ages at this date (default: today, or COSTCALC_TODAY).",
    ),
]
QuietOption = Annotated[
    bool,
    typer.Option("--quiet", "-q", help="Do not print the stale-price warning after the report."),
]


def say_stale(comparisons: Sequence[Comparison], quiet: bool) -> None:
    """The stale-price warning, once for the whole run, on stderr after the report."""
    from costcalc.core.analysis.checks import all_stale

    if quiet:
        return
    for text in all_stale(comparisons):
        typer.echo(f"warning: {text}", err=True)
