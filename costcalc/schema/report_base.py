"""What every JSON report's models share: no NaN, keys left out rather than null, quantiles."""

from __future__ import annotations

import json
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer

from costcalc.schema.base import Strict

Money = Annotated[float, Field(ge=0)]
Status = Literal["crosses", "never", "always"]
Span = tuple[float, float]


class ReportModel(Strict):
    """A part of a JSON report; the keys in `omit_when_none` are left out rather than null."""

    omit_when_none: ClassVar[frozenset[str]] = frozenset()

    @model_serializer(mode="wrap")
    def _omit(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        return {k: v for k, v in data.items() if not (k in self.omit_when_none and v is None)}

    def json_text(self) -> str:
        """As every `--format json` writes it: indented, no NaN, ending in a newline."""
        return json.dumps(self.model_dump(mode="json"), indent=2, allow_nan=False) + "\n"


class Quantiles(ReportModel):
    """P10/P50/P90 over the Monte Carlo samples; null where a quantile is infinite."""

    p10: float | None
    p50: float | None
    p90: float | None
