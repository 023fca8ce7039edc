"""Reports say when a figure rests on RunPod's unlisted active rate, with the flex rate's effect;
the 16 GB serverless pool is in the catalog and prices as its entry says."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from costcalc.cli import app
from costcalc.io.catalog import load_catalog
from tests.conftest import ROOT

RAG = str(ROOT / "profiles" / "rag-support-chatbot.yaml")
SCHEMA = json.loads((ROOT / "schemas" / "compare.schema.json").read_text(encoding="utf-8"))
RAG_OPTION = "llama-3.1-8b-instruct@runpod-serverless/48gb"
runner = CliRunner()

# rag-support-chatbot keeps 1 warm 48 GB worker: active 0.00024 × 3600 × 730 = $630.72 a month,
# flex 0.00034 × 3600 × 730 = $893.52, so the option costs $262.80 more at the flex rate
EXTRA_USD = (0.00034 - 0.00024) * 3600 * 730


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.stderr
    return result.stdout


def rag_json() -> dict:
    report = json.loads(run("compare", RAG, "--format", "json"))
    jsonschema.validate(report, SCHEMA)
    return report


def test_every_runpod_serverless_active_rate_is_unlisted_since_april() -> None:
    pools = {k: o for k, o in load_catalog().compute.items() if k.startswith("runpod-serverless/")}
    assert "runpod-serverless/16gb" in pools
    for offer in pools.values():
        assert offer.basis_of("usd_per_second_active") == "unlisted"
        assert offer.basis_of("usd_per_second_flex") == "list"
        assert "2026-04-23" in offer.price_basis_note
        assert "sales inquiry" in offer.price_basis_note


def test_json_option_carries_the_caveat_and_the_flex_alternative() -> None:
    report = rag_json()
    option = next(o for o in report["options"] if o["id"] == RAG_OPTION)
    (caveat,) = option["price_caveats"]
    assert caveat["price"] == "usd_per_second_active" and caveat["basis"] == "unlisted"
    assert caveat["usd"] == 0.00024 and caveat["warm_workers"] == caveat["gpus_per_worker"] == 1
    assert caveat["text"].startswith(f"{RAG_OPTION}: $1,829/month bills 1 warm worker")
    assert "2026-04-23" in caveat["note"]
    flex = caveat["flex_alternative"]
    assert flex["usd_per_gpu_second"] == 0.00034
    assert flex["extra_monthly_usd"] == pytest.approx(EXTRA_USD, abs=0.01)  # $262.80
    assert flex["monthly_usd"] == pytest.approx(option["monthly_usd"] + EXTRA_USD, abs=0.01)
    assert flex["monthly_usd_without_labor"] == pytest.approx(
        option["monthly_usd_without_labor"] + EXTRA_USD, abs=0.01
    )
    # against the featured hosted offer: without labor self-hosting was cheaper at 137.9K–313.5K
    # requests/day; $262.80 more a month closes that window
    assert flex["hosted"] == report["featured"]["hosted"] == "fireworks/llama-3.1-8b-instruct"
    pair = next(
        b for b in report["breakeven"] if (b["hosted"], b["self_hosted"]) == (flex["hosted"],
                                                                           RAG_OPTION)
    )  # fmt: skip
    assert pair["without_labor"]["windows"] != []
    assert flex["without_labor"]["windows"] == [] and flex["with_labor"]["status"] == "never"
    # options at list prices carry no caveat key at all
    assert all("price_caveats" not in o for o in report["options"] if o["id"] != RAG_OPTION)


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_text_and_markdown_mark_the_figure_and_say_why(fmt: str) -> None:
    out = run("compare", RAG, "--format", fmt, "--width", "100")
    assert "$1,829†" in out  # next to the figure in the options table
    flat = " ".join(out.split())
    assert "† The self-hosted figure rests on a price that is not publicly listed" in flat
    assert (
        "† RunPod Serverless's active (warm-worker) rate is not publicly listed: since 2026-04-23"
        in flat
    )
    assert f"- {RAG_OPTION}: $1,829/month bills 1 warm worker at the active rate, $0.00024/s" in (
        flat
    )
    assert "at the flex rate, $0.00034/s (+42%), it costs $2,092/month (+$263)" in flat
    assert "without labor: never (at the active rate: never; without labor: 137.9K–313.5K" in flat


def test_html_report_marks_the_figure_and_says_why(tmp_path: Path) -> None:
    page = tmp_path / "rag.html"
    run("report", RAG, "--output", str(page))
    html = page.read_text(encoding="utf-8")
    assert "$1,829†" in html
    assert "at the flex rate it costs $2,092/month" in html
    assert "not publicly listed: since 2026-04-23" in html


def test_16gb_pool_is_listed_and_loads() -> None:
    out = run("catalog", "list", "--kind", "compute", "--width", "120")
    line = next(x for x in out.splitlines() if "runpod-serverless/16gb" in x)
    assert "rtx-a4000" in line and "0.00016" in line and "0.00011" in line
    catalog = load_catalog()
    offer = catalog.compute["runpod-serverless/16gb"]
    assert offer.gpu_pool == ["RTX A4000", "RTX A4500", "RTX 4000"]
    gpu = catalog.gpus[offer.gpu]
    assert (gpu.memory_gb, gpu.bandwidth_gbs, gpu.fp8_tflops) == (16, 448, None)  # Ampere


def test_16gb_pool_prices_a_warm_fp8_8b_and_refuses_bf16(tmp_path: Path) -> None:
    profile = tmp_path / "small.yaml"
    profile.write_text(
        "schema_version: 1\nname: small\nmodel_class: small\n"
        "traffic: {requests_per_day: 2000}\nrequest: {user_tokens: 200, output_tokens: 200}\n"
        "overheads: {engineer_hours_per_month: 0, gateway_usd_per_month: 0}\n"
        "compare:\n  hosted: [openai/gpt-4o-mini]\n  self_hosted:\n"
        "  - {model: llama-3.1-8b-instruct, compute: runpod-serverless/16gb, precision: fp8,"
        " min_replicas: 1}\n"
        "  - {model: llama-3.1-8b-instruct, compute: runpod-serverless/16gb, min_replicas: 1}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["compare", str(profile), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    fp8 = next(o for o in report["options"] if o["id"].endswith("runpod-serverless/16gb"))
    # 2,000 requests/day stay within the warm worker: 0.00011 × 3600 × 730 = $289.08 compute
    assert fp8["compute_monthly_usd"] == pytest.approx(289.08, abs=0.01)
    flex = fp8["price_caveats"][0]["flex_alternative"]
    # and at the flex rate 0.00016 × 3600 × 730 = $420.48
    assert flex["extra_monthly_usd"] == pytest.approx(420.48 - 289.08, abs=0.01)
    # BF16 8B weights (16.1 GB) do not fit in 16 GB: said, not a crash
    assert any(
        "llama-3.1-8b-instruct@runpod-serverless/16gb: left out, does not fit" in w
        for w in report["warnings"]
    )
