"""Checks on what a comparison names: every id in the catalog, no price too old to trust."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from costcalc.errors import UnknownIdError
from costcalc.schema.catalog import Catalog
from costcalc.schema.profile import Profile

STALE_AFTER_DAYS = 120


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


def stale(profile_ids: list[str], catalog: Catalog, today: dt.date) -> list[str]:
    old = []
    for oid in profile_ids:
        entry = catalog.hosted.get(oid) or catalog.compute.get(oid)
        if entry is not None and (today - entry.as_of).days > STALE_AFTER_DAYS:
            old.append(f"{oid} ({entry.as_of.isoformat()})")
    if not old:
        return []
    return [
        f"prices older than {STALE_AFTER_DAYS} days: {', '.join(old)}; check them before relying "
        "on the result (override with --catalog DIR)"
    ]
