"""The README's table of the article's flips is what costcalc computes today (item 8, issue 12)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from costcalc.cli import app
from costcalc.render.fmt import si, usd
from tests.conftest import ROOT

ARTICLE = ROOT / "profiles" / "article-selfhost-7b.yaml"


def _readme_rows() -> dict[str, list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## What the article's claims look like", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "---" not in line]
    cells = [[c.strip() for c in row.strip("|").split("|")] for row in rows[1:]]
    return {c[0]: c[1:] for c in cells}


def _volume(side: dict[str, float]) -> str:
    return f"{si(side['requests_per_day'])} calls/day ({si(side['tokens_per_day'])} tokens/day)"


def test_readme_article_table_is_what_compare_computes() -> None:
    result = CliRunner().invoke(
        app, ["compare", str(ARTICLE), "--range", "100:10Mreq", "-f", "json"]
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    rows = _readme_rows()
    assert list(rows) == [v["label"] for v in data["verdicts"]]
    for v in data["verdicts"]:
        offer, with_labor, without_labor = rows[v["label"]]
        assert offer == f"{v['hosted']}, {usd(v['hosted_monthly_usd'])}"
        assert v["with_labor"]["status"] == "crosses" == v["without_labor"]["status"]
        assert with_labor == _volume(v["with_labor"])
        assert without_labor == _volume(v["without_labor"])
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())  # unwrapped
    best = {v["self_hosted"] for v in data["verdicts"]}
    assert len(best) == 1 and f"(`{best.pop()}`)" in readme
    # the prose's claims, recomputed: only frontier without labor flips under 10M tokens/day,
    # small/nano flips under 1M calls/day, the same model's host only above it
    by_class = {v["model_class"]: v for v in data["verdicts"]}
    under_10m = [
        (v["model_class"], labor)
        for v in data["verdicts"]
        for labor in ("with_labor", "without_labor")
        if v[labor]["tokens_per_day"] <= 10e6
    ]
    assert under_10m == [("frontier", "without_labor")]
    assert by_class["small"]["with_labor"]["requests_per_day"] < 1e6
    assert by_class["open"]["with_labor"]["requests_per_day"] > 1e6
    assert data["verdict"].startswith("At 1.2M requests/day (1.9B tokens/day) keep the API")
    shares = sorted(v["cost_at"]["dominant_share"] for v in data["verdicts"][:3])
    assert {v["cost_at"]["dominant"] for v in data["verdicts"][:3]} == {"labor"}
    assert (
        f"labor is {shares[0]:.0%}–{shares[-1]:.0%} of the self-hosted cost".replace("%–", "–")
        in readme
    )
    last = data["verdicts"][3]["cost_at"]
    assert (
        last["dominant"] == "GPU usage"
        and f"GPU usage is the largest part ({last['dominant_share']:.0%})" in readme
    )
