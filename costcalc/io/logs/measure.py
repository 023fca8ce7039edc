"""Stream request logs into LogStats: parse, count tokens once per distinct text, join batches."""

from __future__ import annotations

import dataclasses
import functools
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from costcalc.core.demand.logstats import LogStats, RecordTokens
from costcalc.errors import InputFileError
from costcalc.io.logs.formats import RETRIEVAL_ROLES, SYSTEM_ROLES, LogRecord, Usage
from costcalc.io.logs.read import LineCounts, read_records
from costcalc.io.logs.values import TimeRange
from costcalc.io.tokens import TokenCounter, encoding_for_model

CHUNK = 2_000  # records tokenised per batch
MAX_NOTES = 20  # one per model whose tokenizer stands in: a log of many names says the first


@dataclass
class Measured:
    stats: LogStats = field(default_factory=LogStats)
    counts: LineCounts = field(default_factory=LineCounts)
    span: TimeRange | None = None  # the plausible times: others are not used for the volume
    skipped_models: Counter[str] = field(default_factory=Counter)
    with_usage: int = 0
    encodings: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    notes_left_off: int = 0
    _said: set[str] = field(default_factory=set)

    def note(self, text: str | None) -> None:
        if text and text not in self._said:
            self._said.add(text)
            if len(self.notes) < MAX_NOTES:
                self.notes.append(text)
            else:
                self.notes_left_off += 1

    @property
    def all_notes(self) -> list[str]:
        if not self.notes_left_off:
            return self.notes
        return [*self.notes, f"… and {self.notes_left_off:,} more notes like these"]


@dataclass(frozen=True)
class Parts:
    """A request's input, split by what it is, in tokens."""

    system: float
    tools: float
    retrieval: float
    chunks: int
    history: float
    carried: int
    user: float
    fingerprint: int
    thread: int


# a dated snapshot or version of the same model: -2024-07-18, -20241022, -0125, -latest, -v2
_SNAPSHOT = re.compile(r"-(?:\d{4}-\d{2}-\d{2}|\d{8}|\d{4}|\d{3}|latest|v\d+(?:\.\d+)*)$")


def model_matches(wanted: str, logged: str) -> bool:
    """`--model gpt-4o-mini` takes gpt-4o-mini-2024-07-18 and openai/gpt-4o-mini, never
    gpt-4o-mini-search or (for `gpt-4o`) gpt-4o-mini: a provider prefix and a dated snapshot
    are ignored, any other suffix is another model. Case does not matter."""
    want = wanted.lower().rsplit("/", 1)[-1]
    name = logged.lower().rsplit("/", 1)[-1]
    if name == want:
        return True
    return name.startswith(want + "-") and bool(_SNAPSHOT.fullmatch(name[len(want) :]))


def _texts(record: LogRecord) -> list[str]:
    """The texts a record needs counted: with usage, the answer's tokens are already known."""
    texts = [text for _, text in record.messages or ()]
    answer = record.answer if record.usage is None else None
    return texts + [t for t in (record.tools, answer) if t]


def parts(record: LogRecord, count: TokenCounter) -> Parts | None:
    """System, tools, retrieved context, history and the new user input of a request.

    The new input is everything after the last assistant message; tool/function results and
    marked context roles there are retrieved context. Earlier turns are history.
    """
    if not record.messages:
        return None
    roles = [role for role, _ in record.messages]
    texts = [text for _, text in record.messages]
    last_assistant = max((i for i, r in enumerate(roles) if r == "assistant"), default=-1)
    system = sum(count[t] for r, t in zip(roles, texts, strict=True) if r in SYSTEM_ROLES)
    history = sum(
        count[t]
        for r, t in zip(roles[: last_assistant + 1], texts, strict=False)
        if r not in SYSTEM_ROLES
    )
    fresh = [
        (r, t)
        for r, t in zip(roles[last_assistant + 1 :], texts[last_assistant + 1 :], strict=True)
        if r not in SYSTEM_ROLES
    ]
    retrieved = [count[t] for r, t in fresh if r in RETRIEVAL_ROLES]
    return Parts(
        system=system,
        tools=count[record.tools] if record.tools else 0.0,
        retrieval=sum(retrieved),
        chunks=len(retrieved),
        history=history,
        carried=roles.count("assistant"),
        user=sum(count[t] for r, t in fresh if r not in RETRIEVAL_ROLES),
        fingerprint=hash((record.model, tuple(zip(roles, texts, strict=True)), record.tools)),
        thread=_opening(roles, texts, record.answer),
    )


def _opening(roles: list[str], texts: list[str], answer: str | None) -> int:
    """Hash of a conversation's opening exchange: system prompt, first user message, first answer.

    A later turn carries that exchange as its prefix; a first turn is followed by its logged
    answer. Without the answer (request-only logs) the key stops at the first user message,
    so conversations opening identically are merged and a first turn whose answer is missing
    is not joined to its later turns.
    """
    first = next((i for i, r in enumerate(roles) if r not in SYSTEM_ROLES), len(roles))
    reply = next((i for i, r in enumerate(roles) if r == "assistant"), None)
    first_answer = texts[reply] if reply is not None else answer
    return hash((*zip(roles[: first + 1], texts, strict=False), first_answer))


def combine(
    record: LogRecord, p: Parts | None, usage: Usage | None, answer: float | None
) -> RecordTokens:
    """Usage is the ground truth for totals: the message framing tokens counted by the
    provider but not in the message texts are put with the user's input."""
    known = (p.system + p.tools + p.retrieval + p.history) if p else 0.0
    if usage is not None:
        user = max(usage.prompt - known, 0.0)
        output, reasoning = max(usage.completion - usage.reasoning, 0.0), usage.reasoning
    else:
        user = p.user if p else 0.0
        output, reasoning = answer or 0.0, 0.0
    return RecordTokens(
        time_s=record.time_s, model=record.model,
        system=p.system if p else None, tools=p.tools if p else None,
        retrieval=p.retrieval if p else None, retrieval_chunks=p.chunks if p else None,
        history=p.history if p else None, carried_turns=p.carried if p else None,
        user=user, output=output, reasoning=reasoning,
        cached=usage.cached if usage else None, prompt_total=usage.prompt if usage else None,
        conversation=record.conversation, fingerprint=p.fingerprint if p else None,
        thread=p.thread if p else None,
    )  # fmt: skip


class _Batches:
    """Joins OpenAI Batch API input and output lines by custom_id, keeping only small parts."""

    def __init__(self) -> None:
        self.inputs: dict[str, tuple[LogRecord, Parts | None]] = {}
        self.outputs: dict[str, LogRecord] = {}

    def take(
        self, record: LogRecord, p: Parts | None
    ) -> list[tuple[LogRecord, Parts | None, LogRecord | None]]:
        key = record.custom_id
        if key is None or (record.messages and record.usage):
            return [(record, p, record)]
        if record.usage is None:  # a request waiting for its response
            if key in self.outputs:
                return [(record, p, self.outputs.pop(key))]
            # its parts are counted: drop the message texts so a large input file read
            # before its output file costs a few hundred bytes per request, not its prompt
            self.inputs[key] = (dataclasses.replace(record, messages=None), p)
            return []
        if key in self.inputs:
            request, request_parts = self.inputs.pop(key)
            return [(request, request_parts, record)]
        self.outputs[key] = dataclasses.replace(record, messages=None)
        return []

    def rest(self) -> list[tuple[LogRecord, Parts | None, LogRecord | None]]:
        left: list[tuple[LogRecord, Parts | None, LogRecord | None]]
        left = [(r, p, None) for r, p in self.inputs.values()]
        left += [(r, None, r) for r in self.outputs.values()]
        return left


def _shifted(progress: Callable[[int], None], base: int, position: int) -> None:
    progress(base + position)


def measure_logs(
    paths: list[Path],
    model: str | None,
    strict: bool,
    utc_offset_h: float,
    progress: Callable[[int], None] | None = None,
    now_s: float | None = None,
) -> Measured:
    """One pass over every log in bounded memory (a chunk of records at a time). `progress`
    gets the bytes read of all the logs so far; times after `now_s` (default: the clock) plus
    a day are outliers."""
    span = TimeRange.until(time.time() if now_s is None else now_s)
    measured = Measured(span=span)
    counters: dict[str, TokenCounter] = {}
    batches = _Batches()

    def counter_for(record: LogRecord) -> TokenCounter:
        encoding, note = encoding_for_model(model or record.model)
        measured.note(note)
        if encoding not in counters:
            counters[encoding] = TokenCounter(encoding)
            measured.note(counters[encoding].warning)
        return counters[encoding]

    def flush(chunk: list[LogRecord]) -> None:
        by_counter: dict[str, list[str]] = {}
        for record in chunk:
            by_counter.setdefault(counter_for(record).encoding, []).extend(_texts(record))
        for encoding, texts in by_counter.items():
            counters[encoding].prepare(texts)
        for record in chunk:
            counter = counter_for(record)
            request_parts = parts(record, counter)
            for request, req_parts, response in batches.take(record, request_parts):
                add(request, req_parts, response, counter)

    def add(
        request: LogRecord, p: Parts | None, response: LogRecord | None, counter: TokenCounter
    ) -> None:
        usage = response.usage if response else None
        text = response.answer if response and usage is None else None
        answer = counter[text] if text else None
        if response is not None and response is not request:
            request = LogRecord(response.time_s or request.time_s, request.model or response.model,
                                request.messages, request.tools, response.answer, usage,
                                request.conversation, request.custom_id)  # fmt: skip
        measured.with_usage += usage is not None
        measured.encodings[counter.method] += 1
        measured.stats.add(combine(request, p, usage, answer), utc_offset_h)

    done_bytes = 0
    for path in paths:
        if not path.is_file():
            why = "is a folder; name the log files in it" if path.is_dir() else "no such file"
            raise InputFileError(path, why)
        chunk: list[LogRecord] = []
        # progress over all the logs, not each file from 0 again
        at = None if progress is None else functools.partial(_shifted, progress, done_bytes)
        for record in read_records(path, strict, measured.counts, span, at):
            if model and record.model and not model_matches(model, record.model):
                measured.skipped_models[record.model] += 1
                continue
            chunk.append(record)
            if len(chunk) >= CHUNK:
                flush(chunk)
                chunk = []
        flush(chunk)
        done_bytes += path.stat().st_size if progress else 0
    for request, p, response in batches.rest():
        add(request, p, response, counter_for(request))
    return measured
