"""Token inflation: history, retries and the per-request breakdown, worked by hand."""

from __future__ import annotations

import pytest

from costcalc.core.demand.tokens import billed_attempts, history_tokens, inflate
from tests.conftest import make_profile


def test_history_full_window_is_the_triangle_mean() -> None:
    # u + o = 100, n = 4: turns carry 0, 1, 2, 3 prior turns → mean 1.5 turns = 150 tokens
    assert history_tokens(60, 40, 4, None) == pytest.approx(150.0)
    # closed form (u + o)(n - 1)/2 for any n
    assert history_tokens(60, 40, 9, None) == pytest.approx(100 * 8 / 2)


def test_history_window_caps_carried_turns() -> None:
    # w = 1: turns carry 0, 1, 1, 1 → 3/4 turn = 75 tokens
    assert history_tokens(60, 40, 4, 1) == pytest.approx(75.0)
    # w = 2, n = 6: 0,1,2,2,2,2 = 9 → 9/6 × 100 = 150
    assert history_tokens(60, 40, 6, 2) == pytest.approx(150.0)
    # w = 0 carries nothing; a window past n-1 is the full window
    assert history_tokens(60, 40, 6, 0) == 0.0
    assert history_tokens(60, 40, 6, 50) == pytest.approx(history_tokens(60, 40, 6, None))


def test_single_turn_has_no_history() -> None:
    assert history_tokens(500, 500, 1, None) == 0.0


def test_billed_attempts_is_a_geometric_sum() -> None:
    # p = 0.02, m = 3: 1 + 0.02 + 0.0004 + 0.000008 = 1.020408
    assert billed_attempts(0.02, 3) == pytest.approx(1.020408)
    assert billed_attempts(0.5, 0) == 1.0
    assert billed_attempts(0.5, 2) == pytest.approx(1.75)


def test_breakdown_of_the_design_example() -> None:
    profile = make_profile(
        request={
            "user_tokens": 120,
            "output_tokens": 350,
            "system_prompt": {"tokens": 1800},
            "tools": {"tokens": 600},
            "retrieval": {"chunks": 5, "tokens_per_chunk": 300},
            "conversation": {"turns": 6, "history_window": "all"},
            "retries": {"rate_limited": 0.03, "failed": 0.02, "max_retries": 3},
        }
    )
    t = inflate(profile.request)
    # H = (120 + 350) × (6 - 1)/2 = 1,175
    assert t.history_tokens == pytest.approx(1175)
    # I = 1,800 + 600 + 1,500 + 1,175 + 120 = 5,195
    assert t.input_tokens == pytest.approx(5195)
    # billed/request = 1.020408 × (5,195 + 350) = 5,658.16
    assert t.billed_tokens == pytest.approx(1.020408 * 5545, rel=1e-6)
    # factor = 5,658.16 / 470 = 12.0386
    assert t.factor == pytest.approx(1.020408 * 5545 / 470, rel=1e-6)
    # 429s are sent but not billed: 1.020408 / 0.97 = 1.051967 attempts sent
    assert t.sent_attempts == pytest.approx(1.020408 / 0.97, rel=1e-6)
    assert t.cacheable_prefix_tokens == 2400


def test_cache_history_adds_history_to_the_prefix() -> None:
    profile = make_profile(
        request={
            "system_prompt": {"tokens": 1000},
            "conversation": {"turns": 3},
            "caching": {"cache_history": True},
        }
    )
    t = inflate(profile.request)
    # history = 200 × (0+1+2)/3 = 200; prefix = 1,000 + 200
    assert t.cacheable_prefix_tokens == pytest.approx(1200)


def test_system_prompt_override_for_lora_options() -> None:
    profile = make_profile(request={"system_prompt": {"tokens": 1200}})
    assert inflate(profile.request, system_tokens=150).system_tokens == 150
    assert inflate(profile.request).system_tokens == 1200
