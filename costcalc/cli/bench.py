"""`costcalc bench import|plan|show`: turn real GPU benchmark runs into catalog throughput."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from costcalc.cli.common import (
    CatalogOption,
    OutputOption,
    WidthOption,
    checked_output,
    output_path,
    terminal_width,
    user_errors,
    write_output,
)
from costcalc.io.analyze import today
from costcalc.schema.choices import Precision

app = typer.Typer(
    help=(
        "Benchmark your own GPU: plan the vLLM runs a profile needs, import their results into "
        "a catalog directory, check how well the serving model predicts them, and inspect the "
        "points under your SLO."
    ),
    no_args_is_help=True,
)

GpusOption = Annotated[
    int | None,
    typer.Option("--gpus-per-replica", min=1, max=64, metavar="N", help="GPUs per vLLM server."),
]


@app.command("import")
@user_errors
def import_(
    files: Annotated[
        list[Path],
        typer.Argument(
            metavar="FILE", help="Result files of vLLM, GuideLLM, llmperf, genai-perf or AIPerf."
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "-o",
            "--output",
            metavar="OUT.yaml",
            help="throughput.yaml to write (use it with compare --catalog).",
            parser=output_path,
            callback=checked_output,
        ),
    ],
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            metavar="ID",
            help="Catalog model id, when the files do not name a known model.",
        ),
    ] = None,
    gpu: Annotated[
        str | None,
        typer.Option(
            "--gpu", metavar="ID", help="Catalog GPU id or a GPU name (H100, A100-40GB, L40S…)."
        ),
    ] = None,
    gpus_per_replica: GpusOption = None,
    replicas: Annotated[
        int | None,
        typer.Option(
            "--replicas",
            metavar="N",
            min=1,
            max=10_000,
            help="vLLM servers the run spread over (default: file metadata, else 1).",
        ),
    ] = None,
    precision: Annotated[
        Precision | None,
        typer.Option(
            "--precision", help="Model precision (default: file metadata or model name, else bf16)."
        ),
    ] = None,
    input_len: Annotated[
        int | None,
        typer.Option(
            "--input-len",
            metavar="N",
            min=1,
            help="Prompt tokens of offline runs (vllm bench throughput/latency).",
        ),
    ] = None,
    output_len: Annotated[
        int | None,
        typer.Option("--output-len", min=1, metavar="N", help="Output tokens of offline runs."),
    ] = None,
    batch_size: Annotated[
        int | None,
        typer.Option(
            "--batch-size", min=1, metavar="N", help="Batch size of a vllm bench latency run."
        ),
    ] = None,
    append: Annotated[
        bool, typer.Option("--append", help="Keep the points already in OUT.yaml.")
    ] = False,
    catalog: CatalogOption = None,
) -> None:
    """Import benchmark result files as throughput points of one replica.

    The format of each file is detected. Hardware comes from the flags, else from the file's
    metadata (vllm bench serve --metadata gpu=h100-sxm tp=1 replicas=1); a file with neither
    is refused. A run over several replicas is divided by their count. A fixed-rate run whose
    throughput kept up with its offered rate is marked `saturated: false` (a lower bound).

    \b
    Examples:
      costcalc bench import results/*.json -o my-catalog/throughput.yaml
      costcalc bench import run.json --gpu h100-sxm --gpus-per-replica 1 --replicas 2 -o t.yaml
    """
    from costcalc.io.bench.common import OfflineShape
    from costcalc.io.bench.hardware import HardwareFlags
    from costcalc.io.bench.importer import import_files
    from costcalc.io.catalog import load_catalog
    from costcalc.io.validation import read_validated
    from costcalc.render.points import render_points
    from costcalc.schema.catalog import ThroughputFile

    prices = load_catalog(catalog or [])
    flags = HardwareFlags(gpu, gpus_per_replica, replicas, precision)
    shape = OfflineShape(input_len, output_len, batch_size)
    result = import_files(files, prices, flags, model, shape, today())
    kept = (
        list(read_validated(output, ThroughputFile)[0].points) if append and output.exists() else []
    )
    header = [
        f"Imported by costcalc bench import from {len(files)} file(s) on {today().isoformat()}.",
        "One point per run, throughput of ONE replica.",
        "Use with: costcalc compare PROFILE --catalog DIR",
    ]
    write_output(render_points([*kept, *result.points], header), output)
    lower = sum(1 for p in result.points if not p.saturated)
    typer.echo(
        f"wrote {len(result.points)} point(s) to {output}"
        + (f" ({len(kept)} kept)" if kept else "")
        + (f"; {lower} are lower bounds (fixed-rate runs that kept up)" if lower else "")
    )
    for line in result.notes:
        typer.echo(f"note: {line}")
    for line in result.skipped:
        typer.echo(f"skipped: {line}", err=True)


@app.command()
@user_errors
def plan(
    profile: Annotated[
        Path, typer.Argument(metavar="PROFILE", help="Traffic profile whose mix to measure.")
    ],
    model: Annotated[
        str,
        typer.Option("--model", metavar="ID", help="Catalog model id, e.g. llama-3.1-8b-instruct."),
    ],
    gpu: Annotated[str, typer.Option("--gpu", metavar="ID", help="Catalog GPU id, e.g. h100-sxm.")],
    gpus_per_replica: GpusOption = None,
    precision: Annotated[
        Precision, typer.Option("--precision", help="Weights to plan for: bf16, fp8 or int4.")
    ] = "bf16",
    catalog: CatalogOption = None,
    output: OutputOption = None,
) -> None:
    """Print the vllm bench serve commands that measure what PROFILE needs.

    Three mixes (yours, twice the prompt, twice the output) so prefill and decode costs can
    be fitted, a concurrency sweep, all percentiles, and --metadata so the files carry their
    hardware; then the import and compare commands.
    """
    from costcalc.core.selfhosted.plan import plan as make_plan
    from costcalc.errors import UnknownIdError
    from costcalc.io.catalog import load_catalog
    from costcalc.io.profiles import load_profile
    from costcalc.render.bench import render_plan

    prices = load_catalog(catalog or [])
    if model not in prices.models:
        raise UnknownIdError("open model", model, prices.models, "--model")
    if gpu not in prices.gpus:
        raise UnknownIdError("GPU", gpu, prices.gpus, "--gpu")
    loaded = load_profile(profile)
    tp = gpus_per_replica or 1
    the_plan = make_plan(loaded.profile, prices.models[model], prices.gpus[gpu], tp, precision)
    if not the_plan.concurrencies or the_plan.max_batch == 0:
        from costcalc.errors import UserError

        raise UserError(
            f"{model} ({precision}) does not fit on {tp}× {gpu}; try --gpus-per-replica"
        )
    write_output(
        render_plan(the_plan, prices.models[model].name, gpu, tp, precision, str(profile)), output
    )


@app.command()
@user_errors
def show(
    model: Annotated[str, typer.Argument(metavar="MODEL", help="Catalog model id.")],
    gpu: Annotated[str, typer.Argument(metavar="GPU", help="Catalog GPU id.")],
    profile: Annotated[
        Path | None,
        typer.Option(
            "--profile", metavar="PROFILE", help="Use its SLO and show the capacity at its mix."
        ),
    ] = None,
    catalog: CatalogOption = None,
    output: OutputOption = None,
    width: WidthOption = None,
) -> None:
    """Show the benchmark points of MODEL on GPU under the SLO and the serving model's replay of
    each, with the capacity at a profile's mix; without points, the serving model alone."""
    from costcalc.core.demand.tokens import inflate
    from costcalc.core.selfhosted.pointcheck import check_points
    from costcalc.core.selfhosted.replay import leave_one_out
    from costcalc.core.selfhosted.replica import ReplicaCapacity, mix_of, replica_capacity
    from costcalc.core.selfhosted.servingcapacity import calibrate, params_from
    from costcalc.core.selfhosted.servingfit import observe
    from costcalc.errors import UnknownIdError
    from costcalc.io.catalog import load_catalog
    from costcalc.io.profiles import load_profile
    from costcalc.render.bench import PointGroup, render_show
    from costcalc.schema.catalog import ThroughputPoint
    from costcalc.schema.profile import Request, Slo

    prices = load_catalog(catalog or [])
    if model not in prices.models:
        raise UnknownIdError("open model", model, prices.models, "MODEL")
    if gpu not in prices.gpus:
        raise UnknownIdError("GPU", gpu, prices.gpus, "GPU")
    points = [p for p in prices.points if p.model == model and p.gpu == gpu]
    loaded = load_profile(profile) if profile else None
    slo = loaded.profile.slo if loaded else Slo()
    if not points:  # the model alone: the smallest replica that fits, at the profile's mix
        request = loaded.profile.request if loaded else Request()
        calibration = calibrate(
            params_from(prices.serving), prices.points, prices.gpus, prices.models
        )
        for tp in (1, 2, 4, 8):
            capacity = replica_capacity(
                prices.models[model], prices.gpus[gpu], tp, "bf16",
                mix_of(inflate(request), True), slo, calibration,
            )  # fmt: skip
            if not (isinstance(capacity, str) and capacity.startswith("does not fit")):
                break
        group = PointGroup(tp, "bf16", "", [], [], capacity)
        source = f"from {profile}" if profile else "defaults; pass --profile for yours"
        write_output(render_show(model, gpu, [group], slo, source, terminal_width(width)), output)
        return
    calibration = calibrate(params_from(prices.serving), prices.points, prices.gpus, prices.models)
    observed = observe(prices.points, prices.gpus, prices.models)
    sources = [p.source for p in observed.points]
    groups = []

    def key(p: ThroughputPoint) -> tuple[int, str, str]:
        # runs of different engine versions are shown apart: a version can change throughput
        return (p.gpus_per_replica, p.precision, p.engine_version or "")

    shown: set[tuple[int, str]] = set()
    for tp, precision, version in sorted({key(p) for p in points}):
        subset = [p for p in points if key(p) == (tp, precision, version)]
        at_mix: ReplicaCapacity | str | None = None
        if loaded and (tp, precision) not in shown:  # once per replica shape
            shown.add((tp, precision))
            at_mix = replica_capacity(
                prices.models[model], prices.gpus[gpu], tp, precision,
                mix_of(inflate(loaded.profile.request), True), slo, calibration,
                prices.points_for(model, gpu, tp, precision),
            )  # fmt: skip
        held = [p.source for p in subset]
        replayed = [r for r in leave_one_out(observed, sources, held) if r.point in subset]
        groups.append(
            PointGroup(tp, precision, version, check_points(subset, slo), replayed, at_mix)
        )
    source = f"from {profile}" if profile else "defaults; pass --profile for yours"
    write_output(render_show(model, gpu, groups, slo, source, terminal_width(width)), output)


def _register_predict() -> None:
    from costcalc.cli.bench_predict import predict

    app.command("predict")(predict)


_register_predict()
