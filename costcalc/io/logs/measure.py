"""A logged request's tokens by part (system, tools, context, history, user) and the tallies."""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from costcalc.core.demand.logstats import LogStats, RecordTokens
from costcalc.errors import InputFileError
from costcalc.io.logs.formats import RETRIEVAL_ROLES, SYSTEM_ROLES, LogRecord, Usage
from costcalc.io.logs.read import BUCKETS, LineCounts
from costcalc.io.logs.values import TimeRange
from costcalc.io.tokens import TokenCounter

MAX_NOTES = 20  # one per model whose tokenizer stands in: a log of many names says the first


@dataclass
class Measured:
    stats: LogStats = field(default_factory=LogStats)
    counts: LineCounts = field(default_factory=LineCounts)
    span: TimeRange | None = None  # the plausible times: others are not used for the volume
    strict: bool = False  # a line placed in any bucket but "used" is an error
    per_model: dict[str, LogStats] | None = None  # with --split-by-model: base model → stats
    batch: int = 0  # requests sent through a Batch API
    batch_by_model: Counter[str] = field(default_factory=Counter)  # the same, per base model
    how: Counter[str] = field(default_factory=Counter)  # "input: usage", "output: cl100k_base" …
    encodings: Counter[str] = field(default_factory=Counter)  # how prompt parts were counted
    notes: list[str] = field(default_factory=list)
    notes_left_off: int = 0
    said: set[str] = field(default_factory=set)  # every note, kept or left off

    def place(self, bucket: str, where: str, lines: int = 1) -> None:
        """Put a line in its bucket; with --strict any bucket but "used" stops the run."""
        if self.strict and bucket != "used":
            at, _, why = where.partition(": ")
            raise InputFileError(at, f"{BUCKETS[bucket]} ({why}); --strict takes every line "
                                     "as a request or fails")  # fmt: skip
        self.counts.put(bucket, where, lines)

    def note(self, text: str | None) -> None:
        if text and text not in self.said:
            self.said.add(text)
            if len(self.notes) < MAX_NOTES:
                self.notes.append(text)
            else:
                self.notes_left_off += 1

    def merge(self, part: Measured, first: bool) -> None:
        """Add a later part's measurement of the same file to this one's (part 0's `first`:
        the file's format is counted once)."""
        self.counts.merge(part.counts, formats=first)
        self.stats.merge(part.stats)
        if self.per_model is not None and part.per_model is not None:
            for model, stats in part.per_model.items():
                self.per_model.setdefault(model, LogStats()).merge(stats)
        self.batch += part.batch
        self.batch_by_model.update(part.batch_by_model)
        self.how.update(part.how)
        self.encodings.update(part.encodings)
        # every note the part made, those it kept first: one said by several parts counts once
        for note in [*part.notes, *sorted(part.said - set(part.notes))]:
            self.note(note)

    @property
    def with_usage(self) -> int:
        """Requests whose totals come from the provider's usage."""
        return self.how["input: provider usage"]

    @property
    def all_notes(self) -> list[str]:
        if not self.notes_left_off:
            return self.notes
        return [*self.notes, f"… and {self.notes_left_off:,} more notes like these"]


class KeySet:
    """The 64-bit hashes of a file's record keys, 16 bytes each in an open-addressing table:
    a Python set of ints takes about 60 bytes a key, 200 MB for the 3.3 M lines of a 2 GB
    output-only Batch file, where this takes 64 MB (4 M slots of 8 bytes, kept under half full
    so a probe finds its slot in one or two steps). Two keys of one hash count as the same,
    as they did in the set of hashes this replaces."""

    def __init__(self) -> None:
        self.table = np.zeros(1024, dtype=np.int64)  # 0 marks a free slot
        self.size = 0

    def add(self, key: str) -> bool:
        """Remember the key; False when it was already there."""
        h = hash(key) or 1
        slot = self._slot(h)
        if self.table[slot] == h:
            return False
        self.table[slot] = h
        self.size += 1
        if 2 * self.size > len(self.table):
            old = self.hashes()
            self.table = np.zeros(2 * len(self.table), dtype=np.int64)
            for value in old.tolist():
                self.table[self._slot(value)] = value
        return True

    def hashes(self) -> np.ndarray:
        """Every key's hash, in no order."""
        found: np.ndarray = self.table[self.table != 0]
        return found

    def _slot(self, h: int) -> int:
        """Where `h` is, else the free slot it would take."""
        table, mask = self.table, len(self.table) - 1
        slot = h & mask
        while (found := int(table[slot])) != 0 and found != h:
            slot = (slot + 1) & mask
        return slot


class Parts(NamedTuple):
    """A request's input, split by what it is, in tokens (a NamedTuple, as LogRecord)."""

    system: float
    tools: float
    retrieval: float
    chunks: int
    history: float
    carried: int
    user: float
    fingerprint: int
    thread: int
    counted: bool = True  # False: only the shape (hashes, turns); the tokens are a sample's


@functools.lru_cache(maxsize=64)  # asked for every request, of one or two methods
def label(method: str) -> str:
    """'tokenised (cl100k_base)' or 'estimated (characters / 4)', from a counter's method."""
    if method.startswith("estimate"):
        return "estimated (" + method.split(": ", 1)[-1] + ")"
    return f"tokenised ({method})"


def parts(record: LogRecord, count: TokenCounter | None) -> Parts | None:
    """System, tools, retrieved context, history and the new user input of a request.

    The new input is everything after the last assistant message; tool/function results and
    marked context roles there are retrieved context. Earlier turns are history. Without a
    counter, only what needs no tokens: the hashes that group retries and conversations.
    """
    if not record.messages:
        return None
    roles = [role for role, _ in record.messages]
    texts = [text for _, text in record.messages]
    fingerprint = hash((record.model, tuple(record.messages), record.tools))
    thread = _opening(roles, texts, record.answer)
    carried = roles.count("assistant")
    if count is None:
        return Parts(0.0, 0.0, 0.0, 0, 0.0, carried, 0.0, fingerprint, thread, counted=False)
    new_from = _new_from(roles)
    system = sum(count[t] for r, t in zip(roles, texts, strict=True) if r in SYSTEM_ROLES)
    history = sum(
        count[t] for r, t in zip(roles[:new_from], texts, strict=False) if r not in SYSTEM_ROLES
    )
    fresh = [
        (r, t)
        for r, t in zip(roles[new_from:], texts[new_from:], strict=True)
        if r not in SYSTEM_ROLES
    ]
    retrieved = [count[t] for r, t in fresh if r in RETRIEVAL_ROLES]
    return Parts(
        system=system,
        tools=count[record.tools] if record.tools else 0.0,
        retrieval=sum(retrieved),
        chunks=len(retrieved),
        history=history,
        carried=carried,
        # with usage, the user's input is the prompt less the rest (combine): not tokenised
        user=sum(count[t] for r, t in fresh if r not in RETRIEVAL_ROLES)
        if record.usage is None
        else 0.0,
        fingerprint=fingerprint,
        thread=thread,
    )


def _new_from(roles: list[str]) -> int:
    """Where a request's new input starts: after its last assistant message."""
    return 1 + max((i for i, r in enumerate(roles) if r == "assistant"), default=-1)


def counted_texts(record: LogRecord) -> list[str]:
    """The message texts `parts` tokenises: all of them, but with usage the new user input's
    (a sampled request's new user message is a fifth of the text it would tokenise)."""
    messages = record.messages or ()
    if record.usage is None:
        return [text for _, text in messages]
    new_from = _new_from([role for role, _ in messages])
    return [
        text
        for i, (role, text) in enumerate(messages)
        if i < new_from or role in SYSTEM_ROLES or role in RETRIEVAL_ROLES
    ]


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


def known(p: Parts) -> float:
    """A request's input tokens that are not the user's: system, tools, context, history."""
    return p.system + p.tools + p.retrieval + p.history


def combine(
    record: LogRecord, p: Parts | None, usage: Usage | None, answer: float | None,
    sampled_known: float = 0.0,
) -> RecordTokens:  # fmt: skip
    """Usage is the ground truth for totals: the message framing tokens counted by the
    provider but not in the message texts are put with the user's input. An aggregated row's
    usage is the total of its requests: each gets the mean (12,000 prompt tokens over 40
    requests: 300 each). A request whose parts were not tokenised (p.counted False: outside
    the sample) leaves the parts to the sample, and its user input is its prompt less the
    sample's mean of the other parts, `sampled_known` (usage 2,300, sample mean 1,900: 400)."""
    if p is not None and not p.counted:
        assert usage is not None, "only a request with usage is left out of the sample"
        n = max(record.requests, 1)
        return RecordTokens(
            time_s=record.time_s, model=record.model, system=None, tools=None, retrieval=None,
            retrieval_chunks=None, history=None, carried_turns=p.carried,
            user=max(usage.prompt / n - sampled_known, 0.0),
            output=max(usage.completion - usage.reasoning, 0.0) / n, reasoning=usage.reasoning / n,
            cached=usage.cached / n, prompt_total=usage.prompt / n,
            conversation=record.conversation, fingerprint=p.fingerprint, thread=p.thread,
            requests=record.requests, period_s=record.period_s,
        )  # fmt: skip
    known_tokens = known(p) if p else 0.0
    n = max(record.requests, 1)
    if usage is not None:
        usage = Usage(usage.prompt / n, usage.completion / n, usage.cached / n, usage.reasoning / n)
        user = max(usage.prompt - known_tokens, 0.0)
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
        thread=p.thread if p else None, requests=record.requests, period_s=record.period_s,
    )  # fmt: skip
