"""`costcalc report` and `--plot`: real images, a self-contained page, rendered by Chromium."""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from costcalc.cli import app
from tests.conftest import ROOT

runner = CliRunner()
EXAMPLE = str(ROOT / "profiles" / "seed-stage-uncertain.yaml")
HOSTED_BLUE, SELF_RED = (31, 119, 180), (214, 39, 40)  # render/plot.py's COLORS


def pixels_near(image: Image.Image, color: tuple[int, int, int], tolerance: int = 40) -> int:
    rgb = np.asarray(image.convert("RGB")).astype(int)
    return int((np.abs(rgb - np.array(color)).sum(axis=2) < tolerance).sum())


def test_plot_png_is_a_real_image_of_the_right_size(tmp_path: Path) -> None:
    out = tmp_path / "costs.png"
    result = runner.invoke(app, ["compare", EXAMPLE, "--monte-carlo", "500", "--plot", str(out)])
    assert result.exit_code == 0, result.stderr
    with Image.open(out) as image:
        assert image.format == "PNG" and image.size == (1000, 560)  # 10 × 5.6 in at 100 dpi
        # both curves drawn: the hosted line in blue, the self-hosted staircase in red
        assert pixels_near(image, HOSTED_BLUE) > 500 and pixels_near(image, SELF_RED) > 500


def test_plot_svg_is_valid_and_reproducible(tmp_path: Path) -> None:
    first, second = tmp_path / "a.svg", tmp_path / "b.svg"
    for out in (first, second):
        result = runner.invoke(app, ["compare", EXAMPLE, "--plot", str(out)])
        assert result.exit_code == 0, result.stderr
    root = ET.fromstring(first.read_bytes())
    assert root.tag.endswith("svg") and root.get("width") == "720pt"  # 10 in × 72 pt
    assert first.read_bytes() == second.read_bytes()
    bad = runner.invoke(app, ["compare", EXAMPLE, "--plot", str(tmp_path / "c.gif")])
    assert bad.exit_code == 2 and "name a .png or .svg file" in bad.stderr


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    result = runner.invoke(
        app, ["report", EXAMPLE, "--monte-carlo", "2000", "--seed", "1", "-o", str(out)]
    )
    assert result.exit_code == 0, result.stderr
    return out


def test_report_is_self_contained(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    # nothing to fetch: no scripts, stylesheets or images from elsewhere
    assert "<script" not in text and "<link" not in text
    assert not re.search(r'src="(https?:)?//', text)
    # a page worth forwarding: the class verdict and savings first, price sources as links,
    # display names, no raw Markdown
    assert text.index('class="savings"') < text.index("By class of hosted API")
    assert text.index("By class of hosted API") < text.index("Monthly cost at your volume")
    assert re.search(r'<a href="https://[^"]+">https://', text)
    assert "`" not in text
    # hosted: provider and model as the catalog names them, the id beside
    assert "Google Gemini API gemini-2.5-flash-lite (google/gemini-2.5-flash-lite)" in text
    charts = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', text)
    assert len(charts) == 2  # the cost curves and the tornado
    for chart in charts:
        assert ET.fromstring(base64.b64decode(chart)).tag.endswith("svg")
    for heading in (
        "Cost against volume",
        "Monthly cost at your volume",
        "Break-even",
        "What moves the answer",
        "Assumptions",
        "Prices used",
    ):
        assert f">{heading}<" in text
    assert "P10–P90" in text and "P(cheaper)" in text


def _browser() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def test_report_renders_in_a_headless_browser(page: Path, tmp_path: Path) -> None:
    browser = _browser()
    if browser is None:
        if os.environ.get("COSTCALC_REQUIRE_BROWSER"):
            pytest.fail("COSTCALC_REQUIRE_BROWSER is set but no chromium is installed")
        pytest.skip("no chromium here (.ci/run installs it)")
    shot = tmp_path / "page.png"
    run = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1100,4200",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    # every console message (a script error, a resource that failed to load) is logged so
    console = [line for line in run.stderr.splitlines() if ":CONSOLE" in line]
    assert console == []
    with Image.open(shot) as image:
        assert image.size == (1100, 4200)
        # the charts are on screen: the curves' colors appear only inside them
        assert pixels_near(image, SELF_RED) > 500
        assert pixels_near(image, HOSTED_BLUE) > 1000


def test_without_matplotlib_the_page_has_the_tables_and_says_how_to_add_charts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import builtins

    real_import = builtins.__import__

    def no_matplotlib(name: str, *args: object, **kwargs: object) -> object:
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    page = tmp_path / "r.html"
    result = runner.invoke(app, ["report", EXAMPLE, "-o", str(page)])
    # the page is still written: every table, no chart, and how to add the charts
    assert result.exit_code == 0, result.stderr
    text = page.read_text(encoding="utf-8")
    assert "data:image/svg" not in text and "Monthly cost at your volume" in text
    assert "No chart here: charts need matplotlib" in text and "costcalc[plot]" in text
    plot = runner.invoke(app, ["compare", EXAMPLE, "--plot", str(tmp_path / "c.png")])
    assert plot.exit_code == 2 and "costcalc[plot]" in plot.stderr
    assert not (tmp_path / "c.png").exists()
