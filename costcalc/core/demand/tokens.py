"""Token inflation (DESIGN §1.2): what one request really sends and is billed for."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np

from costcalc.core.demand.traffic import FloatArray
from costcalc.schema.profile import Request

N = TypeVar("N", float, FloatArray)  # a figure, or one figure per row


def history_tokens(user_tokens: N, output_tokens: N, turns: N, window: int | None) -> N:
    """Mean prior-turn tokens carried per request of an n-turn conversation.

    Turn t (1-based) carries min(t-1, w) earlier turns of (u + o) tokens each; `window=None`
    means all of them. Worked example: u + o = 100, n = 4, full window → (0+1+2+3)/4 × 100 = 150.
    With w = 1 → (0+1+1+1)/4 × 100 = 75.
    """
    # np.minimum, not min: Monte Carlo passes arrays of samples through the same formulas
    w = turns - 1 if window is None else np.minimum(window, turns - 1)
    # Σ_{k=0..n-1} min(k, w) = w(w+1)/2 + (n-1-w)·w
    carried_turns = w * (w + 1) / 2 + (turns - 1 - w) * w
    return (user_tokens + output_tokens) * carried_turns / turns


def billed_attempts(failed_share: N, max_retries: int) -> N:
    """Billed attempts per request, Σ_{k=0..m} p^k: p = 0.02, m = 3 → 1.020408."""
    total = failed_share * 0.0 + 1.0
    for k in range(1, max_retries + 1):
        total = total + failed_share**k
    return total


@dataclass(frozen=True)
class Inflation(Generic[N]):
    """Tokens of one attempt, by component, and the attempts each request costs: floats for
    one request, or arrays with one value per row (Monte Carlo samples, sensitivity cases)."""

    system_tokens: N
    tools_tokens: N
    retrieval_tokens: N
    history_tokens: N
    user_tokens: N
    output_tokens: N
    reasoning_tokens: N
    billed_attempts: N
    sent_attempts: N
    cache_history: bool

    @property
    def input_tokens(self) -> N:
        """I = S + T + K + H + u."""
        return (
            self.system_tokens + self.tools_tokens + self.retrieval_tokens
            + self.history_tokens + self.user_tokens
        )  # fmt: skip

    @property
    def cacheable_prefix_tokens(self) -> N:
        """P = S + T, plus the history when the profile says history is cached."""
        history = self.history_tokens if self.cache_history else 0.0 * self.user_tokens
        return self.system_tokens + self.tools_tokens + history

    @property
    def headline_tokens(self) -> N:
        """What a naive estimate counts: the user message and the answer."""
        return self.user_tokens + self.output_tokens

    @property
    def billed_tokens(self) -> N:
        """Billed tokens per request: A × (I + o). The volume axis of every chart."""
        return self.billed_attempts * (self.input_tokens + self.output_tokens)

    @property
    def factor(self) -> N:
        """A × (I + o) / (u + o): how many tokens are billed per headline token."""
        return self.billed_tokens / self.headline_tokens

    def row(self, i: int) -> Inflation[float]:
        """One row's figures as floats (the point result is row 0)."""
        values = {
            f.name: float(np.asarray(getattr(self, f.name)).reshape(-1)[i])
            for f in dataclasses.fields(self)
            if f.name != "cache_history"
        }
        return Inflation[float](**values, cache_history=self.cache_history)

    def map(self, fn: Callable[[N], FloatArray]) -> Inflation[FloatArray]:
        """Every count through `fn`: a subset of rows, or a column for broadcasting."""
        values = {
            f.name: fn(getattr(self, f.name))
            for f in dataclasses.fields(self)
            if f.name != "cache_history"
        }
        return Inflation[FloatArray](**values, cache_history=self.cache_history)

    def with_system(self, system_tokens: float) -> Inflation[N]:
        """The same requests with another system prompt: a LoRA adapter that makes most of the
        prompt unnecessary is modelled this way on the self-hosted side."""
        return dataclasses.replace(self, system_tokens=self.system_tokens * 0.0 + system_tokens)


Overrides = Mapping[str, FloatArray]  # field path → one value per row (a missing path: the point)


def row_values(overrides: Overrides, size: int) -> Callable[[str, float], FloatArray]:
    """A field's value in each of `size` rows: its override, else its point value in all."""

    def values(path: str, point: float) -> FloatArray:
        if path in overrides:
            return np.asarray(overrides[path], dtype=np.float64)
        return np.full(size, float(point))

    return values


def inflate(request: Request, system_tokens: float | None = None) -> Inflation[float]:
    """Per-request token breakdown of the profile's point values; `system_tokens` overrides the
    profile's system prompt."""
    tokens = inflate_rows(request, {}, 1).row(0)
    return tokens if system_tokens is None else tokens.with_system(system_tokens)


def inflate_rows(request: Request, overrides: Overrides, size: int) -> Inflation[FloatArray]:
    """The breakdown with one value per row: a field in `overrides` takes its row values, every
    other field the profile's point value (the one formula for the point and the samples)."""

    v = row_values(overrides, size)
    window = request.conversation.history_window
    user, output = (
        v("request.user_tokens", request.user_tokens),
        v("request.output_tokens", request.output_tokens),
    )
    turns = v("request.conversation.turns", request.conversation.turns)
    attempts = billed_attempts(
        v("request.retries.failed", request.retries.failed), request.retries.max_retries
    )
    rate_limited = v("request.retries.rate_limited", request.retries.rate_limited)
    return Inflation[FloatArray](
        system_tokens=v("request.system_prompt.tokens", request.system_prompt.token_count),
        tools_tokens=v("request.tools.tokens", request.tools.token_count),
        retrieval_tokens=v("request.retrieval.chunks", request.retrieval.chunks)
        * v("request.retrieval.tokens_per_chunk", request.retrieval.tokens_per_chunk),
        history_tokens=history_tokens(user, output, turns, None if window == "all" else window),
        user_tokens=user,
        output_tokens=output,
        reasoning_tokens=v("request.reasoning_tokens", request.reasoning_tokens or 0.0),
        billed_attempts=attempts,
        # a 429 is refused before inference: not billed, but sent and counted by rate limits
        sent_attempts=attempts / (1.0 - rate_limited),
        cache_history=request.caching.cache_history,
    )
