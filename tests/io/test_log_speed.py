"""The fast paths of from-logs: orjson with json's messages, the sample of prompt parts, KeySet."""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Any

import pytest

from costcalc.io.logs import read, runstate
from costcalc.io.logs.measure import KeySet
from costcalc.io.logs.pipeline import measure_logs
from costcalc.io.logs.values import BadValue

T0 = 1_793_059_200
SYSTEM = "You answer questions about orders. Be brief and polite."


def line(i: int, usage: bool = True) -> dict[str, Any]:
    """Turn 1 or 2 of conversation i // 2: one system prompt, a user question, usage."""
    messages = [{"role": "system", "content": SYSTEM}]
    if i % 2:
        messages += [{"role": "user", "content": f"where is order {i - 1}?"},
                     {"role": "assistant", "content": f"order {i - 1} ships today"}]  # fmt: skip
    messages.append({"role": "user", "content": f"question number {i} " * (1 + i % 4)})
    out: dict[str, Any] = {
        "created": T0 + 60 * i, "conversation_id": f"c{i // 2}",
        "request": {"model": "gpt-4", "messages": messages},
        "response": {"choices": [{"message": {"role": "assistant", "content": "ok"}}]},
    }  # fmt: skip
    if usage:
        out["response"]["usage"] = {"prompt_tokens": 40 + i % 9, "completion_tokens": 5}
    return out


def write(tmp_path: Path, rows: list[dict[str, Any]]) -> Path:
    path = tmp_path / "log.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_a_log_under_the_sample_size_is_tokenised_whole(real_cl100k: str, tmp_path: Path) -> None:
    measured = measure_logs([write(tmp_path, [line(i) for i in range(50)])], None, False, 0.0)
    assert not any("sample" in note for note in measured.all_notes)
    assert measured.encodings == {f"tokenised ({real_cl100k})": 50}
    assert measured.stats.metrics["system"].count == 50


def test_with_usage_only_a_sample_is_tokenised_and_said(
    real_cl100k: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, [line(i) for i in range(400)])
    whole = measure_logs([path], None, False, 0.0).stats
    monkeypatch.setattr(runstate, "SAMPLE_FIRST", 40)
    monkeypatch.setattr(runstate, "SAMPLE_EVERY", 10)
    measured = measure_logs([path], None, False, 0.0)
    stats, m = measured.stats, measured.stats.metrics
    # 40 first, then the requests of 1 in 10 of the other 180 conversations of 2 turns:
    # about 76 tokenised of 400
    sampled = m["system"].count
    assert 60 <= sampled <= 95 and m["prompt_total"].count == 400
    # exactly: both turns of each conversation c20…c199 whose id's CRC-32 is a multiple of 10
    # (21 of the 180), the same on every run
    drawn = [c for c in range(20, 200) if zlib.crc32(f"c{c}".encode()) % 10 == 0]
    assert sampled == 40 + 2 * len(drawn) == 40 + 2 * 21
    said = f"sample of {sampled} of 400 requests with usage"
    assert any(said in note for note in measured.all_notes)
    counted = f"tokenised ({real_cl100k})"
    assert measured.encodings == {counted: sampled, f"{counted} in a sample": 400 - sampled}
    # one system prompt everywhere: its mean is exact; totals and user input from usage
    assert m["system"].mean == whole.metrics["system"].mean
    assert m["prompt_total"].total == whole.metrics["prompt_total"].total
    assert m["user"].count == 400
    assert m["user"].mean == pytest.approx(whole.metrics["user"].mean, rel=0.08)
    # hashes need no tokens: conversations and turns are counted for every request
    assert stats.turns() == whole.turns() and stats.max_carried == whole.max_carried


def test_without_usage_every_request_is_tokenised(
    real_cl100k: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runstate, "SAMPLE_FIRST", 5)
    path = write(tmp_path, [line(i, usage=False) for i in range(60)])
    measured = measure_logs([path], None, False, 0.0)
    assert measured.stats.metrics["system"].count == 60
    assert not any("sample" in note for note in measured.all_notes)


@pytest.mark.parametrize(
    "text",
    [
        b'{"a": NaN}',  # json reads NaN, orjson does not
        b'{"a": 1e999}',  # json: inf
        b'{"a": "\\ud800"}',  # a lone surrogate escape
        b'{"a": "caf\xe9"}',  # Latin-1, not UTF-8: replaced
        b'{"a": ' + b"1" * 5000 + b"}",  # over 4,300 digits
        b'{"a": 1',
        b"not json",
        b"[" * 3000 + b"]" * 3000,
        b'{"a": 1, "a": 2}',
    ],
)
def test_lines_read_or_fail_as_json_has_them(text: bytes) -> None:
    def outcome(decode: Any) -> Any:
        try:
            return decode(text)
        except BadValue as exc:
            return exc.problem
        except RecursionError:
            return "nested too deeply"

    def plain(raw: bytes) -> Any:
        fast, read._fast_loads = read._fast_loads, None
        try:
            return read.decode(raw)
        finally:
            read._fast_loads = fast

    got, expected = outcome(read.decode), outcome(plain)
    assert json.dumps(got, default=str) == json.dumps(expected, default=str)


def test_key_set_finds_every_repeat_and_grows() -> None:
    keys = KeySet()
    assert all(keys.add(f"request-{i}") for i in range(5_000))
    assert not any(keys.add(f"request-{i}") for i in range(0, 5_000, 7))
    assert keys.size == 5_000 and len(keys.table) >= 10_000


def test_with_usage_the_new_user_message_is_not_tokenised(
    real_cl100k: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from costcalc.io.logs.formats import LogRecord, Usage
    from costcalc.io.logs.measure import counted_texts
    from costcalc.io.tokens import TokenCounter

    messages = (("system", "be brief"), ("user", "hi"), ("assistant", "hello"),
                ("tool", "order 7: shipped"), ("user", "where is order 7?"))  # fmt: skip
    # its tokens are the prompt less the rest: tokenising "where is order 7?" would be wasted
    with_usage = LogRecord(messages=messages, usage=Usage(60.0, 5.0))
    assert counted_texts(with_usage) == ["be brief", "hi", "hello", "order 7: shipped"]
    assert counted_texts(with_usage._replace(usage=None)) == [t for _, t in messages]
    # a whole log with usage: no text ever counted is the last user message of a request
    counted: list[str] = []
    prepare = TokenCounter.prepare

    def spy(self: TokenCounter, texts: list[str], threads: bool = True) -> None:
        counted.extend(texts)
        prepare(self, texts, threads)

    monkeypatch.setattr(TokenCounter, "prepare", spy)
    measured = measure_logs([write(tmp_path, [line(i) for i in range(10)])], None, False, 0.0)
    assert measured.stats.metrics["system"].count == 10  # all 10 in the sample
    # line i's last message is "question number i " repeated 1 + i % 4 times; the first turn's
    # question of an odd line (its history) is counted, its new one never
    asked = {f"question number {i} " * (1 + i % 4) for i in range(10)}
    assert counted and not asked & set(counted)
    assert {f"where is order {i - 1}?" for i in range(1, 10, 2)} <= set(counted)
    # and the user's input is the prompt less the parts, as before: 40 + i % 9 less the rest
    assert measured.stats.metrics["prompt_total"].total == sum(40 + i % 9 for i in range(10))
