"""Saved `compare --format json` reports are parsed by their model: what is wrong is named."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from costcalc.cli import app
from costcalc.errors import InputFileError
from costcalc.io.project import load_report
from costcalc.schema.report import V1_KEYS
from tests.conftest import ROOT

AGENT = str(ROOT / "profiles" / "tool-agent.yaml")
runner = CliRunner()


@pytest.fixture(scope="module")
def saved() -> dict[str, Any]:
    result = runner.invoke(app, ["compare", AGENT, "-f", "json"])
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "base.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def self_hosted_index(data: dict[str, Any]) -> int:
    return next(i for i, o in enumerate(data["options"]) if o["kind"] == "self_hosted")


def test_a_saved_report_reads_back_as_written(tmp_path: Path, saved: dict[str, Any]) -> None:
    report = load_report(write(tmp_path, saved))
    assert report.profile == "tool-agent" and report.cheapest == saved["cheapest"]
    assert [o.id for o in report.options] == [o["id"] for o in saved["options"]]
    assert report.model_dump(mode="json") == saved


def test_a_report_with_only_the_first_release_keys_still_reads(
    tmp_path: Path, saved: dict[str, Any]
) -> None:
    """Keys added to schema_version 1 after DESIGN §2.3 (featured, verdict, ...) are optional."""
    old = {k: saved[k] for k in ("schema_version", "profile", "volume", "inflation",
                                  "options", "breakeven", "cheapest", "warnings")}  # fmt: skip
    first = {"id", "kind", "monthly_usd", "usd_per_mtok", "usd_per_1k_requests",
             "fixed_monthly_usd", "replicas_peak", "throughput_source",
             "replica_requests_per_s", "cold_starts_per_day"}  # fmt: skip
    old["options"] = [{k: v for k, v in o.items() if k in first} for o in saved["options"]]
    report = load_report(write(tmp_path, old))
    assert report.featured is None and report.verdict is None and report.monte_carlo is None
    assert report.options[0].monthly_usd == saved["options"][0]["monthly_usd"]


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        (lambda d, i: d["options"][i].pop("replicas_peak"), "options[{i}].replicas_peak",
         "required field is missing"),
        (lambda d, i: d["options"][i].update(replica_count=3), "options[{i}].replica_count",
         "unknown key; did you mean `replicas_peak`?"),
        (lambda d, i: d["volume"].update(requests_per_day="lots"), "volume.requests_per_day",
         "input should be a valid number"),
        (lambda d, i: d.pop("cheapest"), "cheapest", "required field is missing"),
    ],
    ids=["missing", "unknown", "wrong-type", "missing-top-level"],
)  # fmt: skip
def test_a_bad_report_names_the_file_and_the_field(
    tmp_path: Path, saved: dict[str, Any], change: Any, field: str, problem: str
) -> None:
    data = json.loads(json.dumps(saved))
    i = self_hosted_index(data)
    change(data, i)
    path = write(tmp_path, data)
    with pytest.raises(InputFileError) as info:
        load_report(path)
    assert info.value.field == field.format(i=i)
    assert str(info.value).startswith(f"{path}: field `{field.format(i=i)}`: {problem}")


def test_diff_of_a_bad_report_exits_2_without_a_traceback(
    tmp_path: Path, saved: dict[str, Any]
) -> None:
    data = json.loads(json.dumps(saved))
    data["breakeven"][0]["status"] = "sometimes"
    path = write(tmp_path, data)
    result = runner.invoke(app, ["diff", str(path), AGENT])
    assert result.exit_code == 2
    assert f"{path}: field `breakeven[0].status`: input should be 'crosses', 'never' or " in (
        result.stderr
    )
    assert "Traceback" not in result.stderr


def test_a_version_1_report_with_british_keys_reads_as_version_2(
    tmp_path: Path, saved: dict[str, Any]
) -> None:
    """schema_version 2 renamed four keys to US spelling; a baseline saved before still diffs."""
    british = {v: k for k, v in V1_KEYS.items()}

    def back(value: Any) -> Any:
        if isinstance(value, dict):
            return {british.get(k, k): back(v) for k, v in value.items()}
        return [back(v) for v in value] if isinstance(value, list) else value

    old = {**back(saved), "schema_version": 1}
    text = json.dumps(old)
    assert '"without_labour"' in text and '"one_off_amortised"' in text
    report = load_report(write(tmp_path, old))
    assert report.model_dump(mode="json") == saved  # the same report, in version 2's keys
    result = runner.invoke(app, ["diff", str(tmp_path / "base.json"), AGENT, "-f", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["changed"] is False
