"""The one featured answer of a comparison: which hosted and self-hosted option to show, and why.

Every format reads this choice (verdict, charts, sensitivity's default pair, CSV, the default
option of `check` and `diff`), so no two parts of one report can feature different pairs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from costcalc.core.analysis.options import HostedOption, Option, SelfHostedOption
from costcalc.core.analysis.verdict import ClassVerdict


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


def feature(answer: ClassVerdict | None, options: Sequence[Option]) -> Featured:
    """The pair of the verdict that answers the profile's question (`verdict.answer`): the
    cheapest offer of the quality the profile asks for, against the self-hosted option that is
    cheapest at the volume when one beats it there, else the one cheaper from the lowest
    volume. Options that miss the SLO are never featured: when the answer's hosted offer does,
    the cheapest hosted offer that may meet it stands in (of any class), if there is one."""
    selfs = [o for o in options if isinstance(o, SelfHostedOption)]
    stand_in = min(
        (o for o in options if isinstance(o, HostedOption) and o.eligible),
        key=lambda o: o.monthly_usd,
        default=None,
    )
    if answer is None:
        eligible = [o for o in selfs if o.eligible]
        best = min(eligible, key=lambda o: o.monthly_usd).id if eligible else None
        # no class verdict: no hosted offer compared, or every one past its deprecation date
        return Featured(None, best, "no hosted offer in service was compared")
    why = f"the cheapest of the {answer.label} at your volume"
    hosted_id: str | None = answer.hosted.id
    if not answer.hosted.eligible:
        hosted_id = stand_in.id if stand_in else None
        why = (
            f"every offer of the {answer.label} compared misses the SLO; "
            + (f"the cheapest hosted offer that may meet it is {hosted_id}" if hosted_id
               else "no hosted offer that may meet it was compared")
        )  # fmt: skip
    if answer.self_hosted is None:
        missing = (
            "no self-hosted option was compared" if not selfs
            else "no self-hosted option that meets the SLO was compared"
        )  # fmt: skip
        return Featured(hosted_id, None, f"{why}; {missing}")
    s = answer.self_hosted
    if s.monthly_usd < answer.hosted.monthly_usd:
        against = "the self-hosted option cheapest at your volume"
    elif answer.windows:
        against = "the self-hosted option that is cheaper from the lowest volume"
    else:
        against = "the self-hosted option closest to it (none is cheaper in the searched range)"
    return Featured(hosted_id, s.id, f"{why}, against {against}")
