"""`costcalc catalog list|show` against the built-in catalog in pricing/, as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from costcalc.cli import app
from tests.conftest import ROOT

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def written(file: str, key: str) -> list[dict[str, Any]]:
    """Entries of a pricing/ file as written there, read apart from costcalc's loader."""
    entries: list[dict[str, Any]] = yaml.safe_load((ROOT / "pricing" / file).read_text())[key]
    return entries


def by_id(file: str, key: str, entry_id: str) -> dict[str, Any]:
    return next(e for e in written(file, key) if e["id"] == entry_id)


def row(out: str, first_cell: str) -> list[str]:
    """The cells of the table row whose first cell is `first_cell` (cells split on 2+ blanks)."""
    import re

    for line in out.splitlines():
        cells = re.split(r"\s{2,}", line.strip())
        if cells[0] == first_cell:
            return cells
    raise AssertionError(f"no row {first_cell!r} in:\n{out}")


def cells(out: str, first_cell: str, header: str = "ID") -> dict[str, str]:
    """The row's cells by column header (the first table with that first header)."""
    return dict(zip(row(out, header), row(out, first_cell), strict=False))


def test_list_hosted_search_nano_shows_prices_as_written() -> None:
    code, out, err = run("catalog", "list", "--kind", "hosted", "--search", "nano")
    assert code == 0, err
    nano = by_id("hosted.yaml", "offers", "openai/gpt-5-nano")
    assert cells(out, "openai/gpt-5-nano") == {
        "ID": "openai/gpt-5-nano",
        "Model": nano["model"],  # a table this narrow has room for the provider's name of it
        "Class": nano["model_class"],
        "In": str(nano["usd_per_mtok_input"]),  # 0.05 in pricing/hosted.yaml
        "Cached": str(nano["usd_per_mtok_cached_input"]),
        "Out": str(nano["usd_per_mtok_output"]),
        "As of": nano["as_of"],
        "Deprecation": nano["deprecation_date"],  # 2026-12-11: after today (2026-11-27)
    }
    assert "Hosted API offers" in out and "USD per million tokens" in out
    nanos = [e["id"] for e in written("hosted.yaml", "offers") if "nano" in e["id"]]
    assert out.count("  openai/") == len(nanos) and len(nanos) >= 2
    assert out.rstrip().splitlines()[-1] == (
        f"{len(nanos)} hosted offers match 'nano'. See one with: costcalc catalog show ID"
    )


def test_offers_past_their_deprecation_date_are_marked(monkeypatch: pytest.MonkeyPatch) -> None:
    retired = by_id("hosted.yaml", "offers", "openai/gpt-4.1-nano")["deprecation_date"]
    assert retired <= "2026-11-27"  # conftest pins COSTCALC_TODAY to 2026-11-27
    _, out, _ = run("catalog", "list", "-k", "hosted", "-s", "nano")
    assert row(out, "openai/gpt-4.1-nano")[-1] == f"{retired} past"
    assert row(out, "openai/gpt-5-nano")[-1] == "2026-12-11"
    assert "past: the deprecation date is on or before today (2026-11-27)" in out
    monkeypatch.setenv("COSTCALC_TODAY", "2026-12-11")  # its deprecation day: past
    _, out, _ = run("catalog", "list", "-k", "hosted", "-s", "nano")
    assert row(out, "openai/gpt-5-nano")[-1] == "2026-12-11 past"


def test_search_ignores_case_and_looks_in_names() -> None:
    code, out, _ = run("catalog", "list", "--search", "TOGETHER ai")  # the provider's name
    assert code == 0
    together = [e["id"] for e in written("hosted.yaml", "offers") if e["provider"] == "Together AI"]
    assert [line.split()[0] for line in out.splitlines() if "/" in line] == together
    _, out, _ = run("catalog", "list", "-s", "H100-SXM")  # a GPU id: compute, GPUs and points
    assert "Compute offers billed by the hour" in out and "GPUs (1)" in out
    assert "Throughput points" in out and "Hosted API offers" not in out
    assert "lambda/8x-h100-sxm" in out and "a100" not in out.replace("a100-sxm-80gb", "")


def test_every_kind_is_listed_in_sections_at_100_columns() -> None:
    code, out, _ = run("catalog", "list")
    assert code == 0
    titles = ["Hosted API offers (", "Compute offers billed by the hour (", "GPUs (",
              "Serverless compute offers", "Open models (", "Throughput points ("]  # fmt: skip
    assert all(title in out for title in titles)
    assert max(len(line) for line in out.splitlines()) <= 100
    total = sum(
        len(written(file, key))
        for file, key in [("hosted.yaml", "offers"), ("compute.yaml", "offers"),
                          ("gpus.yaml", "gpus"), ("models.yaml", "models"),
                          ("throughput.yaml", "points")]
    )  # fmt: skip
    assert out.rstrip().splitlines()[-1] == (
        f"{total} entries. See one with: costcalc catalog show ID "
        "(points: costcalc bench show MODEL GPU)"
    )


def test_a_wide_terminal_also_shows_each_offers_model_name() -> None:
    _, narrow, _ = run("catalog", "list", "-k", "hosted", "-s", "fireworks/llama-3.1")
    _, wide, _ = run(
        "catalog", "list", "-k", "hosted", "-s", "fireworks/llama-3.1", "--width", "140"
    )
    model = by_id("hosted.yaml", "offers", "fireworks/llama-3.1-8b-instruct")["model"]
    assert model not in narrow and row(wide, "fireworks/llama-3.1-8b-instruct")[1] == model
    assert "Fireworks AI" in narrow  # the provider heads its offers at any width


def test_gpus_models_and_points_show_their_key_figures() -> None:
    _, out, _ = run("catalog", "list", "-k", "gpu", "-s", "h100-sxm")
    gpu = by_id("gpus.yaml", "gpus", "h100-sxm")
    assert row(out, "h100-sxm") == [
        "h100-sxm", gpu["name"], str(gpu["memory_gb"]), str(gpu["bandwidth_gbs"]),
        str(gpu["bf16_tflops"]), str(gpu["fp8_tflops"]),
    ]  # fmt: skip
    _, out, _ = run("catalog", "list", "-k", "model", "-s", "qwen2.5-7b")
    model = by_id("models.yaml", "models", "qwen2.5-7b-instruct")
    assert cells(out, "qwen2.5-7b-instruct")["Params B"] == str(model["params_b"])
    assert cells(out, "qwen2.5-7b-instruct")["Name"] == model["name"]
    _, out, _ = run("catalog", "list", "-k", "points", "-s", "rtx-4090")
    assert "mistral-7b-instruct-v0.3" in out and "conc 16" in out and "capacity" in out
    assert out.rstrip().endswith("Points of one model and GPU: costcalc bench show MODEL GPU")


def test_an_empty_result_exits_0_and_says_so() -> None:
    code, out, _ = run("catalog", "list", "-k", "gpu", "--search", "no-such-thing")
    assert code == 0
    assert out == "No GPUs match 'no-such-thing'.\n"
    code, out, _ = run("catalog", "list", "-s", "no-such-thing", "-f", "json")
    assert (code, json.loads(out)) == (0, [])


def test_an_unknown_kind_is_refused() -> None:
    code, _, err = run("catalog", "list", "--kind", "hosting")
    assert code == 2 and "'hosting' is not one of" in err


@pytest.mark.parametrize(
    ("entry_id", "file", "key", "what"),
    [
        ("openai/gpt-5-nano", "hosted.yaml", "offers", "hosted API offer"),
        ("runpod-serverless/24gb", "compute.yaml", "offers", "compute offer"),
        ("h100-sxm", "gpus.yaml", "gpus", "GPU"),
        ("llama-3.1-8b-instruct", "models.yaml", "models", "open model"),
    ],
)
def test_show_lists_every_field_of_one_entry(entry_id: str, file: str, key: str, what: str) -> None:
    code, out, err = run("catalog", "show", entry_id)
    assert code == 0, err
    assert out.splitlines()[0] == f"{entry_id} ({what})"
    fields = {line.split()[0] for line in out.splitlines()[1:] if line.startswith("  ")}
    assert set(by_id(file, key, entry_id)) <= fields  # every field written, and the rest
    as_of = by_id(file, key, entry_id).get("as_of")
    if as_of:  # the entry's own, not a nested one's (latency has its own as_of)
        top = "\n".join(line for line in out.splitlines() if not line.startswith("    "))
        assert row(top, "as_of") == ["as_of", as_of]
    source = by_id(file, key, entry_id)["source"]
    assert source.split()[0] in out


def test_show_gives_prices_as_written_and_nested_tiers() -> None:
    _, out, _ = run("catalog", "show", "openai/gpt-5-nano")
    nano = by_id("hosted.yaml", "offers", "openai/gpt-5-nano")
    assert row(out, "usd_per_mtok_input")[1] == str(nano["usd_per_mtok_input"])  # top level first
    assert "  flex\n    usd_per_mtok_input" in out
    assert f"source {nano['source']} notes" in " ".join(out.split())  # wrapped, not cut


def test_show_matches_ids_ignoring_case() -> None:
    lower, upper = (
        run("catalog", "show", "runpod/h100-sxm"),
        run("catalog", "show", "RunPod/H100-SXM"),
    )
    assert lower[0] == upper[0] == 0 and lower[1] == upper[1]


def test_an_unknown_id_exits_2_with_the_closest_ids() -> None:
    code, out, err = run("catalog", "show", "openai/gpt5-nano")
    assert code == 2 and out == ""
    assert "unknown catalog id `openai/gpt5-nano`. Did you mean openai/gpt-5-nano" in err


def test_json_is_a_list_of_entries_with_every_field() -> None:
    code, out, _ = run("catalog", "list", "-k", "compute", "-s", "lambda/", "-f", "json")
    assert code == 0
    entries = json.loads(out)
    lambdas = [e for e in written("compute.yaml", "offers") if e["id"].startswith("lambda/")]
    assert [e["id"] for e in entries] == [e["id"] for e in lambdas]
    first = entries[0]
    assert first["kind"] == "compute" and first["as_of"] == lambdas[0]["as_of"]  # ISO date
    assert first["usd_per_hour"] == lambdas[0]["usd_per_hour"]
    code, out, _ = run("catalog", "show", "openai/gpt-4.1-nano", "-f", "json")
    [shown] = json.loads(out)
    assert shown["kind"] == "hosted" and shown["past_deprecation"] is True
    assert shown["deprecation_date"] == "2026-10-23" and shown["flex"] is None


def test_markdown_is_a_table_per_section() -> None:
    code, out, _ = run("catalog", "list", "-k", "hosted", "-s", "gpt-5-nano", "-f", "markdown")
    assert code == 0
    assert "### Hosted API offers (1), USD per million tokens" in out
    assert "| openai/gpt-5-nano | gpt-5-nano | small | 0.05 | 0.005 | 0.4 |" in out


def test_output_option_writes_a_file(tmp_path: Path) -> None:
    target = tmp_path / "gpus.json"
    code, out, _ = run("catalog", "list", "-k", "gpu", "-f", "json", "-o", str(target))
    assert (code, out) == (0, "")
    assert len(json.loads(target.read_text(encoding="utf-8"))) == len(written("gpus.yaml", "gpus"))
    code, _, err = run("catalog", "show", "h100-sxm", "-o", str(tmp_path))  # a folder: refused
    assert code == 2 and "--output" in err


def test_catalog_dirs_layer_offers_over_the_builtin_ones(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    offer = {"provider": "Acme [beta]", "model": "house", "model_class": "small",
             "usd_per_mtok_input": 0.07, "usd_per_mtok_output": 0.21,
             "as_of": "2026-11-20", "source": "invoice 42"}  # fmt: skip
    (mine / "hosted.yaml").write_text(
        yaml.safe_dump({"offers": [{"id": "acme/house", **offer}]}), encoding="utf-8"
    )
    code, out, err = run("catalog", "list", "-k", "hosted", "-s", "acme", "--catalog", str(mine))
    assert code == 0, err
    assert "\nAcme [beta]\n" in out  # names are text, never rich markup
    assert cells(out, "acme/house") == {
        "ID": "acme/house", "Model": "house", "Class": "small", "In": "0.07", "Cached": "–",
        "Out": "0.21", "As of": "2026-11-20",
    }  # fmt: skip
    code, out, _ = run("catalog", "show", "ACME/house", "--catalog", str(mine))
    assert code == 0
    assert "acme/house (hosted API offer)" in out
    assert run("catalog", "show", "acme/house")[0] == 2  # only with the directory
    # GPU and model ids are lower-case and have no provider part (profiles match them
    # lower-cased: an upper-case id could never be named)
    for bad in ("Acme-X", "acme/x", " acme", ""):
        (mine / "gpus.yaml").write_text(
            yaml.safe_dump({"gpus": [{"id": bad, "name": "Acme accelerator", "memory_gb": 64,
                                      "bandwidth_gbs": 1000, "bf16_tflops": 200,
                                      "source": "spec sheet"}]}),
            encoding="utf-8",
        )  # fmt: skip
        code, _, err = run("catalog", "list", "--catalog", str(mine))
        assert code == 2 and "gpus[0].id" in err and "lower-case id" in err


@pytest.mark.parametrize(
    "command", [["catalog"], ["catalog", "list"], ["catalog", "show"]], ids=" ".join
)
def test_help_teaches_with_an_example(command: list[str]) -> None:
    code, out, _ = run(*command, "--help")
    assert code == 0 and "Examples:" in out and "  costcalc catalog " in out
