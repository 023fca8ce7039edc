"""Project file schema (`costcalc.yaml` at the repository root): what `costcalc check` checks."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from costcalc.schema.base import Strict
from costcalc.schema.profile import Budget


class ProjectProfile(Strict):
    path: str = Field(min_length=1, description="profile file, relative to costcalc.yaml")
    budget: Budget | None = Field(default=None, description="overrides the profile's budget")


class Project(Strict):
    schema_version: Literal[1] = 1
    catalog: list[str] = Field(default=[], description="catalog directories, relative")
    profiles: list[ProjectProfile] = Field(min_length=1)
