"""Token inflation (DESIGN §1.2): what one request really sends and is billed for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from costcalc.schema.profile import Request


def history_tokens(
    user_tokens: float, output_tokens: float, turns: int, window: int | None
) -> float:
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


def billed_attempts(failed_share: float, max_retries: int) -> float:
    """Billed attempts per request, Σ_{k=0..m} p^k: p = 0.02, m = 3 → 1.020408."""
    return sum(failed_share**k for k in range(max_retries + 1))


@dataclass(frozen=True)
class Inflation:
    """Tokens of one attempt, by component, and the attempts each request costs."""

    system: float
    tools: float
    retrieval: float
    history: float
    user: float
    output: float
    reasoning: float
    billed_attempts: float
    sent_attempts: float
    cache_history: bool

    @property
    def input_tokens(self) -> float:
        """I = S + T + K + H + u."""
        return self.system + self.tools + self.retrieval + self.history + self.user

    @property
    def cacheable_prefix(self) -> float:
        """P = S + T, plus the history when the profile says history is cached."""
        return self.system + self.tools + (self.history if self.cache_history else 0.0)

    @property
    def headline_tokens(self) -> float:
        """What a naive estimate counts: the user message and the answer."""
        return self.user + self.output

    @property
    def billed_tokens(self) -> float:
        """Billed tokens per request: A × (I + o). The volume axis of every chart."""
        return self.billed_attempts * (self.input_tokens + self.output)

    @property
    def factor(self) -> float:
        """A × (I + o) / (u + o): how many tokens are billed per headline token."""
        return self.billed_tokens / self.headline_tokens


def inflate(request: Request, system_tokens: float | None = None) -> Inflation:
    """Per-request token breakdown; `system_tokens` overrides the profile's system prompt.

    The override is how a self-hosted option models a LoRA adapter that makes most of the
    system prompt unnecessary.
    """
    window = request.conversation.history_window
    return inflate_values(
        system=request.system_prompt.token_count if system_tokens is None else system_tokens,
        tools=request.tools.token_count,
        chunks=request.retrieval.chunks,
        tokens_per_chunk=request.retrieval.tokens_per_chunk,
        user=request.user_tokens,
        output=request.output_tokens,
        reasoning=request.reasoning_tokens or 0.0,
        turns=request.conversation.turns,
        window=None if window == "all" else window,
        failed=request.retries.failed,
        max_retries=request.retries.max_retries,
        rate_limited=request.retries.rate_limited,
        cache_history=request.caching.cache_history,
    )


def inflate_values(
    *,
    system: Any,
    tools: Any,
    chunks: Any,
    tokens_per_chunk: Any,
    user: Any,
    output: Any,
    reasoning: Any,
    turns: Any,
    window: int | None,
    failed: Any,
    max_retries: int,
    rate_limited: Any,
    cache_history: bool,
) -> Inflation:
    """The breakdown from numbers, or from numpy arrays of Monte Carlo samples (one formula)."""
    attempts = billed_attempts(failed, max_retries)
    return Inflation(
        system=system,
        tools=tools,
        retrieval=chunks * tokens_per_chunk,
        history=history_tokens(user, output, turns, window),
        user=user,
        output=output,
        reasoning=reasoning,
        billed_attempts=attempts,
        # a 429 is refused before inference: not billed, but sent and counted by rate limits
        sent_attempts=attempts / (1.0 - rate_limited),
        cache_history=cache_history,
    )  # fmt: skip
