"""The strict base model every file schema shares: unknown keys, NaN and infinities are errors."""

from __future__ import annotations

import re
from typing import Annotated, Any, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

ID_PATTERN = r"^[a-z0-9][a-z0-9._-]*/[a-z0-9][a-z0-9._-]*$"
_ID = re.compile(ID_PATTERN)


class Strict(BaseModel):
    """Frozen, no extra keys, finite numbers only, no booleans for numbers."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _no_booleans_for_numbers(cls, data: Any) -> Any:
        """`requests_per_day: true` is not 1: a boolean where the field takes none is passed
        on as the text "true", which the field's own validation refuses, naming the field."""
        if not isinstance(data, dict):
            return data
        for name, spec in cls.model_fields.items():
            key = spec.alias or name
            if isinstance(data.get(key), bool) and not _takes_bool(spec.annotation):
                data = {**data, key: str(data[key]).lower()}
        return data


def _takes_bool(annotation: Any) -> bool:
    if annotation is bool or annotation is Any:
        return True
    return any(_takes_bool(arg) for arg in get_args(annotation))


def _check_catalog_id(value: str) -> str:
    if not _ID.match(value):
        raise ValueError(
            "expected a lower-case id of the form provider/name, such as openai/gpt-4o-mini"
        )
    return value


CatalogId = Annotated[
    str, AfterValidator(_check_catalog_id), Field(json_schema_extra={"pattern": ID_PATTERN})
]
Usd = Annotated[float, Field(ge=0, le=1e9)]
UsdPerMtok = Annotated[float, Field(ge=0, le=10_000)]
Share = Annotated[float, Field(ge=0, le=1)]
Tokens = Annotated[float, Field(ge=0, le=10_000_000)]
