"""Calendar conventions and unit conversions shared by every part of the model."""

from __future__ import annotations

# read by the file schemas too (`requests_per_day: 200k`), so it lives beside them
from costcalc.schema.base import parse_quantity as parse_quantity

HOURS_PER_MONTH = 730.0  # cloud-billing convention (contract, DESIGN §1.1)
HOURS_PER_DAY = 24.0
DAYS_PER_MONTH = HOURS_PER_MONTH / HOURS_PER_DAY  # 30.4166…
SECONDS_PER_HOUR = 3600.0
SECONDS_PER_MONTH = HOURS_PER_MONTH * SECONDS_PER_HOUR
TOKENS_PER_MTOK = 1_000_000.0
