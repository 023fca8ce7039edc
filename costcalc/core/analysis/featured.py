"""The one featured answer of a comparison: which hosted and self-hosted option to show, and why.

Every format reads this choice (verdict, charts, sensitivity's default pair, CSV, the default
option of `check` and `diff`), so no two parts of one report can feature different pairs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from costcalc.core.analysis.crossings import BreakEven

_STATUS_ORDER = {"always": 0, "crosses": 1, "never": 2}


@dataclass(frozen=True)
class Featured:
    hosted: str | None
    self_hosted: str | None
    why: str

    @property
    def pair(self) -> tuple[str, str] | None:
        if self.hosted is None or self.self_hosted is None:
            return None
        return self.hosted, self.self_hosted


@dataclass(frozen=True)
class Candidate:
    """What the choice needs to know of an option: its id, cost at the volume, eligibility."""

    id: str
    monthly_usd: float
    eligible: bool


def earliest(be: BreakEven) -> tuple[int, float]:
    """Sort key of break-evens, earliest first: always, then crosses by volume, then never."""
    return _STATUS_ORDER[be.status], be.requests_per_day or 0.0


def feature(
    hosted: Sequence[Candidate],
    self_hosted: Sequence[Candidate],
    breakeven: dict[tuple[str, str], BreakEven],
) -> Featured:
    """The cheapest hosted option at the profile's volume, against the cheapest self-hosted
    option when that one is the cheapest of all, else the one that breaks even earliest
    against it (with labor). Options that miss the SLO are featured only when none meets it.
    """
    h_pool = [o for o in hosted if o.eligible] or list(hosted)
    s_pool = [o for o in self_hosted if o.eligible] or list(self_hosted)
    h = min(h_pool, key=lambda o: o.monthly_usd) if h_pool else None
    s_cheapest = min(s_pool, key=lambda o: o.monthly_usd) if s_pool else None
    if h is None or s_cheapest is None:
        only = h or s_cheapest
        kind = "hosted" if h is not None else "self-hosted"
        why = f"only {kind} options were compared" if only else "no option was compared"
        return Featured(h.id if h else None, s_cheapest.id if s_cheapest else None, why)
    slo = "" if h.eligible and s_cheapest.eligible else " (no option of its kind meets the SLO)"
    if s_cheapest.monthly_usd < h.monthly_usd and s_cheapest.eligible:
        return Featured(
            h.id,
            s_cheapest.id,
            "the cheapest option at your volume is self-hosted; it is shown against the "
            "cheapest hosted option" + slo,
        )
    best = min(s_pool, key=lambda o: (*earliest(breakeven[(h.id, o.id)]), o.monthly_usd))
    return Featured(
        h.id,
        best.id,
        "the cheapest hosted option at your volume, against the self-hosted option that breaks "
        "even earliest against it" + slo,
    )
