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


def repository_root(start: Path) -> Path:
    """The nearest folder from `start` up that holds .git; `start` itself when none does."""
    start = start.resolve()
    return next((f for f in [start, *start.parents] if (f / ".git").exists()), start)


def find_project(start: Path) -> Path:
    """costcalc.yaml in `start` or the nearest parent, stopping at the repository root."""
    for folder in [start, *start.parents]:
        candidate = folder / PROJECT_FILE
        if candidate.is_file():
            return candidate
        if (folder / ".git").exists():
            break
    raise UserError(
        f"no profiles given and no {PROJECT_FILE} found from {start} up to the repository root; "
        f"name profiles (costcalc check PROFILE...) or add a {PROJECT_FILE}"
    )


def load_project(path: Path) -> LoadedProject:
    project, _ = read_validated(path, Project)
    base = path.parent
    return LoadedProject(
        path=path,
        catalogs=[base / c for c in project.catalog],
        entries=[
            ProjectEntry(base / p.path, p.budget, f"{path}: field `profiles[{n}].budget.option`")
            for n, p in enumerate(project.profiles)
        ],
    )


def is_report(path: Path) -> bool:
    """A saved JSON report, rather than a YAML profile."""
    return path.suffix.lower() == ".json"


def load_report(path: Path) -> CompareReport:
    """A saved `costcalc compare --format json` report, parsed by its model: a missing,
    unknown or mistyped key is an error naming the file and the field."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
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
