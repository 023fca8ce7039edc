"""Token counting: real tiktoken when its encoding is available, a stated estimate when not."""

from __future__ import annotations

from pathlib import Path

import pytest
import tiktoken
import yaml

from costcalc.io.profiles import load_profile
from costcalc.io.tokens import TokenCounter, count_tokens


def test_real_cl100k_counts(real_cl100k: str) -> None:
    counted = count_tokens("hello world", real_cl100k)
    # cl100k_base: "hello" + " world" = 2 tokens
    assert counted.tokens == 2 and counted.method == "cl100k_base" and counted.warning is None
    # special-token text is counted as ordinary text, not refused
    assert count_tokens("<|endoftext|>", real_cl100k).tokens > 1


def test_offline_falls_back_to_characters_over_four_with_a_warning() -> None:
    counted = count_tokens("x" * 401, "o200k_base")
    assert counted.tokens == 101  # ceil(401 / 4)
    assert counted.method == "estimate: characters / 4"
    assert counted.warning is not None and "TIKTOKEN_CACHE_DIR" in counted.warning


def test_profile_text_is_counted_and_the_fallback_said_once(tmp_path: Path) -> None:
    data = {
        "name": "t",
        "traffic": {"requests_per_day": 10},
        "request": {"system_prompt": {"text": "a" * 80}, "tools": {"text": "b" * 40}},
    }
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    loaded = load_profile(path)
    assert loaded.profile.request.system_prompt.tokens == 20
    assert loaded.profile.request.tools.tokens == 10
    assert len(loaded.warnings) == 1
    assert (
        loaded.token_sources["system_prompt"]
        == "20 tokens from inline text (estimate: characters / 4)"
    )


class CountingEncoder:
    """Stands in for a tiktoken Encoding and records every text it is asked to encode."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def encode_ordinary(self, text: str) -> list[int]:
        self.seen.append(text)
        return [0] * len(text.split())


def test_counter_encodes_each_distinct_text_once() -> None:
    counter = TokenCounter("cl100k_base")
    fake = CountingEncoder()
    counter._encoder = fake
    # a three-turn conversation: every request carries the earlier turns again
    turn1, turn2, turn3 = "system rules here", "first question", "second question please"
    counter.prepare([turn1, turn2])
    counter.prepare([turn1, turn2, turn3, turn3])
    assert fake.seen == [turn1, turn2, turn3]
    assert (counter[turn1], counter[turn2], counter[turn3]) == (3, 2, 3)
    assert len(fake.seen) == 3  # lookups after prepare encode nothing


def test_counts_on_threads_match_one_at_a_time(real_cl100k: str) -> None:
    texts = [f"turn {i}: " + "refund policy " * (i % 37) for i in range(500)]
    threaded = TokenCounter(real_cl100k)
    assert threaded.THREADS >= 1
    threaded.THREADS = 4  # slices interleaved over 4 threads, whatever this machine has
    threaded.prepare(texts)
    enc = tiktoken.get_encoding(real_cl100k)
    assert [threaded[t] for t in texts] == [len(enc.encode_ordinary(t)) for t in texts]


def test_load_failures_read_in_one_short_clause() -> None:
    import requests

    from costcalc.io.tokens import _reason

    long = requests.exceptions.ConnectionError("HTTPSConnectionPool(host=...) " + "x" * 300)
    assert _reason(long) == "no network to download it"
    assert _reason(OSError("disk full\nmore")) == "OSError: disk full"


def test_a_long_text_is_encoded_in_blocks_to_the_same_count(
    real_cl100k: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 400 lines of prose, 21,490 characters, encoded 1,000 characters at a time (cut before a
    # line's first letter or at a space between letters): the same count as in one piece
    from costcalc.io import tokens

    text = "".join(
        f"Line {n}: the quick brown fox jumps over {n % 7} lazy dogs.\n" for n in range(400)
    )
    whole = len(tiktoken.get_encoding(real_cl100k).encode_ordinary(text))
    monkeypatch.setattr(tokens, "BLOCK_CHARS", 1000)
    assert count_tokens(text, real_cl100k).tokens == whole
    assert TokenCounter(real_cl100k)[text] == whole
