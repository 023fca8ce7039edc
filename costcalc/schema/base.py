"""The strict base model every file schema shares: unknown keys, NaN and infinities are errors."""

from __future__ import annotations

import contextlib
import math
import re
from typing import Annotated, Any, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

ID_PATTERN = r"^[a-z0-9][a-z0-9._-]*/[a-z0-9][a-z0-9._-]*$"
_ID = re.compile(ID_PATTERN)


_SUFFIX = {"": 1.0, "k": 1e3, "m": 1e6, "b": 1e9, "g": 1e9}
_SUFFIXED = re.compile(r"^\s*[0-9.]+(?:e[+-]?[0-9]+)?\s*[kmbg]\s*$", re.IGNORECASE)
_QUANTITY = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*([kmbg]?)\s*$", re.IGNORECASE)


def parse_quantity(text: str) -> float:
    """Read '100k', '10M', '2.5m', '1e6' or '40000' as a positive number.

    Suffixes are decimal (k = 1e3, M = 1e6, B/G = 1e9), case-insensitive.
    """
    match = _QUANTITY.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a number like 100k, 10M or 40000")
    value = float(match.group(1)) * _SUFFIX[match.group(2).lower()]
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{text!r} must be a positive, finite number")
    return value


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
            value = data.get(key)
            if isinstance(value, bool) and not _takes(spec.annotation, bool):
                data = {**data, key: str(value).lower()}
            elif isinstance(value, list) and not _takes(spec.annotation, bool):
                # and in a list of numbers (`hourly_weights: [true, …]`)
                spelled = [str(v).lower() if isinstance(v, bool) else v for v in value]
                data = {**data, key: spelled} if spelled != value else data
            elif isinstance(value, str) and _SUFFIXED.match(value) and _number_only(spec):
                with contextlib.suppress(ValueError):  # else the field's own message
                    data = {**data, key: parse_quantity(value)}  # 200k reads as the flags do
        return data


def _takes(annotation: Any, kind: type) -> bool:
    if annotation is kind or annotation is Any:
        return True
    return any(_takes(arg, kind) for arg in get_args(annotation))


def _number_only(spec: Any) -> bool:
    """A field that takes a number and never text (a name that ends in k stays a name)."""
    takes_number = _takes(spec.annotation, float) or _takes(spec.annotation, int)
    return takes_number and not _takes(spec.annotation, str)


def _check_catalog_id(value: str) -> str:
    if not _ID.match(value):
        raise ValueError(
            "expected a lower-case id of the form provider/name, such as openai/gpt-4o-mini"
        )
    return value


CatalogId = Annotated[
    str, AfterValidator(_check_catalog_id), Field(json_schema_extra={"pattern": ID_PATTERN})
]
PLAIN_ID_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"
_PLAIN_ID = re.compile(PLAIN_ID_PATTERN)


def _check_plain_id(value: str) -> str:
    if not _PLAIN_ID.match(value):
        raise ValueError("expected a lower-case id such as h100-sxm or llama-3.1-8b-instruct")
    return value


# GPU and open-model ids: no provider part (profiles name them in any case; they are matched
# lower-cased, so an upper-case id in a catalog could never be named)
PlainId = Annotated[
    str, AfterValidator(_check_plain_id), Field(json_schema_extra={"pattern": PLAIN_ID_PATTERN})
]
Usd = Annotated[float, Field(ge=0, le=1e9)]
UsdPerMtok = Annotated[float, Field(ge=0, le=10_000)]
Share = Annotated[float, Field(ge=0, le=1)]
Tokens = Annotated[float, Field(ge=0, le=10_000_000)]
