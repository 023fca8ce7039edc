"""The built-in catalog, layering user catalogs over it, and its use from an installed wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from costcalc.errors import InputFileError, UnknownIdError, UserError
from costcalc.io.catalog import load_catalog
from costcalc.io.shipped import builtin_dir
from tests.conftest import ROOT


def test_builtin_catalog_covers_what_the_issue_asks() -> None:
    c = load_catalog()
    providers = {o.id.split("/")[0] for o in c.hosted.values()}
    assert len(c.hosted) >= 20
    assert {"openai", "anthropic", "google", "together", "fireworks", "deepinfra"} <= providers
    for family in ("gpt-5", "gpt-4.1", "gpt-4o-mini"):
        assert any(o.model.startswith(family) for o in c.hosted.values() if o.provider == "OpenAI")
    for family in ("haiku", "sonnet", "opus"):
        assert any(family in o.id for o in c.hosted.values() if o.provider == "Anthropic")
    for family in ("flash-lite", "flash", "pro"):
        assert any(family in o.id for o in c.hosted.values() if o.provider == "Google Gemini API")
    served = {o.open_model for o in c.hosted.values() if o.open_model}
    assert {
        "llama-3.1-8b-instruct",
        "llama-3.3-70b-instruct",
        "qwen2.5-7b-instruct",
        "qwen2.5-72b-instruct",
    } <= served
    compute = {o.id.split("/")[0] for o in c.compute.values()}
    assert {"runpod-serverless", "runpod", "modal", "lambda", "aws"} <= compute
    assert len(c.points) >= 10


def test_every_price_is_dated_and_sourced() -> None:
    c = load_catalog()
    for entry in [*c.hosted.values(), *c.compute.values()]:  # prices: current ones only
        assert entry.as_of.year >= 2025 and entry.source.strip()
    for point in c.points:  # a benchmark run is dated when it ran (LambdaLabs: August 2024)
        assert point.as_of.year >= 2024 and point.source.startswith("https://")
    for gpu in c.gpus.values():
        assert gpu.source


def test_runpod_serverless_matches_the_documented_table() -> None:
    offer = load_catalog().compute["runpod-serverless/24gb"]
    # AMPERE_24: flex $0.00019/s, active $0.00013/s, idle timeout 5 s (RunPod defaults)
    assert (offer.usd_per_second_flex, offer.usd_per_second_active) == (0.00019, 0.00013)
    assert offer.idle_timeout_s == 5 and offer.cold_start_s == 15


def write(directory: Path, name: str, text: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(textwrap.dedent(text), encoding="utf-8")


def test_user_catalog_replaces_same_ids_and_adds_new_ones(tmp_path: Path) -> None:
    write(
        tmp_path / "mine",
        "hosted.yaml",
        """
        offers:
        - {id: openai/gpt-4o-mini, provider: OpenAI, model: gpt-4o-mini, model_class: small,
           usd_per_mtok_input: 0.1, usd_per_mtok_output: 0.4, as_of: 2026-11-20,
           source: our contract}
        - {id: acme/house-model, provider: Acme, model: house, model_class: small,
           usd_per_mtok_input: 0.05, usd_per_mtok_output: 0.05, as_of: 2026-11-20,
           source: invoice 42}
        """,
    )
    c = load_catalog([tmp_path / "mine"])
    assert c.hosted["openai/gpt-4o-mini"].usd_per_mtok_input == 0.1
    assert "acme/house-model" in c.hosted and "openai/gpt-5" in c.hosted


def test_user_points_replace_builtin_points_of_the_same_hardware(tmp_path: Path) -> None:
    write(
        tmp_path / "bench",
        "throughput.yaml",
        """
        points:
        - {model: mistral-7b-instruct-v0.3, gpu: rtx-4090, gpus_per_replica: 1,
           precision: bf16, input_tokens: 500, output_tokens: 500, concurrency: 8,
           request_throughput: 1.0, as_of: 2026-11-20, source: our run}
        """,
    )
    builtin = load_catalog().points_for("mistral-7b-instruct-v0.3", "rtx-4090", 1, "bf16")
    assert len(builtin) == 5
    mine = load_catalog([tmp_path / "bench"])
    only = mine.points_for("mistral-7b-instruct-v0.3", "rtx-4090", 1, "bf16")
    assert [p.request_throughput for p in only] == [1.0]


def test_catalog_directory_errors(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="not a directory"):
        load_catalog([tmp_path / "absent"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="holds none of"):
        load_catalog([tmp_path / "empty"])
    write(tmp_path / "typo", "hostd.yaml", "offers: []\n")
    with pytest.raises(InputFileError, match=r"did you mean hosted\.yaml"):
        load_catalog([tmp_path / "typo"])


COMPUTE_ENTRY = """
  - {id: x/y, provider: X, gpu: no-such-gpu, billing: hourly, usd_per_hour: 1.0,
     as_of: 2026-11-20, source: our notes}
"""


def test_duplicate_ids_and_dangling_references(tmp_path: Path) -> None:
    write(tmp_path / "dup", "compute.yaml", "offers:" + COMPUTE_ENTRY * 2)
    with pytest.raises(InputFileError, match=r"duplicate id `x/y`"):
        load_catalog([tmp_path / "dup"])
    write(tmp_path / "dangling", "compute.yaml", "offers:" + COMPUTE_ENTRY)
    with pytest.raises(UnknownIdError, match="unknown GPU `no-such-gpu`"):
        load_catalog([tmp_path / "dangling"])


def test_catalog_validation_names_file_and_field(tmp_path: Path) -> None:
    write(
        tmp_path / "bad",
        "compute.yaml",
        """
        offers:
        - {id: x/y, provider: X, gpu: l4, billing: serverless, as_of: 2026-11-20,
           source: our notes}
        """,
    )
    with pytest.raises(InputFileError) as info:
        load_catalog([tmp_path / "bad"])
    assert "compute.yaml" in str(info.value) and "usd_per_second_flex" in str(info.value)


@pytest.mark.slow
def test_catalog_works_from_an_installed_wheel(tmp_path: Path) -> None:
    """Build the wheel, unpack it away from the checkout, and run compare from there."""
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
    subprocess.run([*pip, "-w", str(tmp_path), str(ROOT)], check=True)
    (wheel,) = tmp_path.glob("costcalc-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "costcalc/_pricing/hosted.yaml" in names and "costcalc/_pricing/throughput.yaml" in names
    # the JSON Schemas ship too: a profile's $schema line and the documented contract
    assert {
        "costcalc/_schemas/profile.schema.json",
        "costcalc/_schemas/compare.schema.json",
        "costcalc/_schemas/catalog/hosted.schema.json",
    } <= set(names)
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    profile = ROOT / "profiles" / "rag-support-chatbot.yaml"
    env = {**os.environ, "PYTHONPATH": str(site)}
    code = (
        "import costcalc.io.shipped as c, sys; print(c.builtin_dir()); "
        "print(c.builtin_schema('profile.schema.json')); "
        "from costcalc.cli import main; "
        "sys.argv = ['costcalc', 'compare', sys.argv[1], '--format', 'json']; main()"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(profile)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[0] == str(site / "costcalc" / "_pricing")
    schema = site / "costcalc" / "_schemas" / "profile.schema.json"
    assert run.stdout.splitlines()[1] == str(schema) and schema.is_file()
    assert '"schema_version": 2' in run.stdout


def test_checkout_uses_the_top_level_pricing_folder() -> None:
    assert builtin_dir() == ROOT / "pricing"
