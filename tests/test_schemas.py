"""The JSON Schemas in schemas/ are generated from the models, and accept what costcalc reads
and writes: example profiles, the built-in catalog and every command's JSON output."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from costcalc.cli import app
from costcalc.schema.export import COMMAND, generate
from costcalc.schema.report import CompareReport
from costcalc.schema.report_gates import CheckReport, DiffReport, SensitivityReport
from tests.conftest import PROFILES, ROOT

SCHEMAS = ROOT / "schemas"
CATALOG_FILES = ["hosted", "compute", "gpus", "models", "throughput"]
SCHEMA_LINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")
runner = CliRunner()


def schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    return loaded


def errors(data: Any, name: str) -> list[str]:
    validator = jsonschema.Draft202012Validator(schema(name))
    return [
        f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)
    ]


def as_json(node: Any) -> Any:
    """YAML as an editor's YAML 1.2 language server sees it: dates are strings."""
    if isinstance(node, dict):
        return {k: as_json(v) for k, v in node.items()}
    if isinstance(node, list):
        return [as_json(v) for v in node]
    return node.isoformat() if isinstance(node, dt.date) else node


def load_yaml(path: Path) -> Any:
    return as_json(yaml.safe_load(path.read_text(encoding="utf-8")))


def test_checked_in_schemas_are_what_the_models_generate() -> None:
    stale = [
        name
        for name, text in generate().items()
        if not (SCHEMAS / name).is_file() or (SCHEMAS / name).read_text(encoding="utf-8") != text
    ]
    assert not stale, f"schemas out of date: {', '.join(stale)}; regenerate with `{COMMAND}`"


def test_the_export_command_checks_and_writes(tmp_path: Path) -> None:
    from costcalc.schema.export import main

    assert main(["--check", "--dir", str(SCHEMAS)]) == 0
    assert main(["--check", "--dir", str(tmp_path)]) == 1
    assert main(["--dir", str(tmp_path)]) == 0
    assert (tmp_path / "catalog" / "throughput.schema.json").is_file()
    assert main(["--check", "--dir", str(tmp_path)]) == 0


GOLDEN_PROFILE = ROOT / "tests" / "golden" / "derived-profile.yaml"


@pytest.mark.parametrize("path", [*PROFILES, GOLDEN_PROFILE], ids=lambda p: p.stem)
def test_every_profile_validates_and_names_its_schema(path: Path) -> None:
    assert errors(load_yaml(path), "profile.schema.json") == []
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = SCHEMA_LINE.match(first)
    assert match, f"{path.name} must start with the yaml-language-server $schema line"
    assert (path.parent / match[1]).resolve() == (SCHEMAS / "profile.schema.json").resolve()


def test_the_readme_profile_examples_validate() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", readme, re.S)]
    profiles = [b for b in blocks if isinstance(b, dict) and "traffic" in b]
    assert len(profiles) == 2  # the annotated profile and the distributions example
    for block in profiles:
        full = {"name": "readme", **block}
        assert errors(full, "profile.schema.json") == []


def test_the_profile_schema_allows_distributions_only_where_the_loader_does() -> None:
    base = {"schema_version": 1, "name": "x", "traffic": {"requests_per_day": 1000}}
    uniform = {"low": 80, "high": 250}
    assert errors({**base, "request": {"user_tokens": uniform}}, "profile.schema.json") == []
    triangular = {"tokens": {"low": 1, "mode": 2, "high": 3}}
    assert errors({**base, "request": {"tools": triangular}}, "profile.schema.json") == []
    # an SLO target is a choice, not a guess: a number only
    assert errors({**base, "slo": {"ttft_ms": uniform}}, "profile.schema.json")
    # unknown keys and a distribution with a stray key are refused, as the loader does
    assert errors({**base, "trafic": {}}, "profile.schema.json")
    bad = {"median": 1, "p90": 2, "low": 0}
    assert errors({**base, "request": {"user_tokens": bad}}, "profile.schema.json")


@pytest.mark.parametrize("name", CATALOG_FILES)
def test_every_catalog_file_validates(name: str) -> None:
    data = load_yaml(ROOT / "pricing" / f"{name}.yaml")
    assert errors(data, f"catalog/{name}.schema.json") == []
    assert errors({**data, "extra": 1}, f"catalog/{name}.schema.json")


def test_a_catalog_id_must_be_provider_slash_name() -> None:
    data = load_yaml(ROOT / "pricing" / "hosted.yaml")
    data["offers"] = [{**data["offers"][0], "id": "GPT-5"}]
    assert any("does not match" in e for e in errors(data, "catalog/hosted.schema.json"))


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code in (0, 1), result.stdout + result.stderr
    return result.stdout


RAG = str(ROOT / "profiles" / "rag-support-chatbot.yaml")
UNCERTAIN = str(ROOT / "profiles" / "seed-stage-uncertain.yaml")


@pytest.mark.parametrize("profile", [RAG, UNCERTAIN], ids=["rag", "uncertain"])
def test_compare_output_validates_and_is_its_model_dumped(profile: str) -> None:
    for extra in ([], ["--monte-carlo", "200", "--seed", "3"]):
        out = run("compare", profile, "-f", "json", *extra)
        assert errors(json.loads(out), "compare.schema.json") == []
        model = CompareReport.model_validate_json(out)
        assert model.json_text() == out  # parsing and dumping again changes no byte
        assert model.featured is not None and model.featured.hosted == model.cheapest
        mc_keys = {"monthly_usd_quantiles"} & set(json.loads(out)["options"][0])
        assert mc_keys == ({"monthly_usd_quantiles"} if extra else set())


def test_check_diff_and_sensitivity_outputs_validate(tmp_path: Path) -> None:
    out = run("check", RAG, UNCERTAIN, "-f", "json", "--max-monthly-usd", "700")
    assert errors(json.loads(out), "check.schema.json") == []
    check = CheckReport.model_validate_json(out)
    assert [r.status for r in check.results] == ["pass", "fail"] and not check.passed
    assert check.json_text() == out

    saved = tmp_path / "base.json"
    saved.write_text(run("compare", RAG, "-f", "json"), encoding="utf-8")
    out = run("diff", str(saved), UNCERTAIN, "-f", "json", "--max-increase-pct", "5")
    assert errors(json.loads(out), "diff.schema.json") == []
    diff = DiffReport.model_validate_json(out)
    assert diff.profile == "seed-stage-uncertain" and diff.changed and not diff.passed
    assert diff.json_text() == out

    out = run("sensitivity", RAG, "-f", "json")
    assert errors(json.loads(out), "sensitivity.schema.json") == []
    sensitivity = SensitivityReport.model_validate_json(out)
    assert sensitivity.inputs and sensitivity.json_text() == out
