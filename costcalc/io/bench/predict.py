"""`costcalc bench predict`: each result file replayed through the serving model, calibrated
on the catalog's points and the other files (leave one file out)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from costcalc.core.selfhosted.capacity import within
from costcalc.core.selfhosted.replay import Replayed, leave_one_out
from costcalc.core.selfhosted.servingcapacity import params_from
from costcalc.core.selfhosted.servingfit import observe
from costcalc.errors import UserError
from costcalc.io.bench.common import OfflineShape
from costcalc.io.bench.hardware import HardwareFlags
from costcalc.io.bench.importer import import_files
from costcalc.schema.catalog import Catalog, ThroughputPoint

CATALOG = "catalog: "  # how a built-in point's group (its source) is told from a file


@dataclass
class Predicted:
    runs: list[Replayed] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def same_run(a: ThroughputPoint, b: ThroughputPoint) -> bool:
    """The same measurement twice (a file whose runs the catalog already holds): same pairing,
    load, mix within 2 % and throughput within 1 %."""

    def near(x: float | None, y: float | None, tolerance: float) -> bool:
        return x is y if x is None or y is None else bool(within(x, y, tolerance))

    return (
        (a.model, a.gpu, a.gpus_per_replica, a.precision, a.load)
        == (b.model, b.gpu, b.gpus_per_replica, b.precision, b.load)
        and near(a.concurrency, b.concurrency, 0.01)
        and near(a.request_rate, b.request_rate, 0.01)
        and near(a.input_tokens, b.input_tokens, 0.02)
        and near(a.output_tokens, b.output_tokens, 0.02)
        and near(a.request_throughput, b.request_throughput, 0.01)
    )


def predict_files(
    paths: Sequence[Path],
    catalog: Catalog,
    flags: HardwareFlags,
    model_flag: str | None,
    shape: OfflineShape,
    today: dt.date,
    with_catalog: bool = False,
) -> Predicted:
    """Import every file (one model per file), then predict each file's runs from the rest;
    `with_catalog`: each catalog source's points too, from everything else."""
    result = Predicted()
    points: list[ThroughputPoint] = []
    groups: list[str] = []
    for path in paths:
        try:
            imported = import_files([path], catalog, flags, model_flag, shape, today)
        except UserError as exc:
            if not str(exc).startswith("no completed runs"):
                raise
            result.skipped.append(f"{path}: no completed runs, skipped")
            continue
        result.skipped.extend(imported.skipped)
        result.notes.extend(n for n in imported.notes if n not in result.notes)
        points.extend(imported.points)
        groups.extend([str(path)] * len(imported.points))
    if not points and not with_catalog:
        raise UserError("no completed runs in " + ", ".join(str(p) for p in paths))
    held = list(dict.fromkeys(groups))
    from_files = list(points)
    repeated = 0
    for point in catalog.points:
        if any(same_run(point, mine) for mine in from_files):
            repeated += 1  # a file the catalog was built from: it must not calibrate itself
            continue
        points.append(point)
        groups.append(f"{CATALOG}{point.source}")
        if with_catalog:
            held.append(groups[-1])
    if repeated:
        result.notes.append(
            f"{repeated} catalog point(s) are runs of these files; they replay as the files"
        )
    known = [i for i, p in enumerate(points) if p.gpu in catalog.gpus and p.model in catalog.models]
    observed = observe([points[i] for i in known], catalog.gpus, catalog.models)
    kept = [groups[i] for i in known]
    # a user's file never took part in the built-in defaults: only its pairing's speed is
    # refitted without it; a built-in source did, so the defaults are refitted without it
    files = [g for g in held if not g.startswith(CATALOG)]
    if files:
        result.runs = leave_one_out(observed, kept, files, params_from(catalog.serving))
    built_in = [g for g in held if g.startswith(CATALOG)]
    if built_in:
        result.runs += leave_one_out(observed, kept, built_in)
    return result
