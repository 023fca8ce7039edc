"""The one cost engine: the point, samples and --all go through the same pricing and search."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from costcalc.cli import app
from costcalc.core.analysis.compare import compare
from costcalc.core.analysis.curves import cost_curves
from costcalc.core.analysis.engine import Built, break_evens, build
from costcalc.core.analysis.montecarlo import draw, monte_carlo, run_rows
from costcalc.core.analysis.sensitivity import choose_pair
from costcalc.core.demand.inputs import row_inputs
from costcalc.core.selfhosted.pricing import Skipped, self_hosted_pricing
from costcalc.core.selfhosted.replica import INFEASIBLE
from costcalc.io.catalog import load_catalog
from costcalc.io.profiles import load_profile
from costcalc.render.csvout import render_csv
from costcalc.render.summary import verdict
from costcalc.schema.profile import SelfHostedChoice
from costcalc.schema.uncertain import Uniform
from tests.conftest import TODAY, make_profile

ROOT = Path(__file__).resolve().parents[2]
PROFILES = sorted((ROOT / "profiles").glob("*.yaml"))
runner = CliRunner()


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_every_part_of_a_report_features_the_same_pair(path: Path) -> None:
    """Verdict, chart, sensitivity's default pair and CSV all read `featured`."""
    c = compare(load_profile(path).profile, load_catalog([]), TODAY)
    pair = c.featured.pair
    assert pair is not None
    hosted_id, self_id = pair
    # the cheapest option is always one of the featured two (check/diff gate it by default)
    assert c.cheapest in pair
    curves = cost_curves(c)
    assert curves is not None and tuple(k.option for k in curves.curves) == pair
    assert choose_pair(c, None) == pair
    assert self_id in verdict(c) or hosted_id in verdict(c)
    rows = list(csv.DictReader(io.StringIO(render_csv(c))))
    for row in rows:
        against = self_id if row["kind"] == "hosted" else hosted_id
        assert row["breakeven_against"] == against, row["id"]


@pytest.mark.parametrize("name", ["seed-stage-uncertain", "tool-agent", "consumer-chat-evening"])
def test_each_sample_breaks_even_where_the_dense_search_puts_it(name: str) -> None:
    """The sample grid (coarse, plus every replica step) finds the same break-even as the
    point's dense grid, row by row, to the 0.1 % both are refined to."""
    loaded = load_profile(ROOT / "profiles" / f"{name}.yaml")
    uncertain = loaded.uncertain or {
        "request.output_tokens": _spread(loaded.profile.request.output_tokens)
    }
    built, (low, high) = _sampled(name, uncertain, 60, 3)
    coarse = break_evens(built.hosted, built.self_hosted, low, high, dense=False)
    dense = break_evens(built.hosted, built.self_hosted, low, high, dense=True)
    for a, b in zip(coarse, dense, strict=True):
        for got, want in ((a.with_labor, b.with_labor), (a.without_labor, b.without_labor)):
            assert np.array_equal(got.status, want.status), (a.hosted, a.self_hosted)
            crossing = want.status == 1
            assert got.requests_per_day[crossing] == pytest.approx(
                want.requests_per_day[crossing], rel=1e-3
            )


def _sampled(name: str, uncertain: Any, samples: int, seed: int) -> tuple[Built, Any]:
    """The options of an example profile priced for `samples` draws of `uncertain`."""
    loaded = load_profile(ROOT / "profiles" / f"{name}.yaml")
    catalog = load_catalog([])
    c = compare(loaded.profile, catalog, TODAY)
    rows = row_inputs(c.profile, draw(uncertain, samples, seed), samples)
    built = build(
        c.profile, catalog, c.calibration, rows,
        [o.id for o in c.hosted], [o.cost.choice for o in c.self_hosted],
    )  # fmt: skip
    return built, c.range_requests_per_day


def _spread(value: float):  # type: ignore[no-untyped-def]
    from costcalc.schema.uncertain import Uniform

    return Uniform(low=value * 0.5, high=value * 1.5)


def test_rows_are_priced_alike_alone_or_together() -> None:
    """A block of rows gives each row what that row gives alone: nothing leaks across rows."""
    loaded = load_profile(ROOT / "profiles" / "seed-stage-uncertain.yaml")
    built, (low, high) = _sampled("seed-stage-uncertain", loaded.uncertain, 12, 5)
    together = break_evens(built.hosted, built.self_hosted, low, high, dense=False)
    for i in (0, 5, 11):
        index = np.array([i])
        alone = break_evens(
            [h.take(index) for h in built.hosted], [s.take(index) for s in built.self_hosted],
            low, high, dense=False,
        )  # fmt: skip
        for t, a in zip(together, alone, strict=True):
            assert t.with_labor.status[i] == a.with_labor.status[0]
            if a.with_labor.status[0] == 1:
                assert t.with_labor.requests_per_day[i] == pytest.approx(
                    a.with_labor.requests_per_day[0], rel=1e-3
                )


def test_compare_all_prices_every_offer_and_the_smallest_replica_that_fits() -> None:
    catalog = load_catalog([])
    profile = load_profile(ROOT / "profiles" / "tool-agent.yaml").profile
    c = compare(profile, catalog, TODAY, every_option=True)
    # every hosted offer of the catalog is priced (or named in a warning when its tier has none)
    left_out = sum("left out" in w for w in c.warnings)
    assert len(c.hosted) + left_out == len(catalog.hosted)
    pairings = [(o.cost.choice.model, o.cost.choice.compute) for o in c.self_hosted]
    assert len(pairings) == len(set(pairings))  # one replica size per pairing
    # the smallest replica that fits: half as many GPUs per replica does not fit in memory
    rows = row_inputs(profile, {}, 1)
    tensor_parallel = [o for o in c.self_hosted if o.cost.choice.gpus_per_replica > 1]
    assert tensor_parallel  # 70B models need several GPUs
    for o in tensor_parallel:
        choice = o.cost.choice
        half = choice.model_copy(update={"gpus_per_replica": choice.gpus_per_replica // 2})
        smaller = self_hosted_pricing(half, profile, catalog, c.calibration, rows)
        assert isinstance(smaller, Skipped), o.id
        assert smaller.reason.startswith(("does not fit", INFEASIBLE)), o.id
    # pairings that fit but miss the SLO at every size are listed apart, never priced
    assert all(s.reason.startswith(INFEASIBLE) for s in c.skipped)
    assert not {s.id for s in c.skipped} & {o.id for o in c.self_hosted}
    # Llama 3.3 70B in bf16 is 141 GB of weights: never on one 80 GB H100
    assert not any(i.startswith("llama-3.3-70b-instruct@runpod/h100-sxm") and ":tp" not in i
                   for i in (o.id for o in c.self_hosted))  # fmt: skip
    assert len(c.pairs) == len(c.hosted) * len(c.self_hosted)
    assert c.default_set is not None and c.default_set.startswith("--all")


def test_compare_all_text_trims_and_says_so_csv_lists_everything() -> None:
    path = str(ROOT / "profiles" / "rag-support-chatbot.yaml")
    text = runner.invoke(app, ["compare", path, "--all", "--width", "100", "--no-color"])
    assert text.exit_code == 0, text.output
    assert "options compared; shown: the 10 cheapest of each kind" in text.stdout
    assert len(text.stdout.splitlines()) < 340  # ~300 with the verdict by class
    table = runner.invoke(app, ["compare", path, "--all", "-f", "csv"])
    assert table.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(table.stdout)))
    shown = text.stdout.count("@")  # not every self-hosted id is in the text …
    assert len(rows) > shown  # … but every option is a CSV row
    assert {r["kind"] for r in rows} == {"hosted", "self_hosted"}


def test_samples_find_the_last_dip_of_a_long_sawtooth() -> None:
    """Past ~150 replicas self-hosted cost jumps above the hosted line at each new replica
    and falls back under it; every step of every sample is searched, so samples still land
    where the dense search does (with only the lowest 128 steps they came out 1.6 % low)."""
    catalog = load_catalog([])
    profile = load_profile(ROOT / "profiles" / "rag-support-chatbot.yaml").profile
    choices = [
        SelfHostedChoice(model="qwen2.5-7b-instruct", compute="runpod-community/rtx-4090"),
        SelfHostedChoice(model="llama-3.1-8b-instruct", compute="aws/g6.xlarge", precision="fp8"),
    ]
    assert profile.compare is not None
    pairs = profile.compare.model_copy(
        update={"hosted": ["openai/gpt-5-nano", "google/gemini-2.5-flash-lite"],
                "self_hosted": choices}
    )  # fmt: skip
    profile = profile.model_copy(update={"compare": pairs})
    c = compare(profile, catalog, TODAY, range_tokens_per_day=(1e6, 1e11))
    hours = np.geomspace(1, 3000, 300)  # labor moves the crossing through the sawtooth
    rows = row_inputs(profile, {"overheads.engineer_hours_per_month": hours}, 300)
    dense, sampled = run_rows(c, catalog, rows, dense=True), run_rows(c, catalog, rows)
    crossing = 0
    for d, s in zip(dense.pairs, sampled.pairs, strict=True):
        assert np.array_equal(np.isinf(d.tokens_per_day), np.isinf(s.tokens_per_day))
        finite = np.isfinite(d.tokens_per_day) & (d.tokens_per_day > 0)
        crossing += int(finite.sum())
        assert s.tokens_per_day[finite] == pytest.approx(d.tokens_per_day[finite], rel=1e-3)
    assert crossing > 300  # the RTX 4090 pairs cross in every row


def test_samples_without_a_hosted_price_are_left_out_not_called_never() -> None:
    """Gemini 2.5 Pro has no priority-tier price above 200k input tokens: samples past that
    size have no break-even against it and are counted apart, not as `never`."""
    catalog = load_catalog([])
    profile = make_profile(
        traffic={"requests_per_day": 20_000},
        request={"user_tokens": 500, "output_tokens": 400},
        # a prompt of 100k–300k tokens takes seconds to prefill: a TTFT the SLO allows
        slo={"service_tier": "priority", "ttft_ms": 60_000},
        compare={"hosted": ["google/gemini-2.5-pro"],
                 "self_hosted": [{"model": "llama-3.1-8b-instruct", "compute": "runpod/h200"}]},
    )  # fmt: skip
    c = compare(profile, catalog, TODAY)
    sizes = {"request.user_tokens": Uniform(low=100_000, high=300_000)}
    mc = monte_carlo(c, catalog, sizes, 400, 1)
    (pair,) = mc.pairs
    above = float(np.isnan(mc.monthly_usd["google/gemini-2.5-pro"]).mean())
    assert 0.3 < above < 0.7  # about half the samples are past 200k input tokens
    assert pair.share_unpriced == pytest.approx(above)
    assert pair.share_crosses + pair.share_never + pair.share_always == pytest.approx(1.0)
    assert np.isnan(pair.tokens_per_day).mean() == pytest.approx(above)
