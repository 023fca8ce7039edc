"""A replica's capacity for a profile: the highest load whose predicted latencies meet the SLO.

Requests of a live service arrive one by one, so a replica with B sequences in flight serves
X(B) = B / latency(B) (core/selfhosted/serving.py, Engine.closed with arrivals spread out).
Every batch from 1 to what the KV cache holds is tried, for every row's mix at once; the
fastest whose p-th percentile TTFT and TPOT meet the SLO sets the capacity. When even one
request at a time misses the SLO the option is infeasible: it is not priced.

Which parameters serve a pairing is decided once per catalog (`Calibration.for_pairing`):
the built-in defaults (serving.yaml), moved by a speed factor fitted on the pairing's own
points, else on its model's points on other hardware (transferred).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from costcalc.core.demand.traffic import FloatArray
from costcalc.core.selfhosted.capacity import Mix
from costcalc.core.selfhosted.replay import Calibration as Label
from costcalc.core.selfhosted.replay import fit_speed, pairing, speed_basis
from costcalc.core.selfhosted.replicashape import CapacityArrays, Hardware, Shape
from costcalc.core.selfhosted.serving import Engine, Loads, Replicas, ServingParams
from costcalc.core.selfhosted.servingfit import observe, replay
from costcalc.schema.catalog import GpuSpec, OpenModel, ServingFile, ThroughputPoint
from costcalc.schema.profile import Slo

ROWS_AT_ONCE = 2048  # mixes searched at once: 2,048 × 256 batches stay near 4 MB an array


@dataclass(frozen=True)
class Calibration:
    """The serving model's parameters for every pairing of a catalog, and (`fit_errors`) how
    well the defaults fit the catalog's points."""

    params: ServingParams
    points: tuple[ThroughputPoint, ...]
    gpus: dict[str, GpuSpec]
    models: dict[str, OpenModel]
    _memo: dict[tuple[int, ...], tuple[ServingParams, int]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @cached_property
    def fit_errors(self) -> tuple[int, float, float]:
        """(points used, geometric-mean and worst |predicted / measured − 1| of throughput),
        in sample: replayed only when a report asks (a catalog without held-out figures)."""
        observed = observe(self.points, self.gpus, self.models)
        if not len(observed):
            return 0, float("nan"), float("nan")
        ratios = replay(observed, self.params).request_throughput / observed.request_throughput
        typical = float(np.expm1(np.mean(np.abs(np.log(ratios)))))
        return len(observed), typical, float(np.max(np.abs(ratios - 1.0)))

    def for_pairing(
        self, model: str, gpu: str, gpus_per_replica: int, precision: str
    ) -> tuple[ServingParams, Label, int, int]:
        """Parameters, which calibration they are, the runs behind the speed factor and how
        many of them are the pairing's own."""
        key = (model, gpu, gpus_per_replica, precision)
        chosen, label = speed_basis(key, self.points)
        own = sum(1 for i in chosen if pairing(self.points[i]) == key)
        basis = tuple(chosen)  # pairings of one model without runs share their model's speed
        if basis not in self._memo:
            observed = observe([self.points[i] for i in chosen], self.gpus, self.models)
            speed = fit_speed(observed, self.params) if len(observed) else self.params
            self._memo[basis] = (speed, len(observed))
        params, used = self._memo[basis]
        return params, (label if used else "built-in"), used, own


def params_from(serving: ServingFile | None) -> ServingParams:
    """The model's parameters from a catalog's serving.yaml (its defaults without one)."""
    return ServingParams() if serving is None else ServingParams(**serving.params.model_dump())


def calibrate(
    params: ServingParams,
    points: Sequence[ThroughputPoint],
    gpus: dict[str, GpuSpec],
    models: dict[str, OpenModel],
) -> Calibration:
    """A catalog's calibration: `params` (its serving.yaml) and its points."""
    return Calibration(params, tuple(points), gpus, models)


def serving_arrays(
    params: ServingParams, hw: Hardware, sh: Shape, mix: Mix[FloatArray], slo: Slo
) -> CapacityArrays:
    """Per row of `mix`, the largest batch whose tail TTFT and TPOT meet the SLO and what it
    serves; `slo_met` false (and batch 1's figures) where none does, batch 0 where nothing
    fits. Rows are searched ROWS_AT_ONCE at a time."""
    parts = []
    for start in range(0, len(mix.input_tokens), ROWS_AT_ONCE):
        cut = slice(start, start + ROWS_AT_ONCE)
        rows = Mix(mix.input_tokens[cut], mix.prefill_tokens[cut], mix.output_tokens[cut])
        with np.errstate(divide="ignore", invalid="ignore"):  # nothing fits: 0, inf seconds
            parts.append(_searched(params, hw, sh, rows, slo))
    if len(parts) == 1:
        return parts[0]
    return CapacityArrays(
        *(
            np.concatenate([getattr(part, name) for part in parts])
            for name in CapacityArrays.__dataclass_fields__
        )
    )


def _searched(
    params: ServingParams, hw: Hardware, sh: Shape, mix: Mix[FloatArray], slo: Slo
) -> CapacityArrays:
    input_tokens, prefill_tokens, output_tokens = (
        mix.input_tokens, mix.prefill_tokens, mix.output_tokens
    )  # fmt: skip
    ttft_slo_s, tpot_slo_s, percentile = slo.ttft_ms / 1000.0, slo.tpot_ms / 1000.0, slo.percentile
    engine = Engine(Replicas.of([(hw, sh)]), params)
    i, o = np.asarray(input_tokens)[:, None], np.asarray(output_tokens)[:, None]
    limit = engine.max_batch(i, o)  # (rows, 1)
    batches = np.arange(1.0, max(float(limit.max()), 1.0) + 1.0)[None, :]
    shape = np.broadcast_shapes(i.shape, batches.shape)
    nan = np.full(shape, np.nan)
    loads = Loads(
        np.broadcast_to(i, shape),
        np.broadcast_to(o, shape),
        np.zeros(shape, dtype=np.int8),
        np.broadcast_to(batches, shape),
        nan,
        nan,
        np.broadcast_to(np.asarray(prefill_tokens)[:, None], shape),
    )
    served = engine.closed(loads, np.broadcast_to(batches, shape), together=False)
    ttft_tail = served.ttft_ms(percentile) / 1000.0
    tpot_tail = served.tpot_ms(percentile) / 1000.0
    # a one-token answer has no time per output token to check
    tpot_ok = (tpot_tail <= tpot_slo_s) | (o <= 1.0)
    ok = (ttft_tail <= ttft_slo_s) & tpot_ok & (batches <= limit)
    met = ok.any(axis=1)
    # the fastest batch that meets the SLO (throughput is not monotonic in B everywhere:
    # a prefill split into one more chunk can cost a step)
    best = np.argmax(np.where(ok, served.request_throughput, -np.inf), axis=1)
    index = np.where(met, best, 0)
    rows = np.arange(ok.shape[0])
    fits = limit[:, 0] > 0
    throughput = served.request_throughput[rows, index]
    lone = (served.ttft_ms_p50[:, 0] + (o[:, 0] - 1.0) * served.tpot_ms_p50[:, 0]) / 1000.0
    return CapacityArrays(
        batch=np.where(fits, batches[0, index], 0.0),
        seconds_per_request=np.where(fits, 1.0 / throughput, np.inf),
        ttft_s=served.ttft_ms_p50[rows, index] / 1000.0,
        tpot_s=served.tpot_ms_p50[rows, index] / 1000.0,
        lone_latency_s=np.where(fits, lone, np.inf),
        slo_met=met & fits,
        tpot_tail_s=tpot_tail[rows, index],
        ttft_tail_s=ttft_tail[rows, index],
    )
