"""bench import: every format read, hardware resolved, replicas divided, lower bounds marked."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from costcalc.cli import app
from costcalc.core.selfhosted.benchrun import Run, lower_bound
from costcalc.core.selfhosted.capacity import Mix, operating_points
from costcalc.core.selfhosted.measured import measured_capacity
from costcalc.errors import InputFileError, UserError
from costcalc.io.bench import read_runs
from costcalc.io.bench.common import OfflineShape
from costcalc.io.bench.hardware import HardwareFlags, gpu_from_name
from costcalc.io.bench.importer import import_files
from costcalc.io.catalog import load_catalog
from costcalc.schema.profile import Slo
from tests.conftest import TODAY
from tests.io import bench_samples as samples

CATALOG = load_catalog()
NO_SHAPE = OfflineShape()
runner = CliRunner()


def imported(
    paths: list[Path],
    flags: HardwareFlags | None = None,
    model: str | None = None,
    shape: OfflineShape = NO_SHAPE,
):  # type: ignore[no-untyped-def]
    return import_files(paths, CATALOG, flags or HardwareFlags(), model, shape, TODAY)


def test_lower_bound_worked_example() -> None:
    # 200 prompts at 3.6 req/s, 3.46 s each: an idle server finishes in 55.6 + 3.46 s → 3.39/s
    run = Run(
        "t",
        "t",
        None,
        8000,
        200,
        3.483,
        num_prompts=200,
        request_rate=3.6,
        e2e_mean_s=3.46,
        ttft_ms={50: 244.0, 99: 262.0},
    )
    assert lower_bound(run)
    # the same rate achieved at 60 % of that: the server fell behind, so this is capacity
    run.request_throughput = 0.6 * 3.39
    assert not lower_bound(run)
    # a runaway queue (p99 TTFT 10× the median) is capacity too
    run.request_throughput, run.ttft_ms = 3.483, {50: 244.0, 99: 2440.0}
    assert not lower_bound(run)
    # runs without an offered rate (closed loop, all at once) measure capacity
    assert not lower_bound(Run("t", "t", None, 1, 1, 5.0, concurrency=16))


def test_serving_result_with_metadata_needs_no_flags(tmp_path: Path) -> None:
    doc = samples.vllm_serve(gpu="h100-sxm", tp="1", replicas="2", rps=8.0, concurrency=32)
    result = imported([samples.write(tmp_path / "r.json", doc)])
    (p,) = result.points
    assert (p.model, p.gpu, p.gpus_per_replica) == ("llama-3.1-8b-instruct", "h100-sxm", 1)
    # 8 req/s and concurrency 32 over 2 replicas: 4 req/s and 16 per replica
    assert p.request_throughput == 4.0 and p.concurrency == 16
    assert (p.input_tokens, p.output_tokens) == (1000, 200)
    assert p.ttft_ms_p99 == 300 and p.tpot_ms_p50 == 20 and p.saturated
    assert p.as_of.isoformat() == "2026-11-01"


def test_missing_hardware_is_refused_naming_the_flags(tmp_path: Path) -> None:
    path = samples.write(tmp_path / "r.json", samples.vllm_serve())
    with pytest.raises(UserError, match="give --gpu and --gpus-per-replica"):
        imported([path])
    with pytest.raises(UserError, match="give --gpus-per-replica"):
        imported([path], HardwareFlags(gpu="h100-sxm"))
    assert imported([path], HardwareFlags(gpu="H100 SXM", gpus_per_replica=1)).points


def test_old_key_spellings(tmp_path: Path) -> None:
    doc = samples.vllm_serve()
    doc["request_inthroughput"] = doc.pop("request_throughput")
    doc["request_goodput:"] = doc.pop("request_goodput")
    del doc["backend"], doc["total_token_throughput"]
    (p,) = imported([samples.write(tmp_path / "old.json", doc)], HardwareFlags("a40", 1)).points
    assert p.request_throughput == 4.0


def test_percentiles_are_recomputed_from_per_request_arrays(tmp_path: Path) -> None:
    ttfts = [0.1 * k for k in range(1, 101)]  # 0.1 … 10 s
    doc = samples.vllm_serve(
        completed=100,
        ttfts=ttfts,
        output_lens=[11] * 100,
        itls=[[0.01 * k] * 10 for k in range(1, 101)],
        errors=[""] * 100,
    )
    (p,) = imported([samples.write(tmp_path / "a.json", doc)], HardwareFlags("a40", 1)).points
    # np.percentile of 0.1..10 s at 99 → 9.901 s; TPOT of request k = 10 × 0.01k / 10 = 0.01k s
    assert p.ttft_ms_p99 == pytest.approx(9901.0)
    assert p.tpot_ms_p50 == pytest.approx(float(np.percentile([10 * k for k in range(1, 101)], 50)))
    assert "recomputed from per-request arrays" in p.notes


def test_append_result_sweep_chooses_under_the_slo_and_reads_capacity(tmp_path: Path) -> None:
    path = samples.write_jsonl(tmp_path / "sweep.jsonl", samples.sweep())
    points = imported([path]).points
    assert len(points) == 9
    slo = Slo(percentile=99, ttft_ms=2000, tpot_ms=50)
    ops = operating_points(points, slo)
    # the fastest run of each mix (×1.3) breaks the TPOT SLO; the ×1.0 run is chosen
    for op in ops:
        s = samples.seconds(op.point.input_tokens, op.point.output_tokens)
        assert op.slo_met and op.point.request_throughput == pytest.approx(1 / s)
    # at a measured mix the runs decide: ×1.0 (TPOT 45 ms) meets 50 ms, ×1.3 (120 ms) misses;
    # TPOT reaches 50 ms 5/75 of the way: 1/s × (1 + 0.3 × 5/75)
    found = measured_capacity(points, Mix(4000, 4000, 200), slo)
    assert found is not None and not found.floor
    assert found.request_throughput == pytest.approx((1 + 0.3 / 15) / samples.seconds(4000, 200))
    assert measured_capacity(points, Mix(2000, 2000, 400), slo) is None  # not measured


def test_offline_throughput_and_latency_need_their_lengths(tmp_path: Path) -> None:
    tput = samples.write(
        tmp_path / "t.json",
        {
            "elapsed_time": 100.0,
            "num_requests": 1000,
            "total_num_tokens": 600_000,
            "requests_per_second": 10.0,
            "tokens_per_second": 6000.0,
        },
    )
    with pytest.raises(InputFileError, match="--input-len and --output-len"):
        imported([tput], HardwareFlags("l4", 1), "llama-3.1-8b-instruct")
    (p,) = imported(
        [tput], HardwareFlags("l4", 1), "llama-3.1-8b-instruct", OfflineShape(input_len=500)
    ).points
    # 600 tokens per request of which 500 input → 100 output
    assert (p.input_tokens, p.output_tokens, p.request_throughput) == (500, 100, 10.0)
    lat = samples.write(
        tmp_path / "l.json", {"avg_latency": 2.0, "latencies": [2.0], "percentiles": {"50": 2.0}}
    )
    with pytest.raises(InputFileError, match="--batch-size"):
        imported([lat], HardwareFlags("l4", 1), "llama-3.1-8b-instruct", OfflineShape(32, 128))
    (p,) = imported(
        [lat], HardwareFlags("l4", 1), "llama-3.1-8b-instruct", OfflineShape(32, 128, 8)
    ).points
    assert p.request_throughput == 4.0 and p.concurrency == 8  # 8 requests per 2 s batch


def test_nightly_summary_rows(tmp_path: Path) -> None:
    path = samples.write(tmp_path / "n.json", samples.nightly())
    points = imported([path], model="llama-3.1-8b-instruct").points
    assert [p.gpu for p in points] == ["h100-sxm", "h100-sxm"]
    assert points[0].request_rate == 1.0 and not points[0].saturated
    # QPS inf: every prompt at once, a burst, never labelled capacity
    assert points[1].request_rate is None and points[1].load == "burst"
    assert not points[1].saturated
    # per request: 380 tokens/s ÷ req/s in all, 180 of them output → 200 input
    assert points[1].input_tokens == pytest.approx(200) and points[
        1
    ].output_tokens == pytest.approx(180)


def test_guidellm_v07_with_labels_and_a_skipped_benchmark(tmp_path: Path) -> None:
    result = imported([samples.write(tmp_path / "g.json", samples.guidellm_v07())])
    assert [p.concurrency for p in result.points] == [1, 8]
    p = result.points[1]
    assert (p.gpu, p.request_throughput, p.input_tokens, p.output_tokens) == ("l40s", 2.1, 512, 256)
    # inter_token_latency_ms is vLLM's TPOT; time_per_output_token_ms (99) is not used
    assert p.tpot_ms_p50 == 11.0 and p.ttft_ms_p99 == 300.0
    assert any("no successful requests" in s for s in result.skipped)


def test_llmperf_units_and_tpot_without_ttft(tmp_path: Path) -> None:
    (p,) = imported([samples.write(tmp_path / "s.json", samples.llmperf())]).points
    assert p.request_throughput == 2.0  # 120 requests per minute
    assert p.ttft_ms_p50 == pytest.approx(200.0)
    # (3.18 − 0.2 s) / (150 − 1) tokens = 20 ms
    assert p.tpot_ms_p50 == pytest.approx(20.0)
    assert p.concurrency == 8


@pytest.mark.parametrize("new_layout", [False, True])
def test_genai_perf_both_config_layouts(tmp_path: Path, new_layout: bool) -> None:
    path = samples.write(tmp_path / "p.json", samples.genai_perf(new_layout))
    (p,) = imported([path], HardwareFlags("a100-sxm-80gb", 1)).points
    assert (p.request_throughput, p.concurrency, p.input_tokens, p.output_tokens) == (
        6.5,
        32,
        300,
        160,
    )
    assert p.ttft_ms_p99 == 410.0 and p.tpot_ms_p50 == 24.0


def test_gpu_names_map_to_catalog_ids() -> None:
    assert gpu_from_name("NVIDIA H100 80GB HBM3", CATALOG)[0] == "h100-sxm"
    assert gpu_from_name("H100 PCIe", CATALOG)[0] == "h100-pcie"
    assert gpu_from_name("NVIDIA A100-SXM4-40GB", CATALOG)[0] == "a100-sxm-40gb"
    assert gpu_from_name("4xNVIDIA_L40S", CATALOG)[:2] == ("l40s", 4)
    assert gpu_from_name("1xStandard_ND96asr_v4 x 1", CATALOG)[:2] == ("a100-sxm-40gb", 8)
    assert gpu_from_name("p4d.24xlarge", CATALOG)[:2] == ("a100-sxm-40gb", 8)
    assert gpu_from_name("NVIDIA L4", CATALOG)[0] == "l4"
    assert gpu_from_name("NVIDIA RTX 6000 Ada Generation", CATALOG)[0] is None
    assert "assumed" in (gpu_from_name("H100", CATALOG)[2] or "")


def test_bad_files_are_user_errors(tmp_path: Path) -> None:
    unknown = samples.write(tmp_path / "u.json", {"hello": "world"})
    with pytest.raises(InputFileError, match="not a benchmark result costcalc can read"):
        read_runs(unknown, NO_SHAPE)
    truncated = tmp_path / "t.json"
    truncated.write_text(json.dumps(samples.vllm_serve())[:200], encoding="utf-8")
    with pytest.raises(InputFileError, match="truncated"):
        read_runs(truncated, NO_SHAPE)
    zero = samples.write(tmp_path / "z.json", samples.vllm_serve(completed=0))
    runs, skipped = read_runs(zero, NO_SHAPE)
    assert runs == [] and "completed no requests" in skipped[0]
    with pytest.raises(UserError, match="no completed runs"):
        imported([zero], HardwareFlags("l4", 1))


def test_mixed_models_are_refused(tmp_path: Path) -> None:
    other = samples.vllm_serve(model_id="Qwen/Qwen2.5-7B-Instruct")
    a = samples.write(tmp_path / "a.json", samples.vllm_serve())
    b = samples.write(tmp_path / "b.json", other)
    with pytest.raises(UserError, match="the files hold 2 models"):
        imported([a, b], HardwareFlags("l4", 1))


def test_cli_import_then_compare_with_the_points(tmp_path: Path) -> None:
    results = samples.write_jsonl(tmp_path / "sweep.jsonl", samples.sweep())
    out = tmp_path / "mine" / "throughput.yaml"
    done = runner.invoke(app, ["bench", "import", str(results), "-o", str(out)])
    assert done.exit_code == 0, done.stderr
    assert "wrote 9 point(s)" in done.stdout
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert len(data["points"]) == 9 and all("saturated" in p for p in data["points"])
    profile = tmp_path / "p.yaml"
    profile.write_text(
        yaml.safe_dump(
            {
                "name": "t",
                "traffic": {"requests_per_day": 100_000},
                "request": {"user_tokens": 1000, "output_tokens": 200},
                "slo": {"percentile": 99, "ttft_ms": 2000, "tpot_ms": 50},
                "compare": {
                    "hosted": ["openai/gpt-4o-mini"],
                    "self_hosted": [
                        {"model": "llama-3.1-8b-instruct", "compute": "runpod/h100-sxm"}
                    ],
                },
            }
        ),
        encoding="utf-8",
    )
    report = runner.invoke(
        app, ["compare", str(profile), "--catalog", str(out.parent), "-f", "json"]
    )
    assert report.exit_code == 0, report.stderr
    selfhosted = next(o for o in json.loads(report.stdout)["options"] if o["kind"] == "self_hosted")
    # the profile's mix was measured, so its runs decide: concurrency 16 ran at
    # 1 / (2e-5 × 1000 + 4e-3 × 200) = 1.2195 req/s with p99 TPOT 45 ms (meets 50 ms) and
    # concurrency 64 at 1.3 × that with 120 ms (misses): TPOT reaches 50 ms (50 − 45) / (120 − 45)
    # = 1/15 of the way, so capacity is 1.2195 × (1 + 0.3 / 15) = 1.2439 req/s
    assert selfhosted["throughput_source"] == "benchmark"
    assert selfhosted["throughput_calibration"] == "own points"
    measured = 1 / samples.seconds(1000, 200)
    assert selfhosted["replica_requests_per_s"] == pytest.approx(
        measured * (1 + 0.3 / 15), rel=1e-3
    )
    assert any("between concurrency 16 (meets the SLO)" in n for n in selfhosted["notes"])


def test_cli_import_errors_exit_2(tmp_path: Path) -> None:
    bad = samples.write(tmp_path / "u.json", {"hello": "world"})
    done = runner.invoke(app, ["bench", "import", str(bad), "-o", str(tmp_path / "o.yaml")])
    assert done.exit_code == 2 and "not a benchmark result" in done.stderr
    assert "Traceback" not in done.stderr


def test_aiperf_reads_loadgen_and_gpu_telemetry(tmp_path: Path) -> None:
    path = samples.write(tmp_path / "profile_export_aiperf.json", samples.aiperf())
    (p,) = imported([path], HardwareFlags(gpus_per_replica=1)).points
    assert (p.gpu, p.concurrency, p.request_throughput) == ("h100-sxm", 4, 6.5)
    assert p.as_of.isoformat() == "2026-10-30" and "aiperf" in (p.notes or "")


def test_append_keeps_earlier_points(tmp_path: Path) -> None:
    out = tmp_path / "throughput.yaml"
    first = samples.write(tmp_path / "a.json", samples.vllm_serve(gpu="a40", tp="1"))
    second = samples.write(tmp_path / "b.json", samples.vllm_serve(rps=6.0, gpu="a40", tp="1"))
    assert runner.invoke(app, ["bench", "import", str(first), "-o", str(out)]).exit_code == 0
    done = runner.invoke(app, ["bench", "import", str(second), "-o", str(out), "--append"])
    assert done.exit_code == 0 and "(1 kept)" in done.stdout
    rates = [p["request_throughput"] for p in yaml.safe_load(out.read_text())["points"]]
    assert rates == [4.0, 6.0]


@pytest.mark.parametrize(
    ("name", "model"),
    [
        ("neuralmagic/Meta-Llama-3.1-8B-Instruct-FP8", "llama-3.1-8b-instruct"),
        ("neuralmagic/Meta-Llama-3.1-8B-FP8", "llama-3.1-8b-instruct"),  # the base checkpoint
        ("hugging-quants/Meta-Llama-3.1-70B-Instruct-AWQ-INT4", "llama-3.1-70b-instruct"),
        ("Qwen/Qwen2.5-7B-Instruct-AWQ", "qwen2.5-7b-instruct"),
        ("mistralai/Mistral-7B-Instruct-v0.3", "mistral-7b-instruct-v0.3"),
    ],
)
def test_hugging_face_ids_resolve_through_names_and_precision_suffixes(
    tmp_path: Path, name: str, model: str
) -> None:
    doc = samples.vllm_serve(model_id=name, tokenizer_id=name, gpu="h100-sxm", tp="1")
    (point,) = imported([samples.write(tmp_path / "r.json", doc)]).points
    assert point.model == model
    quantized = any(q in name.lower() for q in ("fp8", "awq", "int4"))
    assert (point.precision != "bf16") == quantized


def test_a_failure_stub_inside_a_sweep_is_skipped_not_fatal(tmp_path: Path) -> None:
    docs = [
        samples.vllm_serve(gpu="h100-sxm", tp="1", concurrency=4),
        {"reason": "server crashed: CUDA out of memory", "max_concurrency": 64},
        samples.vllm_serve(gpu="h100-sxm", tp="1", concurrency=16),
    ]
    result = imported([samples.write_jsonl(tmp_path / "sweep.jsonl", docs)])
    assert [p.concurrency for p in result.points] == [4, 16]
    (message,) = result.skipped
    assert "line 2" in message and "server crashed" in message and "skipped" in message


def test_an_unwritable_output_exits_2_and_leaves_nothing_half_written(tmp_path: Path) -> None:
    results = samples.write_jsonl(tmp_path / "sweep.jsonl", samples.sweep())
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    folder = tmp_path / "a-folder"
    folder.mkdir()
    for output, why in ((blocker / "t.yaml", "is not a folder"), (folder, "is a folder")):
        done = runner.invoke(app, ["bench", "import", str(results), "-o", str(output)])
        assert done.exit_code == 2, done.output
        assert f"{output}: cannot write it: " in done.stderr and why in done.stderr
        assert "Traceback" not in done.output
    assert blocker.read_text(encoding="utf-8") == "not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "a-folder", "sweep.jsonl"]
    assert not list(folder.iterdir())


def test_a_model_name_that_is_not_text_names_no_model(tmp_path: Path) -> None:
    doc = samples.vllm_serve(model_id=5, tokenizer_id=None, gpu="h100-sxm", tp="1")
    with pytest.raises(UserError, match=r"\(not recorded\).*--model"):
        imported([samples.write(tmp_path / "r.json", doc)])
