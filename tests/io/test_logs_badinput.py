"""Bad request-log lines: counted as malformed (exit 0) or refused with --strict (exit 2), never
a traceback (exit 3); one implausible time cannot change the volume; no profile after a failure."""

from __future__ import annotations

import copy
import csv
import io
import json
import math
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer.main
import typer.testing
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from costcalc.cli import app
from costcalc.io.logs.pipeline import measure_logs
from costcalc.io.profiles import load_profile
from tests.io import log_samples as logs

runner = CliRunner()
COMMAND = typer.main.get_command(app)


@pytest.fixture(autouse=True)
def _command_built_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """typer builds the click command anew on each invoke (0.1 s): once for this file's 200."""
    build = typer.main.get_command
    monkeypatch.setattr(typer.testing, "_get_command", lambda a: COMMAND if a is app else build(a))


FUZZ = settings(
    max_examples=int(os.environ.get("COSTCALC_FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
USAGE = {
    "prompt_tokens": 120,
    "completion_tokens": 30,
    "prompt_tokens_details": {"cached_tokens": 0},
    "completion_tokens_details": {"reasoning_tokens": 10},
}


def good(i: int) -> dict[str, Any]:
    """A valid proxy line with usage and a tool call, a minute apart."""
    line = logs.chat_line(
        [{"role": "user", "content": f"question {i}"}], logs.T0 + 60 * i, usage=copy.deepcopy(USAGE)
    )
    call = {"type": "function", "function": {"name": "lookup", "arguments": '{"id": 1}'}}
    line["response"]["choices"][0]["message"]["tool_calls"] = [call]
    return line


def run(
    folder: Path, name: str, content: str | bytes, *args: str, days: bool = True
) -> tuple[int, str, Path]:
    """from-logs on one file: exit code, stdout + stderr, and the profile path."""
    log, out = folder / name, folder / "out" / "profile.yaml"
    log.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    flags = volume(args) if days else list(args)
    result = runner.invoke(app, ["profile", "from-logs", str(log), "-o", str(out), *flags])
    return result.exit_code, result.stdout + result.stderr, out


def volume(args: tuple[str, ...] | list[str]) -> list[str]:
    """`--days 1` unless the test sets the volume: these logs span minutes, too short for a
    daily rate of their own."""
    given = {"--days", "--requests-per-day", "--jobs-per-month"} & set(args)
    return [*args] if given else [*args, "--days", "1"]


def malformed(output: str, lines: int) -> bool:
    """The accounting says `lines` malformed lines, with the first one's place."""
    return re.search(rf"\n  malformed +{lines}  first: ", output) is not None


def jsonl(lines: list[Any]) -> str:
    return "".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines)


def put(path: list[Any], value: Any) -> Callable[[dict[str, Any]], Any]:
    def edit(line: dict[str, Any]) -> Any:
        node: Any = line
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        return line

    return edit


MESSAGE: list[Any] = ["response", "choices", 0, "message"]
BAD_LINES = {  # the fuzzing campaign's crash sites, and the field each is reported under
    "usage a string": (put(["response", "usage"], "abc"), "response.usage"),
    "usage a list": (put(["response", "usage"], [1, 2]), "response.usage"),
    "message a string": (put(MESSAGE, "hello"), "response.choices[0].message"),
    "tool call function a string": (
        put([*MESSAGE, "tool_calls", 0, "function"], "lookup"),
        "response.choices[0].message.tool_calls[0].function",
    ),
    "created NaN": (put(["created"], math.nan), "created"),
    "created Infinity": (put(["created"], math.inf), "created"),
    "created a 400-digit integer": (put(["created"], 10**400), "created"),
    "created a list": (put(["created"], [1]), "created"),
    "timestamp not a date": (put(["timestamp"], "today"), "timestamp"),  # `created` is removed
    "prompt_tokens abc": (put(["response", "usage", "prompt_tokens"], "abc"), "prompt_tokens"),
    "prompt_tokens negative": (put(["response", "usage", "prompt_tokens"], -5), "prompt_tokens"),
    "prompt_tokens NaN": (put(["response", "usage", "prompt_tokens"], math.nan), "prompt_tokens"),
    "token details a string": (
        put(["response", "usage", "prompt_tokens_details"], "x"),
        "response.usage.prompt_tokens_details",
    ),
    "reasoning over completion": (
        put(["response", "usage", "completion_tokens_details", "reasoning_tokens"], 31),
        "reasoning_tokens",
    ),
    "anthropic input_tokens a string": (
        put(["response", "usage"], {"input_tokens": "x", "output_tokens": 1}),
        "response.usage.input_tokens",
    ),
    "messages a string": (put(["request", "messages"], "hi"), "request.messages"),
    "a message a string": (put(["request", "messages", 0], "hi"), "request.messages[0]"),
    "role a list": (put(["request", "messages", 0, "role"], ["user"]), "messages[0].role"),
    "model an object": (put(["request", "model"], {"id": 1}), "request.model"),
    "conversation_id a list": (put(["conversation_id"], [1]), "conversation_id"),
}


@pytest.mark.parametrize("case", list(BAD_LINES), ids=list(BAD_LINES))
def test_a_bad_value_is_malformed_or_fatal_with_strict(tmp_path: Path, case: str) -> None:
    edit, field = BAD_LINES[case]
    line = good(1)
    if field == "timestamp":
        del line["created"]  # which comes first: `timestamp` is read only without it
    text = jsonl([good(0), edit(line), good(2)])
    code, output, out = run(tmp_path, "log.jsonl", text)
    assert code == 0, output
    assert malformed(output, 1) and "log.jsonl:2: field `" in output
    assert field in output.split("log.jsonl:2: field `")[1].split("`")[0]
    assert yaml.safe_load(out.read_text())["traffic"]["requests_per_day"] > 0
    out.unlink()
    code, output, out = run(tmp_path, "log.jsonl", text, "--strict")
    assert code == 2 and "Traceback" not in output, output
    assert "log.jsonl:2: field `" in output and field in output
    assert not out.exists()


@pytest.mark.parametrize(
    "line",
    ['{"created": ' + "1" * 5000 + "}", '{"request": ' * 100_000, "[1, 2]", '"text"', "{oops"],
    ids=["5000-digit integer", "nested too deeply", "a list", "a string", "not JSON"],
)
def test_lines_that_are_not_records(tmp_path: Path, line: str) -> None:
    code, output, out = run(tmp_path, "log.jsonl", jsonl([good(0), line, good(2)]))
    assert code == 0 and malformed(output, 1), output
    out.unlink()
    code, output, out = run(tmp_path, "log.jsonl", jsonl([good(0), line, good(2)]), "--strict")
    assert code == 2 and "log.jsonl:2: " in output and not out.exists(), output


def test_usage_null_is_a_request_without_usage(tmp_path: Path) -> None:
    code, output, out = run(
        tmp_path, "log.jsonl", jsonl([put(["response", "usage"], None)(good(0))]), "--strict"
    )
    assert code == 0, output
    text = out.read_text()  # no usage: input and output counted from the texts
    assert "Input tokens: estimated (characters / 4) for 100% of requests." in text
    assert "Output tokens: estimated (characters / 4) for 100% of requests." in text


@pytest.mark.parametrize("when", [1e30, "9999-12-31T00:00:00Z", 9999, -1.0, "2009-01-03T18:15:05Z"])
def test_an_implausible_time_is_not_used_for_the_volume(tmp_path: Path, when: object) -> None:
    # 3 requests a day apart: 2 days; the fourth, dated absurdly, is a request without a time
    lines = [logs.chat_line([{"role": "user", "content": f"q{i}"}], logs.T0 + logs.DAY * i)
             for i in range(3)]  # fmt: skip
    lines.append(logs.chat_line([{"role": "user", "content": "late"}], None) | {"created": when})
    code, output, out = run(tmp_path, "log.jsonl", jsonl(lines), days=False)
    assert code == 0, output
    assert yaml.safe_load(out.read_text())["traffic"]["requests_per_day"] == 2.0  # 4 / 2 days
    assert "warning: 1 line(s) with a time outside 2015-01-01 to " in output
    assert "first at " in output and "log.jsonl:4: field `created`" in output
    out.unlink()
    code, output, out = run(tmp_path, "log.jsonl", jsonl(lines), "--strict", days=False)
    assert code == 2 and "log.jsonl:4: field `created`: " in output and not out.exists()


CSV_HEADER = "timestamp,prompt_tokens,completion_tokens,cached_tokens\n"


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ("2026-11-01T10:00:00Z,-1200,300,0", "prompt_tokens"),
        ("2026-11-01T10:00:00Z,1200,-3,0", "completion_tokens"),
        ("2026-11-01T10:00:00Z,nan,300,0", "prompt_tokens"),
        ("2026-11-01T10:00:00Z,1200,inf,0", "completion_tokens"),
        ("2026-11-01T10:00:00Z,1200,300,1300", "cached_tokens"),
        ("not a time,1200,300,0", "timestamp"),
        ("nan,1200,300,0", "timestamp"),
        ("2026-11-01T10:00:00Z,1200", "completion_tokens"),
    ],
)
def test_csv_bad_rows(tmp_path: Path, row: str, field: str) -> None:
    text = CSV_HEADER + "2026-11-01T09:00:00Z,800,100,0\n" + row + "\n"
    code, output, out = run(tmp_path, "usage.csv", text)
    assert code == 0 and f"usage.csv:3: field `{field}`" in output, output
    out.unlink()
    code, output, out = run(tmp_path, "usage.csv", text, "--strict")
    assert code == 2 and f"usage.csv:3: field `{field}`" in output and not out.exists(), output


def test_csv_field_over_the_csv_module_limit(tmp_path: Path) -> None:
    text = CSV_HEADER + '2026-11-01T10:00:00Z,1,"' + "9" * 200_000 + '",0\n'
    code, output, _ = run(tmp_path, "usage.csv", text + "2026-11-02T10:00:00Z,5,5,0\n")
    assert code == 0 and "usage.csv:2: not CSV: field larger than field limit" in output, output


def test_a_byte_order_mark_on_line_1_is_tolerated(tmp_path: Path) -> None:
    text = CSV_HEADER + "2026-11-01T10:00:00Z,1200,300,800\n2026-11-02T10:00:00Z,800,100,0\n"
    code, output, out = run(tmp_path, "usage.csv", "\ufeff" + text, "--strict")
    # the timestamp column is found despite the BOM: 2 requests over 1 day
    assert code == 0 and yaml.safe_load(out.read_text())["traffic"]["requests_per_day"] == 2
    code, output, out = run(tmp_path, "log.jsonl", "\ufeff" + jsonl([good(0), good(1)]), "--strict")
    assert code == 0, output


def test_names_that_would_break_the_profile_are_escaped(tmp_path: Path) -> None:
    lines = [put(["request", "model"], "m\u2028name: x\udc80\n")(good(i)) for i in range(2)]
    code, output, out = run(tmp_path, "log.jsonl", jsonl(lines).encode("utf-8", "surrogatepass"))
    assert code == 0, output
    assert "m\\u2028name: x\\udc80\\n 100%" in out.read_text(encoding="utf-8")
    load_profile(out)


def test_a_profile_that_would_not_load_is_not_written(tmp_path: Path) -> None:
    # one conversation of 10,001 turns: over the schema's 10,000
    lines = [logs.chat_line([{"role": "user", "content": f"q{i}"}], logs.T0 + i, conversation="c")
             for i in range(10_001)]  # fmt: skip
    code, output, out = run(tmp_path, "log.jsonl", jsonl(lines))
    assert code == 2 and "not written" in output and "turns" in output, output
    assert not out.parent.exists() or not any(out.parent.iterdir())


def test_an_unwritable_output_fails_before_reading(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    log = logs.write_jsonl(tmp_path / "log.jsonl", [good(0)])
    target = tmp_path / "file" / "p.yaml"
    result = runner.invoke(app, ["profile", "from-logs", str(log), "-o", str(target)])
    assert result.exit_code == 2 and str(target) in result.stderr, result.stderr


def test_progress_counts_bytes_across_files(tmp_path: Path) -> None:
    # the old reader asked a text file for its position while iterating it: an OSError
    log = logs.write_jsonl(tmp_path / "log.jsonl", [good(i) for i in range(1500)])
    copy = logs.write_jsonl(tmp_path / "copy.jsonl", [good(i) for i in range(1500)])
    seen: list[int] = []
    measure_logs([log, copy], None, True, 0.0, progress=seen.append)
    size = log.stat().st_size
    assert len(seen) == 3 and 0 < seen[0] < size < seen[2] <= 2 * size


def test_tokens_streams_and_counts_as_a_whole(
    tmp_path: Path, real_cl100k: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tiktoken

    from costcalc.io import tokens

    text = (logs.SYSTEM + "\n" + "x=1;  y = [2, 3]\r\n  Ünïcode 日本語 😀\n\n") * 400
    (tmp_path / "a.txt").write_text(text, encoding="utf-8", newline="")
    monkeypatch.setattr(tokens, "BLOCK_CHARS", 1000)  # 20 blocks, each cut where it is safe
    assert tokens.count_file(tmp_path / "a.txt", real_cl100k) == (
        len(tiktoken.get_encoding(real_cl100k).encode_ordinary(text)),
        len(text),
    )


def test_tokens_bad_input(tmp_path: Path) -> None:
    result = runner.invoke(app, ["tokens", str(tmp_path / "missing.txt")])
    assert result.exit_code == 2 and "no such file" in result.stderr
    (tmp_path / "bad.txt").write_bytes(b"caf\xe9 \xff\xfe" * 10)  # not UTF-8
    (tmp_path / "binary.bin").write_bytes(b"\x00\x01" * 10)
    result = runner.invoke(app, ["tokens", str(tmp_path), "-f", "json"])
    assert result.exit_code == 0, result.stderr
    assert [Path(f["path"]).name for f in json.loads(result.stdout)["files"]] == ["bad.txt"]


# ---- fuzzing: any value anywhere in a valid line --------------------------------------------

LEAVES = (
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
    | st.sampled_from([10**400, -1, 1e30, 2**63, 9999, "9999-12-31", "", "NaN", "12"])
)  # fmt: skip
VALUES = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=6,
)
KEYS = st.sampled_from(
    ["usage", "created", "timestamp", "messages", "model", "choices", "message", "tool_calls",
     "function", "content", "role", "body", "response", "request", "tools", "custom_id",
     "conversation_id", "prompt_tokens", "input_tokens", "prompt_tokens_details"]
)  # fmt: skip


def bases() -> list[dict[str, Any]]:
    """A proxy line, OpenAI Batch API input and output lines, an Anthropic-usage line."""
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "doc"}]}
    reply = {"model": "gpt-4o-mini", "created": logs.T0 + 60, "usage": copy.deepcopy(USAGE),
             "choices": [{"message": {"role": "assistant", "content": "ok"}}]}  # fmt: skip
    anthropic = {"input_tokens": 50, "cache_read_input_tokens": 10, "output_tokens": 5}
    return [
        good(0),
        {"custom_id": "r1", "method": "POST", "url": "/v1/chat/completions", "body": body},
        {"custom_id": "r1", "response": {"status_code": 200, "body": reply}, "error": None},
        {"request": body, "response": {"usage": anthropic}, "timestamp": "2026-10-26T10:00:00Z"},
    ]


def paths(node: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON tree, as the keys and indexes leading to it."""
    found = [at]
    if isinstance(node, dict | list):
        for key, child in node.items() if isinstance(node, dict) else enumerate(node):
            found += paths(child, (*at, key))
    return found


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    line: dict[str, Any] = copy.deepcopy(draw(st.sampled_from(bases())))
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.sampled_from(paths(line)))
        if not at:
            continue
        parent = line
        for key in at[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "delete" and isinstance(parent, dict):
            del parent[at[-1]]
        elif action == "add" and isinstance(parent[at[-1]], dict):
            parent[at[-1]][draw(KEYS)] = draw(VALUES)
        else:
            parent[at[-1]] = draw(VALUES)
    return line


def check(code: int, output: str, out: Path, strict: bool) -> None:
    assert "Traceback" not in output, output
    assert code == 2 if not out.exists() else code == 0, output
    if not strict:
        assert code == 0, output  # the valid lines around it still make a profile
    if code == 0:
        load_profile(out)


@FUZZ
@given(mutated(), st.booleans(), st.sampled_from(["", "\ufeff"]))
def test_fuzz_json_values(line: dict[str, Any], strict: bool, bom: str) -> None:
    text = bom + jsonl([bases()[0], line, good(5)])
    with tempfile.TemporaryDirectory() as folder:
        check(*run(Path(folder), "log.jsonl", text, *["--strict"] * strict), strict)


@FUZZ
@given(st.binary(max_size=40), st.integers(0, 400), st.booleans())
def test_fuzz_bytes_in_a_line(noise: bytes, at: int, strict: bool) -> None:
    line = json.dumps(good(1)).encode()
    at = min(at, len(line))
    content = jsonl([good(0)]).encode() + line[:at] + noise + line[at:] + b"\n"
    with tempfile.TemporaryDirectory() as folder:
        check(*run(Path(folder), "log.jsonl", content, *["--strict"] * strict), strict)


@FUZZ
@given(st.lists(st.text(max_size=12) | LEAVES.map(str), min_size=0, max_size=6), st.booleans())
def test_fuzz_csv_cells(cells: list[str], strict: bool) -> None:
    rows = io.StringIO()
    writer = csv.writer(rows)
    writer.writerow(["timestamp", "prompt_tokens", "completion_tokens", "cached_tokens", "model"])
    writer.writerow(["2026-11-01T10:00:00Z", "800", "100", "0", "gpt-4o"])
    writer.writerow(cells)
    with tempfile.TemporaryDirectory() as folder:
        check(*run(Path(folder), "usage.csv", rows.getvalue(), *["--strict"] * strict), strict)
