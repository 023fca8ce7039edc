"""Log formats beyond OpenAI chat: each sample file (tests/fixtures/logs, synthetic, built from
each format's public documentation) is told apart by its first record or header and read into
the hand-checked records; bad values are malformed lines naming the field, never a crash."""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costcalc.io.logs import registry
from costcalc.io.logs.formats import LogRecord, Usage
from costcalc.io.logs.read import LineCounts, read_records
from costcalc.io.logs.values import BadValue, TimeRange
from tests.io import log_samples

LOGS = Path(__file__).resolve().parents[1] / "fixtures" / "logs"
SPAN = TimeRange.until(time.time())
FUZZ = settings(
    max_examples=int(os.environ.get("COSTCALC_FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def read(path: Path) -> tuple[dict[int, LogRecord], LineCounts]:
    counts = LineCounts()
    records = dict(read_records(path, strict=False, counts=counts, span=SPAN))
    return records, counts


def utc(text: str) -> float:
    import datetime as dt

    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC).timestamp()


def first_object(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    array = text.lstrip().startswith("[")
    value = json.loads(text)[0] if array else json.loads(text.split("\n")[0])
    assert isinstance(value, dict)
    return value


def header(path: Path) -> list[str]:
    return next(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


# ---- detection -------------------------------------------------------------------------------

SAMPLES = {
    "anthropic_batch_results.jsonl": "anthropic-batch",
    "anthropic_batch_requests.jsonl": "anthropic-batch",
    "litellm_spend.csv": "litellm-spend",
    "litellm_spend.json": "litellm-spend",
    "langfuse_observations.jsonl": "langfuse",
    "langfuse_observations.csv": "langfuse",
    "helicone_export.jsonl": "helicone",
    "helicone_export.csv": "helicone",
    "openrouter_generations.csv": "openrouter",
    "openai_usage_completions.csv": "openai-usage",
}


@pytest.mark.parametrize(("sample", "expected"), SAMPLES.items())
def test_each_sample_is_read_in_its_format(sample: str, expected: str) -> None:
    path = LOGS / sample
    found: registry.JsonFormat | registry.CsvFormat | None
    if path.suffix == ".csv":
        found = registry.csv_format(header(path))
    else:
        found = registry.json_format(first_object(path))
    assert found is not None and found.name == expected
    records, counts = read(path)
    assert dict(counts.formats) == {found.title: 1}
    assert records and counts.malformed == 0, counts.first


def test_chat_and_usage_csv_files_keep_their_formats() -> None:
    proxy = log_samples.chat_line([{"role": "user", "content": "hi"}], log_samples.T0)
    proxy["request_id"] = "req-1"  # a proxy's own request id: still a chat line
    batch_input = {"custom_id": "r1", "method": "POST", "url": "/v1/chat/completions",
                   "body": {"model": "gpt-4o", "messages": []}}  # fmt: skip
    batch_output = {"id": "batch_req_1", "custom_id": "r1", "error": None,
                    "response": {"status_code": 200, "body": {"choices": []}}}  # fmt: skip
    for line in (proxy, batch_input, batch_output, {}):
        assert registry.json_format(line).name == "openai-chat"
    found = registry.csv_format(["timestamp", "model", "prompt_tokens", "completion_tokens"])
    assert found is not None and found.name == "usage-csv"


# ---- the records each sample holds -------------------------------------------------------------


def test_anthropic_batch_results() -> None:
    records, counts = read(LOGS / "anthropic_batch_results.jsonl")
    first, tool, errored, expired = (records[n] for n in (1, 2, 3, 4))
    # input_tokens exclude cache reads and writes: 120 + 800 read + 80 written
    assert first.usage == Usage(prompt=1000, completion=40, cached=800)
    assert (first.custom_id, first.side, first.batch) == ("req-1", "result", True)
    assert first.time_s is None  # a results line carries no time
    assert first.model == "claude-sonnet-4-20250514" and first.answer == "Paris."
    assert tool.usage == Usage(prompt=300, completion=25) and '"city":"Oslo"' in (tool.answer or "")
    assert (errored.failed, errored.usage, errored.custom_id) == (
        "errored: overloaded_error", None, "req-3",
    )  # fmt: skip
    assert (expired.failed, expired.batch, expired.side) == ("expired", True, "result")
    assert counts.malformed == 0


def test_anthropic_batch_requests() -> None:
    records, _ = read(LOGS / "anthropic_batch_requests.jsonl")
    assert all(r.side == "input" and r.batch and r.usage is None for r in records.values())
    assert records[1].messages == (("system", "You are terse."), ("user", "Capital of France?"))
    assert records[2].messages == (("system", "Use tools."), ("user", "Weather in Oslo?"))
    assert records[2].tools is not None and '"name":"lookup"' in records[2].tools
    assert [r.custom_id for r in records.values()] == ["req-1", "req-2", "req-3"]


def test_litellm_spend_csv() -> None:
    records, _ = read(LOGS / "litellm_spend.csv")
    ok, haiku, failed, cache_hit = (records[n] for n in (2, 3, 4, 5))
    assert ok.usage == Usage(prompt=1200, completion=300, cached=1024, reasoning=200)
    assert ok.time_s == utc("2025-03-04 10:00:00") and ok.model == "gpt-4o-mini"
    assert (ok.record_id, ok.conversation, ok.failed, ok.requests) == (
        "chatcmpl-aaa1", "sess-1", None, 1,
    )  # fmt: skip
    assert ok.messages == (("system", "Be brief."), ("user", "Hi")) and ok.answer == "Hello!"
    assert haiku.model == "anthropic/claude-3-5-haiku-20241022" and haiku.messages is None
    assert (failed.failed, failed.usage) == ("status 429", None)
    assert cache_hit.requests == 0  # served from LiteLLM's cache: no model call


def test_litellm_spend_json_array() -> None:
    records = list(read(LOGS / "litellm_spend.json")[0].values())
    assert records[0].usage == Usage(prompt=700, completion=200, cached=500)
    assert records[0].time_s == utc("2025-03-05 08:00:00") and records[0].answer == "A summary."
    assert records[1].failed == "failure: Timeout"
    assert records[2].usage == Usage(prompt=20, completion=10)  # metadata as JSON text


def test_langfuse_observations_jsonl() -> None:
    records, _ = read(LOGS / "langfuse_observations.jsonl")
    span, chat, legacy, error, event = (records[n] for n in (1, 2, 3, 4, 5))
    assert (span.requests, span.usage, span.failed) == (0, None, None)
    assert (event.requests, event.failed) == (0, None)
    # usageDetails keys are apart: input 976 + input_cached_tokens 1024; output 150 + 64
    assert chat.usage == Usage(prompt=2000, completion=214, cached=1024, reasoning=64)
    assert chat.time_s == utc("2025-04-01 12:00:00.500") and chat.model == "gpt-4o"
    assert (chat.record_id, chat.conversation, chat.answer) == ("obs-gen-1", "sess-9", "4")
    assert chat.messages == (("system", "Be helpful."), ("user", "What is 2+2?"))
    assert legacy.usage == Usage(prompt=12, completion=30)
    assert legacy.messages == (("user", "Tell me a joke"),)
    assert (error.failed, error.usage, error.requests) == ("error: 429 Too Many Requests", None, 1)


def test_langfuse_blob_export_csv() -> None:
    records, _ = read(LOGS / "langfuse_observations.csv")
    gen, span, error = (records[n] for n in (2, 3, 4))
    assert gen.usage == Usage(prompt=2150, completion=80, cached=2000)
    assert gen.model == "claude-sonnet-4-20250514" and gen.time_s == utc("2025-04-02 09:00:00")
    assert gen.messages == (("user", "Hi"),) and gen.answer == "Hello"
    assert span.requests == 0
    assert (error.failed, error.model) == ("error: upstream timeout", "gpt-4o-mini")
    assert error.messages is None  # an empty input cell


def test_helicone_jsonl() -> None:
    records, _ = read(LOGS / "helicone_export.jsonl")
    openai, anthropic, limited = (records[n] for n in (1, 2, 3))
    assert openai.usage == Usage(prompt=500, completion=150)
    assert openai.time_s == utc("2025-05-10 14:00:00") and openai.model == "gpt-4o-mini"
    assert openai.record_id == "11111111-aaaa-4bbb-8ccc-000000000001"
    assert openai.conversation == "session-42"  # the Helicone-Session-Id property
    assert openai.messages == (("user", "Plan my day"),) and openai.answer == "Here is a plan."
    assert anthropic.usage == Usage(prompt=3000, completion=100, cached=2900)
    assert (limited.failed, limited.usage) == ("status 429", None)


def test_helicone_export_tool_csv() -> None:
    records, counts = read(LOGS / "helicone_export.csv")
    first, unparsed_body, failed = (records[n] for n in (2, 3, 4))
    assert first.usage == Usage(prompt=42, completion=7) and first.record_id == "resp-c1"
    assert (first.conversation, first.messages) == ("s-7", (("user", "Hi"),))
    assert unparsed_body.messages is None and unparsed_body.usage == Usage(1000, 250)
    assert failed.failed == "status 500" and counts.malformed == 0


def test_openrouter_generations_csv() -> None:
    records, _ = read(LOGS / "openrouter_generations.csv")
    o4, llama, error, claude = (records[n] for n in (2, 3, 4, 5))
    assert o4.usage == Usage(prompt=1500, completion=400, cached=1024, reasoning=256)
    assert o4.time_s == pytest.approx(utc("2025-06-01 10:00:00.040"))
    assert (o4.model, o4.record_id) == ("openai/o4-mini-2025-04-16", "gen-1741000000-aaaa")
    assert llama.usage == Usage(80, 20)
    assert (error.failed, error.usage) == ("error", None)
    assert claude.usage == Usage(3000, 500)


def test_openai_usage_buckets() -> None:
    records, _ = read(LOGS / "openai_usage_completions.csv")
    day, batch, empty, iso = (records[n] for n in (2, 3, 4, 5))
    assert day.usage == Usage(prompt=12000, completion=4000, cached=6400)
    assert (day.requests, day.period_s, day.time_s, day.batch) == (40, 86400, 1748736000, False)
    assert day.model == "gpt-4o-mini-2024-07-18"
    # 25 M input tokens in one row: over one request's bound, not over 1,000 requests'
    assert (batch.batch, batch.requests, batch.usage) == (True, 1000, Usage(25_000_000, 300_000))
    assert (empty.requests, empty.usage) == (0, Usage(0, 0))
    assert (iso.time_s, iso.period_s, iso.requests) == (utc("2025-06-02 01:00:00"), 3600, 3)


# ---- bad values: malformed lines naming the field ---------------------------------------------


def _bad_json(name: str, edit: Any) -> dict[str, Any]:
    obj = copy.deepcopy(first_object(LOGS / name))
    edit(obj)
    return obj


BAD_JSON = [
    ("anthropic_batch_results.jsonl",
     lambda o: o["result"]["message"]["usage"].update(input_tokens=float("nan")),
     "result.message.usage.input_tokens"),
    ("anthropic_batch_results.jsonl", lambda o: o["result"].update(message=[1]), "result.message"),
    ("anthropic_batch_requests.jsonl", lambda o: o["params"].update(messages={"a": 1}),
     "params.messages"),
    ("litellm_spend.json", lambda o: o.update(prompt_tokens="abc"), "prompt_tokens"),
    ("litellm_spend.json", lambda o: o.update(metadata=[1, 2]), "metadata"),
    ("langfuse_observations.jsonl", lambda o: o.update(startTime="yesterday"), "startTime"),
    ("helicone_export.jsonl", lambda o: o.update(completion_tokens=-3), "completion_tokens"),
    ("helicone_export.jsonl", lambda o: o.update(response_status="ok"), "response_status"),
]  # fmt: skip


@pytest.mark.parametrize(("sample", "edit", "field"), BAD_JSON)
def test_bad_json_values_are_malformed_lines(
    tmp_path: Path, sample: str, edit: Any, field: str
) -> None:
    good = first_object(LOGS / sample)
    path = log_samples.write_jsonl(tmp_path / "log.jsonl", [good, _bad_json(sample, edit), good])
    records, counts = read(path)
    assert sorted(records) == [1, 3]
    assert counts.malformed == 1
    shown = counts.first["malformed"]
    assert "log.jsonl:2" in shown and f"field `{field}`" in shown, shown


def test_a_langfuse_nan_in_usage_details(tmp_path: Path) -> None:
    line = json.dumps(first_object(LOGS / "langfuse_observations.jsonl"))
    gen = json.loads((LOGS / "langfuse_observations.jsonl").read_text().split("\n")[1])
    gen["usageDetails"]["input"] = "NAN_HERE"
    bad = json.dumps(gen).replace('"NAN_HERE"', "NaN")  # Python's json reads NaN
    path = log_samples.write_jsonl(tmp_path / "log.jsonl", [line, bad])
    _, counts = read(path)
    assert counts.malformed == 1 and "field `usageDetails.input`" in counts.first["malformed"]


BAD_CSV = [
    ("litellm_spend.csv", "completion_tokens", "abc"),
    ("litellm_spend.csv", "metadata", "{broken"),
    ("langfuse_observations.csv", "usage_details", '{"input": "12"}'),
    ("helicone_export.csv", "prompt_tokens", "nan"),
    ("helicone_export.csv", "response_status", "²"),  # a digit to str.isdigit, not to int()
    ("openrouter_generations.csv", "tokens_cached", "99999"),
    ("openrouter_generations.csv", "tokens_prompt", "inf"),
    ("openai_usage_completions.csv", "num_model_requests", "2.5"),
    ("openai_usage_completions.csv", "input_tokens", "-1"),
    ("openai_usage_completions.csv", "batch", "maybe"),
]


@pytest.mark.parametrize(("sample", "column", "value"), BAD_CSV)
def test_bad_csv_cells_are_malformed_lines(
    tmp_path: Path, sample: str, column: str, value: str
) -> None:
    rows = list(csv.DictReader(io.StringIO((LOGS / sample).read_text(encoding="utf-8"))))
    rows[0][column] = value
    path = tmp_path / "log.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    records, counts = read(path)
    assert counts.malformed == 1 and 2 not in records and len(records) == len(rows) - 1
    shown = counts.first["malformed"]
    assert "log.csv:2" in shown, shown
    assert f"field `{column}`" in shown or f"field `{column}." in shown, shown


def test_zero_requests_with_tokens_is_malformed(tmp_path: Path) -> None:
    rows = list(csv.DictReader(io.StringIO((LOGS / "openai_usage_completions.csv").read_text())))
    rows[0]["num_model_requests"] = "0"
    path = tmp_path / "usage.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    _, counts = read(path)
    assert counts.malformed == 1 and "field `num_model_requests`" in counts.first["malformed"]


# ---- fuzz: any JSON in any field is a record or a BadValue, nothing else ----------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=8,
)
JSON_SAMPLES = [
    (n, i) for n in ("anthropic_batch_results.jsonl", "anthropic_batch_requests.jsonl",
                     "langfuse_observations.jsonl", "helicone_export.jsonl")
    for i in range(3)
] + [("litellm_spend.json", i) for i in range(3)]  # fmt: skip


def _objects(name: str) -> list[dict[str, Any]]:
    text = (LOGS / name).read_text(encoding="utf-8")
    if text.lstrip().startswith("["):
        return list(json.loads(text))
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _paths(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value, so the fuzz reaches nested fields (result.message.usage)."""
    found = [at]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*at, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*at, index))
    return found


@FUZZ
@given(data=st.data(), junk=JSON_VALUES)
def test_json_formats_raise_only_bad_value(data: st.DataObject, junk: Any) -> None:
    name, index = data.draw(st.sampled_from(JSON_SAMPLES))
    obj = copy.deepcopy(_objects(name)[index])
    fmt = registry.json_format(obj)
    path = data.draw(st.sampled_from(_paths(obj)))
    if not path:
        obj = junk
    else:
        holder = obj
        for step in path[:-1]:
            holder = holder[step]
        holder[path[-1]] = junk
    try:
        record = fmt.parse(obj, SPAN)
    except BadValue:
        return
    assert isinstance(record, LogRecord)


CSV_SAMPLES = [n for n in SAMPLES if n.endswith(".csv")]


@FUZZ
@given(data=st.data(), junk=st.text(max_size=12))
def test_csv_formats_raise_only_bad_value(data: st.DataObject, junk: str) -> None:
    name = data.draw(st.sampled_from(CSV_SAMPLES))
    rows = list(csv.DictReader(io.StringIO((LOGS / name).read_text(encoding="utf-8"))))
    row: dict[str | None, Any] = dict(data.draw(st.sampled_from(rows)))
    row[data.draw(st.sampled_from(sorted(k for k in row if k is not None)))] = junk
    found = registry.csv_format([k for k in row if k is not None])
    assert found is not None
    try:
        record = found.parse(row, SPAN)
    except BadValue:
        return
    assert isinstance(record, LogRecord)
