"""Every log line in exactly one bucket; Batch API files are jobs; short logs get a flat shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from costcalc.cli import app
from costcalc.core.units import DAYS_PER_MONTH
from costcalc.io.logs.pipeline import measure_logs
from tests.io import log_samples as logs

runner = CliRunner()


def batch_input(i: int, model: str) -> dict[str, Any]:
    """An OpenAI Batch API input line (platform.openai.com/docs/guides/batch)."""
    messages = [{"role": "system", "content": "be brief"}, {"role": "user", "content": f"q{i}"}]
    return {"custom_id": f"r{i}", "method": "POST", "url": "/v1/chat/completions",
            "body": {"model": model, "messages": messages}}  # fmt: skip


def batch_output(
    i: int, snapshot: str, *, status: int = 200, reasoning: int = 0, step_s: float = 3.0
) -> dict[str, Any]:
    """An OpenAI Batch API output line: 100 prompt tokens, 20 visible output tokens."""
    body: dict[str, Any] = {
        "id": f"chatcmpl-{snapshot}-{i}", "model": snapshot, "created": logs.T0 + i * step_s,
        "choices": [{"message": {"role": "assistant", "content": "ok"}}],
        "usage": {"prompt_tokens": 100, "completion_tokens": 20 + reasoning,
                  "completion_tokens_details": {"reasoning_tokens": reasoning}},
    }  # fmt: skip
    if status >= 400:
        body = {"error": {"message": "bad", "type": "invalid_request_error"}}
    response = {"status_code": status, "request_id": f"req_{i}", "body": body}
    return {"id": f"batch_req_{i}", "custom_id": f"r{i}", "response": response, "error": None}


def expired(i: int) -> dict[str, Any]:
    """A line of a Batch error file: no response, an error."""
    error = {"code": "batch_expired", "message": "This request could not be executed"}
    return {"id": f"batch_req_{i}", "custom_id": f"r{i}", "response": None, "error": error}


def run(tmp_path: Path, files: dict[str, list[Any]], *args: str) -> tuple[int, str, Path]:
    paths = [str(logs.write_jsonl(tmp_path / name, lines)) for name, lines in files.items()]
    out = tmp_path / "profile.yaml"
    result = runner.invoke(app, ["profile", "from-logs", *paths, "-o", str(out), *args])
    return result.exit_code, result.stdout + result.stderr, out


MINI = "gpt-4o-mini-2024-07-18"
O3 = "o3-mini-2025-01-31"


def test_two_output_files_sharing_ids_are_two_models_not_one(tmp_path: Path) -> None:
    # the same 100 prompts answered by two models: 200 requests, none merged away
    mini = [batch_output(i, MINI) for i in range(100)]
    o3 = [batch_output(i, O3, reasoning=200) for i in range(100)]
    paths = [logs.write_jsonl(tmp_path / n, x) for n, x in (("a.jsonl", mini), ("b.jsonl", o3))]
    measured = measure_logs(paths, None, True, 0.0)
    assert measured.stats.attempts == 200 and measured.counts.buckets["used"] == 200
    assert measured.stats.models == {MINI: 100, O3: 100}
    # reasoning kept: 100 of 200 requests with 200 reasoning tokens = a mean of 100
    assert measured.stats.metrics["reasoning"].mean == 100
    # with the input files too: two jobs, joined by custom_id within each model only
    inputs = [logs.write_jsonl(tmp_path / "in_mini.jsonl", [batch_input(i, "gpt-4o-mini")
                                                             for i in range(100)]),
              logs.write_jsonl(tmp_path / "in_o3.jsonl", [batch_input(i, "o3-mini")
                                                           for i in range(100)])]  # fmt: skip
    both = measure_logs([*inputs, *paths], None, True, 0.0)
    assert both.stats.attempts == 200 and both.counts.buckets["used"] == 400
    assert both.stats.metrics["system"].count == 200  # every request joined to its messages


def test_a_file_named_twice_is_read_once_and_repeated_lines_are_duplicates(
    tmp_path: Path,
) -> None:
    lines = [batch_output(i, MINI) for i in range(10)]
    log = logs.write_jsonl(tmp_path / "out.jsonl", lines)
    measured = measure_logs([log, log], None, False, 0.0)
    assert measured.stats.attempts == 10 and "out.jsonl is named twice: read once" in str(
        measured.notes
    )
    code, output, _ = run(tmp_path, {"twice.jsonl": lines + lines}, "--requests-per-day", "1k")
    assert code == 0, output
    assert "requests used                    10 lines: 10 requests" in output
    assert "duplicates                       10  first: " in output
    assert "twice.jsonl:11: id r0 again" in output
    (tmp_path / "profile.yaml").unlink()
    code, output, out = run(tmp_path, {"twice.jsonl": lines + lines}, "--requests-per-day", "1k",
                            "--strict")  # fmt: skip
    assert code == 2 and "twice.jsonl:11: duplicates (id r0 again)" in output
    assert not out.exists()


def test_failed_requests_of_every_kind_are_failed_not_traffic(tmp_path: Path) -> None:
    ok = logs.chat_line([{"role": "user", "content": "a"}], logs.T0,
                        usage={"prompt_tokens": 10, "completion_tokens": 5})  # fmt: skip
    proxy_429 = ok | {"status_code": 429}
    in_body = ok | {"response": {"error": {"message": "overloaded", "type": "server_error"}}}
    lines = [ok, batch_output(1, MINI, status=400), expired(2), proxy_429, in_body]
    measured = measure_logs([logs.write_jsonl(tmp_path / "l.jsonl", lines)], None, False, 0.0)
    counts = measured.counts
    assert counts.buckets == {"used": 1, "failed": 4}
    assert measured.stats.attempts == 1 and counts.malformed == 0
    assert counts.first["failed"].endswith("l.jsonl:2: status 400, error: invalid_request_error")


def test_the_input_of_a_failed_result_is_failed_and_unpaired_lines_are_reported(
    tmp_path: Path,
) -> None:
    inputs = [batch_input(i, "gpt-4o-mini") for i in range(5)]  # r0 … r4
    outputs = [batch_output(0, MINI), batch_output(1, MINI, status=400), batch_output(7, MINI)]
    files = {"in.jsonl": inputs, "out.jsonl": outputs, "errors.jsonl": [expired(2)]}
    paths = [logs.write_jsonl(tmp_path / n, x) for n, x in files.items()]
    counts = measure_logs(paths, None, False, 0.0).counts
    # r0 joined (2 lines used); r1 and r2 failed with their inputs (4 lines); r3, r4 have no
    # result; r7 has no input
    assert counts.buckets == {"used": 2, "failed": 4, "unanswered": 2, "orphaned": 1}
    assert counts.lines == sum(counts.buckets.values()) == 9
    assert counts.first["unanswered"].endswith("in.jsonl:4: custom_id r3")
    assert counts.first["orphaned"].endswith("out.jsonl:3: custom_id r7")
    code, output, _ = run(tmp_path, files, "--jobs-per-month", "4", "--strict")
    assert code == 2 and "out.jsonl:2: failed requests (status 400" in output


def test_a_batch_job_asks_how_often_it_runs(tmp_path: Path) -> None:
    files = {"out.jsonl": [batch_output(i, MINI, reasoning=30) for i in range(120)]}
    code, output, out = run(tmp_path, files)
    assert code == 2 and not out.exists()
    assert (
        "a Batch API job (120 requests in 6 min), not a day of traffic: say how often it "
        "runs with --jobs-per-month N, or give --requests-per-day N" in output
    )
    code, output, out = run(tmp_path, files, "--jobs-per-month", "8")
    assert code == 0, output
    traffic = yaml.safe_load(out.read_text())["traffic"]
    # 120 requests a job × 8 jobs a month / (730 / 24 = 30.4167 days) = 31.56 a day
    assert traffic["requests_per_day"] == round(120 * 8 / DAYS_PER_MONTH, 2) == 31.56
    assert traffic["batch_share"] == 1 and traffic["pattern"] == "flat"
    assert traffic["burst_factor"] == 1 and "hourly_weights" not in traffic
    code, output, out = run(tmp_path, files, "--requests-per-day", "5k", "--jobs-per-month", "8")
    assert code == 2 and "not both" in output


@pytest.mark.parametrize("minutes", [59, 61])
def test_a_job_of_59_or_61_minutes_gets_the_same_volume(tmp_path: Path, minutes: int) -> None:
    # 1,270 lines over 59 min used to give 1,270/day, over 61 min 29,980/day
    step = minutes * 60 / 1269
    files = {"out.jsonl": [batch_output(i, MINI, step_s=step) for i in range(1270)]}
    code, output, _ = run(tmp_path, files)
    assert code == 2 and "1,270 requests in" in output
    code, output, out = run(tmp_path, files, "--jobs-per-month", "30")
    assert code == 0, output
    # 1,270 × 30 / 30.4167 = 1,252.60 a day, whatever the job's duration
    assert yaml.safe_load(out.read_text())["traffic"]["requests_per_day"] == 1252.6


def test_a_log_shorter_than_a_day_gets_a_flat_shape(tmp_path: Path) -> None:
    # 360 requests a minute apart: 6 hours less a minute of traffic, not a batch
    lines = [logs.chat_line([{"role": "user", "content": f"q{i}"}], logs.T0 + 60 * i)
             for i in range(360)]  # fmt: skip
    code, output, out = run(tmp_path, {"log.jsonl": lines})
    assert code == 0, output
    text = out.read_text()
    traffic = yaml.safe_load(text)["traffic"]
    # 360 requests over 359 min = 0.2493 days: 1,444.01 a day
    assert traffic["requests_per_day"] == round(360 / (359 / 1440), 2) == 1444.01
    assert traffic["pattern"] == "flat" and "burst_factor" not in traffic
    assert "the log spans 6.0 h, under a day: its hours and busiest minute would be chance" in text
    # under an hour: no daily rate without --days or --requests-per-day
    code, output, _ = run(tmp_path, {"log.jsonl": lines[:30]})
    assert code == 2 and "30 requests (span 29 min): too short to measure a daily rate" in output


def test_split_by_model_writes_one_profile_per_model(tmp_path: Path) -> None:
    files = {"a.jsonl": [batch_output(i, MINI) for i in range(30)],
             "b.jsonl": [batch_output(i, O3, reasoning=50) for i in range(10)]}  # fmt: skip
    code, output, out = run(tmp_path, files, "--jobs-per-month", "30", "--split-by-model")
    assert code == 0, output
    assert not out.exists()
    mini = yaml.safe_load((tmp_path / "profile-gpt-4o-mini.yaml").read_text())
    o3 = yaml.safe_load((tmp_path / "profile-o3-mini.yaml").read_text())
    assert mini["name"] == "profile-gpt-4o-mini" and o3["request"]["reasoning_tokens"] == 50
    # 30 × 30 / 30.4167 = 29.59; 10 × 30 / 30.4167 = 9.86
    assert (mini["traffic"]["requests_per_day"], o3["traffic"]["requests_per_day"]) == (
        29.59, 9.86)  # fmt: skip
    assert f"models: {MINI} 30, {O3} 10 requests" not in output  # split: the base names
    assert "models: gpt-4o-mini 30, o3-mini 10 requests" in output


def test_a_batch_profile_is_priced_at_the_batch_price(tmp_path: Path) -> None:
    files = {"out.jsonl": [batch_output(i, MINI) for i in range(100)]}
    code, output, out = run(tmp_path, files, "--requests-per-day", "10k")
    assert code == 0, output
    # priced against gpt-4o-mini alone (not --all's 310 options: seconds a comparison)
    out.write_text(
        out.read_text() + "compare:\n  hosted: [openai/gpt-4o-mini]\n  self_hosted: []\n"
    )
    live = out.with_name("live.yaml")
    live.write_text(out.read_text().replace("batch_share: 1", "batch_share: 0"))

    def cost(profile: Path) -> float:
        result = runner.invoke(app, ["compare", str(profile), "-f", "json"])
        data = json.loads(result.stdout)
        hosted = [o for o in data["options"] if o["id"] == "openai/gpt-4o-mini"]
        return float(hosted[0]["monthly_usd"])

    # OpenAI's Batch API bills half the live price (pricing/hosted.yaml: batch_discount 0.5)
    assert cost(out) == pytest.approx(cost(live) / 2, abs=0.01)  # (JSON rounds to cents)


KINDS = st.sampled_from(["ok", "dup", "failed", "bad", "other", "input", "orphan"])


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(kinds=st.lists(KINDS, max_size=30))
def test_every_line_is_in_exactly_one_bucket(tmp_path: Path, kinds: list[str]) -> None:
    out_lines: list[Any] = []
    in_lines: list[Any] = [batch_input(0, "gpt-4o-mini")]
    for n, kind in enumerate(kinds, 1):
        if kind == "ok":
            in_lines.append(batch_input(n, "gpt-4o-mini"))
            out_lines.append(batch_output(n, MINI))
        elif kind == "dup" and out_lines:
            out_lines.append(out_lines[-1])
        elif kind == "failed":
            out_lines.append(batch_output(n, MINI, status=500))
        elif kind == "bad":
            out_lines.append("{not json")
        elif kind == "other":
            out_lines.append(batch_output(n, "gpt-4.1-2025-04-14"))
        elif kind == "input":
            in_lines.append(batch_input(n, "gpt-4o-mini"))
        else:
            out_lines.append(batch_output(n, MINI))  # no input
    paths = [logs.write_jsonl(tmp_path / "in.jsonl", in_lines),
             logs.write_jsonl(tmp_path / "out.jsonl", out_lines)]  # fmt: skip
    measured = measure_logs(paths, "gpt-4o-mini", False, 0.0)
    counts = measured.counts
    assert counts.lines == len(in_lines) + len(out_lines) == sum(counts.buckets.values())
    # a joined request uses two lines; an input whose file meets no result file of its model
    # stands alone (one line, its output not logged)
    assert measured.stats.attempts <= counts.buckets["used"] <= 2 * measured.stats.attempts


def test_bom_crlf_gzip_and_a_json_array_read_alike(tmp_path: Path) -> None:
    import gzip

    lines = [batch_output(i, MINI, reasoning=i) for i in range(5)]
    plain = logs.write_jsonl(tmp_path / "plain.jsonl", lines)
    text = plain.read_text()
    crlf = tmp_path / "crlf.jsonl"
    crlf.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    zipped = tmp_path / "logs.jsonl.gz"
    zipped.write_bytes(gzip.compress(text.encode()))
    array = tmp_path / "export.json"  # an export saved as one JSON array, with a BOM
    array.write_bytes(b"\xef\xbb\xbf" + json.dumps(lines, indent=2).encode())
    seen = set()
    for path in (plain, crlf, zipped, array):
        measured = measure_logs([path], None, True, 0.0)
        # 5 requests; reasoning 0 + 1 + 2 + 3 + 4 = 10 tokens: a mean of 2
        stats = measured.stats
        seen.add((stats.attempts, stats.metrics["reasoning"].mean, measured.counts.lines))
    assert seen == {(5, 2.0, 5)}
    # a JSON array cut short: the elements before are read, the cut is one malformed line
    cut = tmp_path / "cut.json"
    cut.write_text(json.dumps(lines)[:-30])
    measured = measure_logs([cut], None, False, 0.0)
    assert measured.stats.attempts == 4 and measured.counts.malformed == 1


def test_inputs_and_results_naming_different_models_join_by_their_ids(tmp_path: Path) -> None:
    # an Azure deployment name in the input, the model in the output: one job, not 2 × 5
    inputs = [batch_input(i, "my-mini-deployment") for i in range(5)]
    outputs = [batch_output(i, MINI) for i in range(5)]
    paths = [logs.write_jsonl(tmp_path / "in.jsonl", inputs),
             logs.write_jsonl(tmp_path / "out.jsonl", outputs)]  # fmt: skip
    measured = measure_logs(paths, None, True, 0.0)
    assert measured.stats.attempts == 5 and measured.counts.buckets == {"used": 10}
    assert measured.stats.metrics["system"].count == 5  # joined to their messages


@pytest.mark.parametrize("kind", ["gz", "bz2", "xz"])
def test_a_compressed_log_cut_short_or_damaged_exits_2_naming_it(tmp_path: Path, kind: str) -> None:
    import bz2
    import gzip
    import lzma

    compress = {"gz": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress}[kind]
    lines = [batch_output(i, MINI) for i in range(200)]
    whole = compress("".join(json.dumps(x) + "\n" for x in lines).encode())
    cut = tmp_path / f"cut.jsonl.{kind}"
    cut.write_bytes(whole[: len(whole) // 2])  # a copy or a rotation stopped half way
    damaged = tmp_path / f"damaged.jsonl.{kind}"
    middle = len(whole) // 2  # a flipped run of bytes in the compressed data
    damaged.write_bytes(whole[:middle] + bytes(b ^ 0xFF for b in whole[middle : middle + 64])
                        + whole[middle + 64 :])  # fmt: skip
    for path in (cut, damaged):
        out = tmp_path / "p.yaml"
        result = runner.invoke(app, ["profile", "from-logs", str(path), "-o", str(out)])
        # exit 2 (the input), not 3 (a bug): the file named, why, and nothing written
        assert result.exit_code == 2, result.output
        assert f"{path}: cannot be read" in result.stderr and "Traceback" not in result.output
        assert not out.exists()
    said = runner.invoke(app, ["profile", "from-logs", str(cut), "-o", str(tmp_path / "p.yaml")])
    assert "ends early (a compressed file cut short?)" in said.stderr
