"""What every command shares: one error path, volume parsing, the price-age date, width."""

from __future__ import annotations

import datetime as dt
import functools
import math
import os
import re
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

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


def finite(value: float | None) -> float | None:
    """A numeric flag's callback: inf and nan are not limits (`--max-increase-pct inf`)."""
    if value is not None and not math.isfinite(value):
        raise typer.BadParameter(f"{value}: give a finite number")
    return value


def within(low: float, high: float) -> Callable[[float | None], float | None]:
    """A numeric flag's callback that says what a bad value is: nan and inf are not numbers
    here, and typer's own range check calls `--days nan` "more than 36500"."""

    def check(value: float | None) -> float | None:
        if value is not None and not (math.isfinite(value) and low <= value <= high):
            raise typer.BadParameter(f"{value:g}: give a number from {_shown(low)} to "
                                     f"{_shown(high)}")  # fmt: skip
        return value

    return check


def _shown(limit: float) -> str:
    return f"{int(limit):,}" if float(limit).is_integer() else f"{limit:g}"


def named(value: str | None) -> str | None:
    """An id flag's callback: `--option ""` (an unset CI variable) names nothing."""
    if value is not None and not value.strip():
        raise typer.BadParameter("empty: name an option id, or leave the flag out")
    return value


def parse_volume(text: str | None, option: str) -> float | None:
    if text is None:
        return None
    from costcalc.core.units import parse_quantity

    try:
        return parse_quantity(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint=f"'{option}'") from None


def parse_range(text: str | None) -> tuple[float, float, str] | None:
    """`--range LOW:HIGH` in billed tokens/day, or in requests/day with a `req` ending
    (`10k:1Mreq`); `tok` may end it too. The unit is returned beside the two volumes."""
    if text is None:
        return None
    unit = "tok"
    found = re.search(r"(req|requests|tok|tokens)$", text.strip(), re.IGNORECASE)
    body = text.strip()
    if found:
        unit = "req" if found.group(1).lower().startswith("req") else "tok"
        body = body[: found.start()]
    low_text, sep, high_text = body.partition(":")
    if not sep:
        raise typer.BadParameter(
            f"{text!r}: expected LOW:HIGH, such as 100k:10M (tokens/day) or 10k:1Mreq "
            "(requests/day)",
            param_hint="'--range'",
        )
    low, high = parse_volume(low_text, "--range"), parse_volume(high_text, "--range")
    assert low is not None and high is not None
    if low >= high:
        raise typer.BadParameter(f"{text!r}: LOW must be below HIGH", param_hint="'--range'")
    from costcalc.io.analyze import MAX_RANGE_TOKENS_PER_DAY

    if unit == "tok" and high > MAX_RANGE_TOKENS_PER_DAY:  # a month past 1e18 tokens
        raise typer.BadParameter(
            f"{text!r}: HIGH is at most {MAX_RANGE_TOKENS_PER_DAY:.0e} billed tokens/day",
            param_hint="'--range'",
        )
    return low, high, unit


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


def parse_date(value: str | None, option: str = "--today") -> dt.date | None:
    """YYYY-MM-DD only: Python also reads 20261205 and 2026-W49-1, which nobody means."""
    if value is None:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise ValueError(value)
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(
            f"{value!r}: expected a date such as 2026-12-31", param_hint=f"'{option}'"
        ) from None


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
