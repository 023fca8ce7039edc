"""The default comparison set for a profile without a `compare:` section."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from costcalc.core.analysis.options import HostedOption, Option, SelfHostedOption
from costcalc.core.selfhosted.pricing import SelfHostedPricing, Skipped
from costcalc.core.selfhosted.replica import NOT_SERVED
from costcalc.schema.catalog import Catalog
from costcalc.schema.profile import Profile, SelfHostedChoice

MAX_HOSTED = 5
MAX_SELF_HOSTED = 4
REPLICA_SIZES = (1, 2, 4, 8)


def hosted_candidates(catalog: Catalog, today: dt.date) -> list[str]:
    """Hosted offers of every class that are not past their deprecation date."""
    return sorted(o.id for o in catalog.hosted.values() if not o.retired_by(today))


def deprecated_count(catalog: Catalog, today: dt.date) -> int:
    return sum(o.retired_by(today) for o in catalog.hosted.values())


def self_hosted_candidates(
    profile: Profile, catalog: Catalog, every_class: bool = False
) -> list[SelfHostedChoice]:
    """Every open model of the profile's class (of any class with `every_class`) on every
    compute offer, at each replica size an instance can hold (tensor parallel within one
    machine); pairings that do not fit in memory are dropped later, when they are built."""
    choices = []
    for model in sorted(
        m.id for m in catalog.models.values() if every_class or m.model_class == profile.model_class
    ):
        for compute in sorted(catalog.compute.values(), key=lambda c: c.id):
            limit = compute.gpus if compute.billing == "hourly" else max(REPLICA_SIZES)
            for size in (s for s in REPLICA_SIZES if s <= limit):
                choices.append(
                    SelfHostedChoice(model=model, compute=compute.id, gpus_per_replica=size)
                )
    return choices


@dataclass(frozen=True)
class Trimmed:
    kept: list[Option]
    explanation: str


def trim(
    options: Sequence[Option], group: Callable[[Option], str], limit: int, what: str
) -> Trimmed:
    """Keep the cheapest eligible option of each group, cheapest groups first, up to `limit`."""
    ranked = sorted(options, key=lambda o: (not o.eligible, o.monthly_usd))
    kept: list[Option] = []
    seen: set[str] = set()
    for option in ranked:
        key = group(option)
        if key in seen or (not option.eligible and any(k.eligible for k in ranked)):
            continue
        seen.add(key)
        kept.append(option)
        if len(kept) == limit:
            break
    return Trimmed(kept, f"{len(kept)} of {len(options)} {what}")


@dataclass(frozen=True)
class DefaultSet:
    hosted: list[Option]
    self_hosted: list[Option]
    explanation: str


def default_set(
    profile: Profile, hosted: Sequence[HostedOption], selfs: Sequence[Option], deprecated: int
) -> DefaultSet:
    """The options a profile without a `compare:` section is compared with.

    Self-hosted: the cheapest pairing per compute provider (4 at most). Hosted: the cheapest
    offer per provider of the profile's class (5 at most, so the cheapest of the class is
    always in), the cheapest offer of every other class (so each class gets a verdict) and the
    cheapest host of each self-hosted model kept (the same weights on someone else's GPUs).
    `hosted` holds no offer past its deprecation date; `deprecated` counts those."""
    s = trim(
        selfs, lambda o: o.id.split("@")[1].split("/")[0], MAX_SELF_HOSTED,
        "self-hosted pairings that fit in memory",
    )  # fmt: skip
    own = [o for o in hosted if o.cost.offer.model_class == profile.model_class]
    h = trim(own, lambda o: o.id.split("/")[0], MAX_HOSTED, f"{profile.model_class}-class offers")
    kept = {o.id: o for o in h.kept}
    models = {o.cost.choice.model for o in s.kept if isinstance(o, SelfHostedOption)}
    groups: list[list[HostedOption]] = [
        [o for o in hosted if o.cost.offer.model_class == other]
        for other in ("frontier", "large", "small")
        if other != profile.model_class
    ] + [[o for o in hosted if o.cost.offer.open_model == model] for model in sorted(models)]
    for group in groups:
        cheapest = min(group, key=lambda o: (not o.eligible, o.monthly_usd), default=None)
        if cheapest is not None:
            kept.setdefault(cheapest.id, cheapest)
    left = len(hosted) - len(kept) + len(selfs) - len(s.kept)
    retired = (
        f"; {deprecated} offers past their deprecation date are never included"
        if deprecated
        else ""
    )
    explanation = (
        f"no `compare:` section, so compared the cheapest offer per provider ({h.explanation}), "
        "the cheapest offer of each other class and the cheapest host of each self-hosted "
        f"model, and the cheapest pairing per compute provider ({s.explanation}); {left} "
        f"options left out (`compare --all` shows every one){retired}"
    )
    return DefaultSet(sorted(kept.values(), key=lambda o: o.monthly_usd), s.kept, explanation)


def smallest_that_fit(
    choices: Sequence[SelfHostedChoice],
    price: Callable[[SelfHostedChoice], SelfHostedPricing | Skipped],
) -> tuple[list[SelfHostedPricing], list[Skipped]]:
    """Per (model, compute offer), the first of its replica sizes, fewest GPUs first, that
    `price` builds (the others do not fit in memory or miss the SLO at any load): what
    `compare --all` shows. Larger sizes are not built once one serves. Pairings that fit in
    memory at some size but miss the SLO at every one are returned apart (the largest size's
    reason), so a report lists them; pairings that never fit are not."""
    found: list[SelfHostedPricing] = []
    done: set[tuple[str, str]] = set()
    missed: dict[tuple[str, str], Skipped] = {}
    for choice in sorted(choices, key=lambda c: (c.model, c.compute, c.gpus_per_replica)):
        key = (choice.model, choice.compute)
        if key in done:
            continue
        built = price(choice)
        if isinstance(built, Skipped):
            if built.reason.startswith(NOT_SERVED):
                missed[key] = built
            continue
        found.append(built)
        done.add(key)
        missed.pop(key, None)
    return found, list(missed.values())
