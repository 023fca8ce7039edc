"""Log statistics: reservoir percentiles, bursts, turns, retries, the derived profile."""

from __future__ import annotations

import pytest

from costcalc.core.demand import logstats
from costcalc.core.demand.derive import Volume, derive_profile
from costcalc.core.demand.logstats import RESERVOIR, LogStats, Metric, RecordTokens

T0 = 1_793_059_200


def record(time_s: float | None = None, **fields: object) -> RecordTokens:
    unset = ("system", "tools", "retrieval", "retrieval_chunks", "history", "carried_turns")
    unset += ("cached", "prompt_total", "conversation", "fingerprint", "thread")
    base: dict[str, object] = dict.fromkeys(unset)
    base |= {"time_s": time_s, "model": "m", "user": 100.0, "output": 50.0, "reasoning": 0.0}
    base.update(fields)
    return RecordTokens(**base)  # type: ignore[arg-type]


def test_metric_mean_is_exact_and_percentiles_come_from_a_bounded_sample() -> None:
    metric = Metric()
    for value in range(1, 3 * RESERVOIR + 1):
        metric.add(float(value))
    assert metric.mean == pytest.approx((3 * RESERVOIR + 1) / 2)
    assert len(metric.samples) == RESERVOIR
    # a uniform sample of 1..60,000: the median within 2 % of 30,000
    assert metric.percentile(50) == pytest.approx(30_000, rel=0.02)


def test_burst_is_the_busiest_minute_over_its_hours_mean() -> None:
    stats = LogStats()
    # hour 0: 600 requests, 10 a minute, but 28 in minute 7 and 8 in minutes 8 and 9 … total 600
    counts = [10] * 60
    counts[7], counts[8], counts[9] = 28, 1, 1
    for minute, n in enumerate(counts):
        for _ in range(n):
            stats.add(record(T0 + minute * 60))
    burst, _ = stats.burst_factor()
    # 28 / (600 / 60) = 2.8
    assert sum(counts) == 600 and burst == pytest.approx(2.8)


def test_too_few_requests_per_hour_leave_the_burst_unmeasured() -> None:
    stats = LogStats()
    stats.add(record(T0))
    assert stats.burst_factor() == (None, "too few requests per hour to measure")


def test_turns_by_id_else_by_shared_opening() -> None:
    by_id = LogStats()
    for conv, turns in (("a", 2), ("b", 4)):
        for _ in range(turns):
            by_id.add(record(conversation=conv))
    # (2 + 4) turns / 2 conversations
    assert by_id.turns() == (pytest.approx(3.0), "2 conversations, by conversation id")
    by_prefix = LogStats()
    for thread in (11, 11, 11, 22, 22):  # two openings, of 3 and 2 turns
        by_prefix.add(record(thread=thread))
    assert by_prefix.turns() == (
        pytest.approx(2.5),
        "2 conversations, grouped by shared message prefix",
    )
    mixed = LogStats()
    mixed.add(record(conversation="a", thread=1))
    mixed.add(record(conversation="a", thread=2))  # the id wins over the prefix
    mixed.add(record(thread=3))
    assert mixed.turns()[0] == pytest.approx(1.5)
    assert mixed.turns()[1].endswith("by conversation id or shared message prefix")
    assert LogStats().turns()[0] is None


def test_closed_conversations_still_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logstats, "OPEN_CONVERSATIONS", 2)
    stats = LogStats()
    # a: 3 turns, then b and c open; a is the least recently active and closes with 3 turns
    for conv in ("a", "a", "a", "b", "c", "c"):
        stats.add(record(conversation=conv))
    assert (stats.closed_conversations, stats.closed_turns) == (1, 3)
    # (3 + 1 + 2) turns over 3 conversations = 2.0
    assert stats.turns() == (pytest.approx(2.0), "3 conversations, by conversation id")


def test_repeated_requests_are_retries() -> None:
    stats = LogStats()
    for fingerprint in (1, 2, 2, 3, 3, 3):
        stats.add(record(fingerprint=fingerprint))
    # 6 attempts, 3 distinct requests: 3 retries, one request repeated twice
    assert (stats.attempts, stats.requests, stats.retries, stats.max_repeats) == (6, 3, 3, 2)
    derived = derive_profile(stats, "t", Volume(days=1.0))
    assert derived.data["traffic"]["requests_per_day"] == 3
    assert derived.data["request"]["retries"] == {"failed": 0.5, "max_retries": 2}


def test_reasoning_is_kept_apart_from_visible_output() -> None:
    stats = LogStats()
    # a real batch of extraction prompts: 12 visible and 1,200 reasoning tokens each
    for _ in range(100):
        stats.add(record(output=12.0, reasoning=1200.0))
    request = derive_profile(stats, "t", Volume(days=1.0)).data["request"]
    assert request["output_tokens"] == 12 and request["reasoning_tokens"] == 1200


def _chunk_records(n: int) -> list[RecordTokens]:
    """n requests over two days: conversations by id and by shared opening, some retries."""
    out = []
    for i in range(n):
        out.append(
            record(
                T0 + i * 37.0,
                system=float(i % 7),
                history=float(i % 5),
                user=float(100 + i % 13),
                carried_turns=i % 3,
                conversation=f"c{i // 4}" if i % 2 else None,
                thread=i // 6,
                fingerprint=i // 2 if i % 10 == 0 else i,
                model=f"m{i % 3}",
            )
        )
    return out


def _whole_and_merged(
    rows: list[RecordTokens], at: int, first_seen: bool
) -> tuple[LogStats, LogStats]:
    """The rows' statistics in one pass, and as two parts cut at `at`, merged."""
    whole, first, second = LogStats(), LogStats(), LogStats(first_seen=first_seen)
    for row in rows:
        whole.add(row)
    for row in rows[:at]:
        first.add(row)
    for row in rows[at:]:
        second.add(row)
    first.merge(second)
    return whole, first


def test_stats_of_chunks_merged_equal_the_stats_of_the_whole() -> None:
    whole, first = _whole_and_merged(_chunk_records(5_000), 2_000, first_seen=False)
    assert (first.attempts, first.retries, first.max_repeats) == (
        whole.attempts, whole.retries, whole.max_repeats,
    )  # fmt: skip
    assert (first.first_time, first.last_time) == (whole.first_time, whole.last_time)
    assert list(first.hours) == list(whole.hours)
    assert first.minutes == whole.minutes and first.models == whole.models
    assert first.burst_factor() == whole.burst_factor()
    assert first.turns() == whole.turns() and first.max_carried == whole.max_carried
    for name, metric in whole.metrics.items():
        merged = first.metrics[name]
        assert (merged.total, merged.count) == (metric.total, metric.count), name
        assert merged.samples == metric.samples, name  # under RESERVOIR: every value, in order


def test_merged_percentiles_are_a_uniform_sample_of_both_chunks() -> None:
    low, high = Metric(), Metric()
    for value in range(30_000):
        low.add(float(value))
    for value in range(30_000, 40_000):
        high.add(float(value))
    low.merge(high)
    assert low.count == 40_000 and low.mean == pytest.approx(19_999.5)
    assert len(low.samples) == RESERVOIR
    assert len(set(low.samples)) == RESERVOIR  # drawn without replacement: no value twice
    # 10,000 of 40,000 values are 30,000 or more: about a quarter of the sample (5,000 ± 2 %)
    share = sum(v >= 30_000 for v in low.samples) / RESERVOIR
    assert share == pytest.approx(0.25, abs=0.02)
    assert low.percentile(50) == pytest.approx(20_000, rel=0.03)


def test_a_retry_of_a_request_made_in_the_part_before_is_a_retry_after_the_merge() -> None:
    # request 7 at T0, again 60 s later (in the next part) and 10 minutes after that: the
    # second attempt is a retry (60 s ≤ 300 s), the third a new request (600 s > 300 s)
    times = [T0, T0 + 60.0, T0 + 660.0]
    rows = [record(t, fingerprint=7) for t in times]
    whole = LogStats()
    for row in rows:
        whole.add(row)
    assert (whole.attempts, whole.retries, whole.requests) == (3, 1, 2)
    for tracked, retries in ((True, 1), (False, 0)):
        first, second = LogStats(), LogStats(first_seen=tracked)
        first.add(rows[0])
        second.add(rows[1])
        second.add(rows[2])
        first.merge(second)
        # without first_seen the part cannot tell its first attempt repeats the part before's
        assert (first.attempts, first.retries) == (3, retries)


def test_a_run_of_retries_across_parts_counts_its_repeats_whole() -> None:
    # one request sent 4 times, 10 s apart: 3 retries, and its last attempt had been sent 3
    # times before it (max_repeats 3); two attempts in each part
    rows = [record(T0 + 10.0 * i, fingerprint=7) for i in range(4)]
    whole, first = _whole_and_merged(rows, 2, first_seen=True)
    assert (whole.retries, whole.max_repeats) == (3, 3)
    assert (first.retries, first.max_repeats) == (3, 3)
    # a fifth attempt in a third part continues the same run: 4 retries, 4 repeats
    third = LogStats(first_seen=True)
    third.add(record(T0 + 40.0, fingerprint=7))
    first.merge(third)
    assert (first.retries, first.max_repeats) == (4, 4)


def test_merging_samples_of_billions_of_requests() -> None:
    # an aggregated usage row of 2e9 requests (one value, weight 2e9), then 20,000 single
    # requests: over numpy's hypergeometric limit (1e9 a side) the split is drawn binomial,
    # and nearly every slot goes to the row's side (2e9 of 2.00002e9 requests), which holds
    # one sample: it keeps it, and the other 19,999 slots are the log's
    row, log = Metric(), Metric()
    row.add(5.0, 2_000_000_000)
    for value in range(20_000):
        log.add(float(value + 10))
    row.merge(log)
    assert row.count == 2_000_020_000 and row.total == 10_000_000_000 + sum(range(10, 20_010))
    assert len(row.samples) == RESERVOIR and row.samples.count(5.0) == 1
