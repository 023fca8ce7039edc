"""Load, check and compare a profile, and run its budget check: the CLI's and the API's start."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from costcalc.errors import InputFileError, UnknownIdError, UserError

if TYPE_CHECKING:
    from costcalc.core.analysis.compare import Comparison
    from costcalc.core.gates.budget import Outcome
    from costcalc.io.profiles import LoadedProfile
    from costcalc.io.project import ProjectEntry
    from costcalc.schema.catalog import Catalog
    from costcalc.schema.profile import Budget, Profile

MIN_SAMPLES, MAX_SAMPLES = 100, 1_000_000  # the bounds of --monte-carlo N
QUANTILE_SAMPLES = 10_000  # samples drawn for a --quantile gate when no count is given
MAX_RANGE_TOKENS_PER_DAY = 1e16  # a month of it passes the 1e18 tokens a profile may reach


def today() -> dt.date:
    """The date prices are aged against; COSTCALC_TODAY=YYYY-MM-DD pins it (reproducible CI)."""
    pinned = os.environ.get("COSTCALC_TODAY")
    if not pinned:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(pinned)
    except ValueError:
        raise UserError(f"COSTCALC_TODAY={pinned!r}: expected a date such as 2026-11-27") from None


def analyze(
    profile: Path,
    catalogs: Sequence[Path],
    requests_per_day: float | None = None,
    range_tokens_per_day: tuple[float, float] | tuple[float, float, str] | None = None,
    samples: int | None = None,
    seed: int = 0,
    every_option: bool = False,
    on: dt.date | None = None,
) -> tuple[LoadedProfile, Comparison, Catalog]:
    """Load a profile and the catalog, check the profile's ids, compare, and with `samples`
    run Monte Carlo over its uncertain inputs: what every command starts from. The catalog is
    returned too (sensitivity and report cost more cases with it). A range whose third part
    is "req" is in requests/day, converted at the profile's billed tokens per request. `on`
    (compare --today) is the date deprecations and price ages are judged at; default today()."""
    from costcalc.core.analysis.checks import check_ids
    from costcalc.core.analysis.compare import compare
    from costcalc.io.catalog import load_catalog
    from costcalc.io.profiles import check_volume, load_profile

    loaded = load_profile(profile)
    if requests_per_day is not None:
        check_volume("--requests-per-day", loaded.profile, requests_per_day)
    prices = load_catalog(catalogs)
    check_ids(loaded.profile, prices, str(profile), lambda keys: _position(profile, keys))
    range_tokens_per_day = _in_tokens(range_tokens_per_day, loaded.profile)
    try:
        result = compare(
            loaded.profile,
            prices,
            on or today(),
            requests_per_day,
            range_tokens_per_day,
            every_option,
        )
    except InputFileError as exc:  # core knows the profile by name; name its file
        raise InputFileError(profile, exc.problem, exc.field) from None
    if samples is None:
        return loaded, result, prices
    from costcalc.core.analysis.montecarlo import monte_carlo

    simulated = monte_carlo(
        result, prices, loaded.uncertain, samples, seed, fixed_volume=requests_per_day is not None
    )
    return loaded, dataclasses.replace(result, monte_carlo=simulated), prices


def _in_tokens(
    span: tuple[float, float] | tuple[float, float, str] | None, profile: Profile
) -> tuple[float, float] | None:
    """A --range in billed tokens/day: 10k:1Mreq at 4,400 billed tokens a request is
    44M:4.4B tokens/day."""
    if span is None or len(span) == 2 or span[2] != "req":
        return None if span is None else (span[0], span[1])
    from costcalc.core.demand.tokens import inflate

    per_request = inflate(profile.request).billed_tokens
    low, high = span[0] * per_request, span[1] * per_request
    if not high <= MAX_RANGE_TOKENS_PER_DAY:
        raise UserError(
            f"--range: {span[1]:,.0f} requests/day is {high:.3g} billed tokens/day, past "
            f"the {MAX_RANGE_TOKENS_PER_DAY:.0e} costcalc searches"
        )
    return low, high


def check_targets(
    profiles: Sequence[Path],
    catalogs: Sequence[Path],
    start: Path,
    project_file: Path | None = None,
    no_project: bool = False,
) -> tuple[list[ProjectEntry], list[Path]]:
    """The profiles to check, each with its project-file budget, and the catalog directories:
    the named profiles, else those of costcalc.yaml found from `start` up to the repo root.
    A named profile the project lists gets its budget there; the project's catalogs apply to
    all (unless `no_project`)."""
    from costcalc.io.project import ProjectEntry, find_project, load_project, resolve_project

    if profiles:
        project = resolve_project(project_file, no_project, start)
        if project is None:
            return [ProjectEntry(p, None) for p in profiles], list(catalogs)
        entries = [project.entry_for(p) or ProjectEntry(p, None) for p in profiles]
        return entries, [*project.catalogs, *catalogs]
    if no_project:
        raise UserError("no profiles given, and --no-project: name the profiles to check")
    project = load_project(project_file or find_project(start))
    return project.entries, [*project.catalogs, *catalogs]


def quantile_samples(quantile: str | None, samples: int | None) -> int | None:
    """The Monte Carlo sample count of a check: a --quantile gate needs samples (default
    10,000). An unreadable quantile is a UserError (the CLI words it as a bad --quantile)."""
    if quantile is None:
        return samples
    from costcalc.core.gates.budget import parse_quantile

    parse_quantile(quantile)
    return samples or QUANTILE_SAMPLES


def check_profiles(
    entries: Sequence[ProjectEntry],
    catalogs: Sequence[Path],
    flags: Budget,
    option: str | None = None,
    quantile: str | None = None,
    samples: int | None = None,
    seed: int = 0,
    raise_errors: bool = False,
) -> list[Outcome]:
    """Each profile's budget check and its warnings, or the user error that stopped it (raised
    instead with `raise_errors`). The budget is the profile's `budget:`, overridden key by key
    by the project file's, then by `flags` (the command-line limits)."""
    from costcalc.core.analysis.checks import all_stale
    from costcalc.core.gates.budget import Outcome, checks, merge_budgets
    from costcalc.schema.profile import Budget

    outcomes = []
    for entry in entries:
        started = time.perf_counter()
        try:
            loaded, comparison, _ = analyze(entry.path, catalogs, samples=samples, seed=seed)
            budget = merge_budgets(
                merge_budgets(loaded.profile.budget, entry.budget or Budget()), flags
            ).model_copy(update={"option": None, "options": None})  # check() applies the rule
            try:
                project_option = entry.budget.option if entry.budget else None
                results = checks(comparison, budget, option, quantile, project_option)
            except UnknownIdError as exc:
                own_option = loaded.profile.budget.option if loaded.profile.budget else None
                set_there = project_option and not option and not own_option
                if not set_there or entry.where is None:
                    raise
                compared = [o.id for o in comparison.options]
                raise UnknownIdError("compared option", exc.wanted, compared, entry.where) from None
        except UserError as exc:
            if raise_errors:
                raise
            seconds = time.perf_counter() - started
            outcomes.append(Outcome(str(entry.path), error=str(exc), seconds=seconds))
            continue
        mc_notes = list(comparison.monte_carlo.notes) if comparison.monte_carlo else []
        warnings = [*comparison.warnings, *all_stale([comparison]), *mc_notes]
        own = loaded.profile.budget or Budget()
        overridden = merge_budgets(entry.budget or Budget(), flags)
        lines = _lines(entry.path, [
            ("volume", ["traffic", "requests_per_day"]),
            *((m, ["budget", m]) for m in METRIC_FIELDS
              if getattr(own, m) is not None and getattr(overridden, m) is None),
        ])  # fmt: skip
        seconds = time.perf_counter() - started
        outcomes += [
            Outcome(str(entry.path), result, warnings=warnings, seconds=seconds / len(results),
                    lines=lines)
            for result in results
        ]  # fmt: skip
    return outcomes


def _position(path: Path, keys: list[int | str]) -> str | None:
    """'profile.yaml:31:7', where the field is in the file."""
    from costcalc.io.yamlfile import locate

    found = locate(path, keys)
    return f"{path}:{found[0]}:{found[1]}" if found else None


METRIC_FIELDS = ("monthly_usd", "usd_per_1k_requests", "usd_per_mtok")


def _lines(path: Path, fields: Sequence[tuple[str, Sequence[str]]]) -> dict[str, int]:
    """Line (from 1) of each field in the profile, for annotations that point at it."""
    from costcalc.io.yamlfile import locate

    found = {}
    for name, keys in fields:
        where = locate(path, keys)
        if where is not None:
            found[name] = where[0]
    return found
