"""Throughput points as a catalog file (`throughput.yaml`) that `--catalog` reads back."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml

from costcalc.schema.catalog import ThroughputPoint


def _tidy(value: Any) -> Any:
    """Six significant digits: 1.7415013169 → 1.7415; whole numbers stay whole."""
    if isinstance(value, float):
        return int(value) if value.is_integer() else float(f"{value:.6g}")
    return value


def render_points(points: Sequence[ThroughputPoint], header: Sequence[str]) -> str:
    rows = []
    for point in points:
        data = point.model_dump(mode="json", exclude_none=True)
        # what the point is first, where it came from last
        order = [k for k in data if k not in ("as_of", "source", "notes")] + [
            "as_of",
            "source",
            "notes",
        ]
        rows.append({k: _tidy(data[k]) for k in order if k in data})
    comments = "".join(f"# {line}\n" for line in header)
    body = yaml.safe_dump(
        {"schema_version": 1, "points": rows}, sort_keys=False, allow_unicode=True, width=100
    )
    return comments + body
