"""One large JSONL log read by several worker processes, each a part of it, merged in order.

A part's worker measures its lines exactly as one process would (the same buckets, records
and statistics), and the parts are merged in file order: counts added, the first line of each
bucket taken from the earliest part, statistics merged (Measured.merge). Workers are forked,
so they share the parent's loaded tokenizer and its string hashes (ids and messages hash
alike in every part). Two lines of one id in different parts would make a duplicate no part
sees: when the parts' ids overlap, the file is read again in one process instead.
"""

from __future__ import annotations

import dataclasses
import gc
import multiprocessing
import os
import signal
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from costcalc.errors import UserError
from costcalc.io.logs import registry
from costcalc.io.logs.measure import Measured
from costcalc.io.logs.opening import BOM, compression, one_array, plain_suffix
from costcalc.io.logs.read import Part, decode
from costcalc.io.logs.values import BadValue

MIN_PART_BYTES = 16 << 20  # a smaller log is read in one process: forking costs ~20 ms a part
SURVEY_LINES = 1000  # lines searched for the first JSON object, that tells the format
PROGRESS_S = 0.2  # how often the parent reports the workers' progress
STOP_S = 2.0  # how long stopped workers are waited for before they are killed


def workers_wanted(asked: int | None) -> int:
    """Processes to read a log with: `asked`, else COSTCALC_WORKERS, else every core this
    process may run on."""
    if asked is None and os.environ.get("COSTCALC_WORKERS", "").isdigit():
        asked = int(os.environ["COSTCALC_WORKERS"])
    if asked is None:
        affinity = getattr(os, "sched_getaffinity", None)
        asked = len(affinity(0)) if affinity else os.cpu_count() or 1
    return max(asked, 1)


def parts(path: Path, workers: int) -> list[Part]:
    """The file cut into up to `workers` parts of about equal bytes (MIN_PART_BYTES at least),
    each starting a line; [] when it is too small to share or cannot be read in parts."""
    size = path.stat().st_size
    count = min(workers, size // max(MIN_PART_BYTES, 1))
    if count < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return []
    found = splittable(path)
    if found is None:
        return []
    starts = [0]
    with path.open("rb") as handle:
        for k in range(1, count):
            start = _line_after(handle, max(size * k // count - 1, starts[-1]))
            if starts[-1] < start < size:
                starts.append(start)
    ends = [*starts[1:], size]
    # first lines 0: not known yet; each worker counts the part's before it (see _numbered)
    return [Part(path, s, e, 0, found) for s, e in zip(starts, ends, strict=True)]


def splittable(path: Path) -> registry.JsonFormat | None:
    """The format of a JSONL log that can be read in parts by several processes: plain (a
    compressed stream has no place to start but its beginning), not CSV (a quoted cell may
    hold a newline), not one JSON array; None otherwise, or when no line is a JSON object."""
    if plain_suffix(path) == ".csv" or compression(path) is not None:
        return None
    with path.open("rb") as handle:
        if one_array(handle):
            return None
        for number, line in enumerate(handle, 1):
            if number > SURVEY_LINES:
                break  # no JSON object so far: read in one process, which says what it is
            try:
                obj = decode(line.removeprefix(BOM) if number == 1 else line)
            except (BadValue, RecursionError):  # as read.py counts them: malformed
                continue
            if isinstance(obj, dict):
                return registry.json_format(obj)
    return None


def _line_after(handle: BinaryIO, at: int) -> int:
    """Where the line after the one holding byte `at` starts (read a block at a time, not
    with readline: a line may be larger than memory allows)."""
    handle.seek(at)
    while block := handle.read(1 << 20):
        found = block.find(b"\n")
        if found >= 0:
            return at + found + 1
        at += len(block)
    return at


def _newlines(handle: BinaryIO, length: int) -> int:
    count = 0
    while length > 0:
        block = handle.read(min(length, 8 << 20))
        if not block:
            break
        count += block.count(b"\n")
        length -= len(block)
    return count


@dataclass
class PartResult:
    """What a worker measured: the part's Measured and the run state it changed."""

    measured: Measured
    eligible: dict[str | None, int]
    outside: int
    failed_ids: set[int]
    known: dict[str | None, list[float]]
    keys: np.ndarray  # the 64-bit hashes of the part's record ids, to find ids in two parts


def run_parts(
    parts_: list[Part],
    measure: Callable[[int, Part, Callable[[int], None]], PartResult],
    progress: Callable[[int], None] | None,
) -> list[PartResult] | None:
    """`measure(k, part, progress)` of every part in its own forked process; the results in
    file order, or None when a worker ended without one (killed, out of memory). An error
    raised in a worker (a bad line with --strict) is raised here, the earliest part's first."""
    context = multiprocessing.get_context("fork")
    done = context.Array("q", len(parts_), lock=False)  # bytes read, per part
    lines = context.Array("q", [-1] * len(parts_), lock=False)  # lines, per part once counted
    pipes: list[Connection] = []
    processes: list[multiprocessing.process.BaseProcess] = []
    results: dict[int, tuple[str, Any]] = {}
    # the parent's objects out of the collector's reach while the workers live: a collection
    # in a worker would otherwise touch, and so copy, every page of them (Python's advice for
    # forked workers; about 40 MB a worker here)
    gc.freeze()
    try:
        for k, part in enumerate(parts_):
            here, there = context.Pipe(duplex=False)
            previous = parts_[k - 1] if k else None
            process = context.Process(
                target=_worker, args=(measure, k, (part, previous), (done, lines), there,
                                      os.getpid()),
                daemon=True, name=f"costcalc-log-part-{k}",
            )  # fmt: skip
            process.start()
            there.close()
            pipes.append(here)
            processes.append(process)
        waiting = dict(enumerate(pipes))
        while waiting and _settled(results, len(parts_)) is None:
            for ready in wait(list(waiting.values()), timeout=PROGRESS_S):
                k = next(i for i, pipe in waiting.items() if pipe is ready)
                try:
                    results[k] = waiting[k].recv()
                except EOFError:
                    results[k] = ("died", None)
                del waiting[k]
            if progress is not None:
                progress(sum(done))
    finally:
        gc.unfreeze()
        _stop(processes)
        for pipe in pipes:
            pipe.close()
    settled = _settled(results, len(parts_))
    if settled is not None and settled[0] == "error":
        raise settled[1]
    return None if settled is not None else [results[k][1] for k in range(len(parts_))]


def _settled(results: dict[int, tuple[str, Any]], count: int) -> tuple[str, Any] | None:
    """The first part's in file order that did not end well, once every part before it did
    (an error then need not wait for the parts after it); None while there is none."""
    for k in range(count):
        if k not in results:
            return None
        if results[k][0] != "ok":
            return results[k]
    return None


def _stop(processes: list[multiprocessing.process.BaseProcess]) -> None:
    """Workers still running (after an error, or Ctrl-C in the parent) are stopped at once,
    then all are waited for together: not a second each in turn."""
    for process in processes:
        if process.is_alive() and process.exitcode is None:
            process.terminate()
    deadline = time.monotonic() + STOP_S
    for process in processes:
        process.join(timeout=max(deadline - time.monotonic(), 0.0))
        if process.is_alive():
            process.kill()
            process.join()


def _worker(
    measure: Callable[[int, Part, Callable[[int], None]], PartResult], k: int,
    parts_: tuple[Part, Part | None], shared: tuple[Any, Any], pipe: Connection, parent: int,
) -> None:  # fmt: skip
    """Measure part k (`parts_`: it and the part before it, whose lines it counts)."""
    done, lines = shared
    part, previous = parts_

    def progress(position: int) -> None:
        done[k] = position - part.start
        if os.getppid() != parent:  # the parent was killed: nobody wants the result
            os._exit(1)

    _die_with(parent)
    # Ctrl-C is the parent's to handle: it stops the workers, without a traceback from each
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        part = _numbered(k, part, previous, lines)
        result: tuple[str, Any] = ("ok", measure(k, part, progress))
    except UserError as exc:  # a bad line with --strict, a disk error: raised in the parent
        result = ("error", exc)
    except Exception:  # a bug: the parent reads the file again itself, and fails with its
        result = ("crash", traceback.format_exc())  # own traceback, where it can be seen
    else:
        done[k] = part.end - part.start
    pipe.send(result)
    pipe.close()


def _numbered(k: int, part: Part, previous: Part | None, lines: Any) -> Part:
    """The part with its first line's number, numbered as one pass numbers the file's lines
    (by b"\\n"): worker k counts the lines of part k-1, then adds up those of the parts before
    it as they come. The first worker counts none and starts at once (counting 100 MB takes
    0.1 s), and nobody counts the last part, which no number needs. A part whose worker died
    leaves the others waiting, until the parent, told of it, stops them."""
    if previous is None:
        return dataclasses.replace(part, first_line=1)
    with open(previous.path, "rb") as handle:
        handle.seek(previous.start)
        lines[k - 1] = _newlines(handle, previous.end - previous.start)
    while any(lines[j] < 0 for j in range(k)):
        time.sleep(0.001)
    return dataclasses.replace(part, first_line=1 + sum(lines[j] for j in range(k)))


def _die_with(parent: int) -> None:
    """Have the kernel stop this worker when the parent process ends (Linux's
    PR_SET_PDEATHSIG; elsewhere the progress callback looks for a new parent)."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # ended before the call above
        os._exit(1)


def overlapping(results: list[PartResult]) -> bool:
    """Whether an id is in two parts (a duplicate of a line in another part)."""
    keys = [r.keys for r in results if len(r.keys)]
    if len(keys) < 2:
        return False
    every = np.concatenate(keys)
    return len(np.unique(every)) < len(every)
