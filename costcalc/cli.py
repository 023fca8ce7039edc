"""The `costcalc` command line: parse, load, compute, render, exit with a documented code."""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from costcalc import __version__
from costcalc.errors import UserError
from costcalc.render import Format

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CODES = """Exit codes: 0 success · 1 budget or threshold exceeded (check, diff) ·
2 invalid usage or input · 3 internal error (a bug: please report it)."""

app = typer.Typer(
    name="costcalc",
    help=(
        "Hosted LLM API or self-hosted vLLM? Monthly cost, token inflation and the break-even "
        "volume for your traffic profile.\n\n" + EXIT_CODES
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain click help: paragraphs rewrap to the terminal, no boxes
    context_settings={"help_option_names": ["-h", "--help"]},
)


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


def _version(value: bool) -> None:
    if value:
        typer.echo(f"costcalc {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = None,
) -> None:
    """Global options."""


def parse_volume(text: str | None, option: str) -> float | None:
    if text is None:
        return None
    from costcalc.core.units import parse_quantity

    try:
        return parse_quantity(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint=f"'{option}'") from None


def parse_range(text: str | None) -> tuple[float, float] | None:
    if text is None:
        return None
    low_text, sep, high_text = text.partition(":")
    if not sep:
        raise typer.BadParameter(
            f"{text!r}: expected LOW:HIGH, such as 100k:10M", param_hint="'--range'"
        )
    low, high = parse_volume(low_text, "--range"), parse_volume(high_text, "--range")
    assert low is not None and high is not None
    if low >= high:
        raise typer.BadParameter(f"{text!r}: LOW must be below HIGH", param_hint="'--range'")
    return low, high


def today() -> dt.date:
    """The date prices are aged against; COSTCALC_TODAY=YYYY-MM-DD pins it (reproducible CI)."""
    pinned = os.environ.get("COSTCALC_TODAY")
    if not pinned:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(pinned)
    except ValueError:
        raise UserError(f"COSTCALC_TODAY={pinned!r}: expected a date such as 2026-11-27") from None


def _width(width: int | None) -> int:
    if width is not None:
        return width
    if sys.stdout.isatty():
        import shutil

        return max(80, shutil.get_terminal_size((100, 24)).columns)
    return 100


@app.command()
@user_errors
def compare(
    profile: Annotated[
        Path,
        typer.Argument(
            metavar="PROFILE",
            help="Traffic profile (YAML), e.g. profiles/rag-support-chatbot.yaml.",
        ),
    ],
    output_format: Annotated[
        Format,
        typer.Option(
            "--format",
            "-f",
            help="text (terminal), json (contract, schema_version 1), markdown or csv.",
        ),
    ] = Format.text,
    catalog: Annotated[
        list[Path] | None,
        typer.Option(
            "--catalog",
            help=(
                "Directory of catalog files layered over the built-in one "
                "(same ids replace); repeatable."
            ),
            metavar="DIR",
        ),
    ] = None,
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
                "Break-even search range in billed tokens/day, e.g. 100k:10M. "
                "Default: 100K-10M, widened to 1/10-10x your volume."
            ),
            metavar="LOW:HIGH",
        ),
    ] = None,
    width: Annotated[
        int | None,
        typer.Option(
            "--width",
            min=60,
            max=400,
            metavar="COLUMNS",
            help="Text width (default: the terminal's, else 100).",
        ),
    ] = None,
    color: Annotated[
        bool | None,
        typer.Option(
            "--color/--no-color",
            help="Colour the text report (default: on a terminal, unless NO_COLOR is set).",
        ),
    ] = None,
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

    Exit codes: 0 success, 2 invalid usage or input, 3 internal error (a bug).
    """
    volume = parse_volume(requests_per_day, "--requests-per-day")
    span = parse_range(volume_range)
    from costcalc.core.compare import check_ids
    from costcalc.core.compare import compare as run_compare
    from costcalc.io.catalog import load_catalog
    from costcalc.io.profiles import check_volume, load_profile
    from costcalc.render.context import ReportContext

    loaded = load_profile(profile)
    if volume is not None:
        check_volume("--requests-per-day", loaded.profile, volume)
    prices = load_catalog(catalog or [])
    check_ids(loaded.profile, prices, str(profile))
    result = run_compare(loaded.profile, prices, today(), volume, span)
    ctx = ReportContext(loaded.token_sources, loaded.defaults_used, loaded.warnings)
    if output_format is Format.json:
        from costcalc.render.json import render_json

        text = render_json(result, ctx.warnings)
    elif output_format is Format.markdown:
        from costcalc.render.markdown import render_markdown

        text = render_markdown(result, ctx)
    elif output_format is Format.csv:
        from costcalc.render.csvout import render_csv

        text = render_csv(result)
    else:
        from costcalc.render.text import render_text

        use_color = (
            color if color is not None else sys.stdout.isatty() and "NO_COLOR" not in os.environ
        )
        text = render_text(result, ctx, width=_width(width), color=use_color)
    sys.stdout.write(text)


def main() -> None:
    """Console-script entry point."""
    app()
