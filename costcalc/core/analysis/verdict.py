"""The verdict by class: each class's cheapest hosted offer against the best self-hosted option."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from costcalc.core.analysis.crossings import BreakEven
from costcalc.core.analysis.options import HostedOption, Option, SelfHostedOption, retired

# Hosted classes in the order a report lists them, then `open:MODEL` for each open model that
# is also self-hosted in the comparison: its hosts (the same weights, someone else's GPUs).
CLASS_ORDER = ("frontier", "large", "small")
CLASS_LABEL = {"frontier": "frontier APIs", "large": "mid-size APIs", "small": "small/nano APIs"}
OPEN = "open:"
NO_TRAFFIC_REQUESTS_PER_DAY = 1e-9  # where a bill shows its warm floor: no request ever comes


@dataclass(frozen=True)
class Window:
    """An interval of requests/day where self-hosting is cheaper; None: open at that end of the
    searched range (it may stay cheaper beyond it)."""

    low_requests_per_day: float | None
    high_requests_per_day: float | None


def windows(be: BreakEven) -> tuple[Window, ...]:
    """Every interval of the searched range where self-hosting is cheaper, from the crossings.

    Example: crossings up at 5,600 and down at 19,700 requests/day → one window 5,600–19,700,
    though the break-even status is `never` (dearer again at the top of the range)."""
    if not be.crossings:
        if be.status == "always":
            return (Window(None, None),)
        if be.status == "crosses":
            return (Window(be.requests_per_day, None),)
        return ()
    out: list[Window] = []
    start: float | None = None
    open_low = not be.crossings[0].up  # it turns dearer first: it was cheaper from the start
    for c in be.crossings:
        if c.up:
            start, open_low = c.requests_per_day, False
        else:
            out.append(Window(None if open_low else start, c.requests_per_day))
            open_low = False
    if be.crossings[-1].up:
        out.append(Window(start, None))
    return tuple(out)


@dataclass(frozen=True)
class CostShares:
    """A self-hosted option's monthly USD at one volume, by what drives it."""

    requests_per_day: float
    warm_floor_usd: float  # compute billed with no traffic at all: warm workers, min. instances
    gpu_usage_usd: float  # compute above that floor, which grows with traffic
    labor_usd: float
    other_fixed_usd: float  # gateway, storage, one-off costs amortized

    @property
    def total_usd(self) -> float:
        return self.warm_floor_usd + self.gpu_usage_usd + self.labor_usd + self.other_fixed_usd

    @property
    def dominant(self) -> tuple[str, float]:
        """('labor', 0.62): the largest part and its share of the total."""
        parts = {
            "warm floor": self.warm_floor_usd,
            "GPU usage": self.gpu_usage_usd,
            "labor": self.labor_usd,
            "gateway and storage": self.other_fixed_usd,
        }
        name = max(parts, key=lambda k: parts[k])
        return name, parts[name] / self.total_usd if self.total_usd > 0 else 0.0


def cost_shares(option: SelfHostedOption, requests_per_day: float) -> CostShares:
    """Split the option's cost at a volume. Example: a serverless worker kept warm at $0.00019/s
    is a $493 floor a month; traffic adds flex seconds above it (GPU usage)."""
    first = option.cost.take(slice(0, 1))
    volumes = np.array([[NO_TRAFFIC_REQUESTS_PER_DAY, requests_per_day]])
    compute = first.bill(volumes, facts=False).usd_per_month[0]
    fixed = option.cost.fixed
    floor = float(compute[0])
    return CostShares(
        requests_per_day=requests_per_day,
        warm_floor_usd=floor,
        gpu_usage_usd=max(float(compute[1]) - floor, 0.0),
        labor_usd=fixed.labor_usd_per_month,
        other_fixed_usd=fixed.without_labor_usd_per_month,
    )


@dataclass(frozen=True)
class ClassVerdict:
    """One class: its cheapest offer, the best self-hosted option against it (the cheapest at the
    profile's volume when one is cheaper there, else the one cheaper from the lowest volume;
    None when no compared self-hosted option meets the SLO), and where it is cheaper."""

    key: str  # frontier | large | small | open:MODEL
    hosted: HostedOption
    offers: int  # offers of the class compared
    self_hosted: SelfHostedOption | None
    with_labor: BreakEven | None
    without_labor: BreakEven | None
    shares: CostShares | None  # at the break-even (with labor), else at the profile's volume
    missing_slo: tuple[str, ...] = ()  # cheaper offers of the class that miss the SLO

    @property
    def label(self) -> str:
        if self.key.startswith(OPEN):
            return f"hosts of {self.key.removeprefix(OPEN)}"
        return CLASS_LABEL[self.key]

    @property
    def model_class(self) -> str:
        """frontier | large | small | open."""
        return "open" if self.key.startswith(OPEN) else self.key

    @property
    def windows(self) -> tuple[Window, ...]:
        return windows(self.with_labor) if self.with_labor else ()

    @property
    def windows_without_labor(self) -> tuple[Window, ...]:
        return windows(self.without_labor) if self.without_labor else ()


def first_cheaper(be: BreakEven) -> float:
    """Lowest requests/day from which self-hosting is cheaper: 0 from the bottom of the range,
    inf when never in it (a window counts, though the status says `never`)."""
    found = windows(be)
    if not found:
        return float(np.inf)
    return found[0].low_requests_per_day or 0.0


def hosted_class(option: HostedOption, open_models: set[str]) -> str:
    offer = option.cost.offer
    if offer.open_model is not None and offer.open_model in open_models:
        return OPEN + offer.open_model
    return offer.model_class


def class_verdicts(
    options: Sequence[Option],
    breakevens: dict[tuple[str, str], tuple[BreakEven, BreakEven]],
    requests_per_day: float,
    today: dt.date,
    model_class: str,
) -> list[ClassVerdict]:
    """One verdict per hosted class present among `options` (cheapest offer first within a
    class; an offer whose latency misses the SLO only when all of its class do; an offer past
    its deprecation date never). The self-hosted side is the profile's quality: open models of
    its `model_class` when any meets the SLO (compare --all self-hosts every class), else any.
    `breakevens[(hosted, self_hosted)]` is (with labor, without labor)."""
    eligible = [o for o in options if isinstance(o, SelfHostedOption) and o.eligible]
    selfs = [o for o in eligible if o.cost.model.model_class == model_class] or eligible
    open_models = {o.cost.choice.model for o in selfs}
    by_class: dict[str, list[HostedOption]] = {}
    for o in options:
        if isinstance(o, HostedOption) and not retired(o, today):
            by_class.setdefault(hosted_class(o, open_models), []).append(o)
    out = []
    opens = sorted(
        (k for k in by_class if k.startswith(OPEN)),
        key=lambda k: min(o.monthly_usd for o in by_class[k]),
    )
    for key in [*(k for k in CLASS_ORDER if k in by_class), *opens]:
        offers = by_class[key]
        h = min(offers, key=lambda o: (not o.eligible, o.monthly_usd))
        missing = tuple(o.id for o in offers if not o.eligible and o.monthly_usd < h.monthly_usd)
        rivals = [s for s in selfs if not key.startswith(OPEN) or OPEN + s.cost.choice.model == key]
        if not rivals:
            out.append(ClassVerdict(key, h, len(offers), None, None, None, None, missing))
            continue
        cheaper_now = [r for r in rivals if r.monthly_usd < h.monthly_usd]
        best = (
            min(cheaper_now, key=lambda r: r.monthly_usd)  # what one would deploy today
            if cheaper_now
            else min(
                rivals, key=lambda r: (first_cheaper(breakevens[(h.id, r.id)][0]), r.monthly_usd)
            )
        )
        with_labor, without_labor = breakevens[(h.id, best.id)]
        start = first_cheaper(with_labor)
        shares = cost_shares(best, start if 0 < start < np.inf else requests_per_day)
        out.append(
            ClassVerdict(key, h, len(offers), best, with_labor, without_labor, shares, missing)
        )
    return out


def recommended(v: ClassVerdict) -> Option:
    """What the verdict tells the profile to run at its volume: the self-hosted option when it
    costs less there, or when the hosted offer misses the SLO; else the hosted offer."""
    s = v.self_hosted
    if s is not None and (s.monthly_usd < v.hosted.monthly_usd or not v.hosted.eligible):
        return s
    return v.hosted


def recommend(v: ClassVerdict | None) -> str | None:
    """The id of what the answer says to run, or None (no verdict, or neither side of it may
    be used: the gates then fall back to the cheapest option)."""
    if v is None:
        return None
    chosen = recommended(v)
    return chosen.id if chosen.eligible else None


def answer(verdicts: Sequence[ClassVerdict], model_class: str) -> ClassVerdict | None:
    """The verdict that answers the profile's own question: against the cheapest offer of the
    profile's class or a host of the same open model (the quality it asked for); else, when
    none of those was compared, against the cheapest offer of any class."""
    own = [v for v in verdicts if v.model_class in (model_class, "open")] or list(verdicts)
    return min(own, key=lambda v: (not v.hosted.eligible, v.hosted.monthly_usd), default=None)
