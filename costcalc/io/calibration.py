"""Fit the serving model on the built-in throughput points and write `pricing/serving.yaml`.

    python -m costcalc.io.calibration           # rewrite it after changing throughput.yaml
    python -m costcalc.io.calibration --check   # exit 1 when it is out of date (a test runs it)

The built-in points set the defaults every pairing starts from; a pairing's own points then
move it by a speed factor (core/selfhosted/replay.py), never the defaults of other GPUs.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys

from costcalc.core.selfhosted.replay import leave_one_out, summary
from costcalc.core.selfhosted.servingfit import fit, observe
from costcalc.io.catalog import SERVING_FILE, load_catalog
from costcalc.io.shipped import builtin_dir
from costcalc.schema.catalog import Catalog, ServingAccuracy, ServingCalibration

DIGITS = 4  # significant digits kept: the fit's grid is coarser than that


def _round(x: float) -> float:
    return float(f"{x:.{DIGITS}g}")


def fitted(catalog: Catalog) -> tuple[ServingCalibration, int]:
    """The calibration of `catalog`'s points, rounded as written, and how many took part."""
    observed = observe(catalog.points, catalog.gpus, catalog.models)
    params = fit(observed)
    values = {f.name: _round(getattr(params, f.name)) for f in dataclasses.fields(params)}
    return ServingCalibration(**values), len(observed)


def accuracy(catalog: Catalog) -> ServingAccuracy:
    """Leave one source out: each source's points predicted from all the others' (what
    `costcalc bench predict --with-catalog` prints run by run)."""
    observed = observe(catalog.points, catalog.gpus, catalog.models)
    groups = [p.source for p in observed.points]
    runs = leave_one_out(observed, groups, groups)
    median, largest = summary(runs)
    return ServingAccuracy(
        runs=len(runs),
        median_abs_error_pct=_round(median["request_throughput"] or 0.0),
        max_abs_error_pct=_round(largest["request_throughput"] or 0.0),
    )


def render(calibration: ServingCalibration, points: int, held_out: ServingAccuracy) -> str:
    lines = [
        "# The serving model (costcalc/core/selfhosted/serving.py) calibrated on the built-in",
        "# throughput points. Generated: python -m costcalc.io.calibration (do not edit by hand).",
        "schema_version: 1",
        "as_of: 2026-11-30",
        f"fitted_on_points: {points}",
        "source: pricing/throughput.yaml (every point's own source is listed there)",
        "params:",
    ]
    lines += [f"  {name}: {value:g}" for name, value in calibration.model_dump().items()]
    lines += [
        "# request throughput of each source's runs predicted without that source",
        "leave_one_out:",
        *(f"  {name}: {value:g}" for name, value in held_out.model_dump().items()),
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when the file is stale")
    args = parser.parse_args(argv)
    path = builtin_dir() / SERVING_FILE
    # the file being checked or rewritten is not read to fit (a stale key must not stop it)
    catalog = load_catalog([], with_serving=False)
    calibration, points = fitted(catalog)
    if args.check:
        written = load_catalog([]).serving
        if written is None or written.params != calibration:
            print(f"{path} is out of date: run python -m costcalc.io.calibration", file=sys.stderr)
            return 1
        return 0
    path.write_text(render(calibration, points, accuracy(catalog)), encoding="utf-8")
    print(f"wrote {path} (fitted on {points} points)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
