"""A traffic profile derived from log statistics, with a note of how each value was measured."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from costcalc.core.demand.logstats import LogStats, Metric
from costcalc.core.units import DAYS_PER_MONTH

MIN_SPAN_DAYS = 1 / 24  # under an hour from first to last request, no daily rate is measured
SHAPE_SPAN_DAYS = 23 / 24  # a daily shape and burst factor need (about) a whole day of log


@dataclass(frozen=True)
class Volume:
    """How the daily volume is set: measured over the log's span, or given for a batch job."""

    days: float | None = None  # --days: the period the logs cover
    requests_per_day: float | None = None  # --requests-per-day
    jobs_per_month: float | None = None  # --jobs-per-month: the logged job, this often
    batch: int = 0  # requests the logs show sent through a Batch API
    whole_span_days: float | None = None  # first to last request of all the logs (a split
    # profile's rate is over it, not over its own model's requests)

    def is_job(self, stats: LogStats) -> bool:
        """Every request went through a Batch API: the log is a job, not a day of traffic."""
        return stats.attempts > 0 and self.batch >= stats.attempts

    def missing(self, stats: LogStats) -> str | None:
        """What stops a daily rate being measured (the caller asks for a flag), or None."""
        if self.requests_per_day is not None or self.jobs_per_month is not None:
            return None
        if self.is_job(stats):
            took = stats.span_days
            over = f" in {_duration(took)}" if took else ""
            return (
                f"a Batch API job ({stats.requests:,} requests{over}), not a day of traffic: "
                "say how often it runs with --jobs-per-month N, or give --requests-per-day N"
            )
        span = self.whole_span_days or stats.span_days
        if self.days is None and (span is None or span < MIN_SPAN_DAYS):
            took = span
            over = f"span {_duration(took)}" if took else "no usable times"
            return (
                f"{stats.requests:,} requests ({over}): too short to measure a daily rate; "
                "give the period the logs cover with --days N, or --requests-per-day N"
            )
        return None


def _duration(days: float) -> str:
    """'59 min', '3.5 h', '2.0 days'."""
    if days < 1 / 24:
        return f"{days * 1440:.0f} min" if days * 1440 >= 1 else f"{days * 86400:.0f} s"
    return f"{days * 24:.1f} h" if days < 1 else f"{days:.1f} days"


@dataclass
class Derived:
    """Profile data (schema of DESIGN §2.1) and, per dotted field, what was measured."""

    data: dict[str, Any]
    notes: dict[str, str] = field(default_factory=dict)


def describe(metric: Metric) -> str:
    """'mean 120, p50 100, p90 250, p99 800' (tokens)."""
    return (
        f"mean {metric.mean:,.0f}, p50 {metric.percentile(50):,.0f}, "
        f"p90 {metric.percentile(90):,.0f}, p99 {metric.percentile(99):,.0f}"
    )


def derive_profile(stats: LogStats, name: str, volume: Volume) -> Derived:
    """Map measured means onto profile fields; what a log cannot say keeps its default.
    The caller has checked `volume.missing(stats)` is None."""
    m = stats.metrics
    out = Derived({"schema_version": 1, "name": name})
    traffic: dict[str, Any] = {}
    measured = stats.span_days
    if volume.requests_per_day is not None:
        traffic["requests_per_day"] = volume.requests_per_day
        over = f" over {_duration(measured)}" if measured else ""
        out.notes["traffic.requests_per_day"] = (
            f"given with --requests-per-day; the logs hold {stats.requests:,} requests{over}"
        )
    elif volume.jobs_per_month is not None:
        # 1,270 requests a job × 8 jobs a month / 30.42 days = 334.03 a day
        per_day = stats.requests * volume.jobs_per_month / DAYS_PER_MONTH
        traffic["requests_per_day"] = round(per_day, 2)
        out.notes["traffic.requests_per_day"] = (
            f"{stats.requests:,} requests a job × {volume.jobs_per_month:g} jobs a month "
            f"(--jobs-per-month) / {DAYS_PER_MONTH:.2f} days"
        )
    else:
        span = volume.days or volume.whole_span_days or measured
        assert span is not None, "volume.missing() is checked first"
        traffic["requests_per_day"] = round(stats.requests / span, 2)
        how = (
            "--days" if volume.days
            else "first to last request of all the logs"
            if volume.whole_span_days and volume.whole_span_days != measured
            else "first to last request"
        )  # fmt: skip
        out.notes["traffic.requests_per_day"] = (
            f"{stats.requests:,} requests over {span:.2f} days ({how})"
        )
    if volume.batch:
        share = volume.batch / stats.attempts
        traffic["batch_share"] = round(min(share, 1.0), 4)
        out.notes["traffic.batch_share"] = (
            f"{volume.batch:,} of {stats.attempts:,} requests sent through a Batch API "
            "(billed at its batch price)"
        )
    shape = _no_shape(stats, volume)
    if shape is None and stats.hours.sum() > 0:
        traffic["pattern"] = "custom"
        traffic["hourly_weights"] = [round(float(w), 4) for w in stats.hours / stats.hours.sum()]
        out.notes["traffic.hourly_weights"] = (
            "share of requests in each hour of the day, hour 0 first"
        )
        burst, how = stats.burst_factor()
        if burst is not None:
            traffic["burst_factor"] = round(min(max(burst, 1.0), 20.0), 2)
        out.notes["traffic.burst_factor"] = how
    else:
        traffic["pattern"] = "flat"
        if volume.is_job(stats):
            traffic["burst_factor"] = 1.0  # a job is queued and run at an even pace
        out.notes["traffic.pattern"] = shape or "no request times in the logs"
    out.data["traffic"] = traffic

    request: dict[str, Any] = {
        "user_tokens": round(m["user"].mean, 1),
        "output_tokens": round(m["output"].mean, 1),
    }
    out.notes["request.user_tokens"] = describe(m["user"])
    out.notes["request.output_tokens"] = "visible output: " + describe(m["output"])
    if m["reasoning"].mean > 0:
        request["reasoning_tokens"] = round(m["reasoning"].mean, 1)
        out.notes["request.reasoning_tokens"] = (
            f"hidden reasoning billed as output: {describe(m['reasoning'])} "
            f"({m['reasoning'].mean / max(m['output'].mean, 1e-9):.1f}× the visible output)"
        )
    if m["system"].count:
        request["system_prompt"] = {"tokens": round(m["system"].mean, 1)}
        out.notes["request.system_prompt"] = describe(m["system"])
    if m["tools"].count:
        request["tools"] = {"tokens": round(m["tools"].mean, 1)}
        out.notes["request.tools"] = "tool/function schemas: " + describe(m["tools"])
    if m["retrieval_chunks"].count and m["retrieval_chunks"].mean > 0:
        chunks = max(1, round(m["retrieval_chunks"].mean))
        request["retrieval"] = {
            "chunks": chunks,
            "tokens_per_chunk": round(m["retrieval"].mean / chunks, 1),
        }
        out.notes["request.retrieval"] = "tool/function results and context roles: " + describe(
            m["retrieval"]
        )
    turns, how = stats.turns()
    if turns is not None:
        turns_int = max(1, round(turns))
        window: int | str = "all" if stats.max_carried >= turns_int - 1 else stats.max_carried
        request["conversation"] = {"turns": turns_int, "history_window": window}
        out.notes["request.conversation"] = (
            f"{turns:.2f} turns per conversation ({how}); at most {stats.max_carried} earlier "
            f"turns carried; history measured: {describe(m['history'])}"
        )
    if stats.retries:
        failed = stats.retries / stats.attempts
        request["retries"] = {
            "failed": round(min(failed, 0.99), 4),
            "max_retries": min(stats.max_repeats, 20),
        }
        out.notes["request.retries"] = (
            f"{stats.retries:,} of {stats.attempts:,} attempts repeat an earlier request"
        )
    if m["cached"].count and m["cached"].mean > 0:
        prefix = (m["system"].mean + m["tools"].mean) if m["system"].count else None
        caching: dict[str, Any] = {}
        if prefix:
            history = m["history"].mean
            cache_history = m["cached"].mean > prefix * 1.05 and history > 0
            cacheable = prefix + (history if cache_history else 0.0)
            hit_rate = round(min(m["cached"].mean / cacheable, 1.0), 4)
            caching = {"hit_rate": hit_rate, "cache_history": cache_history}
        share = m["cached"].total / max(m["prompt_total"].total, 1e-9)
        out.notes["request.caching"] = f"usage reports {share:.1%} of input tokens read from cache"
        if caching:
            request["caching"] = caching
    out.data["request"] = request
    return out


def _no_shape(stats: LogStats, volume: Volume) -> str | None:
    """Why the logs give no daily shape or burst factor (then `flat`), or None."""
    if volume.is_job(stats):
        return "a Batch API job: run at an even pace whenever it is sent, so flat"
    if stats.coarse:
        return f"{stats.coarse:,} requests logged only per hour or coarser: no hourly shape"
    span = stats.span_days
    if span is not None and span < SHAPE_SPAN_DAYS:
        return (
            f"the log spans {_duration(span)}, under a day: its hours and busiest minute would "
            "be chance, so flat with the default burst factor"
        )
    return None
