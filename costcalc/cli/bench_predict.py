"""`costcalc bench predict`: how well the serving model predicts your own benchmark runs."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from costcalc.cli.common import (
    CatalogOption,
    OutputOption,
    WidthOption,
    terminal_width,
    user_errors,
    write_output,
)
from costcalc.io.analyze import today
from costcalc.schema.choices import Precision


class PredictFormat(StrEnum):
    text = "text"
    json = "json"


@user_errors
def predict(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="FILE",
            help="Result files of vLLM, GuideLLM, llmperf, genai-perf or AIPerf.",
            show_default=False,
        ),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option("--model", metavar="ID", help="Catalog model id, when a file names none."),
    ] = None,
    gpu: Annotated[
        str | None,
        typer.Option("--gpu", metavar="ID", help="Catalog GPU id or a GPU name (H100, L40S…)."),
    ] = None,
    gpus_per_replica: Annotated[
        int | None,
        typer.Option("--gpus-per-replica", min=1, max=64, metavar="N", help="GPUs per server."),
    ] = None,
    replicas: Annotated[
        int | None,
        typer.Option("--replicas", min=1, max=10_000, metavar="N", help="Servers the run used."),
    ] = None,
    precision: Annotated[
        Precision | None, typer.Option("--precision", help="Model precision (default: bf16).")
    ] = None,
    catalog: CatalogOption = None,
    with_catalog: Annotated[
        bool,
        typer.Option(
            "--with-catalog",
            help="Also replay the catalog's points, each source calibrated without itself: the "
            "accuracy the README reports.",
        ),
    ] = False,
    output_format: Annotated[
        PredictFormat, typer.Option("--format", "-f", help="text or json.")
    ] = PredictFormat.text,
    output: OutputOption = None,
    width: WidthOption = None,
) -> None:
    """Replay each file's runs through the serving model, calibrated without that file.

    Each run's own workload (input and output tokens) and load (its concurrency, offered
    rate, or burst of requests sent at once) go through the model, calibrated on the catalog's
    points and the other files but not the file itself (leave one file out). It prints the
    measured and predicted request throughput, TTFT and TPOT with the error in %, then the
    median and worst errors: check the model on your own hardware before you trust a
    break-even. Hardware comes from the flags or the files' metadata, as for `bench import`.

    \b
    Examples:
      costcalc bench predict sweep/*.json --gpu l40s --gpus-per-replica 1
      costcalc bench predict run1.json run2.json -f json -o predict.json
      costcalc bench predict --with-catalog
    """
    from costcalc.io.bench.common import OfflineShape
    from costcalc.io.bench.hardware import HardwareFlags
    from costcalc.io.bench.predict import predict_files
    from costcalc.io.catalog import load_catalog
    from costcalc.render.predict import render_predict_json, render_predict_text

    prices = load_catalog(catalog or [])
    flags = HardwareFlags(gpu, gpus_per_replica, replicas, precision)
    from costcalc.errors import UserError

    if not files and not with_catalog:
        raise UserError("give result files to replay, or --with-catalog")
    result = predict_files(files or [], prices, flags, model, OfflineShape(), today(), with_catalog)
    if output_format is PredictFormat.json:
        write_output(render_predict_json(result.runs, result.skipped), output)
    else:
        text = render_predict_text(result.runs, result.skipped, terminal_width(width))
        write_output(text, output)
    for line in result.notes:
        typer.echo(f"note: {line}", err=True)
