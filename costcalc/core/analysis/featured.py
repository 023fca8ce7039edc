"""The one featured answer of a comparison: which hosted and self-hosted option to show, and why.

Every format reads this choice (verdict, charts, sensitivity's default pair, CSV, the default
option of `check` and `diff`), so no two parts of one report can feature different pairs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from costcalc.core.analysis.crossings import BreakEven
from costcalc.core.analysis.options import SelfHostedOption
from costcalc.core.analysis.verdict import ClassVerdict

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


def earliest(be: BreakEven) -> tuple[int, float]:
    """Sort key of break-evens, earliest first: always, then crosses by volume, then never."""
    return _STATUS_ORDER[be.status], be.requests_per_day or 0.0


def feature(answer: ClassVerdict | None, self_hosted: Sequence[SelfHostedOption]) -> Featured:
    """The pair of the verdict that answers the profile's question (`verdict.answer`): the
    cheapest offer of the quality the profile asks for, against the self-hosted option that is
    cheapest at the volume when one beats it there, else the one cheaper from the lowest
    volume. Self-hosted options that miss the SLO are never featured."""
    if answer is None:
        eligible = [o for o in self_hosted if o.eligible]
        best = min(eligible, key=lambda o: o.monthly_usd).id if eligible else None
        return Featured(None, best, "only self-hosted options were compared")
    why = f"the cheapest of the {answer.label} at your volume"
    if answer.self_hosted is None:
        missing = (
            "no self-hosted option was compared" if not self_hosted
            else "no self-hosted option that meets the SLO was compared"
        )  # fmt: skip
        return Featured(answer.hosted.id, None, f"{why}; {missing}")
    against = (
        "the self-hosted option cheapest at your volume"
        if answer.self_hosted.monthly_usd < answer.hosted.monthly_usd
        else "the self-hosted option that is cheaper from the lowest volume"
    )
    return Featured(answer.hosted.id, answer.self_hosted.id, f"{why}, against {against}")
