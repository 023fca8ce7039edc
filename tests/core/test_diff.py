"""Report diffs: changes, the gated option, gates, and "nothing changed"."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from costcalc.core.gates.diff import Change, diff
from costcalc.errors import UnknownIdError
from costcalc.schema.report import CompareReport


def hosted(oid: str, monthly_usd: float) -> dict[str, Any]:
    return {"id": oid, "kind": "hosted", "monthly_usd": monthly_usd, "usd_per_mtok": 1.0,
            "usd_per_1k_requests": 1.0}  # fmt: skip


# the keys of DESIGN §2.3 only, as a report saved by the first costcalc would have
BASE_DATA: dict[str, Any] = {
    "schema_version": 1,
    "profile": "p",
    "volume": {"requests_per_day": 1000, "headline_tokens_per_day": 2e5,
               "billed_tokens_per_day": 1e6},
    "inflation": {"factor": 4.0, "billed_attempts": 1.0,
                  "per_request": {"system": 0, "tools": 0, "retrieval": 0, "history": 0,
                                  "user": 100, "output": 100}},
    "options": [
        hosted("h/a", 3000.0),
        {"id": "s/b", "kind": "self_hosted", "monthly_usd": 5000.0, "usd_per_mtok": 1.0,
         "usd_per_1k_requests": 1.0, "fixed_monthly_usd": 1000.0, "replicas_peak": 1,
         "throughput_source": "benchmark", "replica_requests_per_s": 2.0,
         "cold_starts_per_day": 0},
    ],
    "breakeven": [
        {"hosted": "h/a", "self_hosted": "s/b", "status": "crosses", "tokens_per_day": 2e6,
         "requests_per_day": 2000}
    ],
    "cheapest": "h/a",
    "warnings": [],
}  # fmt: skip
BASE = CompareReport.model_validate(BASE_DATA)


def head_data(**changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(BASE_DATA)
    for oid, cost in changes.get("costs", {}).items():
        next(o for o in out["options"] if o["id"] == oid)["monthly_usd"] = cost
    out.update({k: v for k, v in changes.items() if k != "costs"})
    return out


def head(**changes: Any) -> CompareReport:
    return CompareReport.model_validate(head_data(**changes))


def test_change_arithmetic() -> None:
    c = Change(3000.0, 3450.0)
    assert (c.delta, c.share, c.changed) == (450.0, 0.15, True)
    assert not Change(3000.0, 3000.5).changed  # within 0.05 % rounding
    assert Change(None, 5.0).changed and Change(None, 5.0).share is None
    assert Change(0.0, 5.0).share is None


def test_gates_on_the_cheapest_option() -> None:
    d = diff(BASE, head(costs={"h/a": 3450.0}), None, max_increase_pct=10, max_increase_usd=500)
    assert d.gated_option == "h/a" and d.gated.delta == pytest.approx(450)
    pct, usd = d.gates
    # +15 % breaks the 10 % gate; +$450 is within the $500 gate
    assert (pct.value, pct.passed) == (pytest.approx(15.0), False)
    assert (usd.value, usd.passed) == (pytest.approx(450.0), True)
    assert not d.passed and d.changed


def test_named_option_and_unknown_option() -> None:
    d = diff(BASE, head(costs={"s/b": 4000.0}), "s/b", max_increase_pct=0, max_increase_usd=None)
    assert d.passed and d.gated.share == pytest.approx(-0.2)  # a decrease never fails
    with pytest.raises(UnknownIdError):
        diff(BASE, BASE, "x/y", None, None)


def test_nothing_changed() -> None:
    d = diff(BASE, head(), None, max_increase_pct=0, max_increase_usd=0)
    assert not d.changed and d.passed


def test_added_options_and_status_changes_count_as_changes() -> None:
    data = head_data()
    data["options"].append(hosted("h/c", 10.0))
    data["breakeven"][0].update(status="never", tokens_per_day=None, requests_per_day=None)
    d = diff(BASE, CompareReport.model_validate(data), None, None, None)
    added = next(r for r in d.options if r.label == "h/c")
    assert added.change.past is None and added.changed
    assert d.breakeven[0].past_status == "crosses" and d.breakeven[0].current_status == "never"
