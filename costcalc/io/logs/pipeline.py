"""Read every log in jobs, put each line in exactly one bucket, and measure the requests used."""

from __future__ import annotations

import functools
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from costcalc.core.demand.logstats import RECENT_REQUESTS, LogStats
from costcalc.errors import InputFileError
from costcalc.io.logs import parallel, runstate
from costcalc.io.logs.formats import LogRecord
from costcalc.io.logs.jobs import Held, Job, Joiner, jobs, survey
from costcalc.io.logs.measure import KeySet, Measured, parts
from costcalc.io.logs.read import LineCounts, Part
from costcalc.io.logs.runstate import Run
from costcalc.io.logs.values import TimeRange
from costcalc.io.tokens import TokenCounter, encoding_for_model, loaded, preload


def _shifted(progress: Callable[[int], None], base: int, position: int) -> None:
    progress(base + position)


def _job(run: Run, job: Job, progress: Callable[[int], None] | None, done: list[int]) -> None:
    """Results first (kept by id when the job has inputs), then inputs, joined on the fly."""
    m = run.measured
    joiner: Joiner[Held] = Joiner()
    both_sides = set(job.results) & set(job.inputs)
    passes = [(path, "result") for path in job.results]
    passes += [(path, "input") for path in job.inputs]
    for path, pass_side in passes:
        # a file holding both sides is read twice; its lines are counted the first time only
        again = pass_side == "input" and path in both_sides
        counts = LineCounts() if again else m.counts
        at = None if progress is None or again else functools.partial(_shifted, progress, done[0])
        if not job.paired and _in_parts(run, path, at):
            done[0] += path.stat().st_size if progress else 0
            continue
        seen = KeySet()  # keys of this file's lines: the same one again is a duplicate
        for chunk in run.chunks(path, counts, at):
            for where, record, sampled in chunk:
                if path in both_sides and (record.side == "input") != (pass_side == "input"):
                    continue  # the other pass's line
                _line(run, job, joiner, seen, where, record, sampled)
        if not again:
            done[0] += path.stat().st_size if progress else 0
    for held in joiner.left("input"):
        custom_id = held.record.custom_id
        if not run.wanted(held.record):
            m.place("other_model", f"{held.where}: {held.record.model}")
        elif hash(custom_id) in run.failed_ids:
            m.place("failed", f"{held.where}: its result failed (in a file of no model)")
        else:
            m.place("unanswered", f"{held.where}: custom_id {custom_id}")
    for held in joiner.left("result"):
        if held.record.failed:  # in "failed" already
            continue
        if not run.wanted(held.record):
            m.place("other_model", f"{held.where}: {held.record.model}")
        else:
            m.place("orphaned", f"{held.where}: custom_id {held.record.custom_id}")


def _in_parts(run: Run, path: Path, progress: Callable[[int], None] | None) -> bool:
    """Measure a large plain JSONL log in parts, one worker process each, merged in order;
    False when it is read in one process (small, compressed, CSV, --strict, one core, or its
    parts share an id: then a duplicate could span two parts)."""
    cut = [] if run.measured.strict else parallel.parts(path, run.workers)
    if not cut:
        return False
    loaded()  # the tokenizer preloaded, before the fork: every worker shares the one
    measure = functools.partial(_measure_part, run, path, len(cut))
    results = parallel.run_parts(cut, measure, progress)
    if results is None or parallel.overlapping(results):
        why = "a worker process ended early" if results is None else "ids repeat far apart"
        run.measured.note(f"{path} was read in one process: {why}")
        return False
    for k, result in enumerate(results):
        run.measured.merge(result.measured, first=k == 0)
        run.eligible.update(result.eligible)
        run.outside += result.outside
        run.failed_ids |= result.failed_ids
        for model, (tokens, requests) in result.known.items():
            tally = run.known.setdefault(model, [0.0, 0])
            tally[0] += tokens
            tally[1] += requests
    run.parts_read += len(cut)
    return True


def _measure_part(
    run: Run, path: Path, count: int, k: int, part: Part, progress: Callable[[int], None]
) -> parallel.PartResult:
    """In a worker process: measure part k of the `count` parts of the log as `_job` measures
    a file."""
    m = run.measured
    sub = Run(Measured(span=m.span, per_model=None if m.per_model is None else {}),
              run.model, run.utc_offset_h, run.workers)  # fmt: skip
    # merged after the part before it; the workers share one process's memory: each
    # remembers its share of the requests for retries, and of the distinct texts counted
    sub.measured.stats = LogStats(True, max(RECENT_REQUESTS // run.workers, 10_000))
    sub.known = {model: list(tally) for model, tally in run.known.items()}
    TokenCounter.MAX_CACHED = max(TokenCounter.MAX_CACHED // run.workers, 20_000)
    # the first requests of each model that one process tokenises, shared out among the parts
    # (1,000 in each of 2): part 0 would otherwise tokenise them all, and the others wait
    sub.share_first(count, Counter(run.eligible))
    seen, joiner = KeySet(), Joiner[Held]()
    for chunk in sub.chunks(path, sub.measured.counts, progress, part):
        for where, record, sampled in chunk:
            _line(sub, Job(), joiner, seen, where, record, sampled)
    sub.tokeniser.shutdown(wait=True)
    known = {}  # what the part added to each model's tally, over what it started from
    for model, (tokens, requests) in sub.known.items():
        tokens_before, requests_before = run.known.get(model, (0.0, 0))
        known[model] = [tokens - tokens_before, requests - requests_before]
    return parallel.PartResult(
        sub.measured,
        dict(sub.eligible - run.eligible),
        sub.outside,
        sub.failed_ids,
        known,
        seen.hashes(),
    )


def _line(
    run: Run, job: Job, joiner: Joiner[Held], seen: KeySet, where: str, record: LogRecord,
    sampled: bool = True,
) -> None:  # fmt: skip
    """Place one line: not a request, another model, a duplicate, failed, joined or used."""
    m = run.measured
    if record.requests <= 0:
        m.place("no_request", f"{where}: no request in it")
        return
    joined = job.paired and record.side != "both" and record.custom_id is not None
    if not joined and not run.wanted(record):  # a pair is judged by its result's model
        m.place("other_model", f"{where}: {record.model}")
        return
    key = record.key
    if not joined and key is not None and not seen.add(key):  # add: False when seen before
        m.place("duplicate", f"{where}: id {key} again")
        return
    if not joined:
        if record.failed:
            if record.side == "result" and record.custom_id is not None:
                run.failed_ids.add(hash(record.custom_id))
            m.place("failed", f"{where}: {record.failed}")
            return
        # a result without messages (a Batch output line) needs no tokenizer, nor its loading
        count = run.counter_for(record) if sampled and record.messages else None
        p = parts(record, count) if record.messages else None
        run.add(record, p, record, run.answer_tokens(record))
        m.place("used", where)
        return
    assert key is not None
    p = parts(record, run.counter_for(record)) if record.side == "input" else None
    # the waiting side keeps its counts, not its texts: a held answer of 6 kB would make
    # memory grow with the output file
    small = record._replace(messages=None, answer=None, tools=None)
    held = Held(small, p, run.answer_tokens(record), where)
    outcome, other = joiner.take(record.side, key, held)
    if outcome == "duplicate":
        m.place("duplicate", f"{where}: custom_id {key} again in this job")
        return
    if record.failed:  # a failed result: its input, now or later, is failed too
        m.place("failed", f"{where}: {record.failed}")
    if other is None:
        return
    request, result = (held, other) if record.side == "input" else (other, held)
    if result.record.failed:
        m.place("failed", f"{request.where}: its result failed ({result.record.failed})")
        return
    if not run.wanted(result.record if result.record.model else request.record):
        m.place("other_model", f"{request.where}: {result.record.model or request.record.model}")
        m.place("other_model", f"{result.where}: {result.record.model or request.record.model}")
        return
    run.add(request.record, request.parts, result.record, result.answer)
    m.place("used", request.where)
    m.place("used", result.where)


def measure_logs(
    paths: list[Path],
    model: str | None,
    strict: bool,
    utc_offset_h: float,
    progress: Callable[[int], None] | None = None,
    now_s: float | None = None,
    split_by_model: bool = False,
    workers: int | None = None,
) -> Measured:
    """Every line of every log in one bucket (read.BUCKETS), used requests measured, in
    bounded memory but for a Batch job's waiting side. `progress` gets the bytes read of all
    the logs so far; times after `now_s` (default: the clock) plus a day are outliers."""
    span = TimeRange.until(time.time() if now_s is None else now_s)
    measured = Measured(span=span, strict=strict, per_model={} if split_by_model else None)
    unique: list[Path] = []
    resolved: set[Path] = set()
    for path in paths:
        if not path.is_file():
            why = "is a folder; name the log files in it" if path.is_dir() else "no such file"
            raise InputFileError(path, why)
        if path.resolve() in resolved:
            measured.note(f"{path} is named twice: read once")
            continue
        resolved.add(path.resolve())
        unique.append(path)
    run = Run(measured, model, utc_offset_h, parallel.workers_wanted(workers))
    done = [0]
    try:
        surveys = [survey(path, span) for path in unique]
        for found in surveys:  # each tokenizer the first records need (gpt-4o and gpt-4: two)
            for logged in found.text_models:
                preload(encoding_for_model(model or logged)[0])
        for job in jobs(surveys):
            _job(run, job, progress, done)
    finally:
        run.tokeniser.shutdown(wait=True)
    if run.outside:
        with_messages = sum(run.eligible.values())
        later = (f", shared among the parts a large log is read in (at least "
                 f"{runstate.SAMPLE_LATER:,} each for a model new there)"
                 if run.parts_read else "")  # fmt: skip
        measured.note(
            f"prompt parts (system, tools, context, history) tokenised for a sample of "
            f"{with_messages - run.outside:,} of {with_messages:,} requests with usage (the "
            f"first {runstate.SAMPLE_FIRST:,} of each model{later}, then the requests of 1 in "
            f"{runstate.SAMPLE_EVERY} conversations); "
            "input totals from usage for all, the user's input being the total less the "
            "sample's mean parts"
        )
    return measured
