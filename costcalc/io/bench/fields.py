"""Typed values of benchmark files: finite, in range, and errors naming file, record and field."""

from __future__ import annotations

import math
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, ValidationError

from costcalc.errors import InputFileError
from costcalc.io.validation import show

T = TypeVar("T")

# Beyond these no real run goes: a larger value is a corrupt file, and rejecting it here keeps
# every later product and quotient finite (1e308 req/s × anything overflows).
MAX_REQUESTS_PER_S = 1e6  # the catalog's bound on one replica, and no fleet of LLMs is faster
MAX_TOKENS = 1e7  # per request, as the catalog's points allow
MAX_TOKEN_TOTAL = 1e15
MAX_TOKENS_PER_S = 1e12
MAX_COUNT = 1e12  # requests
MAX_LATENCY = 1e12  # in the file's unit, ms or s: 30 years in ms
MAX_LOAD = 1e9  # concurrency or offered req/s
MAX_TIMESTAMP_S = 253_402_300_799  # 9999-12-31, the last date Python can hold


def _finite(value: Any) -> float:
    """A number, which tools sometimes write as text ('550', '1,234.5'); never true/false,
    NaN or infinite: every value costcalc reads is a measurement that ends in arithmetic."""
    if isinstance(value, str):
        try:
            number = float(value.replace(",", ""))
        except ValueError:
            raise ValueError(f"must be a number, not {show(value)}") from None
    elif isinstance(value, int | float) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:  # an integer of hundreds of digits
            raise ValueError("is out of range: far beyond any measurement") from None
    else:
        raise ValueError(f"must be a number, not {show(value)}")
    if not math.isfinite(number):
        raise ValueError(f"must be a finite number, not {show(value)}")
    return number


def _whole(value: Any) -> float:
    number = _finite(value)
    if not number.is_integer():
        raise ValueError(f"must be a whole number, not {show(value)}")
    return number


def _bounded(high: float) -> Any:
    return Field(ge=0, le=high)


ReqPerS = Annotated[float, BeforeValidator(_finite), _bounded(MAX_REQUESTS_PER_S)]
ReqPerMin = Annotated[float, BeforeValidator(_finite), _bounded(MAX_REQUESTS_PER_S * 60)]
Tokens = Annotated[float, BeforeValidator(_finite), _bounded(MAX_TOKENS)]
TokenTotal = Annotated[float, BeforeValidator(_finite), _bounded(MAX_TOKEN_TOTAL)]
TokensPerS = Annotated[float, BeforeValidator(_finite), _bounded(MAX_TOKENS_PER_S)]
Count = Annotated[float, BeforeValidator(_whole), _bounded(MAX_COUNT)]
Latency = Annotated[float, BeforeValidator(_finite), _bounded(MAX_LATENCY)]
# a percentile of 0 ms measures nothing, and a catalog point refuses it
Percentile = Annotated[float, BeforeValidator(_finite), Field(gt=0, le=MAX_LATENCY)]
Load = Annotated[float, BeforeValidator(_finite), _bounded(MAX_LOAD)]
Timestamp = Annotated[float, BeforeValidator(_finite), _bounded(MAX_TIMESTAMP_S)]

LATENCIES: TypeAdapter[dict[str, float | None]] = TypeAdapter(dict[str, Latency | None])
QUANTILES: TypeAdapter[dict[str, float | None]] = TypeAdapter(dict[str, Percentile | None])


class Record(BaseModel):
    """A record of a tool's file: the keys costcalc reads are typed, any other is ignored."""

    model_config = ConfigDict(extra="ignore", protected_namespaces=())


def field_path(loc: tuple[int | str, ...]) -> str:
    """('benchmarks', 3, 'metrics', 'mean') → 'benchmarks[3].metrics.mean'."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _problem(error: Any) -> str:
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    if kind == "missing":
        return "missing"
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    if kind == "greater_than_equal":
        return f"must be at least {ctx['ge']:g}, not {show(value)}"
    if kind == "greater_than":
        return f"must be above {ctx['gt']:g}, not {show(value)}"
    if kind == "less_than_equal":
        return f"is out of range: at most {ctx['le']:g}, not {show(value)}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"must be an object ({{…}}), not {show(value)}"
    if kind == "list_type":
        return f"must be a list, not {show(value)}"
    if kind == "string_type":
        return f"must be text, not {show(value)}"
    return f"{error['msg']}, not {show(value)}"


def explain(exc: ValidationError, prefix: str = "") -> tuple[str, str]:
    """(field, problem) of the first error of a validation."""
    error = exc.errors()[0]
    path = field_path(tuple(error["loc"]))
    field = f"{prefix}.{path}" if prefix and path else (prefix or path)
    return field, _problem(error)


def checked(schema: TypeAdapter[T], data: Any, source: str, prefix: str = "") -> T:
    """`data` read through `schema`, or an InputFileError naming the record and the field."""
    try:
        return schema.validate_python(data)
    except ValidationError as exc:
        field, problem = explain(exc, prefix)
        raise InputFileError(source, problem, field=field or None) from None


def tokens(value: float | None, source: str, field: str) -> float:
    """A run's tokens per request, which a run that completed requests cannot lack."""
    if not value:
        problem = "missing" if value is None else "is 0"
        raise InputFileError(source, f"{problem}, yet the run completed requests", field=field)
    return value


def per_request(total: float | None, count: float, source: str, field: str) -> float:
    """Tokens per request from a file's total, refused when none or more than a model holds."""
    value = tokens(total, source, field) / count
    if value > MAX_TOKENS:
        raise InputFileError(
            source,
            f"{total:g} tokens over {count:g} requests is {value:g} per request, "
            f"more than any model reads or writes ({MAX_TOKENS:g})",
            field=field,
        )
    return value
