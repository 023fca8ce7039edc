"""The Python API (costcalc.compare/check/diff): the same figures as the CLI, typed reports,
pandas frames, UserErrors rather than exits, and the README's example, run as written."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

import costcalc
from costcalc.cli import app
from costcalc.errors import InputFileError, UnknownIdError, UserError
from tests.conftest import ROOT, TODAY

RAG = ROOT / "profiles" / "rag-support-chatbot.yaml"
AGENT = ROOT / "profiles" / "tool-agent.yaml"
UNCERTAIN = ROOT / "profiles" / "seed-stage-uncertain.yaml"
runner = CliRunner()


def cli_json(*args: str) -> tuple[int, dict[str, object]]:
    result = runner.invoke(app, [*args, "--format", "json"])
    return result.exit_code, json.loads(result.stdout)


@pytest.fixture(scope="module")
def rag() -> costcalc.CompareResult:
    with pytest.MonkeyPatch.context() as mp:  # module scope: the autouse fixture is per test
        mp.setenv("COSTCALC_TODAY", TODAY.isoformat())
        return costcalc.compare(RAG)


# ---- compare ----------------------------------------------------------------------------------


def test_report_is_the_cli_json_report(rag: costcalc.CompareResult) -> None:
    code, data = cli_json("compare", str(RAG))
    assert code == 0
    assert rag.report.model_dump(mode="json") == data


def test_options_frame_has_the_report_figures_cheapest_first(rag: costcalc.CompareResult) -> None:
    _, data = cli_json("compare", str(RAG))
    frame = rag.options_frame()
    options = data["options"]
    assert isinstance(options, list)
    assert list(frame["id"]) == [o["id"] for o in options]
    assert list(frame["monthly_usd"]) == [o["monthly_usd"] for o in options]
    assert list(frame["usd_per_mtok"]) == [o["usd_per_mtok"] for o in options]
    # README and `costcalc check`: gpt-5-nano is the cheapest at $511/month
    assert frame.loc[0, "id"] == "openai/gpt-5-nano" and frame.loc[0, "monthly_usd"] == 511.19
    assert frame["monthly_usd"].is_monotonic_increasing
    selfs = frame[frame["kind"] == "self_hosted"]
    hosted = frame[frame["kind"] == "hosted"]
    assert len(selfs) == 2 and len(hosted) == 5
    assert selfs["replicas_peak"].notna().all() and hosted["replicas_peak"].isna().all()
    assert set(selfs["throughput_source"]) <= {"benchmark", "fit", "roofline", "model"}
    # labor is 8 h × $120 = $960/month of each self-hosted option's fixed cost
    gap = selfs["monthly_usd"] - selfs["monthly_usd_without_labor"]
    assert np.allclose(gap, 960.0, atol=0.02)
    notes = {o["id"]: "; ".join(o["notes"]) for o in options}
    assert dict(zip(frame["id"], frame["notes"], strict=True)) == notes


def test_breakeven_frame_has_one_row_per_pair(rag: costcalc.CompareResult) -> None:
    frame = rag.breakeven_frame()
    comparison = rag.comparison
    assert len(frame) == len(comparison.hosted) * len(comparison.self_hosted) == 5 * 2
    pairs = set(zip(frame["hosted"], frame["self_hosted"], strict=True))
    assert pairs == {(h.id, s.id) for h in comparison.hosted for s in comparison.self_hosted}
    for row, pair in zip(frame.itertuples(), rag.report.breakeven, strict=True):
        assert row.status == pair.status and row.cost_ratio == pair.cost_ratio
        assert pair.without_labor is not None
        assert row.without_labor_status == pair.without_labor.status
        if row.status == "crosses":  # tokens/day = requests/day × billed tokens per request
            billed = rag.report.inflation.billed_tokens_per_request
            assert billed is not None
            assert row.tokens_per_day == pytest.approx(
                row.requests_per_day * billed, rel=1e-5
            )  # rounded
        else:
            assert math.isnan(row.tokens_per_day) and math.isnan(row.requests_per_day)
    # "Self-hosting never beats it": gpt-5-nano is cheaper than both self-hosted options
    nano = frame[frame["hosted"] == "openai/gpt-5-nano"]
    assert (nano["cost_ratio"] > 1).all()


def test_curves_frame_is_the_featured_pair_over_the_range(rag: costcalc.CompareResult) -> None:
    frame = rag.curves_frame()
    assert list(frame.columns) == [
        "tokens_per_day", "requests_per_day", "option", "kind", "monthly_usd"
    ]  # fmt: skip
    featured = rag.report.featured
    assert featured is not None
    assert list(dict.fromkeys(frame["option"])) == [featured.hosted, featured.self_hosted]
    assert list(dict.fromkeys(frame["kind"])) == ["hosted", "self_hosted"]
    assert len(frame) == 2 * 240
    billed = rag.comparison.tokens.billed_tokens
    assert np.allclose(frame["tokens_per_day"], frame["requests_per_day"] * billed)
    assert rag.report.range is not None
    low, high = rag.report.range.tokens_per_day
    one = frame[frame["kind"] == "hosted"]
    assert one["tokens_per_day"].iloc[0] == pytest.approx(low)
    assert one["tokens_per_day"].iloc[-1] == pytest.approx(high)
    assert (frame["monthly_usd"] > 0).all()


def test_curves_frame_is_empty_without_a_pair(tmp_path: Path) -> None:
    data = yaml.safe_load(RAG.read_text(encoding="utf-8"))
    data["compare"]["self_hosted"] = []
    only_hosted = tmp_path / "hosted-only.yaml"
    only_hosted.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = costcalc.compare(only_hosted)
    frame = result.curves_frame()
    assert frame.empty and list(frame.columns)[-1] == "monthly_usd"
    assert result.breakeven_frame().empty and len(result.options_frame()) == 5


def test_compare_takes_the_cli_options() -> None:
    by_number = costcalc.compare(RAG, requests_per_day=80_000)
    by_text = costcalc.compare(str(RAG), requests_per_day="80k", range_tokens_per_day=("1M", 1e10))
    code, data = cli_json("compare", str(RAG), "--requests-per-day", "80k")
    assert code == 0 and by_number.report.model_dump(mode="json") == data
    assert by_text.report.volume.requests_per_day == 80_000
    assert by_text.report.range is not None
    assert by_text.report.range.tokens_per_day == (1e6, 1e10)


def test_monte_carlo_adds_quantile_columns() -> None:
    result = costcalc.compare(UNCERTAIN, monte_carlo=200, seed=3)
    code, data = cli_json("compare", str(UNCERTAIN), "--monte-carlo", "200", "--seed", "3")
    assert code == 0 and result.report.model_dump(mode="json") == data
    options = result.options_frame()
    assert {"monthly_usd_p10", "monthly_usd_p50", "monthly_usd_p90"} <= set(options.columns)
    assert (options["monthly_usd_p10"] <= options["monthly_usd_p90"]).all()
    breakeven = result.breakeven_frame()
    assert {"tokens_per_day_p50", "p_self_hosted_cheaper"} <= set(breakeven.columns)
    assert breakeven["p_self_hosted_cheaper"].between(0, 1).all()


# ---- check ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "flags", "kwargs"),
    [
        (RAG, [], {}),  # its budget: $3,000/month → pass
        (RAG, ["--max-monthly-usd", "400"], {"max_monthly_usd": 400}),  # $511 → fail
        (AGENT, [], {}),  # budget.option anthropic/claude-sonnet-4.6 → pass
        (AGENT, ["--option", "openai/gpt-5", "--max-usd-per-1k-requests", "1"],
         {"option": "openai/gpt-5", "max_usd_per_1k_requests": 1}),  # → fail
        (RAG, ["--quantile", "p90", "--monte-carlo", "200"],
         {"quantile": "p90", "monte_carlo": 200}),
    ],
)  # fmt: skip
def test_check_is_the_cli_check(profile: Path, flags: list[str], kwargs: dict[str, object]) -> None:
    report = costcalc.check(profile, **kwargs)  # type: ignore[arg-type]
    code, data = cli_json("check", str(profile), *flags)
    assert report.model_dump(mode="json") == data
    assert report.passed == (code == 0)


def test_check_without_profiles_reads_costcalc_yaml(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    report = costcalc.check()
    code, data = cli_json("check")
    assert code == 0 and report.passed and report.model_dump(mode="json") == data
    assert [r.profile for r in report.results] == [
        "rag-support-chatbot", "tool-agent", "article-selfhost-7b"
    ]  # fmt: skip


def test_check_raises_or_reports_a_bad_profile(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    with pytest.raises(InputFileError, match=re.escape(str(missing))):
        costcalc.check([RAG, missing])
    report = costcalc.check([RAG, missing], errors="report")
    code, data = cli_json("check", str(RAG), str(missing))
    assert code == 2 and report.model_dump(mode="json") == data
    assert [r.status for r in report.results] == ["pass", "error"] and not report.passed
    with pytest.raises(UnknownIdError, match="openai/gpt-5-nan"):
        costcalc.check(RAG, option="openai/gpt-5-nan")


# ---- diff -------------------------------------------------------------------------------------


def test_diff_of_a_profile_against_itself_shows_no_change() -> None:
    report = costcalc.diff(RAG, RAG, max_increase_pct=0)
    assert not report.changed and report.passed
    # gpt-5-nano ($511) is cheaper but its published median TTFT (7.5 s) misses the SLO
    assert report.gated.option == "fireworks/llama-3.1-8b-instruct" and report.gated.delta == 0


def test_diff_reads_saved_reports_and_results_like_the_cli(tmp_path: Path) -> None:
    base = tmp_path / "baseline.json"
    base.write_text(costcalc.compare(RAG).report.json_text(), encoding="utf-8")
    head = costcalc.compare(RAG, requests_per_day="80k")
    report = costcalc.diff(base, head, max_increase_pct=10)
    assert report.changed and not report.passed
    assert report.gated.past == 688.41 and report.gated.pct == pytest.approx(100, abs=0.01)
    code, data = cli_json("diff", str(base), str(AGENT), "--option", "openai/gpt-5-nano")
    assert costcalc.diff(base, AGENT, option="openai/gpt-5-nano").model_dump(mode="json") == data
    assert code == 0


# ---- errors -----------------------------------------------------------------------------------


def test_a_bad_path_raises_the_input_file_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    for call in (
        lambda: costcalc.compare(missing),
        lambda: costcalc.load_profile(missing),
        lambda: costcalc.diff(RAG, missing),
        lambda: costcalc.diff(tmp_path / "nope.json", RAG),
    ):
        with pytest.raises(InputFileError) as info:
            call()
        assert info.value.path.startswith(str(tmp_path / "nope"))
        assert str(info.value).startswith(str(tmp_path / "nope"))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"requests_per_day": -5},
        {"requests_per_day": "lots"},
        {"range_tokens_per_day": (10e6, 1e6)},
        {"monte_carlo": 5},
        {"seed": -1},
    ],
)
def test_bad_arguments_raise_user_errors(kwargs: dict[str, object]) -> None:
    with pytest.raises(UserError):
        costcalc.compare(RAG, **kwargs)  # type: ignore[arg-type]


def test_bad_check_and_diff_arguments_raise_user_errors() -> None:
    with pytest.raises(UserError, match="max_monthly_usd"):
        costcalc.check(RAG, max_monthly_usd=-1)
    with pytest.raises(UserError, match="p1 to p99"):
        costcalc.check(RAG, quantile="p900")
    with pytest.raises(UserError, match="max_increase_pct"):
        costcalc.diff(RAG, RAG, max_increase_pct=float("nan"))


def test_pinned_date_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    from costcalc.io.analyze import today

    assert today() == TODAY
    monkeypatch.setenv("COSTCALC_TODAY", "27/11/2026")
    with pytest.raises(UserError, match="COSTCALC_TODAY"):
        costcalc.compare(RAG)


# ---- the package ------------------------------------------------------------------------------


def test_package_exports_the_api_lazily() -> None:
    from costcalc import api

    for name in ("compare", "check", "diff", "load_profile", "CompareResult"):
        assert getattr(costcalc, name) is getattr(api, name) and name in dir(costcalc)
    assert costcalc.load_profile(RAG).profile.name == "rag-support-chatbot"
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = costcalc.nope  # type: ignore[attr-defined]


@pytest.mark.slow
def test_import_is_light_and_pandas_waits_for_a_frame() -> None:
    script = f"""
import sys
import costcalc
heavy = ("numpy", "pydantic", "pandas", "typer", "yaml")
assert not [m for m in heavy if m in sys.modules], [m for m in heavy if m in sys.modules]
r = costcalc.compare({str(RAG)!r})
assert "pandas" not in sys.modules and "typer" not in sys.modules
assert not [m for m in sys.modules if m.startswith("costcalc.cli")]
r.options_frame()
assert "pandas" in sys.modules
"""
    env_today = {"COSTCALC_TODAY": TODAY.isoformat()}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False,
        env={**os.environ, **env_today},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Python API (notebooks)\n", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, "the README's Python API section has no ```python block"
    return match.group(1)


def test_readme_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    code = readme_example()
    assert 'costcalc.compare("profiles/rag-support-chatbot.yaml")' in code
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), namespace)
    r = namespace["r"]
    assert isinstance(r, costcalc.CompareResult)
    assert r.report.verdict and r.report.verdict.startswith("At 40K requests/day")
    # the values the example's comments state
    assert r.options_frame().loc[0, "monthly_usd"] == 511.19
    assert not costcalc.check("profiles/rag-support-chatbot.yaml", max_monthly_usd=400).passed
    head = namespace["head"]
    assert isinstance(head, costcalc.CompareResult)
    assert not costcalc.diff(r, head, max_increase_pct=10).passed


@pytest.mark.slow
def test_readme_example_runs_outside_the_checkout(tmp_path: Path) -> None:
    """What a notebook next to a copy of the profiles does: nothing depends on the repo's cwd."""
    (tmp_path / "profiles").mkdir()
    shutil.copy(RAG, tmp_path / "profiles" / RAG.name)
    result = subprocess.run(
        [sys.executable, "-c", readme_example()], cwd=tmp_path, capture_output=True, text=True,
        check=False, env={**os.environ, "COSTCALC_TODAY": TODAY.isoformat()},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
