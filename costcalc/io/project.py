"""Find and read the project file, and read saved `compare --format json` reports."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from costcalc.errors import InputFileError, UserError
from costcalc.io.validation import read_validated
from costcalc.schema.profile import Budget
from costcalc.schema.project import Project

PROJECT_FILE = "costcalc.yaml"


@dataclass(frozen=True)
class ProjectEntry:
    path: Path
    budget: Budget | None


@dataclass(frozen=True)
class LoadedProject:
    path: Path
    catalogs: list[Path]
    entries: list[ProjectEntry]


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
        entries=[ProjectEntry(base / p.path, p.budget) for p in project.profiles],
    )


def is_report(path: Path) -> bool:
    """A saved JSON report, rather than a YAML profile."""
    return path.suffix.lower() == ".json"


def load_report(path: Path) -> dict[str, Any]:
    """A saved `costcalc compare --format json` report, checked for the fields diff reads."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputFileError(path, "no such file") from None
    except json.JSONDecodeError as exc:
        raise InputFileError(
            f"{path}:{exc.lineno}:{exc.colno}", f"not valid JSON: {exc.msg}"
        ) from None
    if not isinstance(data, dict) or data.get("schema_version") != 1:
        raise InputFileError(
            path,
            "not a costcalc compare report (expected JSON with schema_version 1)",
            "schema_version",
        )
    for key in ("profile", "volume", "options", "breakeven"):
        if key not in data:
            raise InputFileError(
                path, "missing from the report; save it with compare --format json", key
            )
    return data
