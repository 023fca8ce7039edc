"""`costcalc tokens` on a request file counts what a model is sent, not the JSON around it."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from costcalc.cli import app
from tests.io import log_samples as logs

runner = CliRunner()


def test_a_batch_input_file_counts_its_message_contents(tmp_path: Path, real_cl100k: str) -> None:
    import tiktoken

    enc = tiktoken.get_encoding("cl100k_base")
    assert len(enc.encode_ordinary("hello world")) == 2  # "hello", " world"
    messages = [{"role": "system", "content": "hello world"},
                {"role": "user", "content": "hello world hello world"}]  # fmt: skip
    lines = [{"custom_id": f"r{i}", "method": "POST", "url": "/v1/chat/completions",
              "body": {"model": "gpt-4", "messages": messages}} for i in range(3)]  # fmt: skip
    log = logs.write_jsonl(tmp_path / "batchinput.jsonl", lines)
    result = runner.invoke(app, ["tokens", str(log), "--model", "gpt-4", "-f", "json"])
    assert result.exit_code == 0, result.stderr
    found = json.loads(result.stdout)["files"][0]
    # 3 requests × (2 + 4) tokens = 18, every occurrence of the system prompt counted; the
    # raw JSON is several times that
    assert found["tokens"] == 18 and found["counted"] == "contents of 3 requests"
    assert found["characters"] == 3 * (11 + 23)
    assert len(enc.encode_ordinary(log.read_text())) > 5 * 18
    text = runner.invoke(app, ["tokens", str(log), "--model", "gpt-4"]).stdout
    assert "18 tokens" in text and "(contents of 3 requests)" in text


def test_a_json_file_of_tool_schemas_is_counted_as_text(tmp_path: Path, real_cl100k: str) -> None:
    import tiktoken

    enc = tiktoken.get_encoding("cl100k_base")
    schema = json.dumps([{"type": "function", "function": {"name": "lookup"}}])
    path = tmp_path / "tools.json"
    path.write_text(schema)
    result = runner.invoke(app, ["tokens", str(path), "--model", "gpt-4", "-f", "json"])
    found = json.loads(result.stdout)["files"][0]
    # the schemas are sent as JSON: the JSON is what is counted
    assert found["counted"] == "text" and found["tokens"] == len(enc.encode_ordinary(schema))


def test_a_batch_error_file_sends_a_model_nothing(tmp_path: Path) -> None:
    error = {"code": "batch_expired", "message": "could not be executed in time"}
    lines = [{"id": "batch_req_1", "custom_id": "r1", "response": None, "error": error}]
    log = logs.write_jsonl(tmp_path / "errors.jsonl", lines)
    found = json.loads(runner.invoke(app, ["tokens", str(log), "-f", "json"]).stdout)["files"][0]
    assert (found["tokens"], found["counted"]) == (0, "contents of no requests")
