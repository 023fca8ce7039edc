"""profile from-logs and tokens on logs written with known shape, turns, tokens and usage."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from costcalc.cli import app
from costcalc.io.logs.pipeline import measure_logs
from costcalc.io.profiles import load_profile
from tests.conftest import ROOT, check_golden
from tests.io import log_samples as logs

runner = CliRunner()
GOLDEN = ROOT / "tests" / "golden"


def derive(
    tmp_path: Path, lines: list[object], *args: str, name: str = "log.jsonl"
) -> tuple[int, dict, str]:  # type: ignore[type-arg]
    log = logs.write_jsonl(tmp_path / name, lines)  # type: ignore[arg-type]
    out = tmp_path / "measured.yaml"
    given = {"--days", "--requests-per-day", "--jobs-per-month"} & set(args)
    times = [x["created"] for x in lines if isinstance(x, dict) and "created" in x]
    # a log of minutes has no daily rate of its own: these tests are about other things
    short = not times or max(times) - min(times) < logs.HOUR
    extra = ["--days", "1"] if short and not given else []
    result = runner.invoke(app, ["profile", "from-logs", str(log), "-o", str(out), *args, *extra])
    data = yaml.safe_load(out.read_text(encoding="utf-8")) if out.exists() else {}
    return result.exit_code, data, result.stdout + result.stderr


def test_daily_shape_volume_and_turns(tmp_path: Path, real_cl100k: str) -> None:
    code, data, output = derive(tmp_path, logs.shaped_day_log())
    assert code == 0, output
    traffic = data["traffic"]
    # 11 conversations × 3 turns = 33 requests over exactly 2 days
    assert traffic["requests_per_day"] == 16.5
    weights = traffic["hourly_weights"]
    # hour 9: 9 + 9 + 1 = 19 requests; hour 14: 6 + 6 = 12; hour 8: 2 (day 2's first turns)
    assert (weights[9], weights[14], weights[8]) == (
        round(19 / 33, 4),
        round(12 / 33, 4),
        round(2 / 33, 4),
    )
    assert data["request"]["conversation"] == {"turns": 3, "history_window": "all"}


def test_turns_without_ids_from_the_shared_opening(tmp_path: Path) -> None:
    def talk(opening: str, answers: list[str], start: float) -> list[dict[str, object]]:
        """A conversation without an id: each turn carries the earlier turns and answers."""
        lines, messages = [], [{"role": "system", "content": "rules"}]
        for turn, answer in enumerate(answers):
            messages.append({"role": "user", "content": opening if turn == 0 else f"more {turn}"})
            lines.append(logs.chat_line(list(messages), start + 60 * turn, answer=answer))
            messages.append({"role": "assistant", "content": answer})
        return lines

    lines = talk("where is my order", ["it shipped", "Tuesday", "yes"], logs.T0)
    # the same opening question, answered differently: a different conversation
    lines += talk("where is my order", ["which order?", "found it"], logs.T0 + 30)
    lines += talk("cancel my plan", ["done"], logs.T0 + 90)
    lines.sort(key=lambda line: float(line["created"]))  # type: ignore[arg-type]
    code, data, _ = derive(tmp_path, lines)
    assert code == 0
    # 3 + 2 + 1 = 6 turns over 3 conversations = 2 turns each
    assert data["request"]["conversation"]["turns"] == 2
    text = (tmp_path / "measured.yaml").read_text(encoding="utf-8")
    assert "2.00 turns per conversation (3 conversations, grouped by shared message prefix)" in text


def test_token_counts_with_the_real_encoding(tmp_path: Path, real_cl100k: str) -> None:
    import tiktoken

    enc = tiktoken.get_encoding("cl100k_base")
    assert len(enc.encode_ordinary("hello world")) == 2  # "hello", " world"
    code, data, _ = derive(tmp_path, logs.conversation("c", 2, logs.T0))
    assert code == 0
    request = data["request"]
    assert request["system_prompt"]["tokens"] == len(enc.encode_ordinary(logs.SYSTEM))
    tools = json.dumps(logs.TOOLS, sort_keys=True, separators=(",", ":"))
    assert request["tools"]["tokens"] == len(enc.encode_ordinary(tools))
    user = [len(enc.encode_ordinary(f"question {t} " * 10)) for t in (0, 1)]
    assert request["user_tokens"] == pytest.approx(sum(user) / 2, abs=0.05)
    assert request["output_tokens"] == len(enc.encode_ordinary("fine thanks"))


def test_usage_is_the_ground_truth_and_reasoning_is_apart(tmp_path: Path) -> None:
    usage = {
        "prompt_tokens": 1000,
        "completion_tokens": 1212,
        "prompt_tokens_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 1200},
    }
    lines = [
        logs.chat_line([{"role": "user", "content": "extract"}], logs.T0 + i, usage=usage)
        for i in range(10)
    ]
    code, data, _ = derive(tmp_path, lines)
    assert code == 0
    request = data["request"]
    # 1,212 completion tokens of which 1,200 reasoning: 12 visible
    assert request["output_tokens"] == 12 and request["reasoning_tokens"] == 1200
    # tools are counted from the schema; the rest of the 1,000 prompt tokens is the user's
    assert request["user_tokens"] + request["tools"]["tokens"] == pytest.approx(1000, abs=0.1)


def test_cached_share_from_usage(tmp_path: Path) -> None:
    usage = {
        "prompt_tokens": 2000,
        "completion_tokens": 10,
        "prompt_tokens_details": {"cached_tokens": 1024},
    }
    messages = [{"role": "system", "content": "x" * 6000}, {"role": "user", "content": "hi"}]
    code, data, _ = derive(
        tmp_path, [logs.chat_line(messages, logs.T0 + i, usage=usage) for i in range(5)]
    )
    assert code == 0
    assert "51.2% of input tokens read from cache" in (tmp_path / "measured.yaml").read_text()
    assert 0 < data["request"]["caching"]["hit_rate"] <= 1


def test_retries_from_repeated_requests(tmp_path: Path) -> None:
    once = logs.chat_line([{"role": "user", "content": "a"}], logs.T0)
    twice = logs.chat_line([{"role": "user", "content": "b"}], logs.T0 + 60)
    code, data, output = derive(tmp_path, [once, twice, twice, twice])
    # 4 attempts, 2 requests: half the attempts are retries, the longest run repeats twice
    assert code == 0 and data["request"]["retries"] == {"failed": 0.5, "max_retries": 2}
    # offline (as every test is unless it asks for the real encoding): said once, on stderr
    # (the ConnectionError-free refusal in conftest is an OSError, reported by its type)
    assert output.count("note: tiktoken could not load cl100k_base (OSError") == 1


def test_openai_batch_input_and_output_files(tmp_path: Path) -> None:
    messages = [
        {"role": "system", "content": "sys " * 40},
        {"role": "user", "content": "doc " * 200},
    ]
    body = {"model": "gpt-4o-mini", "messages": messages}
    inputs = [
        {"custom_id": f"r{i}", "method": "POST", "url": "/v1/chat/completions", "body": body}
        for i in range(4)
    ]
    usage = {"prompt_tokens": 260, "completion_tokens": 30, "total_tokens": 290}
    reply = {"role": "assistant", "content": "ok"}

    def response(i: int) -> dict[str, object]:
        created = logs.T0 + 3600 * i
        return {"model": "gpt-4o-mini", "created": created, "choices": [{"message": reply}]}

    outputs = [
        {
            "id": f"batch_req_{i}",
            "custom_id": f"r{i}",
            "error": None,
            "response": {"status_code": 200, "body": response(i) | {"usage": usage}},
        }
        for i in range(4)
    ]
    out_only = logs.write_jsonl(tmp_path / "out.jsonl", outputs)
    measured = measure_logs([out_only], None, True, 0.0)
    # output files read as they are: usage only, times from response.body.created
    assert measured.stats.attempts == 4 and measured.with_usage == 4
    assert measured.stats.span_days == pytest.approx(3 / 24)
    both = measure_logs(
        [logs.write_jsonl(tmp_path / "in.jsonl", inputs), out_only], None, True, 0.0
    )
    assert both.stats.attempts == 4 and both.stats.metrics["system"].count == 4
    assert both.stats.metrics["output"].mean == 30


def test_csv_usage_log(tmp_path: Path) -> None:
    log = tmp_path / "usage.csv"
    header = "timestamp,prompt_tokens,completion_tokens,cached_tokens\n"
    log.write_text(header + "2026-11-01T10:00:00Z,1200,300,800\n2026-11-02T10:00:00Z,800,100,0\n")
    out = tmp_path / "p.yaml"
    result = runner.invoke(app, ["profile", "from-logs", str(log), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    data = yaml.safe_load(out.read_text())
    # 2 requests over exactly 1 day; all input counted as user input (the split is unknown)
    assert data["traffic"]["requests_per_day"] == 2 and data["request"]["user_tokens"] == 1000


def test_malformed_lines_are_counted_or_fatal_with_strict(tmp_path: Path) -> None:
    good = logs.chat_line([{"role": "user", "content": "a"}], logs.T0)
    lines = [good, "{not json", '{"unrelated": 1}', good]
    code, _, output = derive(tmp_path, lines)
    assert code == 0 and re.search(r"\n  malformed +2  first: \S*log.jsonl:2: not JSON", output)
    code, _, output = derive(tmp_path, lines, "--strict")
    assert code == 2 and "log.jsonl:2" in output and "Traceback" not in output


def test_empty_log_and_one_line(tmp_path: Path) -> None:
    code, _, output = derive(tmp_path, [])
    assert code == 2 and "no requests found" in output
    one = [logs.chat_line([{"role": "user", "content": "a"}], logs.T0)]
    code, data, output = derive(tmp_path, one, "--strict")  # (derive adds --days 1)
    assert code == 0 and data["traffic"]["requests_per_day"] == 1, output
    text = (tmp_path / "measured.yaml").read_text()
    assert "1 requests over 1.00 days (--days)" in text
    # without --days: one request has no span, so no daily rate; nothing is written
    (tmp_path / "measured.yaml").unlink()
    code, _, output = derive(tmp_path, one, "--name", "x", "--days", "1", "--strict")
    assert code == 0
    log = logs.write_jsonl(tmp_path / "one.jsonl", one)
    result = runner.invoke(app, ["profile", "from-logs", str(log), "-o", str(tmp_path / "n.yaml")])
    assert result.exit_code == 2 and not (tmp_path / "n.yaml").exists()
    assert (
        "1 requests (no usable times): too short to measure a daily rate; give the period "
        "the logs cover with --days N, or --requests-per-day N" in result.stderr
    )


def test_mixed_models_are_reported_or_filtered(tmp_path: Path) -> None:
    a = logs.chat_line([{"role": "user", "content": "a"}], logs.T0, model="gpt-4o")
    b = logs.chat_line([{"role": "user", "content": "b"}], logs.T0 + 60, model="claude-haiku-4-5")
    code, data, _ = derive(tmp_path, [a, b, b])
    text = (tmp_path / "measured.yaml").read_text()
    assert code == 0 and "claude-haiku-4-5 67%" in text and "stands in" in text
    code, data, _ = derive(tmp_path, [a, b, b], "--model", "gpt-4o")
    assert code == 0 and data["traffic"]["requests_per_day"] == 1


def test_derived_profile_loads_and_compares(tmp_path: Path) -> None:
    code, _, _ = derive(tmp_path, logs.shaped_day_log())
    assert code == 0
    load_profile(tmp_path / "measured.yaml")
    result = runner.invoke(app, ["compare", str(tmp_path / "measured.yaml"), "-f", "json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["options"]


def test_golden_derived_profile(tmp_path: Path, real_cl100k: str) -> None:
    """The whole file for a fixed log, counted with the real cl100k_base. Regenerate with
    COSTCALC_UPDATE_GOLDEN=1 after an intended change."""
    code, _, _ = derive(tmp_path, logs.shaped_day_log(), "--name", "golden")
    assert code == 0
    text = (tmp_path / "measured.yaml").read_text(encoding="utf-8")
    text = text.replace(str(tmp_path), "[TMP]")
    # the schema line points from the written file to schemas/; from tests/golden/ that is:
    schema = ROOT / "schemas" / "profile.schema.json"
    written = Path(os.path.relpath(schema, tmp_path.resolve())).as_posix()
    first, rest = text.split("\n", 1)
    assert first == f"# yaml-language-server: $schema={written}"
    assert (tmp_path / written).resolve() == schema.resolve()
    text = "# yaml-language-server: $schema=../../schemas/profile.schema.json\n" + rest
    check_golden(GOLDEN / "derived-profile.yaml", text)


def test_tokens_command(tmp_path: Path, real_cl100k: str) -> None:
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "system.md").write_text("hello world")
    (tmp_path / "prompts" / "tools.json").write_text("hello world hello world")
    result = runner.invoke(
        app, ["tokens", str(tmp_path / "prompts"), "--model", "gpt-4", "-f", "json"]
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    # cl100k_base: 2 and 4 tokens
    assert data["encoding"] == "cl100k_base" and data["total"] == 6
    assert [f["tokens"] for f in data["files"]] == [2, 4]
    text = runner.invoke(
        app, ["tokens", str(tmp_path / "prompts" / "system.md"), "--model", "llama-3"]
    )
    assert "stands in" in text.stderr


def test_tokens_offline_falls_back_with_a_note(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x" * 40)
    result = runner.invoke(app, ["tokens", str(tmp_path / "a.txt")])
    assert result.exit_code == 0 and "10 tokens" in result.stdout  # 40 characters / 4
    assert "estimate: characters / 4" in result.stdout and "TIKTOKEN_CACHE_DIR" in result.stderr


def test_readme_tokens_example_is_real(real_cl100k: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README shows this command's output; it must stay what the command prints."""
    monkeypatch.chdir(ROOT)
    result = runner.invoke(app, ["tokens", "examples/prompts", "--model", "gpt-4"])
    assert result.exit_code == 0, result.stderr
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for line in result.stdout.splitlines():
        assert line in readme
    assert "total                                      714 tokens  (cl100k_base)" in result.stdout


def test_readme_from_logs_example_is_real(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README shows this run on the bundled example log: what it prints must be there."""
    monkeypatch.chdir(ROOT)
    out = tmp_path / "measured.yaml"
    log = "examples/logs/support-bot.jsonl.gz"
    result = runner.invoke(app, ["profile", "from-logs", log, "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    printed = result.stdout.replace(str(out), "measured.yaml").splitlines()
    printed += [x for x in result.stderr.splitlines() if not x.startswith("note: ")]
    assert len(printed) == 5
    for line in printed:
        assert line in readme
    # two days of proxy traffic: a daily shape, no Batch API
    traffic = yaml.safe_load(out.read_text())["traffic"]
    assert traffic["pattern"] == "custom" and "batch_share" not in traffic


@pytest.mark.parametrize("kind", ["gzip", "bz2", "xz"])
def test_compressed_logs_are_read_transparently(
    tmp_path: Path, kind: str, real_cl100k: str
) -> None:
    import bz2
    import gzip
    import lzma

    plain = logs.write_jsonl(tmp_path / "log.jsonl", logs.shaped_day_log())  # type: ignore[arg-type]
    packed = tmp_path / f"log.jsonl.{ {'gzip': 'gz', 'bz2': 'bz2', 'xz': 'xz'}[kind] }"
    opener = {"gzip": gzip.open, "bz2": bz2.open, "xz": lzma.open}[kind]
    with opener(packed, "wb") as out:  # type: ignore[operator]
        out.write(plain.read_bytes())
    out_path = tmp_path / "p.yaml"
    result = runner.invoke(app, ["profile", "from-logs", str(packed), "-o", str(out_path)])
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(out_path.read_text(encoding="utf-8"))
    assert data["traffic"]["requests_per_day"] == 16.5  # as the plain log: 33 requests, 2 days


def test_a_zstd_log_says_to_decompress_it(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl.zst"
    log.write_bytes(b"\x28\xb5\x2f\xfd" + b"\x00" * 32)  # zstd's magic number, then anything
    result = runner.invoke(app, ["profile", "from-logs", str(log), "-o", str(tmp_path / "p.yaml")])
    assert result.exit_code == 2 and "zstd -d" in result.stderr


def test_model_matches_dated_snapshots_and_provider_prefixes(tmp_path: Path) -> None:
    from costcalc.io.logs.jobs import model_matches

    assert model_matches("gpt-4o-mini", "gpt-4o-mini-2024-07-18")
    assert model_matches("gpt-4o-mini", "openai/gpt-4o-mini")
    assert model_matches("claude-3-5-sonnet", "claude-3-5-sonnet-20241022")
    assert model_matches("gpt-3.5-turbo", "gpt-3.5-turbo-0125")
    assert model_matches("GPT-4o", "gpt-4o")
    assert not model_matches("gpt-4o", "gpt-4o-mini")  # another model, not a snapshot
    assert not model_matches("gpt-4o-mini", "gpt-4o-mini-search")
    # end to end: two snapshot lines and one prefixed line are taken, the other model is not
    dated = logs.chat_line([{"role": "user", "content": "a"}], logs.T0,
                           model="gpt-4o-mini-2024-07-18")  # fmt: skip
    prefixed = logs.chat_line([{"role": "user", "content": "b"}], logs.T0 + 60,
                              model="openai/gpt-4o-mini")  # fmt: skip
    later = logs.chat_line([{"role": "user", "content": "d"}], logs.T0 + 180,
                           model="gpt-4o-mini-2024-07-18")  # fmt: skip
    other = logs.chat_line([{"role": "user", "content": "c"}], logs.T0 + 120, model="gpt-4o")
    code, data, output = derive(tmp_path, [dated, later, prefixed, other], "--model", "gpt-4o-mini")
    assert code == 0, output
    assert data["traffic"]["requests_per_day"] == 3  # 3 requests over --days 1
