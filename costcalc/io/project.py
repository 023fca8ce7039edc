"""Find and read the project file, and read saved `compare --format json` reports."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from costcalc.errors import InputFileError, UserError
from costcalc.io.validation import read_validated, validation_error
from costcalc.schema.profile import Budget
from costcalc.schema.project import Project
from costcalc.schema.report import CompareReport
from costcalc.schema.report_project import ProjectCompareReport

PROJECT_FILE = "costcalc.yaml"


@dataclass(frozen=True)
class ProjectEntry:
    path: Path
    budget: Budget | None
    where: str | None = None  # the budget's place in the project file, for messages


@dataclass(frozen=True)
class LoadedProject:
    path: Path
    catalogs: list[Path]
    entries: list[ProjectEntry]
    range: str | None = None  # default --range

    def entry_for(self, profile: Path) -> ProjectEntry | None:
        """The project's entry for a profile file, matched by its resolved path."""
        wanted = profile.resolve()
        return next((e for e in self.entries if e.path.resolve() == wanted), None)

    def relative(self, profile: Path) -> str:
        """A profile's path from the project file's folder ('profiles/a.yaml'): the same in
        any checkout, so a baseline made in a worktree of the target branch matches."""
        try:
            return profile.resolve().relative_to(self.path.parent.resolve()).as_posix()
        except ValueError:
            return profile.as_posix()


def repository_root(start: Path) -> Path:
    """The nearest folder from `start` up that holds .git; `start` itself when none does."""
    start = start.resolve()
    return next((f for f in [start, *start.parents] if (f / ".git").exists()), start)


def resolve_project(
    project_file: Path | None, no_project: bool, start: Path
) -> LoadedProject | None:
    """The project every command reads: `--project-file`, else costcalc.yaml found from
    `start` up to the repository root; None with `--no-project` or when there is none."""
    if no_project:
        return None
    if project_file is not None:
        return load_project(project_file)
    found = _nearest(start)
    return load_project(found) if found else None


def _nearest(start: Path) -> Path | None:
    for folder in [start, *start.parents]:
        candidate = folder / PROJECT_FILE
        if candidate.is_file():
            return candidate
        if (folder / ".git").exists():
            break
    return None


def find_project(start: Path) -> Path:
    """costcalc.yaml in `start` or the nearest parent, stopping at the repository root."""
    found = _nearest(start)
    if found is not None:
        return found
    raise UserError(
        f"no profiles given and no {PROJECT_FILE} found from {start} up to the repository root; "
        f"name profiles (costcalc check PROFILE...) or add a {PROJECT_FILE}"
    )


def load_project(path: Path) -> LoadedProject:
    project, _ = read_validated(path, Project)
    base = path.parent
    return LoadedProject(
        path=path,
        range=project.range,
        catalogs=[base / c for c in project.catalog],
        entries=[
            ProjectEntry(base / p.path, p.budget, f"{path}: field `profiles[{n}].budget.option`")
            for n, p in enumerate(project.profiles)
        ],
    )


def load_baseline(path: Path) -> ProjectCompareReport:
    """The baseline of `diff --baseline`: a `compare --project --format json` file, or a
    folder holding one as baseline.json."""
    if path.is_dir():
        path = path / "baseline.json"
    data = _json(path)
    if not isinstance(data, dict) or data.get("command") != "compare --project":
        raise InputFileError(
            path,
            "not a project baseline (expected the JSON of `costcalc compare --project "
            "--format json`)",
            "command",
        )
    try:
        return ProjectCompareReport.model_validate(data)
    except ValidationError as exc:
        raise validation_error(path, exc, ProjectCompareReport) from None


def is_report(path: Path) -> bool:
    """A saved JSON report, rather than a YAML profile."""
    return path.suffix.lower() == ".json"


def _json(path: Path) -> object:
    """A JSON file's data; every way it can fail is an input error naming the file."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputFileError(path, "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(path, f"cannot be read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise InputFileError(
            f"{path}:{exc.lineno}:{exc.colno}", f"not valid JSON: {exc.msg}"
        ) from None
    except RecursionError:
        raise InputFileError(path, "not valid JSON: nested too deeply") from None
    except ValueError as exc:  # a number of over 4,300 digits, past Python's conversion limit
        raise InputFileError(path, f"not valid JSON: {exc}") from None


def load_report(path: Path) -> CompareReport:
    """A saved `costcalc compare --format json` report, parsed by its model: a missing,
    unknown or mistyped key is an error naming the file and the field."""
    data = _json(path)
    if not isinstance(data, dict) or data.get("schema_version") not in (1, 2):
        raise InputFileError(
            path,
            "not a costcalc compare report (expected JSON with schema_version 1 or 2)",
            "schema_version",
        )
    try:
        return CompareReport.model_validate(data)
    except ValidationError as exc:
        error = validation_error(path, exc, CompareReport)
        if error.field is None:  # several problems, listed one per line
            raise error from None
        raise InputFileError(
            path, f"{error.problem}; save reports with compare --format json", error.field
        ) from None
