"""Daily traffic shape (DESIGN §1.5): hourly weights and arrival rates over a day."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from costcalc.core.units import SECONDS_PER_HOUR
from costcalc.schema.profile import Traffic

FloatArray = npt.NDArray[np.float64]

# Relative load per local hour, hour 0 first; normalized to sum 1 when used.
# business-hours: a B2B tool — quiet nights, a 09:00–17:00 plateau with a lunch dip.
_BUSINESS_HOURS = (
    0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.3, 0.6, 1.2, 2.0, 2.0, 2.0,
    1.6, 2.0, 2.0, 2.0, 2.0, 1.4, 0.8, 0.5, 0.5, 0.3, 0.3, 0.2,
)  # fmt: skip
# consumer-evening: a consumer app — a daytime base rising to a 19:00–22:00 peak.
_CONSUMER_EVENING = (
    0.9, 0.6, 0.4, 0.3, 0.3, 0.3, 0.5, 0.8, 1.0, 1.0, 1.0, 1.1,
    1.2, 1.1, 1.0, 1.0, 1.1, 1.3, 1.6, 2.0, 2.3, 2.3, 1.9, 1.4,
)  # fmt: skip
PATTERNS: dict[str, tuple[float, ...]] = {
    "flat": (1.0,) * 24,
    "business-hours": _BUSINESS_HOURS,
    "consumer-evening": _CONSUMER_EVENING,
}


def hourly_weights(traffic: Traffic) -> FloatArray:
    """24 weights summing to 1: the share of a day's requests arriving in each hour."""
    raw = traffic.hourly_weights if traffic.pattern == "custom" else PATTERNS[traffic.pattern]
    weights = np.asarray(raw, dtype=np.float64)
    return np.asarray(weights / weights.sum(), dtype=np.float64)


def peak_hour_ratio(weights: FloatArray) -> float:
    """Busiest hour over the mean hour: flat → 1.0, business-hours → 2.0 / 22.9 × 24 = 2.10."""
    return float(weights.max() * 24.0)


def attempt_rates(
    requests_per_day: FloatArray, attempts_per_request: float, weights: FloatArray
) -> FloatArray:
    """λ_h = R × A × w_h / 3600 attempts per second, shape (volumes, 24).

    Example: R = 86,400/day, A = 1, flat → λ = 86,400 / 24 / 3600 = 1 attempt/s every hour.
    """
    volumes = np.atleast_1d(np.asarray(requests_per_day, dtype=np.float64))
    # Monte Carlo passes one attempts figure per sample, paired with one volume per sample
    attempts = np.asarray(attempts_per_request, dtype=np.float64).reshape(-1, 1)
    return np.asarray(volumes[:, None] * attempts * weights[None, :] / SECONDS_PER_HOUR)
