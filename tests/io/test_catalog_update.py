"""`costcalc catalog update --from-litellm`: the real 1.110.2 subset reproduces the built-in
hosted prices; a hand-edited copy gives exactly the hand-computed change list; the overlay loads
and `compare` uses it; a URL offline and bad values exit 2 naming what is wrong."""

from __future__ import annotations

import copy
import datetime as dt
import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from costcalc.cli import app
from costcalc.io.catalog import load_catalog
from costcalc.io.litellm import PriceMap, parse_price_map
from costcalc.io.litellm_map import catalog_id, find_key, index_keys, plan_update
from tests.conftest import ROOT

SUBSET = ROOT / "tests" / "fixtures" / "litellm" / "model_prices_1.110.2_subset.json"
AS_OF = dt.date(2026, 11, 27)
# what the catalog has that LiteLLM 1.110.2 does not, and why (each entry's notes or the
# hosted.yaml header say so): OpenAI's 1024-token cache minimum is from OpenAI's caching guide;
# Fireworks' 50 % cached input and 50 % batch are from docs.fireworks.ai
OPENAI = ["gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-5-pro", "gpt-5.4", "gpt-5.4-mini",
          "gpt-5.4-nano", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "gpt-4o-mini",
          "gpt-4o"]  # fmt: skip
FIREWORKS = ["llama-3.1-8b-instruct", "llama-3.3-70b-instruct", "qwen2.5-7b-instruct",
             "qwen2.5-72b-instruct"]  # fmt: skip
KEPT = {f"openai/{m}": ["min_cacheable_tokens"] for m in OPENAI} | {
    f"fireworks/{m}": ["usd_per_mtok_cached_input", "batch_discount"] for m in FIREWORKS
}
NEW_IN_SUBSET = {
    "openai/gpt-5.1": "gpt-5.1",
    "anthropic/claude-opus-4.6": "claude-opus-4-6",
    "google/gemini-3.6-flash": "gemini/gemini-3.6-flash",
    "together/qwen2.5-72b-instruct": "together_ai/Qwen/Qwen2.5-72B-Instruct",
    "deepinfra/llama-3.3-70b-instruct": "deepinfra/meta-llama/Llama-3.3-70B-Instruct",
    "deepinfra/claude-haiku-4-5": "deepinfra/anthropic/claude-haiku-4-5",
}


def subset() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SUBSET.read_text(encoding="utf-8"))
    return data


def plan(data: dict[str, Any], add_new: bool = False) -> tuple[list[Any], dict[str, Any]]:
    prices = PriceMap(parse_price_map(json.dumps(data), "prices.json"), "prices.json",
                      "1.110.2", AS_OF)  # fmt: skip
    return plan_update(load_catalog().hosted, prices, add_new)


def run(*args: str) -> Any:
    return CliRunner().invoke(app, ["catalog", "update", *args])


# ---- the real file reproduces today's built-in prices -----------------------------------------


def test_the_real_subset_reproduces_every_builtin_hosted_price() -> None:
    builtin = load_catalog().hosted
    offers, report = plan(subset())
    assert report["price_changes"] == []
    assert report["deprecations"] == []
    assert report["other_changes"] == []
    assert report["gone"] == [] and report["skipped"] == [] and report["warnings"] == []
    assert {r["id"]: r["fields"] for r in report["kept_from_catalog"]} == KEPT
    for offer_id in KEPT:  # and the catalog says where those figures come from
        if offer_id.startswith("fireworks/"):
            assert "docs.fireworks.ai" in builtin[offer_id].notes
    assert report["updated"] == len(builtin) == 40
    for offer in offers:  # field for field, but the date read and the file named
        old = builtin[offer.id]
        assert offer.model_dump(exclude={"as_of"}) == old.model_dump(exclude={"as_of"})
    assert set(NEW_IN_SUBSET) == {r["id"] for r in report["new"]}


def test_keys_map_onto_catalog_ids() -> None:
    index = index_keys(subset())
    assert find_key("openai", "gpt-5", index) == "gpt-5"  # not its snapshot gpt-5-2025-08-07
    assert find_key("google", "gemini-2.5-pro", index) == "gemini/gemini-2.5-pro"
    assert find_key("fireworks", "llama-v3p1-8b-instruct", index) == (
        "fireworks_ai/accounts/fireworks/models/llama-v3p1-8b-instruct"
    )
    assert find_key("together", "Qwen2.5-7B-Instruct-Turbo", index) == (
        "together_ai/Qwen/Qwen2.5-7B-Instruct-Turbo"
    )
    assert catalog_id("anthropic", "claude-haiku-4-5") == "anthropic/claude-haiku-4.5"
    assert catalog_id("fireworks", "qwen2p5-72b-instruct") == "fireworks/qwen2.5-72b-instruct"
    assert catalog_id("together", "Meta-Llama-3.1-8B-Instruct-Turbo") == (
        "together/llama-3.1-8b-instruct-turbo"
    )


def test_a_model_listed_only_as_a_dated_snapshot_maps_to_the_newest_one() -> None:
    data = subset()
    del data["claude-sonnet-4-5"]
    data["claude-sonnet-4-5-20240101"] = copy.deepcopy(data["claude-sonnet-4-5-20250929"])
    data["claude-sonnet-4-5-20240101"]["input_cost_per_token"] = 9e-06
    index = index_keys(data)
    assert find_key("anthropic", "claude-sonnet-4-5", index) == "claude-sonnet-4-5-20250929"
    _, report = plan(data)
    # the snapshot's page is the older docs.anthropic.com address: only the link changes
    assert report["price_changes"] == [] and report["gone"] == []
    assert [r["field"] for r in report["other_changes"]] == ["source"]
    assert "anthropic/claude-sonnet-4.5" not in {r["id"] for r in report["new"]}


# ---- a hand-edited copy: exactly the expected change list -------------------------------------


def edited() -> dict[str, Any]:
    data = subset()
    # claude-opus-4-5 output raised 20 %: 2.5e-05 → 3e-05 per token, 25 → 30 USD/Mtok
    data["claude-opus-4-5"]["output_cost_per_token"] = 3e-05
    del data["together_ai/Qwen/Qwen2.5-7B-Instruct-Turbo"]  # gone
    data["claude-haiku-4-5"]["deprecation_date"] = "2027-10-15"  # was none
    data["gpt-7-mini"] = {  # new: 4e-07 and 1.6e-06 per token are 0.4 and 1.6 per million
        "litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 4e-07,
        "output_cost_per_token": 1.6e-06, "max_input_tokens": 400000,
        "source": "https://developers.openai.com/api/docs/pricing",
    }  # fmt: skip
    return data


def test_an_edited_copy_yields_exactly_the_expected_changes() -> None:
    offers, report = plan(edited())
    assert report["price_changes"] == [
        # (30 - 25) / 25 = +20 %
        {"id": "anthropic/claude-opus-4.5", "field": "usd_per_mtok_output", "old": 25.0,
         "new": 30.0, "change_pct": 20.0},
    ]  # fmt: skip
    assert report["deprecations"] == [
        {"id": "anthropic/claude-haiku-4.5", "field": "deprecation_date", "old": None,
         "new": "2027-10-15"},
    ]  # fmt: skip
    assert report["gone"] == [
        {"id": "together/qwen2.5-7b-instruct-turbo",
         "looked_for": "together_ai/…/Qwen2.5-7B-Instruct-Turbo", "key": None},
    ]  # fmt: skip
    assert report["other_changes"] == []
    new = {r["id"]: r for r in report["new"]}
    assert set(new) == {*NEW_IN_SUBSET, "openai/gpt-7-mini"}
    assert new["openai/gpt-7-mini"] == {
        "id": "openai/gpt-7-mini", "key": "gpt-7-mini", "usd_per_mtok_input": 0.4,
        "usd_per_mtok_output": 1.6, "model_class_guess": "small",
    }  # fmt: skip
    assert len(offers) == 39  # 40 less the one gone; new ones only with --add-new
    assert "together/qwen2.5-7b-instruct-turbo" not in {o.id for o in offers}


def test_the_text_change_list_reads_old_to_new(tmp_path: Path) -> None:
    path = tmp_path / "prices.json"
    path.write_text(json.dumps(edited()), encoding="utf-8")
    result = run("--from-litellm", str(path), "--add-new")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "anthropic/claude-opus-4.5  usd_per_mtok_output: 25 → 30  (+20.0 %)" in text
    assert "anthropic/claude-haiku-4.5: none → 2027-10-15" in text
    assert "together/qwen2.5-7b-instruct-turbo: no key" in text
    assert "openai/gpt-7-mini  0.4 / 1.6  small  (`gpt-7-mini`)" in text
    assert "Dry run: nothing written" in text
    assert not (tmp_path / "hosted.yaml").exists()


# ---- the written overlay loads and compare uses it --------------------------------------------


def test_the_overlay_loads_and_compare_runs_with_it(tmp_path: Path) -> None:
    path, out = tmp_path / "prices.json", tmp_path / "cat"
    path.write_text(json.dumps(edited()), encoding="utf-8")
    result = run("--from-litellm", str(path), "-o", str(out), "--add-new", "-f", "json",
                 "--as-of", "2026-11-27")  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["written"] == str(out / "hosted.yaml") and report["added"] is True
    catalog = load_catalog([out])
    assert catalog.hosted["anthropic/claude-opus-4.5"].usd_per_mtok_output == 30
    assert catalog.hosted["openai/gpt-7-mini"].model_class == "small"
    # kept from the catalog: what LiteLLM has no field for
    assert catalog.hosted["openai/gpt-5"].rate_limits and catalog.hosted["openai/gpt-5"].cache_ttl_s
    assert catalog.hosted["openai/gpt-5"].as_of == dt.date(2026, 11, 27)
    compared = CliRunner().invoke(
        app, ["compare", str(ROOT / "profiles" / "rag-support-chatbot.yaml"), "--catalog",
              str(out), "-f", "json"],
    )  # fmt: skip
    assert compared.exit_code == 0, compared.output
    assert json.loads(compared.stdout)["profile"] == "rag-support-chatbot"


# ---- errors: exit 2, named, never a traceback -------------------------------------------------


def test_a_url_offline_exits_2_and_says_to_download_the_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def offline(*args: Any, **kwargs: Any) -> Any:
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    url = "https://example.org/model_prices_and_context_window.json"
    result = run("--from-litellm", url)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {url}: cannot download it")
    assert "pass its path" in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("value", "problem"),
    [('"cheap"', "is not a number"), ("NaN", "is not a finite price"),
     ("-1e-06", "is not a finite price"), ("true", "is not a number")],
)  # fmt: skip
def test_a_bad_price_exits_2_naming_the_file_and_the_key(
    tmp_path: Path, value: str, problem: str
) -> None:
    data = subset()
    data["gpt-5"]["input_cost_per_token"] = "@@"
    path = tmp_path / "prices.json"
    path.write_text(json.dumps(data).replace('"@@"', value), encoding="utf-8")
    result = run("--from-litellm", str(path))
    assert result.exit_code == 2, result.output
    assert f"{path}: field `gpt-5.input_cost_per_token`: " in result.stderr
    assert problem in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("text", "problem"), [("{not json", "not JSON"), ("[1, 2]", "expected a JSON object")]
)
def test_a_file_that_is_not_a_price_map_exits_2(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "prices.json"
    path.write_text(text, encoding="utf-8")
    result = run("--from-litellm", str(path))
    assert result.exit_code == 2 and f"{path}: {problem}" in result.stderr


def test_a_missing_file_and_a_file_for_o_exit_2(tmp_path: Path) -> None:
    assert run("--from-litellm", str(tmp_path / "none.json")).exit_code == 2
    (tmp_path / "f").write_text("x", encoding="utf-8")
    assert run("--from-litellm", str(SUBSET), "-o", str(tmp_path / "f")).exit_code == 2


def test_help_teaches_with_examples() -> None:
    result = CliRunner().invoke(app, ["catalog", "update", "--help"])
    assert result.exit_code == 0
    assert "costcalc catalog update --from-litellm prices.json -o our-prices" in result.stdout
    assert "1.25e-06 → 1.25" in result.stdout


# ---- what a review found ------------------------------------------------------------------------

FW8B = "fireworks_ai/accounts/fireworks/models/llama-v3p1-8b-instruct"


def test_a_kept_cached_price_moves_with_the_input_price() -> None:
    data = subset()
    data[FW8B] = {**data[FW8B], "input_cost_per_token": 2e-07}  # $0.20/M, Fireworks' own page
    offers, report = plan(data)
    fw = next(o for o in offers if o.id == "fireworks/llama-3.1-8b-instruct")
    # cached input kept from the catalog is 50 % of input: 0.05 of 0.10 becomes 0.10 of 0.20
    assert (fw.usd_per_mtok_input, fw.usd_per_mtok_cached_input) == (0.2, 0.1)
    assert any("scaled with the input price (0.05 → 0.1)" in w for w in report["warnings"])
    assert any("price_basis_note may no longer hold" in w for w in report["warnings"])


def test_a_bad_new_model_is_skipped_not_fatal() -> None:
    data = subset() | {"gpt-99-new": {"litellm_provider": "openai", "mode": "chat",
                                      "input_cost_per_token": "1e-6",
                                      "output_cost_per_token": 1e-6}}  # fmt: skip
    offers, report = plan(data)
    assert len(offers) == 40 and "openai/gpt-99-new" not in {r["id"] for r in report["new"]}


def test_o_keeps_the_offers_of_the_file_it_replaces(tmp_path: Path) -> None:
    import yaml

    mine = {"id": "acme/our-model", "provider": "Acme", "model": "ours", "model_class": "small",
            "usd_per_mtok_input": 0.3, "usd_per_mtok_output": 0.6, "as_of": "2026-11-01",
            "source": "our contract", "price_basis": "negotiated",
            "price_basis_note": "contract of 2026-11-01"}  # fmt: skip
    folder = tmp_path / "overrides"
    folder.mkdir()
    (folder / "hosted.yaml").write_text(yaml.safe_dump({"schema_version": 1, "offers": [mine]}))
    result = run("--from-litellm", str(SUBSET), "--catalog", str(folder), "-o", str(folder))
    assert result.exit_code == 0, result.output
    written = yaml.safe_load((folder / "hosted.yaml").read_text())["offers"]
    assert "acme/our-model" in {o["id"] for o in written} and len(written) == 41
    assert "1 of its offers kept as they are (not from LiteLLM): acme/our-model" in result.output
    (folder / "hosted.yaml").write_text("offers: [")  # a file that does not load is not replaced
    result = run("--from-litellm", str(SUBSET), "-o", str(folder))
    assert result.exit_code == 2 and "exists and does not load" in result.output


def test_the_version_comes_from_the_file_name_not_a_python_path(tmp_path: Path) -> None:
    folder = tmp_path / "versions" / "3.11.9" / "litellm"
    folder.mkdir(parents=True)
    (folder / "model_prices_and_context_window.json").write_text(SUBSET.read_text())
    result = run("--from-litellm", str(folder / "model_prices_and_context_window.json"), "-f",
                 "json")  # fmt: skip
    assert json.loads(result.stdout)["litellm"]["version"] is None


def test_as_of_is_a_plain_date_not_in_the_future() -> None:
    for bad in ("2030-01-01", "20261101", "2026-W44-1"):
        result = run("--from-litellm", str(SUBSET), "--as-of", bad)
        assert result.exit_code == 2, bad


def test_counts_print_whole_and_prices_as_they_read() -> None:
    from costcalc.render.catalog_changes import _number

    # gpt-4.1's 1,047,576-token context window used to print as 1.04758e+06
    assert [_number(v) for v in (1047576.0, 1047576, 0.125, 2.4, None)] == [
        "1,047,576", "1,047,576", "0.125", "2.4", "none"]  # fmt: skip
