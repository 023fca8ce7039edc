"""Peak memory of `costcalc profile from-logs` on large logs of the two shapes that grow state.

Target (issue 14): under 300 MB on a 2 GB log, both for a chat log of conversations (the open
conversations, the retry window and the token cache grow with it) and for an output-only
OpenAI Batch file (every line has a custom_id, remembered to find duplicates). Run from the
repository root after `pip install -e ".[test]"`:

    python benchmarks/bench_log_memory.py [--gb 2] [--shape chat|batch|both] [--dir /tmp]

Each log is generated in --dir (about --gb each: 2 GB takes a minute or two to write), read
by the installed `costcalc profile from-logs` in a child process, and removed. Printed: the
wall time, the throughput and the peak memory of the child and its worker processes (summed
PSS, sampled every 20 ms, or the child's ru_maxrss if larger).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_from_logs import (  # a script beside this one, not a package
    MEMORY_TARGET_MB,
    cpu_model,
    offline_env,
    paragraph,
    run,
    write_log,
)
from installed import costcalc_exe


def write_batch_output(path: Path, target_bytes: int, seed: int) -> tuple[int, int]:
    """An OpenAI Batch output file and nothing else: one result per line, each with its own
    custom_id and usage, answers of 20-120 words. Returns (lines, bytes)."""
    rng = random.Random(seed)
    created = 1_793_059_200
    lines = written = 0
    with path.open("w", encoding="utf-8") as handle:
        while written < target_bytes:
            lines += 1
            answer = paragraph(rng, rng.randint(20, 120))
            body = {
                "id": f"chatcmpl-{lines:012d}", "object": "chat.completion",
                "created": created + lines // 50, "model": "gpt-4o-mini-2024-07-18",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": answer},
                             "finish_reason": "stop"}],
                "usage": {"prompt_tokens": rng.randint(200, 2000),
                          "completion_tokens": len(answer) // 4, "total_tokens": 0},
            }  # fmt: skip
            line = {
                "id": f"batch_req_{lines:012d}", "custom_id": f"request-{lines}",
                "response": {"status_code": 200, "request_id": f"req_{lines}", "body": body},
                "error": None,
            }  # fmt: skip
            text = json.dumps(line) + "\n"
            handle.write(text)
            written += len(text.encode())
    return lines, written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gb", type=float, default=2.0, help="size of each log (default 2)")
    parser.add_argument("--shape", choices=["chat", "batch", "both"], default="both")
    parser.add_argument("--dir", default=None, help="where to write the logs (default: temp)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    exe = costcalc_exe()
    if exe is None:
        print('needs costcalc: pip install -e ".[test]"', file=sys.stderr)
        return 2
    print(f"machine: {cpu_model()}, python {sys.version.split()[0]}")
    ok = True
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        work = Path(tmp)
        env = offline_env(work)
        shapes = ["chat", "batch"] if args.shape == "both" else [args.shape]
        for shape in shapes:
            log = work / f"{shape}.jsonl"
            if shape == "chat":
                lines, size = write_log(log, int(args.gb * 1e9), args.seed, False)
                command = [exe, "profile", "from-logs", str(log), "--model", "gpt-4"]
            else:
                lines, size = write_batch_output(log, int(args.gb * 1e9), args.seed)
                command = [exe, "profile", "from-logs", str(log), "--jobs-per-month", "4"]
            wall, peak = run([*command, "-o", str(work / "p.yaml")], env)
            ok = ok and peak < MEMORY_TARGET_MB
            print(f"{shape}: {size / 1e9:.2f} GB, {lines:,} lines: {wall:.0f} s "
                  f"({size / 1e6 / wall:.1f} MB/s), peak memory {peak:.0f} MB "
                  f"(target < {MEMORY_TARGET_MB:.0f} MB)")  # fmt: skip
            log.unlink()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
