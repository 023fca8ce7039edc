"""Catalog health for `catalog check`: old prices, deprecated or retiring offers, who uses them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from costcalc.core.analysis.checks import no_successor, retiring
from costcalc.schema.catalog import Catalog

# A successor is chosen for a request of 3 input tokens to 1 output token when no profile says
# otherwise: the usual blend of published price comparisons (3:1 input:output).
BLEND_INPUT, BLEND_OUTPUT = 3.0, 1.0
ORDER = {"error": 0, "deprecated": 1, "stale": 2, "retiring": 3}


@dataclass(frozen=True)
class Finding:
    kind: str  # "error" (duplicate id, dangling reference), "deprecated", "stale", "retiring"
    id: str  # the entry, or the file for an error
    text: str
    named_by: tuple[str, ...] = ()  # profiles whose comparison uses the entry
    fails: bool = False  # exit 1: a named offer deprecated, or stale beyond the limit


def audit(
    catalog: Catalog,
    today: dt.date,
    max_age_days: int,
    named: Mapping[str, Sequence[str]],
) -> list[Finding]:
    """Every hosted and compute entry priced more than `max_age_days` before `today`, every
    hosted offer past its deprecation date or reaching it within RETIRING_WITHIN_DAYS; a
    finding fails when a profile uses the entry (retiring ones only warn)."""
    found = []
    dated = [(o.id, o.as_of) for o in catalog.hosted.values()]
    dated += [(o.id, o.as_of) for o in catalog.compute.values()]
    for oid, as_of in dated:
        users = tuple(named.get(oid, ()))
        age = (today - as_of).days
        if age > max_age_days:
            text = f"priced {age} days ago ({as_of.isoformat()}), over {max_age_days}"
            found.append(Finding("stale", oid, text, users, bool(users)))
    for offer in catalog.hosted.values():
        found_retiring = retiring(offer, catalog, today, BLEND_INPUT, BLEND_OUTPUT)
        if found_retiring is None or offer.deprecation_date is None:
            continue
        days, after = found_retiring
        users = tuple(named.get(offer.id, ()))
        then = f"; successor: {after.id}" if after else f"; {no_successor(offer)}"
        date = offer.deprecation_date.isoformat()
        if days <= 0:
            found.append(Finding("deprecated", offer.id, f"deprecated on {date}{then}", users,
                                 bool(users)))  # fmt: skip
        else:
            text = f"deprecated on {date}, in {days} day{'s' * (days != 1)}{then}"
            found.append(Finding("retiring", offer.id, text, users, False))
    return sorted(found, key=lambda f: (not f.fails, ORDER[f.kind], f.id))


def summary(findings: Sequence[Finding]) -> str:
    """'2 failing: 1 error, 1 stale; 5 more to look at' or 'catalog OK'."""
    failing = [f for f in findings if f.fails or f.kind == "error"]
    if not findings:
        return "catalog OK: nothing stale, deprecated or retiring"
    kinds: dict[str, int] = {}
    for f in failing:
        kinds[f.kind] = kinds.get(f.kind, 0) + 1
    head = (
        f"{len(failing)} failing: " + ", ".join(f"{n} {k}" for k, n in kinds.items())
        if failing else "nothing failing"
    )  # fmt: skip
    rest = len(findings) - len(failing)  # the retiring, and what no profile uses
    return head + (f"; {rest} more to look at" if rest else "")
