"""How well the serving model predicts real vLLM runs it was not calibrated on, and how fast
`costcalc bench predict` replays a sweep.

Targets (issue 10): leave one source out over every built-in point, median absolute error of
request throughput at most 15 %, worst at most 40 %, TTFT and TPOT p50 median at most 25 %;
`bench predict` on 100 files in under 2 s. Run from the repository root:

    python benchmarks/bench_accuracy.py [--files 100]

It prints the per-run table of `costcalc bench predict --with-catalog` as a summary by GPU, the
errors against the targets, then times `costcalc bench predict` (a new process, as a user runs
it) on N copies of a real llm-d result file (tests/fixtures/real-bench), each marked with its
hardware and given its own throughput so no copy repeats a catalog point.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from installed import costcalc_exe

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests/fixtures/real-bench/vllm_serving_llama31_8b_H100x2replicas_llmd_exp7.json"
TARGETS = {
    "request_throughput": (15.0, 40.0),
    "ttft_ms_p50": (25.0, None),
    "tpot_ms_p50": (25.0, None),
}


def _run(args: list[str]) -> tuple[float, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} exited {done.returncode}: {done.stderr}")
    return wall, done.stdout


def accuracy(exe: str) -> int:
    wall, out = _run([exe, "bench", "predict", "--with-catalog", "-f", "json"])
    report = json.loads(out)
    by_gpu: dict[str, list[float]] = defaultdict(list)
    for run in report["runs"]:
        by_gpu[run["gpu"]].append(abs(run["error_pct"]["request_throughput"]))
    print(f"leave one source out over {len(report['runs'])} built-in runs ({wall:.1f} s)")
    print(f"{'GPU':<16}{'runs':>5}{'median |err| req/s':>20}{'worst':>8}")
    for gpu, errors in sorted(by_gpu.items()):
        print(f"{gpu:<16}{len(errors):>5}{statistics.median(errors):>19.0f}%{max(errors):>7.0f}%")
    missed = 0
    median, worst = (
        report["summary"]["median_abs_error_pct"],
        report["summary"]["max_abs_error_pct"],
    )
    for metric, (median_target, worst_target) in TARGETS.items():
        ok = median[metric] <= median_target and (
            worst_target is None or worst[metric] <= worst_target
        )
        missed += not ok
        limit = f"≤ {median_target:g}%" + (f", worst ≤ {worst_target:g}%" if worst_target else "")
        print(
            f"{metric:<20} median {median[metric]:5.1f}%  worst {worst[metric]:6.1f}%  "
            f"(target {limit}): {'meets' if ok else 'MISSES'}"
        )
    return missed


def speed(exe: str, files: int) -> bool:
    doc = json.loads(FIXTURE.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for k in range(files):
            copy = dict(doc, gpu="h100-sxm", tp="1", replicas="2")
            copy["request_throughput"] = doc["request_throughput"] * (0.9 + 0.2 * k / files)
            path = Path(folder) / f"run{k:03d}.json"
            path.write_text(json.dumps(copy), encoding="utf-8")
            paths.append(str(path))
        walls = [_run([exe, "bench", "predict", *paths, "-f", "json"])[0] for _ in range(3)]
    best = min(walls)
    print(f"bench predict on {files} files: best of 3 {best:.2f} s (target < 2 s): "
          f"{'meets' if best < 2.0 else 'MISSES'}")  # fmt: skip
    return best < 2.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100)
    args = parser.parse_args()
    exe = costcalc_exe()
    if exe is None:
        print("costcalc is not installed: pip install -e . first", file=sys.stderr)
        return 2
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs; python {platform.python_version()}"
    )
    missed = accuracy(exe)
    fast = speed(exe, args.files)
    return 0 if missed == 0 and fast else 1


if __name__ == "__main__":
    raise SystemExit(main())
