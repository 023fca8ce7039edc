"""Token counting: real tiktoken when its encoding is available, a stated estimate when not."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tiktoken
import yaml

from costcalc.io.profiles import load_profile
from costcalc.io.tokens import TokenCounter, count_tokens, quick_ranks


def test_real_cl100k_counts(real_cl100k: str) -> None:
    counted = count_tokens("hello world", real_cl100k)
    # cl100k_base: "hello" + " world" = 2 tokens
    assert counted.tokens == 2 and counted.method == "cl100k_base" and counted.warning is None
    # special-token text is counted as ordinary text, not refused
    assert count_tokens("<|endoftext|>", real_cl100k).tokens > 1


CL100K_URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
CL100K_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"  # tiktoken's


def test_quick_ranks_parse_the_real_file_as_tiktoken_does(real_cl100k: str) -> None:
    import tiktoken.load

    quick = quick_ranks(CL100K_URL, CL100K_SHA256)
    assert quick == tiktoken.load.load_tiktoken_bpe(CL100K_URL, CL100K_SHA256)
    # 100,256 ranks, 0 to 100,255; "IQ==" is base64 for "!", the first of them
    assert len(quick) == 100_256 and quick[b"!"] == 0 and max(quick.values()) == 100_255
    # and the encoder built from them counts as before: "hello" + " world"
    assert count_tokens("hello world", real_cl100k).tokens == 2


def _cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, data: bytes) -> str:
    """A BPE file under a made-up address, placed in tiktoken's cache (where it looks first)."""
    import hashlib

    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    url = f"https://example.com/{name}.tiktoken"
    (tmp_path / hashlib.sha1(url.encode()).hexdigest()).write_bytes(data)
    return url


@pytest.mark.parametrize(
    ("data", "ranks"),
    [
        (b"IQ== 0\nIg== 1\n", {b"!": 0, b'"': 1}),
        (b"IQ== 0\n\nIg== 1\n", {b"!": 0, b'"': 1}),  # a blank line: tiktoken's parser
        (b"IQ== 0\nIg== 1", {b"!": 0, b'"': 1}),  # no final newline: tiktoken's parser
    ],
)
def test_quick_ranks_agree_with_tiktoken_on_any_layout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: bytes, ranks: dict[bytes, int]
) -> None:
    import tiktoken.load

    url = _cached(tmp_path, monkeypatch, "small", data)
    assert quick_ranks(url) == tiktoken.load.load_tiktoken_bpe(url) == ranks


def test_quick_ranks_leave_a_broken_file_to_tiktoken_s_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # three fields on a line, three and one (as many fields as two lines hold), a rank that
    # is not a number, a tab inside a line: tiktoken names the line
    for data, line in (
        (b"IQ== 0 x\nIg== 1\n", "IQ== 0 x"),
        (b"IQ== 0 Ig==\n1\n", "IQ== 0 Ig=="),
        (b"IQ== zero\n", "IQ== zero"),
        (b"IQ==\t0 x\n1\n", "IQ==\\t0 x"),
    ):
        url = _cached(tmp_path, monkeypatch, "broken", data)
        with pytest.raises(ValueError, match=re.escape(f"Error parsing line b'{line}'")):
            quick_ranks(url)


def test_quick_ranks_leave_an_argument_they_do_not_know_to_tiktoken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import tiktoken.load

    asked: list[tuple[object, ...]] = []

    def newer(
        path: str, expected_hash: str | None = None, *more_args: object, **more: object
    ) -> dict[bytes, int]:
        asked.append((path, expected_hash, more_args, more))
        return {b"!": 0}

    # a newer tiktoken calling its loader with an argument this one does not know
    monkeypatch.setattr(tiktoken.load, "load_tiktoken_bpe", newer)
    url = "https://example.com/x.tiktoken"
    assert quick_ranks(url, "ab12", mirror="eu") == {b"!": 0}
    assert quick_ranks(url, "ab12", "eu") == {b"!": 0}
    assert asked == [(url, "ab12", (), {"mirror": "eu"}), (url, "ab12", ("eu",), {})]


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
