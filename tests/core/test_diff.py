"""Report diffs: changes, the gated option, gates, and "nothing changed"."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from costcalc.core.diff import Change, diff
from costcalc.errors import UnknownIdError

BASE: dict[str, Any] = {
    "profile": "p",
    "volume": {"requests_per_day": 1000, "billed_tokens_per_day": 1e6},
    "inflation": {"factor": 4.0},
    "options": [
        {"id": "h/a", "monthly_usd": 3000.0},
        {"id": "s/b", "monthly_usd": 5000.0},
    ],
    "breakeven": [
        {"hosted": "h/a", "self_hosted": "s/b", "status": "crosses", "tokens_per_day": 2e6}
    ],
    "cheapest": "h/a",
}


def head(**changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(BASE)
    for oid, cost in changes.get("costs", {}).items():
        next(o for o in out["options"] if o["id"] == oid)["monthly_usd"] = cost
    out.update({k: v for k, v in changes.items() if k != "costs"})
    return out


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
    d = diff(BASE, copy.deepcopy(BASE), None, max_increase_pct=0, max_increase_usd=0)
    assert not d.changed and d.passed


def test_added_options_and_status_changes_count_as_changes() -> None:
    new = head()
    new["options"].append({"id": "h/c", "monthly_usd": 10.0})
    new["breakeven"][0].update(status="never", tokens_per_day=None)
    d = diff(BASE, new, None, None, None)
    added = next(r for r in d.options if r.label == "h/c")
    assert added.change.past is None and added.changed
    assert d.breakeven[0].past_status == "crosses" and d.breakeven[0].current_status == "never"
