"""bench plan and bench show as a user runs them."""

from __future__ import annotations

import re

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
    done = runner.invoke(app, ["bench", "show", "llama-3.1-8b-instruct", "b200"])
    assert done.exit_code == 2 and "no benchmark points" in done.stderr
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
