"""costcalc: hosted LLM API or self-hosted vLLM, and at what traffic that flips."""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"
__all__ = ["CompareResult", "__version__", "check", "compare", "diff", "load_profile"]

# The Python API (costcalc/api.py), imported on first use so that `import costcalc` stays
# instant and loads neither numpy nor pydantic. By name, not by an import statement: render
# and cli import `__version__` from here, and a static import of the api (the top layer) would
# read to import-linter as render and cli importing it. Typed code can import from costcalc.api.
_API = frozenset({"CompareResult", "check", "compare", "diff", "load_profile"})


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(importlib.import_module("costcalc.api"), name)
    raise AttributeError(f"module 'costcalc' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])
