"""Wall time of `costcalc compare` per example profile, interpreter start included.

Target (issue 2): under 1 s on a 2-core machine. Run from the repository root:

    python benchmarks/bench_compare.py [--runs 7]

It runs the installed `costcalc` console script as a user would, several times per profile,
and prints the median and worst wall time and the peak memory of the child process.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 1.0


def run_once(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of one run of `command`."""
    start = time.perf_counter()
    # as on a user's machine, Python caches compiled modules (.pyc); a sandbox that sets
    # PYTHONDONTWRITEBYTECODE would otherwise recompile all of costcalc on every run
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, env={**env, "NO_COLOR": "1"})
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited with {child.returncode}")
    return wall, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    exe = shutil.which("costcalc")
    if exe is None:
        print("costcalc is not installed: pip install -e . first", file=sys.stderr)
        return 2
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.processor() or 'n/a'}")
    print(f"python {platform.python_version()}, {platform.platform()}")
    print(f"{'profile':<28} {'median s':>9} {'worst s':>8} {'peak MB':>8}")
    worst_overall = 0.0
    for profile in sorted((ROOT / "profiles").glob("*.yaml")):
        command = [exe, "compare", str(profile)]
        run_once(command)  # warm the file cache
        results = [run_once(command) for _ in range(args.runs)]
        walls = [w for w, _ in results]
        worst_overall = max(worst_overall, max(walls))
        print(f"{profile.stem:<28} {statistics.median(walls):>9.3f} {max(walls):>8.3f} "
              f"{max(m for _, m in results):>8.0f}")  # fmt: skip
    verdict = "meets" if worst_overall < TARGET_S else "MISSES"
    print(f"worst run {worst_overall:.3f} s: {verdict} the {TARGET_S:.0f} s target")
    return 0 if worst_overall < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
