"""Project file schema (`costcalc.yaml` at the repository root): profiles, budgets, catalogs."""

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
    range: str | None = Field(
        default=None,
        description="default break-even search range, as --range: 100k:10M (billed "
        "tokens/day) or 10k:1Mreq (requests/day)",
    )
    profiles: list[ProjectProfile] = Field(min_length=1)
