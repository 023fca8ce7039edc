"""Read every log in jobs, put each line in exactly one bucket, and measure the requests used."""

from __future__ import annotations

import dataclasses
import functools
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from costcalc.core.demand.logstats import LogStats
from costcalc.errors import InputFileError
from costcalc.io.logs.formats import LogRecord
from costcalc.io.logs.jobs import Held, Job, Joiner, base_model, jobs, model_matches, survey
from costcalc.io.logs.measure import KeySet, Measured, Parts, combine, known, label, parts
from costcalc.io.logs.read import LineCounts, read_records
from costcalc.io.logs.values import TimeRange
from costcalc.io.tokens import TokenCounter, encoding_for_model

CHUNK = 2_000  # records tokenised per batch
# With usage, a request's prompt total is known: tokenising its messages only splits it into
# parts, whose means a sample gives. The first SAMPLE_FIRST requests of each model are all
# tokenised (a small log's profile is exact), then one in SAMPLE_EVERY at random (not every
# 10th: a log alternating first and later turns would give only one kind): of 1,000,000,
# about 101,800.
SAMPLE_FIRST = 2_000
SAMPLE_EVERY = 10


def _prepare_all(counters: list[tuple[TokenCounter, list[str]]]) -> None:
    for counter, texts in counters:
        counter.prepare(texts)


def _shifted(progress: Callable[[int], None], base: int, position: int) -> None:
    progress(base + position)


class _Run:
    """The state of one `from-logs` run: counters per encoding, the buckets, the statistics."""

    def __init__(self, measured: Measured, model: str | None, utc_offset_h: float) -> None:
        self.measured, self.model, self.utc_offset_h = measured, model, utc_offset_h
        self.counters: dict[str, TokenCounter] = {}
        # custom_ids failed in a result file of no job (an error file naming no model, when
        # there are several jobs): an input of that id was answered, with a failure
        self.failed_ids: set[int] = set()
        self.tokeniser = ThreadPoolExecutor(1, thread_name_prefix="prepare")
        self.rng = random.Random(0)  # the same sample on every run of the same logs
        self.eligible: Counter[str | None] = Counter()  # requests with usage and messages
        self.outside = 0  # of those, requests whose parts were not tokenised
        # base model → [known tokens, requests] over the tokenised requests with usage
        self.known: dict[str | None, list[float]] = {}

    def sampled(self, record: LogRecord) -> bool:
        """Whether to tokenise the record's messages: always, but for a request with usage
        outside the sample (decided once per record, when its chunk is prepared)."""
        if record.usage is None or not record.messages or record.failed:
            return True
        if self.model and record.model and not model_matches(self.model, record.model):
            return False  # another model's line: never measured
        model = base_model(record.model) if record.model else None
        self.eligible[model] += 1
        return self.eligible[model] <= SAMPLE_FIRST or self.rng.random() * SAMPLE_EVERY < 1

    def wanted(self, record: LogRecord) -> bool:
        """Not filtered out by --model (a record naming no model is kept)."""
        return not (self.model and record.model and not model_matches(self.model, record.model))

    def counter_for(self, record: LogRecord) -> TokenCounter:
        encoding, note = encoding_for_model(self.model or record.model)
        self.measured.note(note)
        if encoding not in self.counters:
            self.counters[encoding] = TokenCounter(encoding)
            self.measured.note(self.counters[encoding].warning)
        return self.counters[encoding]

    def chunks(
        self, path: Path, counts: LineCounts, progress: Callable[[int], None] | None
    ) -> Iterator[list[tuple[str, LogRecord, bool]]]:
        """The file's records, CHUNK at a time, each with whether its messages are tokenised
        (then already are). Chunk k is tokenised in a thread while chunk k+1 is parsed:
        tiktoken lets go of the GIL while it encodes, so parsing and encoding share 2 cores."""
        span = self.measured.span or TimeRange.until(time.time())
        chunk: list[tuple[str, LogRecord, bool]] = []
        pending: tuple[list[tuple[str, LogRecord, bool]], Future[None]] | None = None
        strict = self.measured.strict
        for number, record in read_records(path, strict, counts, span, progress):
            chunk.append((f"{path}:{number}", record, self.sampled(record)))
            if len(chunk) >= CHUNK and strict:  # placed before the next chunk is parsed, so
                self._prepare(chunk).result()  # the first bad line is the one named
                yield chunk
                chunk = []
            elif len(chunk) >= CHUNK:
                if pending is not None:
                    pending[1].result()
                    yield pending[0]
                pending, chunk = (chunk, self._prepare(chunk)), []
        if pending is not None:
            pending[1].result()
            yield pending[0]
        self._prepare(chunk).result()
        yield chunk

    def _prepare(self, chunk: list[tuple[str, LogRecord, bool]]) -> Future[None]:
        """Start counting the texts of the chunk's sampled records, distinct ones once."""
        by_encoding: dict[str, list[str]] = {}
        for _, record, sampled in chunk:
            if not sampled:
                continue
            texts = [text for _, text in record.messages or ()]
            answer = record.answer if record.usage is None else None
            texts += [t for t in (record.tools, answer) if t]
            if texts:  # a usage-only line needs no encoding (nor its "not loaded" note)
                by_encoding.setdefault(self.counter_for(record).encoding, []).extend(texts)
        counters = [(self.counters[encoding], texts) for encoding, texts in by_encoding.items()]
        return self.tokeniser.submit(_prepare_all, counters)

    def add(self, request: LogRecord, p: Parts | None, result: LogRecord | None,
            answer: float | None) -> None:  # fmt: skip
        """Measure one used request: `request` holds its messages, `result` its usage."""
        m = self.measured
        usage = result.usage if result is not None else None
        if result is not None and result is not request:
            request = dataclasses.replace(
                request, time_s=result.time_s or request.time_s,
                model=request.model or result.model, usage=usage,
                batch=request.batch or result.batch,
            )  # fmt: skip
        n = request.requests
        model = base_model(request.model) if request.model else None
        sampled_known = 0.0
        if p is not None and usage is not None and p.counted:
            tally = self.known.setdefault(model, [0.0, 0])
            tally[0] += known(p) * n
            tally[1] += n
        elif p is not None and not p.counted:
            tally = self.known.get(model) or [0.0, 1]  # the model's first requests are counted
            sampled_known = tally[0] / tally[1]
            self.outside += n
        tokenised = p is not None or (usage is None and answer is not None)
        counted = label(self.counter_for(request).method) if tokenised else "not logged"
        m.batch += n if request.batch else 0
        m.how["input: provider usage" if usage else f"input: {counted}" if p is not None
              else "input: not logged (0)"] += n  # fmt: skip
        m.how["output: provider usage" if usage else f"output: {counted}" if answer is not None
              else "output: not logged (0)"] += n  # fmt: skip
        if p is not None:
            m.encodings[counted if p.counted else f"{counted} in a sample"] += n
        tokens = combine(request, p, usage, answer, sampled_known)
        if request.batch:  # each Batch request is its own (custom_id): never a retry or a turn
            tokens = dataclasses.replace(tokens, fingerprint=None, thread=None)
        m.stats.add(tokens, self.utc_offset_h)
        if m.per_model is not None:
            key = base_model(request.model) if request.model else "unknown-model"
            m.per_model.setdefault(key, LogStats()).add(tokens, self.utc_offset_h)
            m.batch_by_model[key] += n if request.batch else 0

    def answer_tokens(self, record: LogRecord) -> float | None:
        if record.usage is None and record.answer:
            return float(self.counter_for(record)[record.answer])
        return None


def _job(run: _Run, job: Job, progress: Callable[[int], None] | None, done: list[int]) -> None:
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


def _line(
    run: _Run, job: Job, joiner: Joiner[Held], seen: KeySet, where: str, record: LogRecord,
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
        count = run.counter_for(record) if sampled else None
        p = parts(record, count) if record.messages else None
        run.add(record, p, record, run.answer_tokens(record))
        m.place("used", where)
        return
    assert key is not None
    p = parts(record, run.counter_for(record)) if record.side == "input" else None
    # the waiting side keeps its counts, not its texts: a held answer of 6 kB would make
    # memory grow with the output file
    small = dataclasses.replace(record, messages=None, answer=None, tools=None)
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
    run = _Run(measured, model, utc_offset_h)
    done = [0]
    try:
        for job in jobs([survey(path, span) for path in unique]):
            _job(run, job, progress, done)
    finally:
        run.tokeniser.shutdown(wait=True)
    if run.outside:
        with_messages = sum(run.eligible.values())
        measured.note(
            f"prompt parts (system, tools, context, history) tokenised for a sample of "
            f"{with_messages - run.outside:,} of {with_messages:,} requests with usage (the "
            f"first {SAMPLE_FIRST:,} of each model, then 1 in {SAMPLE_EVERY} at random); input "
            "totals from usage for all, the user's input being the total less the sample's mean "
            "parts"
        )
    return measured
