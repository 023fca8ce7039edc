"""Load the built-in catalog and layer the user's `--catalog` directories over it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from costcalc.errors import InputFileError, UnknownIdError, UserError, closest
from costcalc.io.shipped import builtin_dir
from costcalc.io.validation import read_validated
from costcalc.schema.catalog import (
    Catalog,
    ComputeFile,
    GpusFile,
    HostedFile,
    ModelsFile,
    ServingFile,
    ThroughputFile,
    ThroughputPoint,
)

CATALOG_FILES: dict[str, tuple[type[BaseModel], str]] = {
    "hosted.yaml": (HostedFile, "offers"),
    "compute.yaml": (ComputeFile, "offers"),
    "gpus.yaml": (GpusFile, "gpus"),
    "models.yaml": (ModelsFile, "models"),
    "throughput.yaml": (ThroughputFile, "points"),
}
SERVING_FILE = "serving.yaml"  # one calibration, not a list: read apart


# where each loaded entry came from, by object identity: (file, list key, index), so that a
# dangling reference found after layering names its file and record ("compute.yaml: offers[3]")
# and `catalog check` finds its line
Origins = dict[int, tuple[str, str, int]]
# what `catalog check` collects instead of stopping at the first: (file, keys to the field,
# the message); keys let a GitHub annotation find the line
Problems = list[tuple[str, list[int | str], str]]


def _entries(path: Path, origins: Origins, problems: Problems | None = None) -> list[Any]:
    schema, key = CATALOG_FILES[path.name]
    parsed, _ = read_validated(path, schema)
    entries: list[Any] = getattr(parsed, key)
    origins.update({id(e): (str(path), key, i) for i, e in enumerate(entries)})
    if key != "points":
        seen: set[str] = set()
        for i, entry in enumerate(entries):
            if entry.id in seen:
                error = InputFileError(path, f"duplicate id `{entry.id}`", f"{key}[{i}].id")
                if problems is None:
                    raise error
                problems.append((str(path), [key, i, "id"], str(error)))
            seen.add(entry.id)
    return entries


def _point_key(p: ThroughputPoint) -> tuple[str, str, int, str]:
    return (p.model, p.gpu, p.gpus_per_replica, p.precision)


def _layer_dir(
    directory: Path,
    tables: dict[str, dict[str, Any]],
    points: list[ThroughputPoint],
    origins: Origins,
    problems: Problems | None = None,
) -> list[ThroughputPoint]:
    if not directory.is_dir():
        raise UserError(f"--catalog {directory}: not a directory")
    present = sorted(p.name for p in directory.glob("*.y*ml") if p.name != SERVING_FILE)
    unknown = [name for name in present if name not in CATALOG_FILES]
    if unknown:
        near = closest(unknown[0], list(CATALOG_FILES), n=1)
        hint = f" (did you mean {near[0]}?)" if near else ""
        raise InputFileError(
            directory / unknown[0],
            f"not a catalog file{hint}; a catalog directory holds {', '.join(CATALOG_FILES)}",
        )
    if not present and not (directory / SERVING_FILE).is_file():
        raise UserError(f"--catalog {directory}: holds none of {', '.join(CATALOG_FILES)}")
    for name in present:
        entries = _entries(directory / name, origins, problems)
        if name == "throughput.yaml":
            # a user's points for a (model, GPU, replica, precision) replace the built-in ones
            replaced = {_point_key(p) for p in entries}
            points = [p for p in points if _point_key(p) not in replaced] + list(entries)
        else:
            tables[name].update({e.id: e for e in entries})
    return points


def serving_calibration(path: Path) -> ServingFile | None:
    """The serving model's calibration in `path`, None when there is no such file."""
    if not path.is_file():
        return None
    parsed, _ = read_validated(path, ServingFile)
    return parsed


def _check_references(catalog: Catalog, origins: Origins, problems: Problems | None) -> None:
    def dangling(entry: object, field: str, kind: str, wanted: str, known: Any) -> None:
        file, key, index = origins.get(id(entry), ("catalog", "", -1))
        at = f"{file}: {key}[{index}]" if key else file
        error = UnknownIdError(kind, wanted, known, f"{at}: field `{field}`")
        if problems is None:
            raise error
        problems.append((file, [key, index, field] if key else [], str(error)))

    for offer in catalog.compute.values():
        if offer.gpu not in catalog.gpus:
            dangling(offer, "gpu", "GPU", offer.gpu, catalog.gpus)
    for hosted in catalog.hosted.values():
        if hosted.open_model is not None and hosted.open_model not in catalog.models:
            dangling(hosted, "open_model", "open model", hosted.open_model, catalog.models)
    for point in catalog.points:
        if point.model not in catalog.models:
            dangling(point, "model", "open model", point.model, catalog.models)
        if point.gpu not in catalog.gpus:
            dangling(point, "gpu", "GPU", point.gpu, catalog.gpus)


def load_catalog(
    extra_dirs: Sequence[Path] = (),
    with_serving: bool = True,
    problems: Problems | None = None,
    origins: Origins | None = None,
) -> Catalog:
    """The built-in catalog with each extra directory layered on in order (same id replaces);
    `with_serving=False` leaves out serving.yaml (to regenerate it from the points). With
    `problems`, duplicate ids and dangling references are collected there instead of raised;
    `origins` is filled with where each entry came from."""
    tables: dict[str, dict[str, Any]] = {
        name: {} for name in CATALOG_FILES if name != "throughput.yaml"
    }
    points: list[ThroughputPoint] = []
    origins = {} if origins is None else origins
    builtin = builtin_dir()
    for name in CATALOG_FILES:
        entries = _entries(builtin / name, origins, problems)
        if name == "throughput.yaml":
            points = list(entries)
        else:
            tables[name] = {e.id: e for e in entries}
    serving = serving_calibration(builtin / SERVING_FILE) if with_serving else None
    for directory in extra_dirs:
        points = _layer_dir(Path(directory), tables, points, origins, problems)
        if with_serving:
            serving = serving_calibration(Path(directory) / SERVING_FILE) or serving
    catalog = Catalog(
        hosted=tables["hosted.yaml"],
        compute=tables["compute.yaml"],
        gpus=tables["gpus.yaml"],
        models=tables["models.yaml"],
        points=tuple(points),
        serving=serving,
    )
    _check_references(catalog, origins, problems)
    return catalog
