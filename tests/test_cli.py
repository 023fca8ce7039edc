"""The command line as a user runs it: formats, options, exit codes, messages."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from costcalc.cli import app
from tests.conftest import ROOT

RAG = str(ROOT / "profiles" / "rag-support-chatbot.yaml")
SCHEMA = json.loads((ROOT / "schemas" / "compare.schema.json").read_text(encoding="utf-8"))
runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_text_report_has_every_section() -> None:
    code, out, err = run("compare", RAG, "--width", "100")
    assert code == 0, err
    for heading in (
        "At 40K requests/day (226.3M tokens/day) keep the API:",
        "By class of hosted API (with labor)",
        "Monthly cost at your volume",
        "Token inflation: what one request is billed for",
        "Where self-hosting is cheaper, searched over 18 to 400K requests/day",
        "Notes",
    ):
        assert heading in out
    assert max(len(line) for line in out.splitlines()) <= 100
    assert "\x1b[" not in out  # no color when not on a terminal


def test_json_output_is_the_published_contract() -> None:
    code, out, _ = run("compare", RAG, "--format", "json")
    assert code == 0
    data = json.loads(out)
    jsonschema.validate(data, SCHEMA)
    assert data["schema_version"] == 2 and data["profile"] == "rag-support-chatbot"
    assert {o["kind"] for o in data["options"]} == {"hosted", "self_hosted"}
    monthly = [o["monthly_usd"] for o in data["options"]]
    assert monthly == sorted(monthly)
    assert data["volume"]["requests_per_day"] == 40_000
    # 40,000 × 1.020408 × (5,195 + 350) billed tokens/day
    assert data["volume"]["billed_tokens_per_day"] == pytest.approx(
        40_000 * 1.0204081632653061 * 5545, rel=1e-6
    )
    assert data["cheapest"] == data["options"][0]["id"] or not data["options"][0]["slo_met"]
    pairs = {(b["hosted"], b["self_hosted"]) for b in data["breakeven"]}
    hosted = [o["id"] for o in data["options"] if o["kind"] == "hosted"]
    selfs = [o["id"] for o in data["options"] if o["kind"] == "self_hosted"]
    assert pairs == {(h, s) for h in hosted for s in selfs}


def test_markdown_and_csv() -> None:
    code, md, _ = run("compare", RAG, "--format", "markdown")
    assert code == 0 and md.startswith("### costcalc: rag-support-chatbot")
    assert "| Option | Kind | $/month |" in md
    code, out, _ = run("compare", RAG, "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 7 and rows[0]["id"] and float(rows[0]["monthly_usd"]) > 0
    assert {r["kind"] for r in rows} == {"hosted", "self_hosted"}


def test_requests_per_day_override_scales_hosted_cost_linearly() -> None:
    _, base, _ = run("compare", RAG, "--format", "json", "--requests-per-day", "40k")
    _, double, _ = run("compare", RAG, "--format", "json", "--requests-per-day", "80k")
    a = {o["id"]: o for o in json.loads(base)["options"]}
    b = {o["id"]: o for o in json.loads(double)["options"]}
    # fireworks/ has no published cache lifetime, so no auto hits: cost is linear in volume
    assert b["fireworks/llama-3.1-8b-instruct"]["monthly_usd"] == pytest.approx(
        2 * a["fireworks/llama-3.1-8b-instruct"]["monthly_usd"], rel=1e-6
    )


def test_range_option_sets_the_search_range() -> None:
    code, out, _ = run("compare", RAG, "--format", "json", "--range", "1M:1B")
    assert code == 0
    assert json.loads(out)["range"]["tokens_per_day"] == [1e6, 1e9]


def test_catalog_option_layers_user_prices(tmp_path: Path) -> None:
    mine = tmp_path / "prices"
    mine.mkdir()
    (mine / "hosted.yaml").write_text(
        yaml.safe_dump(
            {
                "offers": [
                    {
                        "id": "fireworks/llama-3.1-8b-instruct",
                        "provider": "Together AI",
                        "model": "x",
                        "model_class": "small",
                        "usd_per_mtok_input": 0.0,
                        "usd_per_mtok_output": 0.0,
                        "as_of": "2026-11-20",
                        "source": "free credits",
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    code, out, _ = run("compare", RAG, "--format", "json", "--catalog", str(mine))
    assert code == 0
    assert json.loads(out)["cheapest"] == "fireworks/llama-3.1-8b-instruct"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["compare", "missing.yaml"], "missing.yaml: no such file"),
        (["compare", RAG, "--range", "10M:100k"], "LOW must be below HIGH"),
        (["compare", RAG, "--range", "10M"], "expected LOW:HIGH"),
        (["compare", RAG, "--requests-per-day", "lots"], "is not a number"),
        (["compare", RAG, "--requests-per-day", "-5"], "is not a number"),
        (["compare", RAG, "--format", "xml"], "xml"),
        (["compare", RAG, "--catalog", "/nonexistent-dir"], "not a directory"),
        (["nonsense"], "No such command"),
    ],
)
def test_usage_and_input_errors_exit_2_without_traceback(args: list[str], message: str) -> None:
    code, out, err = run(*args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err and "Traceback" not in out


def test_bad_profile_message_names_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: x\ntraffic: {requests_per_day: 10}\ncompare: {hosted: [openai/gpt-4o-mni]}\n"
    )
    code, _, err = run("compare", str(bad))
    assert code == 2
    assert err.startswith(f"error: {bad}:3:20: field `compare.hosted[0]`: unknown hosted offer")
    assert "Did you mean openai/gpt-4o-mini" in err


def test_yaml_error_gives_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ntraffic:\n  requests_per_day: 10\n   pattern: flat\n")
    code, _, err = run("compare", str(bad))
    assert code == 2 and f"{bad}:4:" in err and "YAML syntax error" in err


def test_internal_errors_exit_3_with_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    import costcalc.core.analysis.compare

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("simulated bug")

    monkeypatch.setattr(costcalc.core.analysis.compare, "compare", broken)
    code, _, err = run("compare", RAG)
    assert code == 3
    assert "Traceback" in err and "ZeroDivisionError" in err and "This is a bug" in err


def test_bad_costcalc_today_is_a_user_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COSTCALC_TODAY", "yesterday")
    code, _, err = run("compare", RAG)
    assert code == 2 and "COSTCALC_TODAY" in err


def test_help_teaches() -> None:
    code, out, _ = run("compare", "--help")
    assert code == 0
    for text in ("--format", "--catalog", "--requests-per-day", "--range", "Examples", "100k:10M"):
        assert text in out
    code, out, _ = run("--help")
    assert code == 0 and "Exit codes" in out
    code, out, _ = run("--version")
    assert code == 0 and out.startswith("costcalc ")


def test_stale_prices_warn_after_120_days(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COSTCALC_TODAY", "2026-11-27")
    code, text, err = run("compare", RAG, "--format", "json")
    out = json.loads(text)
    # runpod-serverless/48gb is dated 2026-05-08: 2026-11-27 is 203 days later
    assert any("runpod-serverless/48gb (203 days, 2026-05-08)" in w for w in out["warnings"])
    # the text report leaves it out; it is said once, on stderr, after the report
    code, text, err = run("compare", RAG)
    assert "older than" not in text and err.count("warning: prices older than 120 days") == 1
    assert "(costcalc catalog show ID)" in err  # how a compute price is refreshed
    assert "older than" not in run("compare", RAG, "--quiet")[2]
    # --today judges the ages at another date: 2026-05-08 to 2026-06-01 is 24 days
    assert "older than" not in run("compare", RAG, "--today", "2026-06-01")[2]
    monkeypatch.setenv("COSTCALC_TODAY", "2026-06-01")
    out = json.loads(run("compare", RAG, "--format", "json")[1])
    assert not any("older than 120 days" in w for w in out["warnings"])
    code, _, err = run("compare", RAG, "--today", "next week")
    assert code == 2 and "expected a date such as 2026-12-31" in err


def test_an_option_that_cannot_meet_the_slo_is_listed_apart_never_priced(tmp_path: Path) -> None:
    """Llama-3.1-8B in bf16 on a 24 GB L4 (300 GB/s) reads 16 GB of weights a step: over 50 ms
    even one request at a time, so a 40 ms TPOT SLO cannot be met at any load. It used to be
    priced at batch 1 (and could be featured); now it is named with the latency it reaches."""
    profile = tmp_path / "p.yaml"
    profile.write_text(
        yaml.safe_dump(
            {
                "name": "strict",
                "traffic": {"requests_per_day": 20_000},
                "slo": {"tpot_ms": 40},
                "compare": {
                    "hosted": ["openai/gpt-4o-mini"],
                    "self_hosted": [
                        {"model": "llama-3.1-8b-instruct", "compute": "runpod-community/l4"},
                        {"model": "llama-3.1-8b-instruct", "compute": "runpod/h100-sxm"},
                    ],
                },
            }
        ),
        encoding="utf-8",
    )
    code, out, err = run("compare", str(profile), "--width", "100")
    assert code == 0, err
    assert "Not priced: 1 self-hosted option(s) cannot meet the SLO at any load" in out
    assert "llama-3.1-8b-instruct@runpod-community/l4: even one request at a time" in out
    code, out, err = run("compare", str(profile), "-f", "json")
    report = json.loads(out)
    ids = {o["id"] for o in report["options"]}
    assert "llama-3.1-8b-instruct@runpod-community/l4" not in ids
    assert "llama-3.1-8b-instruct@runpod/h100-sxm" in ids
    (skipped,) = report["skipped"]
    assert skipped["id"] == "llama-3.1-8b-instruct@runpod-community/l4"
    assert skipped["reason"].startswith("cannot meet the SLO at any load")
    assert "(SLO 40)" in skipped["reason"]
    assert report["featured"]["self_hosted"] == "llama-3.1-8b-instruct@runpod/h100-sxm"
    assert all(p["self_hosted"] != skipped["id"] for p in report["breakeven"])
    code, out, err = run("compare", str(profile), "-f", "markdown")
    assert code == 0 and "Not priced: 1 self-hosted option(s)" in out
    page = tmp_path / "r.html"
    code, out, err = run("report", str(profile), "-o", str(page))
    assert code == 0, err
    assert "Not priced: 1 self-hosted option(s)" in page.read_text(encoding="utf-8")
