"""A traffic profile derived from log statistics, with a note of how each value was measured."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from costcalc.core.demand.logstats import LogStats, Metric


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


def derive_profile(stats: LogStats, name: str, days: float | None) -> Derived:
    """Map measured means onto profile fields; what a log cannot say keeps its default."""
    m = stats.metrics
    out = Derived({"schema_version": 1, "name": name})
    traffic: dict[str, Any] = {}
    span = days or stats.span_days
    if span is None or span < 1 / 24:
        span = 1.0
        out.notes["traffic.requests_per_day"] = (
            f"{stats.requests:,} requests; the log's time span is unknown or under an hour, so it "
            "is taken as one day (use --days)"
        )
    else:
        out.notes["traffic.requests_per_day"] = f"{stats.requests:,} requests over {span:.2f} days"
    traffic["requests_per_day"] = round(stats.requests / span, 2)
    if stats.hours.sum() > 0:
        traffic["pattern"] = "custom"
        traffic["hourly_weights"] = [round(float(w), 4) for w in stats.hours / stats.hours.sum()]
        out.notes["traffic.hourly_weights"] = (
            "share of requests in each hour of the day, hour 0 first"
        )
    burst, how = stats.burst_factor()
    if burst is not None:
        traffic["burst_factor"] = round(min(max(burst, 1.0), 20.0), 2)
    out.notes["traffic.burst_factor"] = how
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
