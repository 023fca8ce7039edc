"""A derived profile as commented YAML: every measured value says how it was measured."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from costcalc.core.derive import Derived


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


def render_profile(derived: Derived, header: Sequence[str]) -> str:
    """Top-level keys in schema order; a section's leaf values one per line with their note."""
    lines = [f"# {line}" if line else "#" for line in header]
    for key, value in derived.data.items():
        if not isinstance(value, dict):
            lines.append(f"{key}: {_scalar(value)}")
            continue
        lines.append(f"{key}:")
        unset = [
            f for n, f in (k.split(".", 1) for k in derived.notes) if n == key and f not in value
        ]
        for field in unset:
            lines.append(f"  # {field}: not set, {derived.notes[f'{key}.{field}']}")
        for field, inner in value.items():
            note = derived.notes.get(f"{key}.{field}")
            if note and (field == "hourly_weights" or len(note) > 60):
                lines.append(f"  # {note}")
                note = None
            text = f"  {field}: {_scalar(inner)}"
            lines.append(f"{text}  # {note}" if note else text)
    return "\n".join(lines) + "\n"
