"""Batch jobs told apart, split profiles on the whole span, and the cases a review found."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from costcalc.cli import app
from costcalc.io.logs.jobs import base_model, model_matches
from costcalc.io.logs.pipeline import measure_logs
from tests.io import log_samples as logs
from tests.io.test_log_buckets import MINI, batch_input, batch_output, run

runner = CliRunner()


def test_identical_batch_prompts_are_requests_not_retries(tmp_path: Path) -> None:
    same = [batch_input(0, "gpt-4o-mini") | {"custom_id": f"r{i}"} for i in range(10)]
    files = {"in.jsonl": same, "out.jsonl": [batch_output(i, MINI) for i in range(10)]}
    code, output, out = run(tmp_path, files, "--jobs-per-month", "30")
    assert code == 0, output
    data = yaml.safe_load(out.read_text())
    # 10 requests a job × 30 / 30.4167 days = 9.86 a day; no retries, no conversation turns
    assert data["traffic"]["requests_per_day"] == 9.86 and "retries" not in data["request"]
    assert "conversation" not in data["request"]  # each request stands alone


def test_two_jobs_of_one_model_reusing_ids_pair_in_order(tmp_path: Path) -> None:
    files = {"jan_in.jsonl": [batch_input(i, "gpt-4o-mini") for i in range(5)],
             "jan_out.jsonl": [batch_output(i, MINI) for i in range(5)],
             "feb_in.jsonl": [batch_input(i, "gpt-4o-mini") for i in range(5)],
             "feb_out.jsonl": [batch_output(i, MINI) for i in range(5)]}  # fmt: skip
    paths = [logs.write_jsonl(tmp_path / n, x) for n, x in files.items()]
    counts = measure_logs(paths, None, True, 0.0).counts
    assert counts.buckets == {"used": 20}  # 10 requests, 2 lines each: none a duplicate


def test_a_file_of_inputs_then_results_is_joined_past_the_first_records(tmp_path: Path) -> None:
    lines = [batch_input(i, "gpt-4o-mini") for i in range(250)]
    lines += [batch_output(i, MINI) for i in range(250)]
    measured = measure_logs([logs.write_jsonl(tmp_path / "both.jsonl", lines)], None, True, 0.0)
    assert measured.counts.buckets == {"used": 500} and measured.stats.attempts == 250
    assert measured.stats.metrics["output"].mean == 20  # the results' usage, not 0


def test_results_in_another_order_join_an_azure_deployment(tmp_path: Path) -> None:
    inputs = [batch_input(i, "my-prod-deploy") for i in range(600)]
    outputs = [batch_output(i, MINI) for i in reversed(range(600))]  # no id in both first 200
    paths = [logs.write_jsonl(tmp_path / "in.jsonl", inputs),
             logs.write_jsonl(tmp_path / "out.jsonl", outputs)]  # fmt: skip
    measured = measure_logs(paths, None, True, 0.0)
    assert measured.stats.attempts == 600 and measured.counts.buckets == {"used": 1200}
    # --model is judged on the pair's result: the snapshot the output names
    assert measure_logs(paths, MINI, True, 0.0).stats.attempts == 600


def test_split_profiles_use_the_span_of_all_the_logs(tmp_path: Path) -> None:
    # 7 days of gpt-4o hourly (168 requests) and 100 gpt-4o-mini calls within 2 hours
    week = [logs.chat_line([{"role": "user", "content": f"q{i}"}], logs.T0 + 3600 * i,
                           model="gpt-4o") for i in range(168)]  # fmt: skip
    week += [logs.chat_line([{"role": "user", "content": f"m{i}"}], logs.T0 + 72 * i,
                            model="gpt-4o-mini") for i in range(100)]  # fmt: skip
    code, output, out = run(tmp_path, {"week.jsonl": week}, "--split-by-model")
    assert code == 0, output
    mini = yaml.safe_load(out.with_name("profile-gpt-4o-mini.yaml").read_text())
    # 100 requests over the 167 hours from the first to the last request of the whole log
    assert mini["traffic"]["requests_per_day"] == round(100 / (167 / 24), 2) == 14.37
    code, output, out = run(tmp_path, {"week.jsonl": week}, "--split-by-model",
                            "--requests-per-day", "1000")  # fmt: skip
    rates = [yaml.safe_load(out.with_name(f"profile-{m}.yaml").read_text())["traffic"]
             ["requests_per_day"] for m in ("gpt-4o", "gpt-4o-mini")]  # fmt: skip
    # 1,000 a day shared by each model's requests: 168/268 and 100/268 of it
    assert rates == [round(1000 * 168 / 268, 2), round(1000 * 100 / 268, 2)]


def test_split_names_never_collide_and_versions_stay_apart(tmp_path: Path) -> None:
    names = ["a b", "a:b", "deepseek-v2", "deepseek-v3", "org/"]
    lines = [logs.chat_line([{"role": "user", "content": f"{m}{i}"}], logs.T0 + 600 * i,
                            model=m) for m in names for i in range(3)]  # fmt: skip
    code, output, _ = run(tmp_path, {"m.jsonl": lines}, "--split-by-model", "--days", "1")
    assert code == 0, output
    written = sorted(p.name for p in tmp_path.glob("profile-*.yaml"))
    assert written == ["profile-a-b-2.yaml", "profile-a-b.yaml", "profile-deepseek-v2.yaml",
                       "profile-deepseek-v3.yaml", "profile-unknown-model.yaml"]  # fmt: skip
    assert base_model("deepseek-v3") == "deepseek-v3" and not model_matches(
        "deepseek", "deepseek-v3"
    )
    assert base_model("gpt-3.5-turbo-0125") == "gpt-3.5-turbo"
    assert base_model("gemini-1.5-pro-001") == "gemini-1.5-pro"


def test_a_split_run_that_cannot_write_every_profile_writes_none(tmp_path: Path) -> None:
    old = tmp_path / "profile-gpt-4o.yaml"
    old.write_text("old\n")
    # gpt-4o over two days, and a Batch job of another model: that one needs --jobs-per-month
    lines = [logs.chat_line([{"role": "user", "content": f"q{i}"}], logs.T0 + 7200 * i,
                            model="gpt-4o") for i in range(25)]  # fmt: skip
    batch = [batch_output(i, "o3-mini-2025-01-31") for i in range(5)]
    code, output, _ = run(tmp_path, {"a.jsonl": lines, "b.jsonl": batch}, "--split-by-model")
    assert code == 2 and "nothing written" in output and old.read_text() == "old\n"


def test_a_jsonl_log_opening_with_an_array_line_is_still_jsonl(tmp_path: Path) -> None:
    good = [logs.chat_line([{"role": "user", "content": f"q{i}"}], logs.T0 + 60 * i)
            for i in range(20)]  # fmt: skip
    log = tmp_path / "log.jsonl"
    log.write_text(json.dumps([good[0]]) + "\n" + "".join(json.dumps(x) + "\n" for x in good))
    counts = measure_logs([log], None, False, 0.0).counts
    assert counts.buckets == {"used": 20, "malformed": 1} and counts.lines == 21
    # a first line of 100 kB, longer than a read buffer: told by the first MB, whatever the
    # buffer (it was taken for one JSON array: 0 used, 2 malformed)
    log.write_text(json.dumps(good * 40) + "\n" + "".join(json.dumps(x) + "\n" for x in good))
    assert 100_000 < len(json.dumps(good * 40)) < 1 << 20
    counts = measure_logs([log], None, False, 0.0).counts
    assert counts.buckets == {"used": 20, "malformed": 1} and counts.lines == 21
    # and an array with more after it: the rest is one malformed line, never dropped
    array = tmp_path / "export.json"
    array.write_text(json.dumps(good[:5], indent=1) + "\n" + json.dumps(good[5:7]))
    counts = measure_logs([array], None, False, 0.0).counts
    assert counts.buckets == {"used": 5, "malformed": 1}
    assert "content after the end of the JSON array" in counts.first["malformed"]


def test_strict_names_the_first_bad_line_even_across_chunks(tmp_path: Path) -> None:
    lines: list[object] = [logs.chat_line([{"role": "user", "content": f"q{i}"}],
                                          logs.T0 + 60 * i) for i in range(3000)]  # fmt: skip
    lines[1499] = lines[1499] | {"status_code": 500}  # type: ignore[operator]
    lines[2999] = "{not json"
    log = logs.write_jsonl(tmp_path / "log.jsonl", lines)
    result = runner.invoke(app, ["profile", "from-logs", str(log), "--strict", "-o",
                                 str(tmp_path / "p.yaml")])  # fmt: skip
    assert result.exit_code == 2 and "log.jsonl:1500: failed requests" in result.stderr


def test_progress_on_a_compressed_log_ends_at_its_size(tmp_path: Path) -> None:
    import gzip

    from costcalc.io.logs.read import LineCounts, read_records
    from costcalc.io.logs.values import TimeRange

    lines = [logs.chat_line([{"role": "user", "content": "x" * 2000}], logs.T0 + i)
             for i in range(3000)]  # fmt: skip
    path = tmp_path / "log.jsonl.gz"
    path.write_bytes(gzip.compress("".join(json.dumps(x) + "\n" for x in lines).encode()))
    seen: list[int] = []
    span = TimeRange.until(logs.T0 + 86_400)
    assert len(list(read_records(path, False, LineCounts(), span, seen.append))) == 3000
    # the bar's total is the file's size: the position is in compressed bytes, not the 6 MB
    # the lines take uncompressed
    assert 0 < max(seen) <= path.stat().st_size


def test_a_model_must_be_a_name(tmp_path: Path) -> None:
    line = logs.chat_line([{"role": "user", "content": "a"}], logs.T0) | {"conversation_id": 7}
    line["request"]["model"] = 5  # type: ignore[index]
    counts = measure_logs([logs.write_jsonl(tmp_path / "l.jsonl", [line])], None, False, 0.0)
    assert counts.counts.buckets == {"malformed": 1}
    assert "field `request.model`: not a model name: 5" in counts.counts.first["malformed"]
