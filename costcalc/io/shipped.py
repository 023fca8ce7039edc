"""Where the files shipped with costcalc are: the built-in pricing catalog and JSON Schemas.

Apart from catalog.py so that a command which only names a schema (a written profile's
`$schema` line) does not import the catalog's pydantic models: 0.1 s of `from-logs`.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def builtin_dir() -> Path:
    """`costcalc/_pricing` inside an installed wheel, else `pricing/` of the source checkout."""
    packaged = Path(str(resources.files("costcalc"))) / "_pricing"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "pricing"


def builtin_schema(name: str) -> Path:
    """A JSON Schema shipped with costcalc (`costcalc/_schemas` in a wheel, else `schemas/`)."""
    packaged = Path(str(resources.files("costcalc"))) / "_schemas"
    folder = packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "schemas"
    return folder / name
