"""Profiles with distributions: means as point values, clear errors, Monte Carlo via the CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from costcalc.cli import app
from costcalc.errors import InputFileError
from costcalc.io.profiles import load_profile
from costcalc.schema.uncertain import Lognormal, Triangular, Uniform
from tests.conftest import ROOT

runner = CliRunner()
EXAMPLE = ROOT / "profiles" / "seed-stage-uncertain.yaml"
SCHEMA = json.loads((ROOT / "schemas" / "compare.schema.json").read_text(encoding="utf-8"))


def write(tmp_path: Path, **sections: object) -> Path:
    data = {"name": "u", "traffic": {"requests_per_day": 1000}, **sections}
    path = tmp_path / "u.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_point_values_are_the_means(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        traffic={"requests_per_day": {"median": 20_000, "p90": 60_000}},
        request={
            "user_tokens": {"low": 100, "high": 300},
            "output_tokens": {"low": 100, "mode": 200, "high": 600},
            "conversation": {"turns": {"low": 2, "high": 5}},
        },
    )
    loaded = load_profile(path)
    profile = loaded.profile
    # lognormal: σ = ln 3 / 1.28155 = 0.857253, e^(σ²/2) = e^0.367441 = 1.444034 → 28,880.7
    sigma = math.log(3) / 1.2815515655446004
    assert profile.traffic.requests_per_day == pytest.approx(20_000 * math.exp(sigma**2 / 2))
    assert profile.traffic.requests_per_day == pytest.approx(28_880.7, abs=0.05)
    assert profile.request.user_tokens == 200  # (100 + 300) / 2
    assert profile.request.output_tokens == pytest.approx(300)  # (100 + 200 + 600) / 3
    # turns must be whole: the mean 3.5 rounds to 4 (Python rounds half to even) and says so
    assert profile.request.conversation.turns == 4
    assert any("conversation.turns" in w and "3.5" in w for w in loaded.warnings)
    assert set(loaded.uncertain) == {
        "traffic.requests_per_day",
        "request.user_tokens",
        "request.output_tokens",
        "request.conversation.turns",
    }
    assert isinstance(loaded.uncertain["request.output_tokens"], Triangular)
    assert isinstance(loaded.uncertain["request.user_tokens"], Uniform)
    assert isinstance(loaded.uncertain["traffic.requests_per_day"], Lognormal)


@pytest.mark.parametrize(
    ("sections", "field", "message"),
    [
        ({"slo": {"ttft_ms": {"low": 1, "high": 2}}}, "slo.ttft_ms", "targets or choices"),
        (
            {"request": {"user_tokens": {"median": 100, "p90": 50}}},
            "request.user_tokens",
            "`p90` must be above `median`",
        ),
        (
            {"request": {"user_tokens": {"low": 300, "high": 100}}},
            "request.user_tokens",
            "`high` must be above `low`",
        ),
        (
            {"request": {"user_tokens": {"median": 100, "low": 50}}},
            "request.user_tokens",
            "low: Extra inputs are not permitted",
        ),
        (
            {"traffic": {"requests_per_day": 100, "burst_factor": {"low": 0.5, "high": 2}}},
            "traffic.burst_factor",
            "must stay within 1 to 20",
        ),
    ],
)
def test_bad_distributions_name_the_field(
    tmp_path: Path, sections: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(InputFileError) as caught:
        load_profile(write(tmp_path, **sections))
    assert caught.value.field == field
    assert message in str(caught.value)


def test_monte_carlo_json_is_seeded_byte_for_byte() -> None:
    args = ["compare", str(EXAMPLE), "--monte-carlo", "2000", "-f", "json"]
    first = runner.invoke(app, [*args, "--seed", "5"])
    again = runner.invoke(app, [*args, "--seed", "5"])
    other = runner.invoke(app, [*args, "--seed", "6"])
    assert first.exit_code == 0, first.stderr
    assert first.stdout == again.stdout
    assert first.stdout != other.stdout
    data = json.loads(first.stdout)
    jsonschema.validate(data, SCHEMA)
    assert data["monte_carlo"]["samples"] == 2000 and data["monte_carlo"]["seed"] == 5
    for option in data["options"]:
        q = option["monthly_usd_quantiles"]
        assert q["p10"] <= q["p50"] <= q["p90"]
    for pair in data["breakeven"]:
        assert 0 <= pair["p_self_hosted_cheaper"] <= 1
        assert sum(pair["status_shares"].values()) == pytest.approx(1.0)
    plain = json.loads(runner.invoke(app, ["compare", str(EXAMPLE), "-f", "json"]).stdout)
    assert plain["monte_carlo"] is None and "monthly_usd_quantiles" not in plain["options"][0]


def test_text_report_shows_ranges_beside_the_point_figures() -> None:
    result = runner.invoke(
        app, ["compare", str(EXAMPLE), "--monte-carlo", "1000", "--width", "100"]
    )
    assert result.exit_code == 0, result.stderr
    assert "Monte Carlo: 1,000 samples (seed 0) of 8 uncertain inputs" in result.stdout
    assert "P10–P90" in result.stdout and "P10–P90 · P" in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 100


def test_check_gates_on_a_quantile(tmp_path: Path) -> None:
    # the example's point cost is within its $6,000 budget; its P90 is not
    point = runner.invoke(app, ["check", str(EXAMPLE)])
    assert point.exit_code == 0, point.stdout
    pessimistic = runner.invoke(
        app, ["check", str(EXAMPLE), "--quantile", "p90", "--monte-carlo", "2000", "-f", "json"]
    )
    assert pessimistic.exit_code == 1, pessimistic.stdout
    (gate,) = json.loads(pessimistic.stdout)["results"][0]["gates"]
    assert gate["basis"] == "p90" and gate["projected"] > gate["limit"] == 6000
    bad = runner.invoke(app, ["check", str(EXAMPLE), "--quantile", "q90"])
    assert bad.exit_code == 2 and "expected p1 to p99" in bad.stderr
    few = runner.invoke(app, ["compare", str(EXAMPLE), "--monte-carlo", "10"])
    assert few.exit_code == 2


def test_check_quantile_without_uncertain_inputs_says_so() -> None:
    result = runner.invoke(
        app,
        ["check", str(ROOT / "profiles" / "rag-support-chatbot.yaml"), "--quantile", "p90"],
    )
    assert result.exit_code == 0, result.stdout
    assert "p90 $" in result.stdout and "no uncertain inputs" in result.stdout


def test_markdown_carries_the_ranges_too() -> None:
    result = runner.invoke(app, ["compare", str(EXAMPLE), "--monte-carlo", "500", "-f", "markdown"])
    assert result.exit_code == 0, result.stderr
    assert "| P10–P90 |" in result.stdout and "P10–P90 · P(cheaper)" in result.stdout
    assert "Monte Carlo: 500 samples" in result.stdout
