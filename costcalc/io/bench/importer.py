"""`costcalc bench import`: result files in, catalog throughput points (one per replica) out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from costcalc.core.selfhosted.benchrun import Run, lower_bound
from costcalc.errors import InputFileError, UnknownIdError, UserError
from costcalc.io.bench import read_runs
from costcalc.io.bench.common import OfflineShape
from costcalc.io.bench.hardware import HardwareFlags, resolve
from costcalc.schema.catalog import Catalog, ThroughputPoint


@dataclass
class Imported:
    points: list[ThroughputPoint] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# precision and packaging suffixes of quantized checkpoints, longest first
QUANT_SUFFIXES = (
    "-fp8-dynamic", "-w8a8-fp8", "-w8a8", "-w4a16", "-gptq-int4", "-awq-int4", "-fp8", "-awq",
    "-gptq", "-int4", "-int8", "-bf16", "-fp16",
)  # fmt: skip


def _stem(name: str) -> str:
    """A model name without its organisation, `meta-` prefix or quantization suffix:
    neuralmagic/Meta-Llama-3.1-8B-Instruct-FP8 → llama-3.1-8b-instruct."""
    stem = name.strip().rstrip("/").lower().split("/")[-1].removeprefix("meta-")
    for suffix in QUANT_SUFFIXES:
        stem = stem.removesuffix(suffix)
    return stem


def model_id(name: str | None, flag: str | None, catalog: Catalog, source: str) -> str:
    """The catalog id of the run's model: the flag, else the file's model name (a Hugging Face
    id such as meta-llama/Llama-3.1-8B-Instruct, or a quantized checkpoint of it such as
    neuralmagic/Meta-Llama-3.1-8B-Instruct-FP8) matched against the catalog's models. A base
    checkpoint (Meta-Llama-3.1-8B-FP8) is filed under the instruct model of the same shape."""
    if flag is not None:
        if flag not in catalog.models:
            raise UnknownIdError("open model", flag, catalog.models, "--model")
        return flag
    if name:
        wanted = _stem(name)
        for candidate in (wanted, f"{wanted}-instruct"):
            for model in catalog.models.values():
                if candidate in {model.id, _stem(model.name)}:
                    return model.id
    raise UnknownIdError(
        "open model",
        name or "(not recorded)",
        catalog.models,
        f"{source}: the file's model",
        "Give --model ID, or add the model to models.yaml in a --catalog directory.",
    )


def to_point(
    run: Run, model: str, flags: HardwareFlags, catalog: Catalog, today: dt.date
) -> tuple[ThroughputPoint, list[str]]:
    """A run as a catalog point of ONE replica: throughput, offered rate and concurrency are
    divided by the replica count (llm-d: 3.483 req/s over 2 replicas → 1.7415 per replica)."""
    hw = resolve(run, flags, catalog)
    n = hw.replicas
    latencies = {f"ttft_ms_p{p}": v for p, v in run.ttft_ms.items()}
    latencies.update({f"tpot_ms_p{p}": v for p, v in run.tpot_ms.items()})
    notes = [f"{run.fmt}", *run.notes, *hw.notes]
    if n > 1:
        notes.append(f"{run.request_throughput:.4g} req/s over {n} replicas")
    prompts = run.num_prompts or run.completed
    burst = run.request_rate is None and (
        run.concurrency is None or (prompts is not None and prompts <= run.concurrency)
    )
    try:
        point = ThroughputPoint(
            model=model,
            gpu=hw.gpu,
            gpus_per_replica=hw.gpus_per_replica,
            precision=hw.precision,
            input_tokens=run.input_tokens,
            output_tokens=run.output_tokens,
            output_tokens_max=(
                run.output_tokens_max
                if run.output_tokens_max and run.output_tokens_max >= run.output_tokens
                else None
            ),
            concurrency=None if run.concurrency is None else run.concurrency / n,
            request_rate=None if run.request_rate is None else run.request_rate / n,
            request_throughput=run.request_throughput / n,
            load="burst" if burst else ("concurrency" if run.concurrency is not None else "rate"),
            num_prompts=None if prompts is None else max(1, round(prompts / n)),
            saturated=not burst and not lower_bound(run),
            engine=run.engine,
            engine_version=run.engine_version,
            as_of=run.date or today,
            source=run.source,
            notes="; ".join(notes)
            + ("" if run.date else "; run date not recorded, as_of is the import date"),
            **latencies,
        )
    except ValidationError as exc:  # a value no run can have (a rate of 0, a concurrency of 0)
        problems = "; ".join(
            f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise InputFileError(run.source, f"not a usable run: {problems}") from None
    return point, hw.notes


def import_files(
    paths: Sequence[Path],
    catalog: Catalog,
    flags: HardwareFlags,
    model_flag: str | None,
    shape: OfflineShape,
    today: dt.date,
) -> Imported:
    """Read every file, refuse mixed models, and convert each completed run into a point."""
    result = Imported()
    runs: list[Run] = []
    seen: set[Path] = set()
    for path in paths:
        if path.resolve() in seen:  # the same file twice would weigh its runs twice
            result.skipped.append(f"{path}: named twice, read once")
            continue
        seen.add(path.resolve())
        found, skipped = read_runs(path, shape)
        runs.extend(found)
        result.skipped.extend(skipped)
    if not runs:
        raise _nothing(paths, result.skipped)
    names = {r.model_name for r in runs if r.model_name}
    if len(names) > 1:
        where = "; ".join(f"{r.model_name} in {r.source}" for r in runs if r.model_name)
        raise UserError(f"the files hold {len(names)} models ({where}); import one model at a time")
    for run in runs:
        if run.input_tokens <= 0 or run.output_tokens <= 0:
            result.skipped.append(f"{run.source}: no input/output token counts, skipped")
            continue
        model = model_id(run.model_name, model_flag, catalog, run.source)
        point, notes = to_point(run, model, flags, catalog, today)
        result.points.append(point)
        result.notes.extend(n for n in notes if n not in result.notes)
    if not result.points:  # writing an empty catalog would clobber the user's old one
        raise _nothing(paths, result.skipped)
    return result


def _nothing(paths: Sequence[Path], skipped: list[str]) -> UserError:
    """The error of files without a usable run, saying why the first was skipped (the CLI
    prints the skip messages only after a successful import)."""
    why = f" ({skipped[0]})" if skipped else ""
    return UserError("no completed runs in " + ", ".join(str(p) for p in paths) + why)
