"""The state of one `from-logs` run: tokenizers, the sample of requests tokenised, the tallies."""

from __future__ import annotations

import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from costcalc.io.logs.formats import LogRecord
from costcalc.io.logs.jobs import base_model, model_matches
from costcalc.io.logs.measure import Measured, Parts, combine, counted_texts, known, label
from costcalc.io.logs.read import LineCounts, Part, read_records
from costcalc.io.logs.values import TimeRange
from costcalc.io.tokens import TokenCounter, encoding_for_model

CHUNK = 2_000  # records tokenised per batch, at most …
# … and messages of at most this many characters: two chunks are held at once (one parsed, one
# tokenised), 2 × 2,000 conversation turns of 8.6 kB would be 34 MB of text a process
CHUNK_CHARS = 4_000_000
# A chunk is tokenised in a thread, while the next is parsed, when at least this share of its
# records is tokenised; a sample's few texts are counted on the spot, on one thread: on 200 MB
# with usage (1 record in 10 tokenised), threads made it 2.6 s on 2 cores, this 2.3 s
OVERLAP_SHARE = 0.5
# With usage, a request's prompt total is known: tokenising its messages only splits it into
# parts, whose means a sample gives. The first SAMPLE_FIRST requests of each model are all
# tokenised (a small log's profile is exact), then the requests of one conversation in
# SAMPLE_EVERY, told by a checksum of its id (else of its first user message), so the same
# on every run: about 101,800 of 1,000,000 requests. Whole conversations, not requests at
# random: a sampled turn's history is its conversation's earlier turns, tokenised already,
# where a turn drawn alone has all its history to tokenise (on a log of 8.6 kB turns, 4 times
# the text). A log read by several processes in parts (see parallel.py): what is left of
# each model's first SAMPLE_FIRST after the logs read before it, shared among the parts (a
# part's share counts the requests it sees, so a model whose first requests crowd into one
# part has fewer tokenised), at least SAMPLE_LATER for a model with no mean yet (so that
# each part's requests outside the sample have one to be measured against from the start);
# then the same.
SAMPLE_FIRST = 2_000
SAMPLE_EVERY = 10
SAMPLE_LATER = 200


def _drawn(record: LogRecord) -> bool:
    """Whether the record's conversation is in the sample (one in SAMPLE_EVERY)."""
    key = record.conversation
    if key is None:
        key = next((text for role, text in record.messages or () if role == "user"), "")
    checksum = zlib.crc32(key.encode("utf-8", "surrogatepass"))
    return checksum % SAMPLE_EVERY == 0


def _prepare_all(counters: list[tuple[TokenCounter, list[str]]], threads: bool) -> None:
    """Count every text not counted yet, distinct ones once, on THREADS threads or this one."""
    for counter, texts in counters:
        counter.prepare(texts, threads)


class Run:
    """The state of one `from-logs` run: counters per encoding, the buckets, the statistics."""

    def __init__(
        self, measured: Measured, model: str | None, utc_offset_h: float, workers: int = 1
    ) -> None:
        self.measured, self.model, self.utc_offset_h = measured, model, utc_offset_h
        self.workers = workers  # processes a large log is read with (see parallel.py)
        self.parts_read = 0  # parts of logs read by worker processes
        self.counters: dict[str, TokenCounter] = {}
        # custom_ids failed in a result file of no job (an error file naming no model, when
        # there are several jobs): an input of that id was answered, with a failure
        self.failed_ids: set[int] = set()
        self.tokeniser = ThreadPoolExecutor(1, thread_name_prefix="prepare")
        self.eligible: Counter[str | None] = Counter()  # requests with usage and messages
        self.outside = 0  # of those, requests whose parts were not tokenised
        # base model → [known tokens, requests] over the tokenised requests with usage
        self.known: dict[str | None, list[float]] = {}
        # a part of a log read in parts (see share_first); one process: 1 part, nothing before
        self.parts, self.before = 1, Counter[str | None]()
        self.measured_before: set[str | None] = set()  # models with a mean from earlier logs
        self._counter: dict[str | None, TokenCounter] = {}  # by model name, as counter_for says

    @property
    def span(self) -> TimeRange:
        return self.measured.span or TimeRange.until(time.time())

    def sampled(self, record: LogRecord) -> bool:
        """Whether to tokenise the record's messages: always, but for a request with usage
        outside the sample (decided once per record, when its chunk is prepared)."""
        if record.usage is None or not record.messages or record.failed:
            return True
        if not self.wanted(record):
            return False  # another model's line: never measured
        model = base_model(record.model) if record.model else None
        self.eligible[model] += 1
        return self.eligible[model] <= self._first(model) or _drawn(record)

    def share_first(self, parts: int, before: Counter[str | None]) -> None:
        """Make this run one of `parts` parts of a log read after logs whose requests `before`
        counted (called once `known` holds their means). What is left of each model's first
        SAMPLE_FIRST is shared among the parts (1,000 each of 2 for a model not seen before;
        none after a log of 2,000), but a model with no mean yet gets at least SAMPLE_LATER
        in each part, so that the part's requests outside the sample have a mean to be
        measured against from the start."""
        self.parts, self.before = parts, before
        self.eligible = Counter(before)
        self.measured_before = {model for model, tally in self.known.items() if tally[1]}

    def _first(self, model: str | None) -> int:
        """How many of a model's first requests (counted over the run) are all tokenised."""
        before = self.before[model]
        share = max(SAMPLE_FIRST - before, 0) // self.parts
        if self.parts > 1 and model not in self.measured_before:
            share = max(share, SAMPLE_LATER)
        return before + share

    def wanted(self, record: LogRecord) -> bool:
        """Not filtered out by --model (a record naming no model is kept)."""
        return not (self.model and record.model and not model_matches(self.model, record.model))

    def counter_for(self, record: LogRecord) -> TokenCounter:
        found = self._counter.get(record.model)
        if found is not None:
            return found
        encoding, note = encoding_for_model(self.model or record.model)
        self.measured.note(note)
        if encoding not in self.counters:
            self.counters[encoding] = TokenCounter(encoding)
            self.measured.note(self.counters[encoding].warning)
        if len(self._counter) < 10_000:  # a log of countless model names asks each time
            self._counter[record.model] = self.counters[encoding]
        return self.counters[encoding]

    def chunks(
        self, path: Path, counts: LineCounts, progress: Callable[[int], None] | None,
        part: Part | None = None,
    ) -> Iterator[list[tuple[str, LogRecord, bool]]]:  # fmt: skip
        """The file's records, CHUNK at a time (fewer when long), each with whether its
        messages are tokenised (then already are). Chunk k is tokenised in a thread while chunk
        k+1 is parsed: tiktoken lets go of the GIL while it encodes, so the two overlap."""
        span = self.span
        chunk: list[tuple[str, LogRecord, bool]] = []
        pending: tuple[list[tuple[str, LogRecord, bool]], Future[None]] | None = None
        strict = self.measured.strict
        chars = 0  # of the chunk's messages
        for number, record in read_records(path, strict, counts, span, progress, part):
            chunk.append((f"{path}:{number}", record, self.sampled(record)))
            if record.messages:
                chars += sum(len(text) for _, text in record.messages)
            if len(chunk) < CHUNK and chars < CHUNK_CHARS:
                continue
            if pending is not None:
                pending[1].result()
                yield pending[0]
                pending = None
            if strict or sum(sampled for _, _, sampled in chunk) < OVERLAP_SHARE * len(chunk):
                # placed before the next chunk is parsed: with --strict, so that the first bad
                # line is the one named; with few texts to count (a sample), because a thread
                # would cost more than it saves (threads take turns holding the GIL)
                _prepare_all(self._texts(chunk), threads=False)
                yield chunk
            else:
                pending = (chunk, self.tokeniser.submit(_prepare_all, self._texts(chunk), True))
            chunk, chars = [], 0
        if pending is not None:
            pending[1].result()
            yield pending[0]
        _prepare_all(self._texts(chunk), threads=False)
        yield chunk

    def _texts(
        self, chunk: list[tuple[str, LogRecord, bool]]
    ) -> list[tuple[TokenCounter, list[str]]]:
        """The texts of the chunk's sampled records, with the counter each is counted by."""
        by_encoding: dict[str, list[str]] = {}
        for _, record, sampled in chunk:
            if not sampled:
                continue
            texts = counted_texts(record)
            answer = record.answer if record.usage is None else None
            texts += [t for t in (record.tools, answer) if t]
            if texts:  # a usage-only line needs no encoding (nor its "not loaded" note)
                by_encoding.setdefault(self.counter_for(record).encoding, []).extend(texts)
        return [(self.counters[encoding], texts) for encoding, texts in by_encoding.items()]

    def add(self, request: LogRecord, p: Parts | None, result: LogRecord | None,
            answer: float | None) -> None:  # fmt: skip
        """Measure one used request: `request` holds its messages, `result` its usage."""
        m = self.measured
        usage = result.usage if result is not None else None
        if result is not None and result is not request:
            request = request._replace(
                time_s=result.time_s or request.time_s, model=request.model or result.model,
                usage=usage, batch=request.batch or result.batch,
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
            tokens = tokens._replace(fingerprint=None, thread=None)
        m.stats.add(tokens, self.utc_offset_h)
        if m.per_model is not None:
            key = base_model(request.model) if request.model else "unknown-model"
            m.per_model.setdefault(key, m.stats.like()).add(tokens, self.utc_offset_h)
            m.batch_by_model[key] += n if request.batch else 0

    def answer_tokens(self, record: LogRecord) -> float | None:
        if record.usage is None and record.answer:
            return float(self.counter_for(record)[record.answer])
        return None
