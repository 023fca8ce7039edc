"""Self-hosted compute billing (DESIGN §1.5): dedicated instances and serverless workers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from costcalc.core.demand.traffic import FloatArray
from costcalc.core.units import DAYS_PER_MONTH, HOURS_PER_MONTH, SECONDS_PER_HOUR, SECONDS_PER_MONTH

_EPS = 1e-9  # keeps ceil(2.0000000001) from buying a third replica


@dataclass(frozen=True)
class ComputeBill:
    """Monthly compute USD and what drives it, one value per (row, volume)."""

    usd_per_month: FloatArray
    replicas_peak: FloatArray
    cold_starts_per_day: FloatArray
    cold_start_share: FloatArray  # share of requests that wait for a cold start


def _day_sum(per_hour: FloatArray, hours: FloatArray | None) -> FloatArray:
    """Σ over the day's hours (the last axis; a column stands for `hours` hours)."""
    return per_hour.sum(axis=-1) if hours is None else per_hour @ hours


def replicas_needed(load: FloatArray, utilization: float) -> FloatArray:
    """ceil(ρ / U): a load of 1.7 busy replicas at 80 % target utilization needs 3."""
    return np.ceil(load / utilization - _EPS).clip(min=0.0)


def dedicated_bill(
    lam_per_s: FloatArray,
    seconds_per_attempt: FloatArray,
    burst_factor: FloatArray,
    utilization: float,
    min_replicas: int,
    gpus_per_replica: int,
    gpus_per_instance: int,
    usd_per_instance_hour: float,
    autoscale_hourly: bool,
    hours: FloatArray | None = None,
) -> ComputeBill:
    """Hourly-billed instances sized for the peak minute.

    N = max(min_replicas, ceil(max_h β·λ_h·s / U)) replicas, packed onto instances of `gpus`
    GPUs: instances = ceil(N × gpus_per_replica / gpus); monthly = instances × $/h × 730. With
    `autoscale_hourly` each hour gets its own N_h and is billed for its own instances.
    `lam_per_s` is shaped (rows, volumes, hours) and the per-row figures broadcast against it;
    `hours` says how many hours of the day each column stands for (default one each; hours of
    equal weight are merged, which changes no sum or maximum).
    """
    per_hour = np.maximum(
        replicas_needed(burst_factor * lam_per_s * seconds_per_attempt, utilization), min_replicas
    )
    instances_per_hour = np.ceil(per_hour * gpus_per_replica / gpus_per_instance - _EPS)
    if autoscale_hourly:
        usd = _day_sum(instances_per_hour, hours) * DAYS_PER_MONTH * usd_per_instance_hour
    else:
        usd = instances_per_hour.max(axis=-1) * HOURS_PER_MONTH * usd_per_instance_hour
    zeros = np.zeros(lam_per_s.shape[:-1])
    return ComputeBill(usd, per_hour.max(axis=-1), zeros, zeros)


def worker_up_share(
    lam_per_s: FloatArray, window_s: float | FloatArray, cold_start_s: float
) -> FloatArray:
    """Share of time a lone scale-to-zero worker is billed (starting, busy or idling).

    Cycle: down for 1/λ on average; an arrival starts the worker (cold start c), which stays up
    until no request arrives for a window T = L + τ, on average (e^{λT} − 1)/λ. So the billed
    share is (λc + e^{λT} − 1)/(λc + e^{λT}). With c = 0 it is DESIGN's 1 − exp(−λT); with
    c > 0 it also bills the cold starts, and it never falls as traffic grows.
    Example: λ = 0.01/s, T = 10 s, c = 0 → 1 − e^−0.1 = 0.0952.
    """
    x = lam_per_s * window_s
    restart = lam_per_s * cold_start_s
    # divide through by e^{λT} so large λT does not overflow
    return np.asarray(1.0 - np.exp(-x) / (restart * np.exp(-x) + 1.0), dtype=np.float64)


def cold_start_rate(
    lam_per_s: FloatArray, window_s: float | FloatArray, cold_start_s: float
) -> FloatArray:
    """Cold starts per second: one per cycle, λ / (λc + e^{λT})."""
    x = lam_per_s * window_s
    return np.asarray(lam_per_s * np.exp(-x) / (lam_per_s * cold_start_s * np.exp(-x) + 1.0))


def serverless_bill(
    lam_per_s: FloatArray,
    seconds_per_attempt: FloatArray,
    burst_factor: FloatArray,
    utilization: float,
    active_workers: int,
    gpus_per_replica: int,
    usd_per_gpu_second_flex: float,
    usd_per_gpu_second_active: float,
    lone_latency_s: FloatArray,
    idle_timeout_s: float,
    cold_start_s: float,
    hours: FloatArray | None = None,
    facts: bool = True,
) -> ComputeBill:
    """Per-second billed workers: `active_workers` always on, flex workers for the rest.

    Workers up in hour h: W_h = max(λ_h·s / U, up-share of a lone worker). Per-second billing
    follows the mean load of the hour, so the burst factor sizes the peak (replicas_peak) but
    not the bill. Flex worker-seconds = Σ_h max(0, W_h − n_a) × 3600 × 730/24.
    With n_a ≥ 1 a worker is always warm and no request meets a cold start. Without `facts`
    only the cost is computed (the break-even search needs nothing else); the rest is NaN.
    """
    busy = lam_per_s * seconds_per_attempt / utilization
    window_s = lone_latency_s + idle_timeout_s
    # with a warm worker none is ever started: the up-share of a lone worker is then 0
    up = worker_up_share(lam_per_s, window_s, cold_start_s) if active_workers == 0 else 0.0
    flex = np.maximum(np.maximum(busy, up) - active_workers, 0.0)
    flex_seconds = _day_sum(flex, hours) * SECONDS_PER_HOUR
    flex_usd = flex_seconds * DAYS_PER_MONTH * gpus_per_replica * usd_per_gpu_second_flex
    active_usd = active_workers * gpus_per_replica * usd_per_gpu_second_active * SECONDS_PER_MONTH
    usd = flex_usd + active_usd
    if not facts:
        unknown = np.full(usd.shape, np.nan)
        return ComputeBill(usd, unknown, unknown, unknown)
    if active_workers == 0:
        starts_per_day = _day_sum(cold_start_rate(lam_per_s, window_s, cold_start_s), hours)
        starts_per_day = starts_per_day * SECONDS_PER_HOUR
    else:
        starts_per_day = np.zeros(usd.shape)
    arrivals_per_day = _day_sum(lam_per_s, hours) * SECONDS_PER_HOUR
    share = np.divide(
        starts_per_day,
        arrivals_per_day,
        out=np.zeros_like(starts_per_day),
        where=arrivals_per_day > 0,
    )
    peak = np.maximum(
        replicas_needed(burst_factor * lam_per_s * seconds_per_attempt, utilization).max(axis=-1),
        max(active_workers, 1),
    )
    return ComputeBill(usd, peak, starts_per_day, share)
