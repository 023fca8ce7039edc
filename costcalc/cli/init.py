"""`costcalc init`: write a commented starting profile for a use case, asking on a terminal."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from costcalc.cli.common import checked_output, output_path, user_errors
from costcalc.cli.values import parse_volume
from costcalc.render.profile_template import TEMPLATES, UseCase

T = TypeVar("T")
DEFAULT_PATH = Path("costcalc-profile.yaml")
NAME_MAX_CHARS = 100  # schema.profile.Profile.name


def stdin_is_terminal() -> bool:
    """Ask questions only of a person at a terminal, never of a script (tests replace this)."""
    return sys.stdin is not None and sys.stdin.isatty()


def _volume(text: str) -> float:
    """`250k` or `1.2M` requests a day, within the range a profile may give."""
    from costcalc.schema.profile import MAX_REQUESTS_PER_DAY, MIN_REQUESTS_PER_DAY

    value = parse_volume(text, "--requests-per-day")
    assert value is not None
    if not MIN_REQUESTS_PER_DAY <= value <= MAX_REQUESTS_PER_DAY:
        raise typer.BadParameter(
            f"{text}: give {MIN_REQUESTS_PER_DAY:g} to {MAX_REQUESTS_PER_DAY:.0e} requests a day",
            param_hint="'--requests-per-day'",
        )
    return value


def _name(text: str) -> str:
    name = text.strip()
    if not name or len(name) > NAME_MAX_CHARS or not name.isprintable():
        raise typer.BadParameter(
            f"{text!r}: give 1 to {NAME_MAX_CHARS} printable characters", param_hint="'--name'"
        )
    return name


def _use_case(text: str) -> UseCase:
    try:
        return UseCase(text.strip().lower())
    except ValueError:
        raise typer.BadParameter(
            f"{text!r}: choose one of {', '.join(UseCase)}", param_hint="'--use-case'"
        ) from None


def _is_device(path: Path) -> bool:
    """/dev/stdout, a pipe, a terminal: a stream to write through, not a file to keep
    (/dev/stdout sent to a file by the shell is that file: still a stream here)."""
    import stat

    if path.is_absolute() and path.parts[:2] == ("/", "dev"):
        return True
    try:
        return not stat.S_ISREG(path.stat().st_mode) and not path.is_dir()
    except OSError:
        return False


def _suffixed(requests_per_day: float) -> str:
    """50000 → 50k, 1200000 → 1.2M: how a default is shown and given back."""
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if requests_per_day >= size:
            return f"{requests_per_day / size:g}{suffix}"
    return f"{requests_per_day:g}"


def _list_use_cases() -> None:
    typer.echo("What will the model do?", err=True)
    for case, template in TEMPLATES.items():
        typer.echo(f"  {case:<8} {template.title}", err=True)


def _answer(ask: bool, question: str, default: str, parse: Callable[[str], T]) -> T:
    """The answer typed at the terminal (asked again until `parse` takes it), else the default."""
    if not ask:
        return parse(default)
    answer: T = typer.prompt(question, default=default, value_proc=parse, err=True)
    return answer


@user_errors
def init(
    path: Annotated[
        Path,
        typer.Argument(
            metavar="PATH",
            help="Profile to write; - prints it to stdout.",
            parser=output_path,
            callback=checked_output,  # a folder or an unwritable path: exit 2 before asking
        ),
    ] = DEFAULT_PATH,
    use_case: Annotated[
        UseCase | None,
        typer.Option("--use-case", help="What the model does; sets every starting number."),
    ] = None,
    requests_per_day: Annotated[
        str | None,
        typer.Option(
            "--requests-per-day", metavar="N", help="Model calls per day, e.g. 250k or 1.2M."
        ),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option("--name", help="Profile name (default: the file's, or my-USE-CASE)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite PATH if it exists.")] = False,
) -> None:
    """Write a starting traffic profile: every field explained, every default sourced.

    On a terminal, asks for what the flags do not give (use case, requests per day, name);
    in a script it asks nothing, uses the defaults and says which on stderr. Then edit the
    numbers and run `costcalc compare PATH`.

    \b
    Examples:
      costcalc init
      costcalc init profiles/support.yaml --use-case rag --requests-per-day 250k
      costcalc init - --use-case voice > voice.yaml

    Exit codes: 0 success, 2 invalid usage or input (PATH exists without --force).
    """
    from costcalc.errors import UserError
    from costcalc.render.profile_template import render_template

    volume = None if requests_per_day is None else _volume(requests_per_day)
    chosen_name = None if name is None else _name(name)
    to_stdout = str(path) == "-" or _is_device(path)
    if not str(path).isprintable():  # it goes into the file's comments: a line break in it
        raise UserError(  # would end a comment and break the YAML
            f"{str(path)!r}: the path has a line break or another unprintable character; "
            "name another file"
        )
    if not to_stdout and path.is_file() and not force:
        raise UserError(
            f"{path}: already exists; pass --force to overwrite it, or name another file"
        )
    ask = stdin_is_terminal()
    defaulted: list[str] = []
    if use_case is None:
        if ask:
            _list_use_cases()
        use_case = _answer(ask, "Use case", UseCase.chatbot.value, _use_case)
        defaulted.append(f"--use-case {use_case}")
    if volume is None:
        default = _suffixed(TEMPLATES[use_case].requests_per_day)
        volume = _answer(ask, "Requests per day (e.g. 250k or 1.2M)", default, _volume)
        defaulted.append(f"--requests-per-day {default}")
    if chosen_name is None:
        stem = path.stem.strip()
        usable = stem and len(stem) <= NAME_MAX_CHARS and stem.isprintable()
        default = stem if usable and not to_stdout and path != DEFAULT_PATH else f"my-{use_case}"
        chosen_name = _answer(ask, "Profile name", default, _name)
        defaulted.append(f"--name {shlex.quote(default)}")
    if defaulted and not ask:
        typer.echo(
            f"note: stdin is not a terminal, so nothing was asked; used {' '.join(defaulted)}",
            err=True,
        )
    if to_stdout:
        text = render_template(use_case, volume, chosen_name, "<this file>", None)
        if str(path) == "-":
            sys.stdout.write(text)
        else:  # /dev/stdout and other devices: written through, never "already exists"
            from costcalc.io.output import write_file

            write_file(path, text)
        return
    from costcalc.cli.from_logs_text import schema_ref as _schema_ref
    from costcalc.io.output import write_file

    run_path = shlex.quote(str(path))
    write_file(path, render_template(use_case, volume, chosen_name, run_path, _schema_ref(path)))
    typer.echo(f"wrote {path} ({use_case}, {volume:,.10g} requests/day)", err=True)
    typer.echo(f"next: edit the numbers, then run  costcalc compare {run_path}", err=True)
