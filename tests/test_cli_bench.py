"""bench plan and bench show as a user runs them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from costcalc.cli import app
from tests.conftest import ROOT

RAG = str(ROOT / "profiles" / "rag-support-chatbot.yaml")
runner = CliRunner()


def test_plan_prints_runnable_commands_for_the_profile_mix() -> None:
    done = runner.invoke(
        app, ["bench", "plan", RAG, "--model", "llama-3.1-8b-instruct", "--gpu", "h100-sxm"]
    )
    assert done.exit_code == 0, done.stderr
    out = done.stdout
    assert "vllm serve meta-llama/Llama-3.1-8B-Instruct --tensor-parallel-size 1" in out
    # system 1,800 + tools 600 = 2,400 shared prefix; 5,195 − 2,400 = 2,795 input; 350 output
    assert "--random-prefix-len 2400 --random-input-len 2795 --random-output-len 350" in out
    assert "--random-input-len 5590 --random-output-len 350" in out  # twice the input
    assert "--random-input-len 2795 --random-output-len 700" in out  # twice the output
    for flag in (
        "--save-result",
        "--percentile-metrics ttft,tpot,itl,e2el",
        "--metric-percentiles 50,90,95,99",
        "--metadata gpu=h100-sxm tp=1 replicas=1",
    ):
        assert flag in out
    assert "for C in 1 2 4 8 16" in out
    assert "costcalc bench import bench-results/*.json -o my-catalog/throughput.yaml" in out


def test_plan_refuses_unknown_ids_and_models_that_do_not_fit() -> None:
    done = runner.invoke(
        app, ["bench", "plan", RAG, "--model", "llama-3.1-8b", "--gpu", "h100-sxm"]
    )
    assert done.exit_code == 2 and "Did you mean llama-3.1-8b-instruct" in done.stderr
    done = runner.invoke(
        app, ["bench", "plan", RAG, "--model", "llama-3.3-70b-instruct", "--gpu", "l4"]
    )
    assert done.exit_code == 2 and "does not fit" in done.stderr


def test_show_lists_points_under_the_slo_and_the_capacity_at_the_profile_mix() -> None:
    done = runner.invoke(
        app,
        [
            "bench",
            "show",
            "mistral-7b-instruct-v0.3",
            "rtx-4090",
            "--width",
            "100",
            "--profile",
            str(ROOT / "profiles" / "consumer-chat-evening.yaml"),
        ],
    )
    assert done.exit_code == 0, done.stderr
    out = done.stdout
    assert "SLO: p95 TTFT ≤ 1000 ms, TPOT ≤ 60 ms" in out
    # at concurrency 48 the p99 TTFT is 1,483 ms, past the 1,000 ms SLO; 32 (938 ms) is chosen
    assert "FAIL" in out and "* 256 → 100    concurrency 32" in out
    assert "at your mix" in out


def test_show_fit_and_errors_for_unknown_pairs() -> None:
    # no runs of this pairing: the serving model alone, at the default mix and SLO
    done = runner.invoke(app, ["bench", "show", "llama-3.1-8b-instruct", "b200", "--width", "100"])
    assert done.exit_code == 0, done.stderr
    flat = " ".join(done.stdout.split())  # the report wraps at 100 columns
    assert "no benchmark runs; the serving model alone" in flat
    assert "req/s per replica" in flat and "calibration: transferred" in flat
    # a 70B model in bf16 needs two 80 GB GPUs: the smallest replica that fits is shown
    done = runner.invoke(app, ["bench", "show", "llama-3.3-70b-instruct", "b200"])
    assert done.exit_code == 0 and "1 GPU(s) per replica" in done.stdout  # B200: 180 GB
    done = runner.invoke(app, ["bench", "show", "llama-3.3-70b-instruct", "a100-sxm-40gb"])
    assert done.exit_code == 0 and "lower bound" in done.stdout and "capacity" in done.stdout


def test_show_replays_each_run_without_its_source_and_the_capacity(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.io import bench_samples as samples

    results = samples.write_jsonl(tmp_path / "sweep.jsonl", samples.sweep())
    out = tmp_path / "mine" / "throughput.yaml"
    assert runner.invoke(app, ["bench", "import", str(results), "-o", str(out)]).exit_code == 0
    profile = tmp_path / "p.yaml"
    profile.write_text("name: t\ntraffic: {requests_per_day: 1000}\nslo: {tpot_ms: 50}\n")
    done = runner.invoke(
        app,
        [
            "bench",
            "show",
            "llama-3.1-8b-instruct",
            "h100-sxm",
            "--catalog",
            str(out.parent),
            "--profile",
            str(profile),
            "--width",
            "120",
        ],
    )
    assert done.exit_code == 0, done.stderr
    out_text = done.stdout
    # the 9 imported runs replace the built-in points of this pairing; each is replayed through
    # the serving model calibrated without its own file (the 9 share one: the others' speed)
    assert out_text.count("calibration: ") >= 9
    assert "each run predicted without its own source" in out_text
    assert re.search(r"request throughput off by \d+% \(median\), \d+% at worst", out_text)
    # the profile's mix (defaults: 2,000 in, 250 out) was not measured: the model's capacity
    capacity = r"at your mix .*: [\d.]+ req/s per\s+replica, batch \d+ under the SLO"
    assert re.search(capacity, out_text)


def test_show_keeps_engine_versions_apart() -> None:
    done = runner.invoke(app, ["bench", "show", "llama-3.1-8b-instruct", "h100-sxm", "-h"])
    assert done.exit_code == 0
    done = runner.invoke(
        app, ["bench", "show", "llama-3.1-8b-instruct", "h100-sxm", "--width", "100"]
    )
    assert done.exit_code == 0, done.stderr
    out = done.stdout
    # LambdaLabs' runs (vLLM 0.5.4) and runs whose version is not recorded are separate groups
    assert "fp8, vLLM 0.5.4" in out and "bf16, vLLM version not recorded" in out
    assert "burst of 320" in out and out.count("calibration: own points") >= 5


LLMD_H100 = ROOT / "tests/fixtures/real-bench/vllm_serving_llama31_8b_H100x2replicas_llmd_exp7.json"
HARDWARE = ["--gpu", "h100-sxm", "--gpus-per-replica", "1", "--replicas", "2"]


def test_predict_replays_a_real_run_in_text_and_json() -> None:
    text = runner.invoke(app, ["bench", "predict", str(LLMD_H100), *HARDWARE, "--width", "100"])
    assert text.exit_code == 0, text.stderr
    assert "7,999 → 200 tokens, 1.8 req/s" in text.stdout
    assert max(len(line) for line in text.stdout.splitlines()) <= 100
    assert "measured → predicted" in text.stdout and "Absolute error" in text.stdout
    # the catalog holds the same run: it is left out of the calibration, and said so
    assert "they replay as the files" in text.stderr
    done = runner.invoke(app, ["bench", "predict", str(LLMD_H100), *HARDWARE, "-f", "json"])
    assert done.exit_code == 0, done.stderr
    report = json.loads(done.stdout)
    schema = json.loads((ROOT / "schemas" / "bench-predict.schema.json").read_text("utf-8"))
    jsonschema.validate(report, schema)
    (run,) = report["runs"]
    assert run["load"] == {"kind": "rate", "value": 1.8}
    assert run["measured"]["request_throughput"] == pytest.approx(1.7415)  # 3.483 / 2 replicas
    # predicted / measured − 1, in %, as the report says
    ratio = run["predicted"]["request_throughput"] / run["measured"]["request_throughput"]
    assert run["error_pct"]["request_throughput"] == pytest.approx((ratio - 1) * 100)
    assert run["calibration"] in {"own points", "transferred", "built-in"}
    assert report["summary"]["max_abs_error_pct"]["request_throughput"] == pytest.approx(
        abs(run["error_pct"]["request_throughput"])
    )


def test_predict_needs_files_or_the_catalog() -> None:
    done = runner.invoke(app, ["bench", "predict"])
    assert done.exit_code == 2 and "--with-catalog" in done.stderr
    missing = runner.invoke(app, ["bench", "predict", "no-such-file.json"])
    assert missing.exit_code == 2 and "no such file" in missing.stderr


def test_predict_survives_a_run_the_model_cannot_serve_and_refuses_impossible_loads(
    tmp_path: Path,
) -> None:
    doc = json.loads(LLMD_H100.read_text("utf-8"))
    # 200M input tokens over 200 requests: 1M-token prompts, far past an H100's memory
    huge = tmp_path / "huge.json"
    huge.write_text(json.dumps({**doc, "total_input_tokens": 200 * 10**6}), encoding="utf-8")
    done = runner.invoke(app, ["bench", "predict", str(huge), *HARDWARE, "-f", "json"])
    assert done.exit_code == 0, done.stderr
    (run,) = json.loads(done.stdout)["runs"]
    assert run["predicted"]["request_throughput"] is None
    assert run["error_pct"]["request_throughput"] is None
    for bad in ({"request_rate": 0.0}, {"request_rate": "inf", "max_concurrency": 0}):
        path = tmp_path / "bad.json"
        path.write_text(json.dumps({**doc, **bad}), encoding="utf-8")
        done = runner.invoke(app, ["bench", "predict", str(path), *HARDWARE])
        assert done.exit_code == 2, (bad, done.output)
        assert "not a usable run" in done.stderr and "Traceback" not in done.output
