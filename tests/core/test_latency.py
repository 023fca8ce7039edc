"""Hosted offers and the SLO: published median latency, or `latency unknown` (never met)."""

from __future__ import annotations

import csv
import io
import json

from typer.testing import CliRunner

from costcalc.cli import app
from costcalc.core.analysis.compare import compare
from costcalc.core.analysis.options import published_latency_meets
from costcalc.schema.profile import Slo
from tests.conftest import ROOT, TODAY, hosted_offer, make_catalog, make_profile
from tests.core.test_compare import COMPARE, FAST_POINT

LATENCY = {"as_of": "2026-04-24", "source": "https://example.test/latency"}


def test_published_medians_against_the_slo() -> None:
    slo = Slo(percentile=99, ttft_ms=2000, tpot_ms=100)
    slow = hosted_offer(latency={**LATENCY, "ttft_s": 7.5, "output_tokens_per_s": 121})
    # 7.5 s > 2 s misses; 121 tokens/s is 1000/121 = 8.3 ms per token, well under 100 ms
    assert published_latency_meets(slow, slo) == (
        False,
        "misses the SLO: published median TTFT 7.5 s > 2 s",
    )
    trickle = hosted_offer(latency={**LATENCY, "ttft_s": 0.5, "output_tokens_per_s": 8})
    # 8 tokens/s = 125 ms per token > 100 ms
    assert published_latency_meets(trickle, slo)[1].endswith("125 ms/token > 100 ms")
    fast = hosted_offer(latency={**LATENCY, "ttft_s": 0.8, "output_tokens_per_s": 52})
    assert published_latency_meets(fast, slo) == (
        True,
        "published median TTFT 0.8 s, 52 tokens/s (2026-04-24)",
    )
    assert published_latency_meets(hosted_offer(), slo) == (None, "latency unknown")


def test_an_offer_that_misses_the_slo_is_never_the_cheapest_or_featured() -> None:
    offers = [
        hosted_offer(id="a/slow", usd_per_mtok_input=0.1,
                     latency={**LATENCY, "ttft_s": 9.0, "output_tokens_per_s": 100}),
        hosted_offer(id="b/unknown", usd_per_mtok_input=0.5),
    ]  # fmt: skip
    compared = {**COMPARE, "hosted": ["a/slow", "b/unknown"]}
    result = compare(
        make_profile(compare=compared), make_catalog(hosted=offers, points=[FAST_POINT]), TODAY
    )
    slow, unknown = result.hosted
    assert slow.id == "a/slow" and slow.slo_met is False and not slow.eligible
    assert unknown.slo_met is None and unknown.eligible  # unknown is not a miss
    assert result.cheapest == "b/unknown" and result.featured.hosted == "b/unknown"
    assert result.verdicts[0].missing_slo == ("a/slow",)


def test_json_and_csv_never_say_met_for_unknown_latency() -> None:
    runner = CliRunner()
    rag = str(ROOT / "profiles" / "rag-support-chatbot.yaml")
    data = json.loads(runner.invoke(app, ["compare", rag, "-f", "json"]).stdout)
    by_id = {o["id"]: o for o in data["options"]}
    assert by_id["anthropic/claude-haiku-4.5"]["slo_met"] is None
    assert by_id["openai/gpt-4o-mini"]["slo_met"] is True
    assert by_id["openai/gpt-5-nano"]["slo_met"] is False
    rows = csv.DictReader(io.StringIO(runner.invoke(app, ["compare", rag, "-f", "csv"]).stdout))
    marks = {r["id"]: r["slo_met"] for r in rows}
    assert marks["anthropic/claude-haiku-4.5"] == "" and marks["openai/gpt-5-nano"] == "false"
