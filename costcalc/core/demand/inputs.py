"""The engine's typed inputs: every figure of a profile that can vary, one value per row.

A row is the point result (one row of the profile's values), a Monte Carlo sample or a
sensitivity case. Every option is priced from these arrays by the same functions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from costcalc.core.demand.tokens import Inflation, Overrides, inflate_rows, row_values
from costcalc.core.demand.traffic import FloatArray, hourly_weights
from costcalc.schema.profile import Profile


@dataclass(frozen=True)
class Overheads:
    """Monthly fixed costs of running the stack yourself, per row (storage: None where it is
    derived from each option's weights and its provider's storage price)."""

    gateway_usd_per_month: FloatArray
    storage_usd_per_month: FloatArray | None
    labor_usd_per_month: FloatArray  # engineer hours × rate
    one_off_usd_per_month: FloatArray  # one-off costs over the amortization months


@dataclass(frozen=True)
class RowInputs:
    size: int
    requests_per_day: FloatArray
    tokens: Inflation[FloatArray]
    burst_factor: FloatArray
    batch_share: FloatArray
    hit_rate: FloatArray | None  # None: `auto`, from each offer's cache lifetime
    overheads: Overheads
    weights: FloatArray  # 24 hourly shares of the day's requests (the same in every row)


def row_inputs(
    profile: Profile, overrides: Overrides, size: int, requests_per_day: float | None = None
) -> RowInputs:
    """Rows of `profile`'s inputs: a path in `overrides` takes its row values, every other
    field its point value. `requests_per_day` (set on the command line) fixes the volume."""

    v = row_values(overrides, size)

    traffic, over = profile.traffic, profile.overheads
    if requests_per_day is not None:
        volumes = np.full(size, requests_per_day)
    elif traffic.conversations_per_day is not None:
        turns = v("request.conversation.turns", profile.request.conversation.turns)
        volumes = v("traffic.conversations_per_day", traffic.conversations_per_day) * turns
    else:
        volumes = v("traffic.requests_per_day", profile.requests_per_day)
    hit = profile.request.caching.hit_rate
    storage = over.storage_usd_per_month
    hours = v("overheads.engineer_hours_per_month", over.engineer_hours_per_month)
    return RowInputs(
        size=size,
        requests_per_day=volumes,
        tokens=inflate_rows(profile.request, overrides, size),
        burst_factor=v("traffic.burst_factor", traffic.burst_factor),
        batch_share=v("traffic.batch_share", traffic.batch_share),
        hit_rate=None if hit == "auto" else v("request.caching.hit_rate", hit),
        overheads=Overheads(
            gateway_usd_per_month=v("overheads.gateway_usd_per_month", over.gateway_usd_per_month),
            storage_usd_per_month=(
                v("overheads.storage_usd_per_month", storage or 0.0)
                if storage is not None or "overheads.storage_usd_per_month" in overrides
                else None
            ),
            labor_usd_per_month=hours
            * v("overheads.engineer_usd_per_hour", over.engineer_usd_per_hour),
            one_off_usd_per_month=v("overheads.one_off_usd", over.one_off_usd)
            / over.amortization_months,
        ),
        weights=hourly_weights(traffic),
    )
