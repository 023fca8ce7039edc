"""Checks on what a comparison names: every id in the catalog, no price too old to trust."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from costcalc.errors import UnknownIdError
from costcalc.schema.catalog import Catalog, HostedOffer
from costcalc.schema.profile import Profile

STALE_AFTER_DAYS = 120
RETIRING_WITHIN_DAYS = 30  # a deprecation this close is warned about, with a successor


def check_ids(
    profile: Profile,
    catalog: Catalog,
    source: str = "",
    position: Callable[[list[int | str]], str | None] | None = None,
) -> None:
    """Every id in the `compare:` section is in the catalog, else the closest ids are named;
    `position(keys)` gives 'file:line:col' of a field where the caller can tell."""

    def where(keys: list[int | str]) -> str:
        field = ".".join(f"[{k}]" if isinstance(k, int) else str(k) for k in keys)
        field = field.replace(".[", "[")
        at = (position(keys) if position else None) or source
        return f"{at}: field `{field}`" if at else f"field `{field}`"

    if profile.compare is None:
        return
    for i, hosted in enumerate(profile.compare.hosted):
        if hosted not in catalog.hosted:
            keys: list[int | str] = ["compare", "hosted", i]
            raise UnknownIdError("hosted offer", hosted, catalog.hosted, where(keys))
    for i, choice in enumerate(profile.compare.self_hosted):
        if choice.model not in catalog.models:
            keys = ["compare", "self_hosted", i, "model"]
            raise UnknownIdError("open model", choice.model, catalog.models, where(keys))
        if choice.compute not in catalog.compute:
            keys = ["compare", "self_hosted", i, "compute"]
            raise UnknownIdError("compute offer", choice.compute, catalog.compute, where(keys))


class HasStale(Protocol):
    @property
    def stale(self) -> list[Stale]: ...


@dataclass(frozen=True)
class Stale:
    """A catalog entry whose price was read longer ago than STALE_AFTER_DAYS."""

    id: str
    as_of: dt.date
    age_days: int
    hosted: bool  # a hosted API price (refreshed from LiteLLM's price map) or a compute one


def stale(profile_ids: list[str], catalog: Catalog, today: dt.date) -> list[Stale]:
    """The entries among `profile_ids` priced more than STALE_AFTER_DAYS before `today`."""
    old = []
    for oid in dict.fromkeys(profile_ids):  # each once, in order
        entry = catalog.hosted.get(oid) or catalog.compute.get(oid)
        if entry is not None and (today - entry.as_of).days > STALE_AFTER_DAYS:
            age = (today - entry.as_of).days
            old.append(Stale(oid, entry.as_of, age, oid in catalog.hosted))
    return old


def stale_warning(entries: list[Stale]) -> str | None:
    """One sentence naming every stale entry, its age, and how to refresh it."""
    if not entries:
        return None
    named = ", ".join(f"{e.id} ({e.age_days} days, {e.as_of.isoformat()})" for e in entries)
    how = []
    if any(e.hosted for e in entries):
        how.append("hosted prices: costcalc catalog update --from-litellm FILE -o DIR")
    if not all(e.hosted for e in entries):
        how.append("compute prices: read each entry's source (costcalc catalog show ID) and put "
                   "today's in a catalog overlay")  # fmt: skip
    return (
        f"prices older than {STALE_AFTER_DAYS} days: {named}; refresh them before relying on "
        f"the result ({'; '.join(how)}; then --catalog DIR)"
    )


def all_stale(comparisons: Iterable[HasStale]) -> list[str]:
    """The stale-price warning of one or many comparisons, each entry named once: [] or one."""
    entries = {e.id: e for c in comparisons for e in c.stale}
    text = stale_warning(list(entries.values()))
    return [text] if text else []


def successor(offer: HostedOffer, catalog: Catalog, today: dt.date,
              input_tokens: float, output_tokens: float) -> HostedOffer | None:  # fmt: skip
    """The offer to move to from a deprecated one: same provider, same class, the cheapest for
    this request (input × input price + output × output price) among those with no
    deprecation date; else those deprecated more than RETIRING_WITHIN_DAYS after the old one;
    else any not yet deprecated (gpt-4o-mini, retiring a month after gpt-5-nano, is no
    successor to it while an undated offer exists)."""
    same = [
        o for o in catalog.hosted.values()
        if o.provider == offer.provider and o.model_class == offer.model_class
        and o.id != offer.id and not o.retired_by(today)
    ]  # fmt: skip
    until = max(today, offer.deprecation_date or today) + dt.timedelta(RETIRING_WITHIN_DAYS)
    lasting = [o for o in same if not o.retired_by(until)]

    def usd_per_request(o: HostedOffer) -> tuple[float, str]:
        return o.usd_per_mtok_input * input_tokens + o.usd_per_mtok_output * output_tokens, o.id

    undated = [o for o in same if o.deprecation_date is None]
    return min(undated or lasting or same, key=usd_per_request, default=None)


def retiring(offer: HostedOffer, catalog: Catalog, today: dt.date, input_tokens: float,
             output_tokens: float) -> tuple[int, HostedOffer | None] | None:  # fmt: skip
    """Days to the offer's deprecation date (0 or fewer: past it) and its successor, when it
    is past that date or reaches it within RETIRING_WITHIN_DAYS; else None."""
    if offer.deprecation_date is None:
        return None
    days = (offer.deprecation_date - today).days
    if days > RETIRING_WITHIN_DAYS:
        return None
    return days, successor(offer, catalog, today, input_tokens, output_tokens)


def no_successor(offer: HostedOffer) -> str:
    return f"the catalog has no other {offer.provider} offer of its class"


def deprecation_warnings(named: list[str], catalog: Catalog, today: dt.date,
                         input_tokens: float, output_tokens: float) -> list[str]:  # fmt: skip
    """For each hosted offer named that is past its deprecation date or reaches it within
    RETIRING_WITHIN_DAYS: the date and the suggested successor."""
    out = []
    for oid in dict.fromkeys(named):
        offer = catalog.hosted.get(oid)
        found = retiring(offer, catalog, today, input_tokens, output_tokens) if offer else None
        if offer is None or offer.deprecation_date is None or found is None:
            continue
        days, after = found
        date = offer.deprecation_date.isoformat()
        plural = "s" * (days != 1)
        when = (f"is past its deprecation date ({date}); the provider may no longer serve it"
                if days <= 0 else f"is deprecated on {date}, in {days} day{plural}")  # fmt: skip
        then = (f"; its suggested successor: {after.id} (same provider and class, the "
                "cheapest for this request)" if after else f"; {no_successor(offer)}")  # fmt: skip
        out.append(f"{oid} {when}{then}")
    return out
