"""The costcalc script the benchmarks time: the one installed beside this Python."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def costcalc_exe() -> str | None:
    """The `costcalc` console script of this interpreter's environment, else the one on PATH.
    Beside sys.executable first: a version manager's shim on PATH (pyenv's is a bash script
    that runs `pyenv exec`) adds about 60 ms to every run, which the baselines, started with
    sys.executable, do not pay."""
    beside = Path(sys.executable).with_name("costcalc")
    return str(beside) if beside.is_file() else shutil.which("costcalc")
