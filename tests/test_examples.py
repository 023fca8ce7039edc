"""Every example profile loads and compares, in every format, and the golden report holds."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from costcalc.cli import app
from costcalc.io.catalog import load_catalog
from tests.conftest import PROFILES, ROOT, check_golden

SCHEMA = json.loads((ROOT / "schemas" / "compare.schema.json").read_text(encoding="utf-8"))
GOLDEN = ROOT / "tests" / "golden"
runner = CliRunner()


def test_there_are_at_least_five_commented_examples() -> None:
    names = {p.stem for p in PROFILES}
    assert {
        "rag-support-chatbot",
        "consumer-chat-evening",
        "batch-summarisation",
        "tool-agent",
        "article-selfhost-7b",
    } <= names
    for path in PROFILES:
        assert path.read_text(encoding="utf-8").startswith("#"), (
            f"{path.name} needs a header comment"
        )


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.stem)
@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "csv"])
def test_every_example_compares_in_every_format(profile: Path, fmt: str) -> None:
    result = runner.invoke(app, ["compare", str(profile), "--format", fmt, "--width", "100"])
    assert result.exit_code == 0, result.stderr
    if fmt == "json":
        data = json.loads(result.stdout)
        jsonschema.validate(data, SCHEMA)
        assert data["options"] and data["cheapest"]
        assert any(o["kind"] == "self_hosted" for o in data["options"])


def test_profile_without_compare_section_uses_a_trimmed_default_set() -> None:
    result = runner.invoke(
        app, ["compare", str(ROOT / "profiles" / "consumer-chat-evening.yaml"), "--format", "json"]
    )
    data = json.loads(result.stdout)
    assert data["default_set"].startswith("no `compare:` section")
    hosted = [o["id"] for o in data["options"] if o["kind"] == "hosted"]
    selfs = [o["id"] for o in data["options"] if o["kind"] == "self_hosted"]
    assert 1 <= len(selfs) <= 4
    catalog = load_catalog()
    # the profile's class (small): the cheapest offer of each provider, 5 at most; every other
    # class: its cheapest offer; no offer past its deprecation date (COSTCALC_TODAY is pinned)
    own = [h for h in hosted if catalog.hosted[h].model_class == "small"]
    assert 1 <= len(own) <= 5
    assert len({h.split("/")[0] for h in own}) == len(own)  # one per provider
    others = [catalog.hosted[h].model_class for h in hosted if h not in own]
    assert sorted(others) == ["frontier", "large"]
    for h in hosted:
        retired = catalog.hosted[h].deprecation_date
        assert retired is None or retired.isoformat() > "2026-11-30"
    assert [v["model_class"] for v in data["verdicts"]] == ["frontier", "large", "small"]


def test_every_catalog_entry_is_usable() -> None:
    """Each compute offer can host the smallest model, each hosted offer prices a request."""
    catalog = load_catalog()
    runs = runner.invoke(
        app, ["compare", str(ROOT / "profiles" / "consumer-chat-evening.yaml"), "--format", "json"]
    )
    assert runs.exit_code == 0
    for gpu in {o.gpu for o in catalog.compute.values()}:
        assert gpu in catalog.gpus
    for point in catalog.points:
        assert point.model in catalog.models and point.gpu in catalog.gpus


def test_golden_text_report() -> None:
    """The report for the RAG example at 100 columns, no color. Regenerate after an intended
    change with COSTCALC_UPDATE_GOLDEN=1 and review the diff like code."""
    result = runner.invoke(
        app,
        [
            "compare",
            str(ROOT / "profiles" / "rag-support-chatbot.yaml"),
            "--width",
            "100",
            "--no-color",
        ],
    )
    assert result.exit_code == 0
    check_golden(GOLDEN / "rag-support-chatbot.txt", result.stdout)


@pytest.mark.parametrize("fmt", ["markdown", "json", "html"])
def test_golden_markdown_json_and_html(fmt: str, tmp_path: Path) -> None:
    """The same report in the other formats, at the pinned date (conftest). The HTML page's
    charts are replaced by a placeholder: their SVG bytes belong to matplotlib's version, and
    test_report checks them. Regenerate as test_golden_text_report says."""
    import re

    rag = str(ROOT / "profiles" / "rag-support-chatbot.yaml")
    if fmt == "html":
        page = tmp_path / "report.html"
        result = runner.invoke(app, ["report", rag, "-o", str(page)])
        text = re.sub(r"data:image/svg\+xml;base64,[^\"]+", "data:image/svg+xml;base64,CHART",
                      page.read_text(encoding="utf-8"))  # fmt: skip
        text = re.sub(r"costcalc \d[^ ]* ·", "costcalc VERSION ·", text)
    else:
        result = runner.invoke(app, ["compare", rag, "-f", fmt])
        text = result.stdout
        if fmt == "json":
            text = re.sub(r'"costcalc_version": "[^"]+"', '"costcalc_version": "VERSION"', text)
    assert result.exit_code == 0, result.stderr
    check_golden(GOLDEN / f"rag-support-chatbot.{ {'markdown': 'md'}.get(fmt, fmt) }", text)


def test_repository_project_file_checks_the_examples() -> None:
    from costcalc.io.project import load_project

    project = load_project(ROOT / "costcalc.yaml")
    assert all(entry.path.is_file() for entry in project.entries)
