"""Time of Monte Carlo and sensitivity per example profile, in process (no interpreter start).

Target (issue 6): 10,000 samples of a profile in well under a second. Run from the repository
root after `pip install -e .`:

    python benchmarks/bench_monte_carlo.py [--samples 10000] [--runs 5]

Each profile is compared once, then Monte Carlo (draws, every option's cost per sample at its
own volume, every pair's break-even per sample) and the sensitivity cases are timed, best of
--runs. Profiles without distributions still run every sample through the whole model.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

from costcalc.core.analysis.compare import compare
from costcalc.core.analysis.montecarlo import monte_carlo
from costcalc.core.analysis.sensitivity import sensitivity
from costcalc.io.catalog import load_catalog
from costcalc.io.profiles import load_profile

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 1.0


def best(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, python {platform.python_version()}"
    )
    catalog = load_catalog([])
    print(
        f"{'profile':<24} {'options':>7} {'pairs':>5} {'uncertain':>9} {'MC s':>7} {'tornado s':>9}"
    )
    worst = 0.0
    for path in sorted((ROOT / "profiles").glob("*.yaml")):
        loaded = load_profile(path)
        result = compare(loaded.profile, catalog, dt.date.today())
        uncertain = loaded.uncertain
        mc_s = best(
            args.runs,
            functools.partial(monte_carlo, result, catalog, uncertain, args.samples, 0),
        )
        sens_s = best(args.runs, functools.partial(sensitivity, result, catalog, uncertain))
        worst = max(worst, mc_s)
        print(
            f"{path.stem:<24} {len(result.options):>7} {len(result.pairs):>5} "
            f"{len(loaded.uncertain):>9} {mc_s:>7.3f} {sens_s:>9.3f}"
        )
    verdict = "meets" if worst < TARGET_S else "MISSES"
    print(f"slowest Monte Carlo {worst:.3f} s for {args.samples:,} samples: {verdict} the target")
    return 0 if worst < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
