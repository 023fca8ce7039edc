"""Pydantic validation errors as messages naming the file, the field and what was expected."""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from costcalc.errors import InputFileError, closest
from costcalc.io.yamlfile import locate, read_yaml


def show(value: Any) -> str:
    """A bad value as a message shows it, never the whole of a long one: `null`, `a list`,
    `'lots'`, `nan`."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if value is None or isinstance(value, bool):
        return "null" if value is None else str(value).lower()
    if isinstance(value, int) and value.bit_length() > 64:
        return "a number of over 19 digits"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def _model_in(annotation: Any, key: str | None = None) -> type[BaseModel] | None:
    """The model in an annotation; of a union, the one with field `key`, else the first."""
    models = _models_in(annotation)
    with_key = [m for m in models if key in m.model_fields]
    found = with_key or models
    return found[0] if found else None


def _tagged(annotation: Any, tag: str) -> type[BaseModel] | None:
    """The branch of a discriminated union that pydantic's error location names by `tag`."""
    for m in _models_in(annotation):
        if any(
            typing.get_origin(f.annotation) is Literal and typing.get_args(f.annotation) == (tag,)
            for f in m.model_fields.values()
        ):
            return m
    return None


def _item_type(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin in (list, tuple):
        return typing.get_args(annotation)[0]
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if typing.get_origin(arg) in (list, tuple):
                return typing.get_args(arg)[0]
    return Any


def field_path(
    model: type[BaseModel], loc: tuple[int | str, ...], unknown_key: bool
) -> tuple[list[int | str], type[BaseModel] | None]:
    """The location without pydantic's union-branch tags (such as `float` or
    `literal['auto']`), and the model holding its last key. With `unknown_key` the last part
    is a key the model does not have, kept so the message can name it."""
    path: list[int | str] = []
    current: Any = model
    holder: type[BaseModel] | None = model
    for i, part in enumerate(loc):
        if isinstance(part, int):
            path.append(part)
            current = _item_type(current)
            continue
        found = _model_in(current, part)
        branch = _tagged(current, part)
        if branch is not None and (found is None or part not in found.model_fields):
            current = branch
        elif found is not None and part in found.model_fields:
            holder = found
            path.append(part)
            current = found.model_fields[part].annotation
        elif unknown_key and i == len(loc) - 1:
            holder = found or holder
            path.append(part)
    return path, holder


def dotted(path: list[int | str]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(top level)"


def _describe(error: dict[str, Any], holder: type[BaseModel] | None, path: list[int | str]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        known = list(holder.model_fields) if holder else []
        near = closest(str(path[-1]), known, n=1) if path else []
        hint = f"did you mean `{near[0]}`? " if near else ""
        return f"unknown key; {hint}allowed here: {', '.join(known)}"
    if kind == "missing":
        return "required field is missing"
    message = str(error["msg"]).removeprefix("Value error, ")
    message = message[:1].lower() + message[1:]
    if kind not in ("value_error", "assertion_error") and "input" in error:
        shown = repr(error["input"])
        message += f" (got {shown if len(shown) <= 60 else shown[:57] + '...'})"
    return message


M = TypeVar("M", bound=BaseModel)
SUPPORTED_SCHEMA = 1


def read_validated(
    path: Path,
    schema: type[M],
    prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> tuple[M, dict[str, Any]]:
    """Read a YAML file and validate it against `schema`: the model and the raw mapping, or an
    InputFileError naming the file, each field and what it expected. `prepare` may rewrite the
    mapping first (profiles turn distributions into their means)."""
    data = read_yaml(path)
    if prepare is not None:
        data = prepare(data)
    version = data.get("schema_version", SUPPORTED_SCHEMA)
    if version != SUPPORTED_SCHEMA:
        raise InputFileError(
            path,
            f"unsupported schema_version {version!r}; this costcalc reads {SUPPORTED_SCHEMA}",
            "schema_version",
        )
    try:
        return schema.model_validate(data), data
    except ValidationError as exc:
        raise validation_error(path, exc, schema, lambda keys: locate(path, keys)) from None


Locator = Callable[[list[int | str]], tuple[int, int] | None]


def validation_error(
    path: Path | str, exc: ValidationError, model: type[BaseModel], where: Locator | None = None
) -> InputFileError:
    """One InputFileError listing every problem, each as `field: what was expected`; with
    `where` (a YAML file), each also says its line and column (`profile.yaml:12:5`)."""
    grouped: dict[str, list[str]] = {}
    places: dict[str, tuple[int, int] | None] = {}
    for error in exc.errors():
        unknown = error["type"] == "extra_forbidden"
        cleaned, holder = field_path(model, tuple(error["loc"]), unknown)
        text = _describe(dict(error), holder, cleaned)
        messages = grouped.setdefault(dotted(cleaned), [])
        if text not in messages:
            messages.append(text)
        if where is not None and dotted(cleaned) not in places:
            places[dotted(cleaned)] = where(cleaned)
    problems = [(field, " or ".join(msgs)) for field, msgs in grouped.items()]
    if len(problems) == 1:
        field, problem = problems[0]
        place = places.get(field)
        return InputFileError(f"{path}:{place[0]}:{place[1]}" if place else path, problem, field)
    listing = "\n".join(
        f"  - `{field}`{_line(places.get(field))}: {problem}" for field, problem in problems
    )
    return InputFileError(path, f"{len(problems)} problems:\n{listing}")


def _line(place: tuple[int, int] | None) -> str:
    return f" (line {place[0]})" if place else ""
