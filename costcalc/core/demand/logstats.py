"""Streaming statistics of request logs in bounded memory: rates, daily shape, bursts, tokens."""

from __future__ import annotations

import random
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

RESERVOIR = 20_000  # samples kept per metric for percentiles (exact means are kept apart)
RECENT_REQUESTS = 100_000  # request fingerprints remembered to spot retries
OPEN_CONVERSATIONS = 200_000  # ids tracked at once (≈ 40 MB); the least recently active close
HYPERGEOMETRIC_MAX = 10**9  # numpy draws a hypergeometric split of fewer values a side
RETRY_WINDOW_S = 300.0  # an identical request this soon after is a retry, later a new request


@dataclass
class Metric:
    """Mean (exact) and percentiles (from a uniform reservoir sample) of one token count."""

    total: float = 0.0
    count: int = 0
    samples: list[float] = field(default_factory=list)
    _rng: random.Random = field(default_factory=lambda: random.Random(0))

    def add(self, value: float, weight: int = 1) -> None:
        """`value` for each of `weight` requests (an aggregated row: its mean, once sampled)."""
        self.total += value * weight
        self.count += weight
        if len(self.samples) < RESERVOIR:
            self.samples.append(value)
        else:
            # reservoir sampling (Vitter's algorithm R): every value kept with equal chance
            slot = self._rng.randrange(self.count)
            if slot < RESERVOIR:
                self.samples[slot] = value

    def merge(self, other: Metric) -> None:
        """Add another chunk's metric: totals summed, samples kept as a uniform sample of both.
        Under RESERVOIR values in all they are simply joined (as one pass would keep them);
        above, the slots are split between the sides as draws without replacement from their
        counts would split them (hypergeometric: 30,000 and 10,000 values give about 15,000
        and 5,000 of the 20,000 slots), each side's share taken at random from its samples."""
        count = self.count + other.count
        if len(self.samples) + len(other.samples) <= RESERVOIR:
            self.samples = self.samples + other.samples
        elif count:
            draw = np.random.default_rng(self._rng.getrandbits(64))
            if max(self.count, other.count) < HYPERGEOMETRIC_MAX:
                mine = int(draw.hypergeometric(self.count, other.count, RESERVOIR))
            else:  # numpy's limit; from 10⁹ values a side, with or without replacement is alike
                mine = int(draw.binomial(RESERVOIR, self.count / count))
            # a side with more values than RESERVOIR keeps RESERVOIR samples, one with fewer
            # keeps them all, so neither share exceeds the samples it is taken from
            mine = min(mine, len(self.samples))
            theirs = min(RESERVOIR - mine, len(other.samples))
            kept = draw.choice(np.asarray(self.samples), mine, replace=False)
            taken = draw.choice(np.asarray(other.samples), theirs, replace=False)
            self.samples = [*kept.tolist(), *taken.tolist()]
        self.total += other.total
        self.count = count

    @property
    def mean(self) -> float:
        return self.total / self.count if self.count else 0.0

    def percentile(self, p: float) -> float:
        return float(np.percentile(self.samples, p)) if self.samples else 0.0


class RecordTokens(NamedTuple):
    """What one logged request was made of, in tokens (None where the log cannot say). A
    NamedTuple: one is made for every request, in 2 µs where a frozen dataclass takes 5."""

    time_s: float | None
    model: str | None
    system: float | None
    tools: float | None
    retrieval: float | None
    retrieval_chunks: int | None
    history: float | None
    carried_turns: int | None  # earlier turns sent with this request
    user: float
    output: float
    reasoning: float
    cached: float | None  # input tokens read from cache, where usage says
    prompt_total: float | None  # usage's prompt tokens (ground truth), where present
    conversation: str | None
    fingerprint: int | None  # hash of the request body: the same value again is a retry
    thread: int | None = None  # hash of the opening exchange: shared by a conversation's turns
    requests: int = 1  # an aggregated row stands for many requests, each of the mean above …
    period_s: float = 0.0  # … spread over this many seconds from time_s


# the token counts LogStats keeps a Metric of, in this order
METRICS = ("system", "tools", "retrieval", "retrieval_chunks", "history", "user", "output",
           "reasoning", "cached", "prompt_total", "carried_turns")  # fmt: skip


class LogStats:
    """Accumulates RecordTokens; every structure is bounded or grows with distinct minutes."""

    def __init__(self, first_seen: bool = False, recent: int = RECENT_REQUESTS) -> None:
        self.attempts = 0
        self.retries = 0
        self.max_repeats = 0
        self.first_time: float | None = None
        self.last_time: float | None = None
        self.hours = np.zeros(24)
        self.minutes: Counter[int] = Counter()  # epoch minute → requests (≈ 0.5 M a year)
        self.models: Counter[str] = Counter()
        self.metrics = {name: Metric() for name in METRICS}
        self.max_carried = 0
        self.conversations: OrderedDict[str | int, int] = OrderedDict()
        self.by_id = 0  # requests grouped by conversation_id (the rest by shared prefix)
        self.closed_conversations = 0
        self.closed_turns = 0
        self.coarse = 0  # requests logged only per hour or coarser: no hourly shape from them
        self._recent: OrderedDict[int, tuple[int, float | None]] = OrderedDict()
        # with first_seen (a part of a log, to be merged after the part before it): each
        # request's first attempt here, by key, so that merge can tell the retries of requests
        # first made in the part before (the first `recent` keys)
        self.first_seen = first_seen
        self.recent = recent  # requests remembered for retries (a part: its share)
        self._first: dict[int, float | None] = {}
        self._broken: set[int] = set()  # keys of _first whose first run of attempts ended

    def add(self, r: RecordTokens, utc_offset_h: float = 0.0) -> None:
        n = r.requests
        self.attempts += n
        if r.fingerprint is not None:
            key = hash((r.fingerprint, r.conversation))
            seen, last = self._recent.pop(key, (0, None))
            if self.first_seen:
                self._note_first(key, seen, r.time_s)
            if (
                seen
                and last is not None
                and r.time_s is not None
                and r.time_s - last > RETRY_WINDOW_S
            ):
                seen = 0  # the same question asked again later is a new request
                if self.first_seen and key in self._first:
                    self._broken.add(key)
            self._recent[key] = (seen + 1, r.time_s)
            if seen:
                self.retries += 1
                self.max_repeats = max(self.max_repeats, seen)
            if len(self._recent) > self.recent:
                self._recent.popitem(last=False)
        if r.model:
            self.models[r.model] += n
        if r.time_s is not None:
            end = r.time_s + r.period_s  # a daily usage row covers its whole day
            self.first_time = (
                r.time_s if self.first_time is None else min(self.first_time, r.time_s)
            )
            self.last_time = end if self.last_time is None else max(self.last_time, end)
            if r.period_s >= 3600.0:
                self.coarse += n
            else:
                local = r.time_s + utc_offset_h * 3600.0
                self.hours[int(local // 3600) % 24] += n
                self.minutes[int(r.time_s // 60)] += n
        # the metrics in METRICS' order, each from its field: one tuple, not 11 pairs a line
        values = (r.system, r.tools, r.retrieval, r.retrieval_chunks, r.history, r.user,
                  r.output, r.reasoning, r.cached, r.prompt_total, r.carried_turns)  # fmt: skip
        for metric, value in zip(self.metrics.values(), values, strict=True):
            if value is not None:
                metric.add(float(value), n)
        if r.carried_turns is not None:
            self.max_carried = max(self.max_carried, r.carried_turns)
        thread = r.conversation if r.conversation is not None else r.thread
        if thread is not None:
            self.by_id += r.conversation is not None
            turns = self.conversations.pop(thread, 0) + 1
            self.conversations[thread] = turns
            if len(self.conversations) > OPEN_CONVERSATIONS:
                _, closed = self.conversations.popitem(last=False)
                self.closed_conversations += 1
                self.closed_turns += closed

    def merge(self, other: LogStats) -> None:
        """Add the statistics of a later chunk of the same logs. Exact for counts, hours,
        minutes, models, times and metric means; percentiles stay a uniform sample (see
        Metric.merge). A retry whose first attempt is in this chunk is told when `other` was
        kept with first_seen (else it counts as a new request); conversations closed (more
        than OPEN_CONVERSATIONS open) in either chunk are not joined to their turns in the
        other."""
        retried = self._retried(other)
        self.attempts += other.attempts
        self.retries += other.retries + len(retried)
        self.max_repeats = max(self.max_repeats, other.max_repeats)
        times = [t for t in (self.first_time, other.first_time) if t is not None]
        self.first_time = min(times) if times else None
        ends = [t for t in (self.last_time, other.last_time) if t is not None]
        self.last_time = max(ends) if ends else None
        self.hours = self.hours + other.hours
        self.minutes.update(other.minutes)
        self.models.update(other.models)
        for name, metric in self.metrics.items():
            metric.merge(other.metrics[name])
        self.max_carried = max(self.max_carried, other.max_carried)
        for thread, turns in other.conversations.items():
            self.conversations[thread] = self.conversations.pop(thread, 0) + turns
        while len(self.conversations) > OPEN_CONVERSATIONS:
            _, closed = self.conversations.popitem(last=False)
            self.closed_conversations += 1
            self.closed_turns += closed
        self.closed_conversations += other.closed_conversations
        self.closed_turns += other.closed_turns
        self.by_id += other.by_id
        self.coarse += other.coarse
        for key, (seen, last) in other._recent.items():
            before, _ = self._recent.pop(key, (0, None))
            # the requests the other part first made as retries of ours: one chain of repeats
            chained = key in retried and key not in other._broken
            self._recent[key] = (seen + before if chained else seen, last)
        if self.first_seen:
            for key, first in other._first.items():
                if len(self._first) >= self.recent:
                    break
                self._first.setdefault(key, first)
        while len(self._recent) > max(self.recent, RECENT_REQUESTS):
            self._recent.popitem(last=False)

    def like(self) -> LogStats:
        """Empty statistics kept as these are (a part's, per model)."""
        return LogStats(self.first_seen, self.recent)

    def _note_first(self, key: int, seen: int, time_s: float | None) -> None:
        """Remember a request's first attempt in this part; a request whose first run of
        attempts ended (forgotten, or asked again after RETRY_WINDOW_S) is `_broken`."""
        if key not in self._first:
            if not seen and len(self._first) < self.recent:
                self._first[key] = time_s
        elif not seen:
            self._broken.add(key)

    def _retried(self, other: LogStats) -> set[int]:
        """The keys of requests `other` (the next part of the logs) first made that repeat one
        of ours as LogStats.add would tell a retry: seen here, within RETRY_WINDOW_S of its
        last attempt (or without a time)."""
        found: set[int] = set()
        for key, first in other._first.items():
            seen, last = self._recent.get(key, (0, None))
            if seen and (last is None or first is None or first - last <= RETRY_WINDOW_S):
                found.add(key)
                # one run of attempts across the parts: its last attempt had seen all before it
                theirs = other._recent.get(key, (1, None))[0] if key not in other._broken else 1
                self.max_repeats = max(self.max_repeats, seen + theirs - 1)
        return found

    @property
    def requests(self) -> int:
        """Distinct requests: attempts minus the repeats that were retries."""
        return self.attempts - self.retries

    @property
    def span_days(self) -> float | None:
        if self.first_time is None or self.last_time is None or self.last_time <= self.first_time:
            return None
        return (self.last_time - self.first_time) / 86_400.0

    def burst_factor(self) -> tuple[float | None, str]:
        """Busiest minute over its hour's mean minute, from hours with ≥ 60 requests.

        Example: an hour of 600 requests has a mean of 10 a minute; if its busiest minute has
        17, the burst factor is 1.7.
        """
        per_hour: Counter[int] = Counter()
        for minute, n in self.minutes.items():
            per_hour[minute // 60] += n
        busy = {h for h, n in per_hour.items() if n >= 60}
        if not busy:
            return None, "too few requests per hour to measure"
        peak_minute = max(
            (m for m in self.minutes if m // 60 in busy), key=lambda m: self.minutes[m]
        )
        hour_total = per_hour[peak_minute // 60]
        how = f"busiest minute {self.minutes[peak_minute]} requests, its hour {hour_total}"
        if hour_total < 600:
            # under 10 a minute, chance alone fills some minutes: at 1 a minute on average,
            # the busiest of a week's 10,080 minutes typically holds 6 or 7 (Poisson:
            # P(X ≥ 7) = 8.3e-5, so 0.84 such minutes a week are expected)
            how += "; under 10 requests a minute, so chance inflates it"
        return self.minutes[peak_minute] / (hour_total / 60.0), how

    def turns(self) -> tuple[float | None, str]:
        """Mean turns per conversation: by conversation id, else by the opening exchange
        (system prompt, first user message and the first answer) the turns share."""
        if self.conversations:
            count = len(self.conversations) + self.closed_conversations
            turns = sum(self.conversations.values()) + self.closed_turns
            how = (
                "by conversation id"
                if self.by_id == turns
                else "grouped by shared message prefix"
                if self.by_id == 0
                else "by conversation id or shared message prefix"
            )
            return turns / count, f"{count:,} conversations, {how}"
        return None, "no messages or conversation ids"
