"""The pull-request recipe, project-wide: a baseline of every profile on the target branch, a
branch that triples one profile's traffic, adds one and removes another (issue 13)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from costcalc.cli import app
from tests.conftest import ROOT

runner = CliRunner()
PROJECT = """schema_version: 1
profiles:
{entries}
"""


def _project(root: Path, entries: list[str]) -> None:
    (root / "costcalc.yaml").write_text(
        PROJECT.format(entries="\n".join(f"  - {e}" for e in entries)), encoding="utf-8"
    )


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()  # the repository root
    (tmp_path / "profiles").mkdir()
    for name in ("rag-support-chatbot", "tool-agent", "batch-summarisation", "article-selfhost-7b"):
        shutil.copy(ROOT / "profiles" / f"{name}.yaml", tmp_path / "profiles")
    _project(tmp_path, [
        "path: profiles/rag-support-chatbot.yaml",
        "path: profiles/tool-agent.yaml",
        "path: profiles/batch-summarisation.yaml",
    ])  # fmt: skip
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_baseline_then_a_branch_that_triples_adds_and_removes(repo: Path) -> None:
    made = runner.invoke(app, ["compare", "--project", "-f", "json", "-o", "baseline.json"])
    assert made.exit_code == 0, made.stderr
    baseline = json.loads((repo / "baseline.json").read_text(encoding="utf-8"))
    assert baseline["command"] == "compare --project"
    schemas = ROOT / "schemas"
    jsonschema.validate(baseline, json.loads((schemas / "compare-project.schema.json").read_text()))
    assert [r["path"] for r in baseline["reports"]] == [
        "profiles/rag-support-chatbot.yaml", "profiles/tool-agent.yaml",
        "profiles/batch-summarisation.yaml",
    ]  # fmt: skip
    # the branch: three times the agent's tasks, the article's profile added, batch removed
    agent = repo / "profiles" / "tool-agent.yaml"
    text = agent.read_text(encoding="utf-8")
    assert "conversations_per_day: 1500" in text
    agent.write_text(text.replace("conversations_per_day: 1500", "conversations_per_day: 4500"))
    _project(repo, [
        "path: profiles/rag-support-chatbot.yaml",
        "path: profiles/tool-agent.yaml",
        "path: profiles/article-selfhost-7b.yaml\n    budget: {monthly_usd: 2000}",
    ])  # fmt: skip
    result = runner.invoke(app, ["diff", "--baseline", "baseline.json", "--max-increase-pct", "10",
                                 "-f", "json"])  # fmt: skip
    assert result.exit_code == 1, result.stderr
    data = json.loads(result.stdout)
    jsonschema.validate(data, json.loads((schemas / "diff-project.schema.json").read_text()))
    status = {p["path"]: p["status"] for p in data["profiles"]}
    assert status == {
        "profiles/rag-support-chatbot.yaml": "unchanged",
        "profiles/tool-agent.yaml": "changed",
        "profiles/article-selfhost-7b.yaml": "new",
        "profiles/batch-summarisation.yaml": "removed",
    }
    by_path = {p["path"]: p for p in data["profiles"]}
    agent_diff = by_path["profiles/tool-agent.yaml"]["diff"]
    # the profile's budget.option, gated as `check` gates it: $3,782.51 → ×3 (cache hits are
    # already ~100 %, so linear) = $11,347.53
    assert agent_diff["gated"]["option"] == "anthropic/claude-sonnet-4.6"
    assert agent_diff["gated"]["chosen_by"] == "budget.option"
    assert agent_diff["gated"]["current"] == pytest.approx(
        3 * agent_diff["gated"]["past"], rel=1e-3
    )
    new = by_path["profiles/article-selfhost-7b.yaml"]["check"]
    assert new["status"] == "pass" and new["chosen_by"] == "featured"  # $1,290 < $2,000
    removed = by_path["profiles/batch-summarisation.yaml"]["past_usd"]
    rag = by_path["profiles/rag-support-chatbot.yaml"]["diff"]["gated"]
    # total: every gated cost of the baseline (with the removed profile) → now (with the new)
    past = rag["past"] + agent_diff["gated"]["past"] + removed
    now = rag["current"] + agent_diff["gated"]["current"] + new["monthly_usd"]
    assert data["total"]["past"] == pytest.approx(past, abs=0.02)
    assert data["total"]["current"] == pytest.approx(now, abs=0.02)
    assert [g["passed"] for g in data["gates"]] == [False] and not data["passed"]
    # the comment body: only what changed, the total, the broken gates; a marker to find it
    md = runner.invoke(app, ["diff", "--baseline", "baseline.json", "-f", "markdown"]).stdout
    assert md.startswith("<!-- costcalc diff -->") and "unchanged" not in md
    assert "rag-support-chatbot" not in md and "removed" in md and "new: $1,290/month" in md
    # nothing changed: exit 0 and an empty comment
    again = runner.invoke(app, ["compare", "--project", "-f", "json", "-o", "now.json"])
    assert again.exit_code == 0
    same = runner.invoke(app, ["diff", "--baseline", "now.json", "-f", "markdown",
                               "--max-increase-pct", "10"])  # fmt: skip
    assert same.exit_code == 0 and same.stdout == ""


def test_baseline_errors_exit_2(repo: Path) -> None:
    (repo / "report.json").write_text('{"schema_version": 2}', encoding="utf-8")
    bad = runner.invoke(app, ["diff", "--baseline", "report.json"])
    assert bad.exit_code == 2 and "not a project baseline" in bad.stderr
    both = runner.invoke(app, ["diff", "a.json", "b.json", "--baseline", "report.json"])
    assert both.exit_code == 2
    none = runner.invoke(app, ["diff", "--baseline", "report.json", "--no-project"])
    assert none.exit_code == 2 and "costcalc.yaml" in none.stderr


def test_the_project_file_governs_compare(repo: Path) -> None:
    # its catalogs and default range apply to a single profile too; --no-project ignores them
    (repo / "costcalc.yaml").write_text(
        (repo / "costcalc.yaml").read_text(encoding="utf-8") + "range: 10k:1Mreq\n",
        encoding="utf-8",
    )
    rag = "profiles/rag-support-chatbot.yaml"
    with_project = json.loads(runner.invoke(app, ["compare", rag, "-f", "json"]).stdout)
    assert with_project["range"]["requests_per_day"] == [10_000, 1_000_000]
    without = json.loads(runner.invoke(app, ["compare", rag, "-f", "json", "--no-project"]).stdout)
    assert without["range"]["requests_per_day"] != [10_000, 1_000_000]


def test_a_bad_project_range_names_the_project_file(repo: Path) -> None:
    (repo / "costcalc.yaml").write_text(
        (repo / "costcalc.yaml").read_text(encoding="utf-8") + "range: abc\n", encoding="utf-8"
    )
    for command in (
        ["compare", "profiles/tool-agent.yaml"],
        ["sensitivity", "profiles/tool-agent.yaml"],
    ):
        result = runner.invoke(app, command)
        assert result.exit_code == 2
        assert "costcalc.yaml: field `range`: 'abc': expected LOW:HIGH" in result.stderr
        assert "--range" not in result.stderr  # the flag was not given
