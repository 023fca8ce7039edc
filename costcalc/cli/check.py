"""`costcalc check`: fail CI when projected spend crosses a budget (exit 1), per profile."""

from __future__ import annotations

import functools
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from costcalc.cli.common import (
    CatalogOption,
    NoProjectOption,
    OutputOption,
    ProjectFileOption,
    SamplesOption,
    SeedOption,
    append_step_summary,
    user_errors,
    write_output,
)
from costcalc.cli.values import named
from costcalc.errors import UserError

if TYPE_CHECKING:
    from costcalc.core.gates.budget import Outcome
    from costcalc.render.check import Run
    from costcalc.schema.profile import Budget


class CheckFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    junit = "junit"
    github = "github"
    gitlab = "gitlab"


def _money_option(flag: str, what: str) -> object:
    return typer.Option(flag, min=0, metavar="USD", help=f"Fail when {what} exceeds this.")


@user_errors
def check(
    profiles: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="PROFILE", help="Profiles to check (default: those in costcalc.yaml)."
        ),
    ] = None,
    catalog: CatalogOption = None,
    option: Annotated[
        str | None,
        typer.Option(
            "--option",
            metavar="ID",
            help="Option to check (default: the profile's budget.option, else costcalc.yaml's, "
            "else the option the verdict recommends).",
            callback=named,
        ),
    ] = None,
    max_monthly_usd: Annotated[
        float | None, _money_option("--max-monthly-usd", "the monthly cost")
    ] = None,
    max_usd_per_1k_requests: Annotated[
        float | None, _money_option("--max-usd-per-1k-requests", "the cost per 1,000 requests")
    ] = None,
    max_usd_per_mtok: Annotated[
        float | None, _money_option("--max-usd-per-mtok", "the cost per million billed tokens")
    ] = None,
    quantile: Annotated[
        str | None,
        typer.Option(
            "--quantile",
            metavar="pNN",
            help="Gate on this Monte Carlo quantile (e.g. p90: the pessimistic case) instead "
            "of the point figure; samples the profile's uncertain inputs.",
        ),
    ] = None,
    samples: SamplesOption = None,
    seed: SeedOption = 0,
    output_format: Annotated[
        CheckFormat,
        typer.Option(
            "--format",
            "-f",
            help="text, json, markdown (a PR comment), junit (XML for CI test reports), "
            "github (workflow annotations) or gitlab (code quality JSON for the merge request "
            "widget).",
        ),
    ] = CheckFormat.text,
    output: OutputOption = None,
    project_file: ProjectFileOption = None,
    no_project: NoProjectOption = False,
) -> None:
    """Check projected spend against budgets: exit 0 within, 1 over, 2 invalid input.

    Budgets come from each profile's `budget:` (monthly_usd, usd_per_1k_requests,
    usd_per_mtok, option), from costcalc.yaml, and from these flags, which win. With several
    profiles each is checked and the exit code is the worst. Without PROFILE arguments the
    profiles listed in costcalc.yaml (found from here up to the repository root) are checked.

    \b
    Examples:
      costcalc check profiles/rag-support-chatbot.yaml --max-monthly-usd 2500
      costcalc check --format junit -o costcalc-junit.xml
      costcalc check profiles/*.yaml --format github
      costcalc check --format gitlab -o gl-code-quality-report.json
      costcalc check my.yaml --quantile p90 --max-monthly-usd 5000

    With --quantile, profiles whose inputs are distributions are sampled (--monte-carlo N,
    default 10000; --seed, default 0) and each budget is checked against that quantile.
    """
    from costcalc.io.analyze import check_profiles, check_targets, quantile_samples
    from costcalc.render import check as render

    entries, catalogs = check_targets(
        profiles or [], catalog or [], Path.cwd(), project_file, no_project
    )
    try:
        samples = quantile_samples(quantile, samples)
    except UserError as exc:
        raise typer.BadParameter(str(exc), param_hint="'--quantile'") from None
    flags = _budget_flags(max_monthly_usd, max_usd_per_1k_requests, max_usd_per_mtok)
    outcomes = check_profiles(entries, catalogs, flags, option, quantile, samples, seed)
    run = _run()
    renderers: dict[CheckFormat, Callable[[list[Outcome]], str]] = {
        CheckFormat.text: render.render_text, CheckFormat.json: render.render_json,
        CheckFormat.markdown: render.render_markdown,
        CheckFormat.junit: functools.partial(render.render_junit, run=run),
        CheckFormat.github: functools.partial(render.render_github, run=run),
        CheckFormat.gitlab: functools.partial(render.render_gitlab, run=run),
    }  # fmt: skip
    write_output(renderers[output_format](outcomes), output)
    if output_format is CheckFormat.github:
        append_step_summary(render.render_markdown(outcomes))
    for o in outcomes:  # exit 2 always says why on stderr, whatever the report's format
        if o.error is not None:
            # the message names its file already (the profile, or the project file)
            named = o.error.startswith(o.source) or Path(o.error.split(":", 1)[0]).is_file()
            where = "" if named else f"{o.source}: "
            typer.echo(f"error: {where}{o.error}", err=True)
    statuses = {o.status for o in outcomes}
    raise typer.Exit(2 if "error" in statuses else 1 if "fail" in statuses else 0)


def _run() -> Run:
    """When and where this check runs: local time to the second, the host, and the repository
    root (the folder holding .git, from here up; else here) that annotation paths start from."""
    import datetime as dt
    import socket

    from costcalc.io.project import repository_root
    from costcalc.render.check import Run

    stamp = dt.datetime.now().replace(microsecond=0).isoformat()
    return Run(stamp, socket.gethostname() or "localhost", str(repository_root(Path.cwd())))


def _budget_flags(monthly: float | None, per_1k: float | None, per_mtok: float | None) -> Budget:
    """The --max-* flags as a Budget; a value out of its range names its flag (exit 2)."""
    from pydantic import ValidationError

    from costcalc.schema.profile import Budget

    flags = {"monthly_usd": ("--max-monthly-usd", monthly),
             "usd_per_1k_requests": ("--max-usd-per-1k-requests", per_1k),
             "usd_per_mtok": ("--max-usd-per-mtok", per_mtok)}  # fmt: skip
    try:
        return Budget(**{field: value for field, (_, value) in flags.items()})
    except ValidationError as exc:
        first = exc.errors()[0]
        flag, value = flags[str(first["loc"][0])]
        raise typer.BadParameter(f"{value:g}: {first['msg']}", param_hint=f"'{flag}'") from None
