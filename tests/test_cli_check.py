"""check and diff as CI uses them: exit codes, every format, the project file, the PR recipe."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from costcalc.cli import app
from tests.conftest import ROOT

RAG = str(ROOT / "profiles" / "rag-support-chatbot.yaml")
AGENT = str(ROOT / "profiles" / "tool-agent.yaml")
CHECK_SCHEMA = json.loads((ROOT / "schemas" / "check.schema.json").read_text(encoding="utf-8"))
DIFF_SCHEMA = json.loads((ROOT / "schemas" / "diff.schema.json").read_text(encoding="utf-8"))
COMPARE_SCHEMA = json.loads((ROOT / "schemas" / "compare.schema.json").read_text(encoding="utf-8"))
runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_within_budget_exits_0_and_says_which_option() -> None:
    code, out, _ = run("check", RAG)  # budget: monthly_usd 3000, cheapest option
    assert code == 0
    # gpt-5-nano ($511) is cheaper but its published median TTFT (7.5 s) misses the 2 s SLO
    assert out.startswith(
        "PASS  rag-support-chatbot: fireworks/llama-3.1-8b-instruct (featured): $688/month"
    )


def test_over_budget_exits_1_with_option_figure_budget_and_excess() -> None:
    code, out, _ = run("check", RAG, "--max-monthly-usd", "400")
    assert code == 1
    # $688.41 against $400: $288.41 (72.1 %) over
    expected = (
        "FAIL  rag-support-chatbot: fireworks/llama-3.1-8b-instruct (featured): "
        "$688/month is over the $400/month budget by $288 (72.1%)"
    )
    assert expected in out


def test_profile_budget_option_and_flag_override() -> None:
    code, out, _ = run("check", AGENT)  # budget: 25,000, option anthropic/claude-sonnet-4.6
    assert code == 0 and "anthropic/claude-sonnet-4.6 (budget.option)" in out
    code, out, _ = run("check", AGENT, "--option", "openai/gpt-5", "--max-usd-per-1k-requests", "1")
    assert code == 1 and "openai/gpt-5 (--option)" in out and "per 1k requests" in out


def test_worst_exit_code_wins_and_bad_profiles_do_not_hide_others(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ntraffic: {requests_per_dya: 5}\n")
    code, out, _ = run("check", RAG, str(bad), "--max-monthly-usd", "400")
    assert code == 2
    assert (
        "FAIL  rag-support-chatbot" in out
        and "ERROR " in out
        and "did you mean `requests_per_day`" in out
    )
    assert "1 over, 0 without a budget, 1 invalid" in out


def test_json_format_matches_its_schema() -> None:
    code, out, _ = run("check", RAG, AGENT, "--max-usd-per-mtok", "0.5", "-f", "json")
    data = json.loads(out)
    jsonschema.validate(data, CHECK_SCHEMA)
    assert code == 1 and not data["passed"]
    statuses = {r["profile"]: r["status"] for r in data["results"]}
    assert statuses == {"rag-support-chatbot": "pass", "tool-agent": "fail"}


def test_junit_is_valid_xml_with_a_case_per_gate(tmp_path: Path) -> None:
    report = tmp_path / "junit.xml"
    code, _, _ = run(
        "check",
        RAG,
        AGENT,
        "--max-monthly-usd",
        "3700",
        "--max-usd-per-mtok",
        "0.5",
        "-f",
        "junit",
        "-o",
        str(report),
    )
    assert code == 1
    root = ET.parse(report).getroot()
    suite = root.find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert len(cases) == 4 and {c.get("name") for c in cases} == {"monthly_usd", "usd_per_mtok"}
    failed = [c for c in cases if c.find("failure") is not None]
    # tool-agent: $3,783 > $3,700 and $0.797/M > $0.50/M; rag: $0.100/M fine, $688 fine
    assert {(c.get("classname"), c.get("name")) for c in failed} == {
        ("costcalc.tool-agent", "monthly_usd"),
        ("costcalc.tool-agent", "usd_per_mtok"),
    }
    assert suite.get("failures") == "2" and suite.get("tests") == "4"
    # valid against the Apache Ant JUnit schema (tests/fixtures/junit/JUnit.xsd): the run's
    # time, timestamp (local, to the second, no zone) and host, and each case's time
    import xmlschema

    xmlschema.XMLSchema(str(ROOT / "tests" / "fixtures" / "junit" / "JUnit.xsd")).validate(
        str(report)
    )
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", suite.get("timestamp", ""))
    assert suite.get("hostname") and float(suite.get("time", "-1")) > 0
    assert all(float(c.get("time", "-1")) >= 0 for c in cases)
    # a passing gate's sentence is kept, in the suite's output
    out = suite.findtext("system-out") or ""
    assert "PASS  rag-support-chatbot: fireworks/llama-3.1-8b-instruct (featured)" in out


def test_github_annotations_and_step_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out, _ = run("check", RAG, "--max-monthly-usd", "400", "-f", "github")
    assert code == 1
    # the path from the repository root; the line of the volume (the budget came from a flag)
    line = next(
        n for n, text in enumerate(Path(RAG).read_text().splitlines(), 1)
        if text.strip().startswith("requests_per_day:")
    )  # fmt: skip
    expected = (
        f"::error file=profiles/rag-support-chatbot.yaml,line={line},title=costcalc budget "
        "exceeded::rag-support-chatbot:"
    )
    assert expected in out
    assert "(72.1%25)" in out  # '%' escaped as GitHub requires
    assert summary.read_text(encoding="utf-8").startswith("### costcalc check")


def test_markdown_format() -> None:
    code, out, _ = run("check", RAG, "-f", "markdown")
    assert code == 0 and out.startswith("### costcalc check") and "✅ pass" in out


def test_project_file_lists_profiles_and_budgets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".git").mkdir()
    shutil.copy(RAG, tmp_path / "rag.yaml")
    shutil.copy(AGENT, tmp_path / "agent.yaml")
    (tmp_path / "costcalc.yaml").write_text(
        yaml.safe_dump(
            {
                "profiles": [
                    {"path": "rag.yaml", "budget": {"monthly_usd": 450}},
                    {"path": "agent.yaml"},
                ],
            }
        ),
        encoding="utf-8",
    )
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    code, out, _ = run("check")
    assert code == 1
    assert (
        "FAIL  rag-support-chatbot" in out
        and "$450/month budget" in out
        and "PASS  tool-agent" in out
    )


def test_no_profiles_and_no_project_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    code, _, err = run("check")
    assert code == 2 and "no costcalc.yaml found" in err


def test_diff_of_two_profiles_and_its_gates(tmp_path: Path) -> None:
    head = tmp_path / "head.yaml"
    data = yaml.safe_load(Path(AGENT).read_text(encoding="utf-8"))
    data["traffic"]["conversations_per_day"] = 2000
    head.write_text(yaml.safe_dump(data), encoding="utf-8")
    code, out, _ = run("diff", AGENT, str(head), "--max-increase-pct", "10")
    assert code == 1
    # the profile's budget.option, as check gates it (issue 13: one rule); 1,500 → 2,000 tasks:
    # anthropic/claude-sonnet-4.6 +1/3 (linear: its cache hits are already ~100 %),
    # $3,782.51 → $5,043.34, +$1,260.83 (shown rounded to whole dollars)
    assert out.startswith(
        "tool-agent: anthropic/claude-sonnet-4.6 (budget.option) $3,783 → $5,043/month "
        "(+$1,261, +33.3%)"
    )
    assert "--max-increase-pct 10: increase +33.33%, OVER" in out
    code, out, _ = run("diff", AGENT, str(head), "--max-increase-pct", "50", "-f", "json")
    data = json.loads(out)
    jsonschema.validate(data, DIFF_SCHEMA)
    assert code == 0 and data["passed"] and data["gated"]["pct"] == pytest.approx(33.33, abs=0.01)


def test_diff_markdown_is_silent_when_nothing_changed(tmp_path: Path) -> None:
    saved = tmp_path / "base.json"
    code, out, _ = run("compare", AGENT, "-f", "json")
    saved.write_text(out, encoding="utf-8")
    code, out, _ = run("diff", str(saved), AGENT, "-f", "markdown")
    assert code == 0 and out == ""
    code, out, _ = run("diff", str(saved), AGENT)
    assert "no change in costs, volumes or break-even" in out


def test_diff_refuses_files_that_are_not_reports(tmp_path: Path) -> None:
    fake = tmp_path / "base.json"
    fake.write_text('{"hello": 1}')
    code, _, err = run("diff", str(fake), AGENT)
    assert code == 2 and "not a costcalc compare report" in err


@pytest.mark.slow
def test_pull_request_recipe_in_a_git_repository(tmp_path: Path) -> None:
    """Baseline JSON from main, a profile change on a branch fails the gate, reverting passes."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    costcalc = [sys.executable, "-m", "costcalc"]
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
    }

    def sh(*cmd: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            cmd, cwd=tmp_path, env=env, capture_output=True, text=True, check=False
        )

    sh("git", "init", "-q", "-b", "main")
    shutil.copy(AGENT, tmp_path / "agent.yaml")
    sh("git", "add", "agent.yaml")
    sh("git", "commit", "-qm", "profile")
    baseline = sh(*costcalc, "compare", "agent.yaml", "--format", "json")
    assert baseline.returncode == 0
    (tmp_path / "baseline.json").write_text(baseline.stdout, encoding="utf-8")
    jsonschema.validate(json.loads(baseline.stdout), COMPARE_SCHEMA)

    sh("git", "checkout", "-qb", "longer-prompt")
    text = (tmp_path / "agent.yaml").read_text(encoding="utf-8")
    (tmp_path / "agent.yaml").write_text(
        text.replace("system_prompt: {tokens: 2500}", "system_prompt: {tokens: 6000}")
    )
    sh("git", "commit", "-qam", "a longer system prompt")
    gate_args = ("diff", "baseline.json", "agent.yaml", "--max-increase-pct", "5", "-f", "markdown")
    gate = sh(*costcalc, *gate_args)
    assert gate.returncode == 1, gate.stderr
    assert (
        gate.stdout.startswith("<!-- costcalc diff -->")
        and "❌ --max-increase-pct 5" in gate.stdout
    )

    sh("git", "revert", "--no-edit", "HEAD")
    passed = sh(*costcalc, *gate_args)
    assert passed.returncode == 0 and passed.stdout == ""


def test_diff_github_annotations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    head = tmp_path / "head.yaml"
    head.write_text(
        Path(AGENT).read_text(encoding="utf-8").replace("user_tokens: 400", "user_tokens: 800")
    )
    code, out, _ = run("diff", AGENT, str(head), "--max-increase-usd", "100", "-f", "github")
    assert code == 1
    assert out.startswith(
        "::error title=costcalc cost increase::tool-agent: anthropic/claude-sonnet-4.6 "
        "(budget.option)"
    )
    assert "::notice title=costcalc diff::" in out
    assert summary.read_text(encoding="utf-8").startswith("<!-- costcalc diff -->")


def test_gitlab_code_quality_points_at_the_budget_that_broke(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a repository of one profile whose own budget breaks: the issue points at that budget's
    # line, by a path from the repository root, with a fingerprint that stays put run to run
    (tmp_path / ".git").mkdir()
    (tmp_path / "profiles").mkdir()
    profile = tmp_path / "profiles" / "rag.yaml"
    text = Path(RAG).read_text(encoding="utf-8")
    assert "budget: {monthly_usd: 3000}" in text
    profile.write_text(text.replace("budget: {monthly_usd: 3000}", "budget: {monthly_usd: 400}"))
    budget_line = 1 + text.split("budget: {monthly_usd: 3000}")[0].count("\n")
    monkeypatch.chdir(tmp_path / "profiles")
    code, out, _ = run("check", str(profile), "-f", "gitlab")
    assert code == 1
    (issue,) = json.loads(out)
    assert issue["check_name"] == "costcalc-budget" and issue["severity"] == "major"
    assert issue["location"] == {"path": "profiles/rag.yaml", "lines": {"begin": budget_line}}
    assert "over the $400/month budget" in issue["description"]
    again = json.loads(run("check", str(profile), "-f", "gitlab")[1])
    assert again[0]["fingerprint"] == issue["fingerprint"] and len(issue["fingerprint"]) == 32
    # a passing check is no issue
    assert (
        json.loads(run("check", str(profile), "--max-monthly-usd", "5000", "-f", "gitlab")[1]) == []
    )


def test_annotation_properties_are_escaped() -> None:
    from costcalc.render.check import annotation

    # GitHub ends a property at ',' and the properties at '::'
    assert annotation("error", "t", "50% over", "a,b:c.yaml", 7) == (
        "::error file=a%2Cb%3Ac.yaml,line=7,title=t::50%25 over"
    )
