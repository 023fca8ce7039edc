"""A derived profile as commented YAML: every measured value says how it was measured."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from typing import Any

from costcalc.core.demand.derive import Derived


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_scalar(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    if isinstance(value, str):
        return (
            value
            if value.replace("-", "").replace("_", "").replace(".", "").isalnum()
            else json.dumps(value)
        )
    return str(value)


WIDTH = 100


def _comment(text: str) -> list[str]:
    return textwrap.wrap(text, WIDTH - 4, initial_indent="  # ", subsequent_indent="  #   ")


def _flow_list(field: str, values: list[Any]) -> list[str]:
    """A long list over lines of 8 (hourly weights: hours 0-7, 8-15, 16-23)."""
    rows = [", ".join(_scalar(v) for v in values[i : i + 8]) for i in range(0, len(values), 8)]
    indent = " " * (len(field) + 5)
    return [
        f"  {field}: [{rows[0]},",
        *(f"{indent}{r}," for r in rows[1:-1]),
        f"{indent}{rows[-1]}]",
    ]


def render_profile(derived: Derived, header: Sequence[str], schema: str | None = None) -> str:
    """Top-level keys in schema order; a section's leaf values one per line with their note.
    `schema`, the path or URL of profile.schema.json, opens the file for editors to validate."""
    lines = [f"# yaml-language-server: $schema={schema}"] if schema else []
    lines += [
        wrapped
        for line in header
        for wrapped in (
            textwrap.wrap(line, WIDTH, initial_indent="# ", subsequent_indent="#   ")
            if line
            else ["#"]
        )
    ]
    for key, value in derived.data.items():
        if not isinstance(value, dict):
            lines.append(f"{key}: {_scalar(value)}")
            continue
        lines.append(f"{key}:")
        unset = [
            f for n, f in (k.split(".", 1) for k in derived.notes) if n == key and f not in value
        ]
        for field in unset:
            lines += _comment(f"{field}: not set, {derived.notes[f'{key}.{field}']}")
        for field, inner in value.items():
            note = derived.notes.get(f"{key}.{field}")
            if note and (field == "hourly_weights" or len(note) > 60):
                lines += _comment(note)
                note = None
            if isinstance(inner, list) and len(inner) > 8:
                lines += _flow_list(field, inner)
                continue
            text = f"  {field}: {_scalar(inner)}"
            lines.append(f"{text}  # {note}" if note else text)
    return "\n".join(lines) + "\n"
