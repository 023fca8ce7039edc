"""Real outputs of the benchmark tools, copied with their sources into tests/fixtures/real-bench.

Each file is imported with the hardware its README gives, and its numbers are checked against
what the file says.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from costcalc.io.bench.common import OfflineShape
from costcalc.io.bench.hardware import HardwareFlags
from costcalc.io.bench.importer import import_files
from costcalc.io.catalog import load_catalog
from tests.conftest import ROOT, TODAY

REAL = ROOT / "tests" / "fixtures" / "real-bench"  # from public repositories: see its README


def run(
    name: str, flags: HardwareFlags, model: str | None = None, catalog: list[Path] | None = None
):  # type: ignore[no-untyped-def]
    return import_files(
        [REAL / name], load_catalog(catalog or []), flags, model, OfflineShape(), TODAY
    )


def test_every_real_file_is_covered_here() -> None:
    covered = {
        "vllm_serving_llama31_8b_H100x2replicas_llmd_exp7.json",
        "vllm_serving_llama31_8b_A100x2replicas_llmd_exp7.json",
        "vllm_nightly_summary_llama33_70b_tp8_ND96asr_v4.json",
        "llmperf_summary_llama2_70b_anyscale_conc5.json",
        "guidellm_v0.3_benchmarks_stripped.json",
        "aiperf_profile_export_qwen3_0.6b_rtx6000ada_conc1.json",
    }
    assert {p.name for p in REAL.glob("*.json")} <= covered


def test_llmd_h100_two_replicas_is_a_lower_bound_per_replica() -> None:
    (p,) = run(
        "vllm_serving_llama31_8b_H100x2replicas_llmd_exp7.json",
        HardwareFlags("h100-sxm", 1, replicas=2),
    ).points
    # 3.483 req/s over 2 replicas, Poisson at 3.6 req/s offered: it kept up, so a lower bound
    assert p.request_throughput == pytest.approx(1.7415, abs=5e-4)
    assert not p.saturated and p.request_rate == pytest.approx(1.8)
    assert (p.input_tokens, p.output_tokens) == (7999, 200)
    assert p.ttft_ms_p99 == pytest.approx(261.67, abs=0.01) and p.tpot_ms_p95 == pytest.approx(
        25.35, abs=0.01
    )


def test_llmd_a100() -> None:
    (p,) = run(
        "vllm_serving_llama31_8b_A100x2replicas_llmd_exp7.json",
        HardwareFlags("a100-sxm-80gb", 1, replicas=2),
    ).points
    assert p.request_throughput == pytest.approx(0.86447, abs=1e-4) and not p.saturated


def test_vllm_nightly_70b_tp8_reads_its_hardware_from_the_gpu_column() -> None:
    result = run(
        "vllm_nightly_summary_llama33_70b_tp8_ND96asr_v4.json",
        HardwareFlags(),
        model="llama-3.3-70b-instruct",
    )
    assert [(p.gpu, p.gpus_per_replica) for p in result.points] == [("a100-sxm-40gb", 8)] * 4
    assert [p.request_rate for p in result.points] == [1, 4, 16, None]
    # QPS 16 ran into the queue (capacity); QPS inf sent all 200 prompts at once: a burst
    assert [p.saturated for p in result.points] == [False, False, True, False]
    assert [p.load for p in result.points] == ["rate", "rate", "rate", "burst"]
    assert result.points[3].num_prompts == 200
    assert result.points[3].request_throughput == pytest.approx(8.398, abs=1e-3)


def test_llmperf_hosted_api_summary() -> None:
    (p,) = run(
        "llmperf_summary_llama2_70b_anyscale_conc5.json",
        HardwareFlags("a100-sxm-80gb", 4),
        model="llama-3.1-70b-instruct",
    ).points
    # 84.733 completed requests per minute
    assert p.request_throughput == pytest.approx(84.7333 / 60, rel=1e-4) and p.concurrency == 5
    assert p.ttft_ms_p50 == pytest.approx(212.83, abs=0.01)


def test_guidellm_stripped_report() -> None:
    (p,) = run(
        "guidellm_v0.3_benchmarks_stripped.json",
        HardwareFlags("a100-sxm-80gb", 1),
        model="llama-3.1-8b-instruct",
    ).points
    assert p.request_throughput == pytest.approx(1.5482, abs=1e-4) and p.concurrency == 1
    assert p.ttft_ms_p50 == pytest.approx(16.3805, abs=1e-3) and p.tpot_ms_p50 == pytest.approx(
        4.92, abs=0.01
    )


def test_aiperf_with_a_user_catalog_for_its_model_and_gpu(tmp_path: Path) -> None:
    (tmp_path / "models.yaml").write_text(
        textwrap.dedent("""
        models:
        - {id: qwen3-0.6b, name: Qwen/Qwen3-0.6B, model_class: small, params_b: 0.6,
           layers: 28, kv_heads: 8, head_dim: 128, source: Qwen3-0.6B config.json}
    """),
        encoding="utf-8",
    )
    (tmp_path / "gpus.yaml").write_text(
        textwrap.dedent("""
        gpus:
        - {id: rtx-6000-ada, name: NVIDIA RTX 6000 Ada Generation, memory_gb: 48,
           bandwidth_gbs: 960, bf16_tflops: 182, source: our notes}
    """),
        encoding="utf-8",
    )
    (p,) = run(
        "aiperf_profile_export_qwen3_0.6b_rtx6000ada_conc1.json",
        HardwareFlags("rtx-6000-ada", 1),
        catalog=[tmp_path],
    ).points
    assert p.model == "qwen3-0.6b" and p.request_throughput == pytest.approx(0.25043, abs=1e-4)
    assert (
        p.concurrency == 1
        and p.input_tokens == 100
        and p.output_tokens == pytest.approx(199.98, abs=0.01)
    )
