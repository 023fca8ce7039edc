"""Plain choices the schemas and the command line share, without loading pydantic (fast start)."""

from __future__ import annotations

from typing import Literal

Precision = Literal["bf16", "fp8", "int4"]  # weights: 2, 1 or 0.5 bytes a parameter
