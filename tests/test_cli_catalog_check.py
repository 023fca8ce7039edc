"""`costcalc catalog check`: stale and deprecated entries, what profiles use them, exit codes."""

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


def overlay(folder: Path, **changes: Any) -> Path:
    """A catalog folder with one hosted offer: a copy of gpt-4o-mini under the id test/old."""
    offers = yaml.safe_load((ROOT / "pricing" / "hosted.yaml").read_text(encoding="utf-8"))
    offer = next(o for o in offers["offers"] if o["id"] == "openai/gpt-4o-mini")
    offer = {**offer, "id": "test/old", **changes}
    folder.mkdir(exist_ok=True)
    text = yaml.safe_dump({"schema_version": 1, "offers": [offer]}, sort_keys=False)
    (folder / "hosted.yaml").write_text(text, encoding="utf-8")
    return folder


def profile(folder: Path) -> Path:
    path = folder / "p.yaml"
    path.write_text("schema_version: 1\nname: t\ntraffic: {requests_per_day: 1000}\n"
                    "compare:\n  hosted: [test/old, openai/gpt-4o-mini]\n")  # fmt: skip
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["catalog", "check", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COSTCALC_TODAY", "2026-11-30")
    monkeypatch.chdir(tmp_path)  # no costcalc.yaml above: only the profiles given


def test_a_used_offer_past_its_date_or_too_old_fails(tmp_path: Path) -> None:
    cat = overlay(tmp_path / "cat", as_of="2026-01-02", deprecation_date="2026-11-01")
    code, out, err = run(str(profile(tmp_path)), "--catalog", str(cat), "-f", "json")
    assert code == 1, err
    report = json.loads(out)
    mine = [f for f in report["findings"] if f["id"] == "test/old"]
    # 2026-01-02 to 2026-11-30: 332 days, over 120
    assert [(f["kind"], f["fails"], f["named_by"]) for f in mine] == [
        ("deprecated", True, [str(tmp_path / "p.yaml")]),
        ("stale", True, [str(tmp_path / "p.yaml")]),
    ]
    assert mine[1]["text"] == "priced 332 days ago (2026-01-02), over 120"
    assert mine[0]["file"].endswith("cat/hosted.yaml") and mine[0]["line"] == 3
    # the successor: OpenAI's cheapest small offer not itself deprecated within 30 days
    assert "successor: openai/" in mine[0]["text"]
    assert "successor: openai/gpt-5-nano" not in mine[0]["text"]  # retires 2026-12-11
    # failing findings come first, and the summary counts them
    assert report["findings"][0]["fails"] and report["summary"].startswith("2 failing")


def test_unused_old_entries_only_warn_and_the_limit_is_a_flag(tmp_path: Path) -> None:
    cat = overlay(tmp_path / "cat", as_of="2026-10-01")
    # test/old is 60 days old: fine at 120, stale at 30; no profile uses it: never failing
    code, out, _ = run("--catalog", str(cat), "--max-age-days", "30")
    assert code == 0
    assert "WARN  stale       test/old  (cat/hosted.yaml:3)" in out
    assert "      priced 60 days ago (2026-10-01), over 30" in out
    code, out, _ = run(str(profile(tmp_path)), "--catalog", str(cat), "--today", "2026-10-15",
                       "--max-age-days", "3650")  # fmt: skip
    assert "test/old" not in out


def test_github_annotations_point_at_the_entry(tmp_path: Path) -> None:
    cat = overlay(tmp_path / "cat", deprecation_date="2026-12-10")
    code, out, _ = run(str(profile(tmp_path)), "--catalog", str(cat), "-f", "github")
    assert code == 0  # retiring in 10 days: a warning, not a failure
    line = next(x for x in out.splitlines() if "test/old" in x)
    assert line.startswith("::warning file=cat/hosted.yaml,line=3,title=costcalc catalog%3A ")
    assert "test/old: deprecated on 2026-12-10, in 10 days; successor:" in line


def test_a_broken_catalog_lists_every_problem_and_exits_2(tmp_path: Path) -> None:
    cat = overlay(tmp_path / "cat")
    text = (cat / "hosted.yaml").read_text(encoding="utf-8")
    body = text.split("offers:\n", 1)[1]
    (cat / "hosted.yaml").write_text(text + body, encoding="utf-8")  # test/old twice
    compute = yaml.safe_load((ROOT / "pricing" / "compute.yaml").read_text(encoding="utf-8"))
    entry = {**compute["offers"][0], "id": "test/box", "gpu": "no-such-gpu"}
    (cat / "compute.yaml").write_text(yaml.safe_dump({"schema_version": 1, "offers": [entry]}))
    code, out, _ = run("--catalog", str(cat))
    assert code == 2
    assert "ERROR error       cat/hosted.yaml  (cat/hosted.yaml:" in out
    assert "duplicate id `test/old`" in out
    assert "unknown GPU `no-such-gpu`" in out and "cat/compute.yaml:" in out


def test_a_catalog_that_does_not_load_is_a_finding_in_the_format_asked(tmp_path: Path) -> None:
    cat = overlay(tmp_path / "cat", price_basis={"usd_per_mtok_input": "unlisted"})
    code, out, _ = run("--catalog", str(cat), "-f", "json")
    report = json.loads(out)
    assert code == 2 and report["fails"] and report["findings"][0]["kind"] == "error"
    assert "needs price_basis_note" in report["findings"][0]["text"]
    assert report["summary"].startswith("1 failing: 1 error")


def test_annotations_are_from_the_repository_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "ci").mkdir()
    cat = overlay(tmp_path / "ci" / "cat", deprecation_date="2026-12-10")
    monkeypatch.chdir(tmp_path / "ci")
    code, out, _ = run("--catalog", "cat", "-f", "github")
    line = next(x for x in out.splitlines() if "test/old" in x)
    assert code == 0 and line.startswith("::warning file=ci/cat/hosted.yaml,line=3,")
    assert cat.is_dir()
    # the installed catalog is no file of the repository: its annotations name none
    assert all("file=" not in x for x in out.splitlines() if "openai/gpt-5 " in x)
