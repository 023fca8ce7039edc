"""A replica's parts: weights and KV-cache bytes, memory left, sequences that fit."""

from __future__ import annotations

import pytest

from costcalc.core.selfhosted.replicashape import (
    Hardware,
    effective_gpus,
    hardware,
    kv_budget_bytes,
    max_batch,
    shape,
)
from tests.conftest import GPU, MODEL

H100 = Hardware(memory_gb=80, bandwidth_gbs=3350, tflops=989, gpus=1)
LLAMA8 = shape(MODEL.model_copy(update={"params_b": 8.03}), "bf16")


def test_model_bytes() -> None:
    # 2 × 32 layers × 8 KV heads × 128 × 2 bytes = 131,072 B per token (Llama-3.1-8B)
    assert LLAMA8.kv_bytes_per_token == 131_072
    assert LLAMA8.weight_bytes == pytest.approx(16.06e9)
    assert shape(MODEL, "fp8").weight_bytes == pytest.approx(8e9)


def test_kv_budget_and_batch_limit() -> None:
    # 80 GB × 0.9 − 16.06 GB = 55.94 GB for the KV cache
    assert kv_budget_bytes(H100, LLAMA8) == pytest.approx(55.94e9)
    # 8,200-token contexts: 55.94e9 / (8,200 × 131,072) = 52 sequences
    assert max_batch(H100, LLAMA8, 8000, 200) == 52
    # short contexts hit vLLM's 256-sequence cap
    assert max_batch(H100, LLAMA8, 100, 100) == 256
    # 16 GB of weights do not fit on a 16 GB card
    assert max_batch(Hardware(16, 320, 65, 1), LLAMA8, 100, 100) == 0


def test_tensor_parallel_efficiency_per_doubling() -> None:
    assert float(effective_gpus(8, 0.9)) == pytest.approx(8 * 0.9**3)
    assert float(effective_gpus(1, 0.5)) == 1.0


def test_fp8_runs_on_fp8_tensor_cores_where_there_are_some() -> None:
    assert hardware(GPU, 2, "bf16") == Hardware(80, 2000, 300, 2)
    with_fp8 = GPU.model_copy(update={"fp8_tflops": 600.0})
    assert hardware(with_fp8, 1, "fp8").tflops == 600.0 and hardware(GPU, 1, "fp8").tflops == 300
