"""The strict base model every file schema shares: unknown keys, NaN and infinities are errors."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

ID_PATTERN = r"^[a-z0-9][a-z0-9._-]*/[a-z0-9][a-z0-9._-]*$"
_ID = re.compile(ID_PATTERN)


class Strict(BaseModel):
    """Frozen, no extra keys, finite numbers only."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


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
