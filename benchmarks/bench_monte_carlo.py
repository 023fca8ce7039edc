"""Time of Monte Carlo and sensitivity per example profile, in process (no interpreter start).

Targets: 10,000 samples of a profile in well under a second (issue 6); Monte Carlo linear in
samples, 100,000 in at most 12× the time of 10,000, and under 300 MB (issue 9, measured in a
new process by `scaling`). Run from the repository root after `pip install -e .`:

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

from installed import costcalc_exe

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
    linear = scaling()
    return 0 if worst < TARGET_S and linear else 1


SCALING_PROFILE = "seed-stage-uncertain"
SCALING_SAMPLES = (10_000, 100_000)
MAX_RATIO = 12.0  # issue 9: 100k samples in at most 12× the 10k time …
MAX_MB = 300.0  # … and under 300 MB


def scaling() -> bool:
    """Wall time and peak memory of `compare --monte-carlo N -f json` in a new process, for
    10,000 and 100,000 samples: Monte Carlo must be linear in samples and bounded in memory."""
    import os
    import subprocess

    exe = costcalc_exe()
    if exe is None:
        print("costcalc is not installed: pip install -e . first")
        return False
    profile = str(ROOT / "profiles" / f"{SCALING_PROFILE}.yaml")
    seen = {}
    for samples in SCALING_SAMPLES:
        start = time.perf_counter()
        command = [exe, "compare", profile, "--monte-carlo", str(samples), "-f", "json"]
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        wall, mb = time.perf_counter() - start, usage.ru_maxrss / 1024
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{' '.join(command)} failed")
        seen[samples] = (wall, mb)
        print(f"{SCALING_PROFILE} --monte-carlo {samples:,}: {wall:.2f} s, {mb:.0f} MB peak")
    (small, _), (large, peak) = seen[SCALING_SAMPLES[0]], seen[SCALING_SAMPLES[1]]
    ok = large <= MAX_RATIO * small and peak < MAX_MB
    print(f"100k/10k time {large / small:.1f}× (≤ {MAX_RATIO:.0f}×), peak {peak:.0f} MB "
          f"(< {MAX_MB:.0f}): {'meets' if ok else 'MISSES'} the targets")  # fmt: skip
    return ok


if __name__ == "__main__":
    sys.exit(main())
