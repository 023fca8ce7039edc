"""Every command speaks the same way: help on every option, -o on every report, completion."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from costcalc.cli import app

COMMAND = typer.main.get_command(app)
# commands that write a file of their own (init: PATH; bench import and from-logs: -o is the
# catalog or profile they write) or nothing but files (report: -o or stdout) are all here too
REPORTS = {
    "compare", "check", "diff", "sensitivity", "report", "tokens", "profile from-logs",
    "bench import", "bench plan", "bench show", "bench predict", "catalog list", "catalog show",
    "catalog update", "catalog check",
}  # fmt: skip
SEVERAL_FORMATS = {
    "compare", "check", "diff", "sensitivity", "tokens", "bench predict", "catalog list",
    "catalog show", "catalog update", "catalog check",
}  # fmt: skip


def _commands(group: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    subs = getattr(group, "commands", None)
    if subs:
        for name, sub in subs.items():
            yield from _commands(sub, (*path, name))
    else:
        yield " ".join(path), group


COMMANDS = dict(_commands(COMMAND))


def test_the_command_list_is_the_one_this_test_knows() -> None:
    assert set(COMMANDS) == REPORTS | {"init", "comment"}  # comment posts, prints no report


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_option_has_help_and_reports_take_o_and_f(name: str) -> None:
    command = COMMANDS[name]
    options = [p for p in command.params if p.param_type_name == "option"]
    assert [o.name for o in options if not o.help] == []
    flags = {flag for o in options for flag in o.opts}
    if name in REPORTS:
        assert {"-o", "--output"} <= flags
    if name in SEVERAL_FORMATS:
        assert {"-f", "--format"} <= flags
    usage = CliRunner().invoke(app, [*name.split(), "--help"]).stdout.splitlines()[0]
    # metavars, never Python types (PROFILE…, not <list[Path]>)
    assert "<" not in usage and "list[" not in usage and "Path" not in usage


def test_shell_completion_is_offered() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert "--install-completion" in result.stdout and "--show-completion" in result.stdout


def test_errors_are_spelled_one_way() -> None:
    runner = CliRunner()
    for args in (
        ["compare", "missing.yaml"],
        ["catalog", "show", "nope/none"],
        ["init", "-", "--requests-per-day", "x"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2
        first = result.stderr.strip().splitlines()[0] if result.stderr.strip() else ""
        assert first.startswith(("error: ", "Usage: ")), result.stderr
