"""`costcalc profile from-logs`: a traffic profile measured from logs, every line accounted."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from costcalc.cli.common import checked_output, parse_volume, user_errors
from costcalc.cli.logs import profile_app
from costcalc.io.analyze import today

if TYPE_CHECKING:
    from costcalc.core.demand.derive import Volume
    from costcalc.core.demand.logstats import LogStats
    from costcalc.io.logs.measure import Measured


@profile_app.command("from-logs")
@user_errors
def from_logs(
    logs: Annotated[
        list[Path], typer.Argument(metavar="LOG", help="Request, usage or Batch API logs.")
    ],
    output: Annotated[
        Path,
        typer.Option(
            "-o", "--output", metavar="PROFILE.yaml",
            help="Profile to write (with --split-by-model: one per model, NAME-MODEL.yaml).",
            callback=checked_output,  # before reading gigabytes of logs
        ),
    ],
    model: Annotated[
        str | None,
        typer.Option("--model", metavar="M",
                     help="Keep only this model's requests (its dated snapshots too)."),
    ] = None,
    split_by_model: Annotated[
        bool, typer.Option("--split-by-model", help="Write one profile per model of the logs.")
    ] = False,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Fail (exit 2) at the first line that is not a request "
                     "used: malformed, failed, duplicate, unpaired, another model, bad time."),
    ] = False,
    name: Annotated[
        str | None, typer.Option("--name", help="Profile name (default: the output file's stem).")
    ] = None,
    days: Annotated[
        float | None,
        typer.Option("--days", min=0.001, max=36_500,
                     help="Days the logs cover (default: first to last request)."),
    ] = None,
    requests_per_day: Annotated[
        str | None,
        typer.Option("--requests-per-day", metavar="N",
                     help="Set the volume instead of measuring it, e.g. 250k."),
    ] = None,
    jobs_per_month: Annotated[
        float | None,
        typer.Option("--jobs-per-month", min=0.001, max=1e6, metavar="N",
                     help="For a Batch API job: how often it runs; volume = its requests × N."),
    ] = None,
    utc_offset: Annotated[
        float,
        typer.Option("--utc-offset", min=-14, max=14, metavar="HOURS",
                     help="Shift the daily shape to local time."),
    ] = 0.0,
) -> None:  # fmt: skip
    """Measure a traffic profile from request logs.

    Reads, in any mix (each file's format is told by its first record or CSV header):
    OpenAI-style chat JSONL (proxy logs: `request`/`body`, `response`, `created`,
    `conversation_id`); OpenAI Batch API input, output and error files; Anthropic Message
    Batches requests and results; LiteLLM spend logs; Langfuse observations; Helicone and
    OpenRouter exports; the OpenAI usage export; CSV with timestamp, prompt_tokens,
    completion_tokens. Gzip, bzip2 and xz are read as they are.

    Every line ends in one bucket, printed and written in the profile: requests used, failed
    requests, inputs without a result, results without an input, duplicates, other models,
    malformed. Provider usage is the ground truth for totals.

    A Batch API job is not a day of traffic: give --jobs-per-month N (or --requests-per-day
    N); the profile gets batch_share 1 and a flat shape. A log shorter than a day gets a flat
    shape too; under an hour it needs --days or --requests-per-day.

    \b
    Examples:
      costcalc profile from-logs logs/*.jsonl.gz -o profiles/measured.yaml
      costcalc profile from-logs batch_in.jsonl batch_out.jsonl --jobs-per-month 30 -o b.yaml
    """
    from costcalc.core.demand.derive import Volume
    from costcalc.errors import UserError
    from costcalc.io.logs.pipeline import measure_logs

    if any(output.resolve() == log.resolve() for log in logs):
        raise UserError(f"{output}: is one of the logs read; name another file to write")
    if requests_per_day is not None and jobs_per_month is not None:
        raise UserError("give --requests-per-day or --jobs-per-month, not both")
    per_day = _per_day(requests_per_day)
    measured = _measure(logs, lambda progress: measure_logs(
        logs, model, strict, utc_offset, progress, split_by_model=split_by_model))  # fmt: skip
    if measured.stats.attempts == 0:
        raise UserError(f"no requests found in {', '.join(map(str, logs))}{_why_none(measured)}")
    volume = Volume(days, per_day, jobs_per_month, measured.batch)
    missing = volume.missing(measured.stats)
    if missing:
        raise UserError(f"{', '.join(map(str, logs))}: {missing}")
    targets = _targets(measured, output, name, split_by_model)
    for path, profile_name, stats, batch in targets:
        part = Volume(days, per_day, jobs_per_month, batch)
        problem = part.missing(stats)
        if problem:  # one model's requests alone can span under an hour
            raise UserError(f"{path}: not written: {problem}")
        written = _write(measured, stats, part, path, profile_name, len(logs))
        rate = f"{written:,.2f}".removesuffix(".00")
        typer.echo(f"wrote {path}: {stats.requests:,} requests, {rate} per day")
    _report(measured)


def _per_day(text: str | None) -> float | None:
    from costcalc.schema.profile import MAX_REQUESTS_PER_DAY, MIN_REQUESTS_PER_DAY

    value = parse_volume(text, "--requests-per-day")
    if value is not None and not MIN_REQUESTS_PER_DAY <= value <= MAX_REQUESTS_PER_DAY:
        raise typer.BadParameter(
            f"{text}: give {MIN_REQUESTS_PER_DAY:g} to {MAX_REQUESTS_PER_DAY:g}",
            param_hint="'--requests-per-day'",
        )
    return value


def _measure(logs: list[Path], run: object) -> Measured:
    """Run the measurement with a progress bar on a terminal."""
    progress = None
    bar = None
    if sys.stderr.isatty():
        from rich.progress import Progress

        bar = Progress(transient=True)
        task = bar.add_task(
            "reading logs", total=sum(p.stat().st_size for p in logs if p.is_file())
        )
        bar.start()

        def progress(position: int) -> None:
            bar.update(task, completed=position)

    try:
        return run(progress)  # type: ignore[operator, no-any-return]
    finally:
        if bar is not None:
            bar.stop()


def _targets(
    measured: Measured, output: Path, name: str | None, split: bool
) -> list[tuple[Path, str, LogStats, int]]:
    """(file, profile name, statistics, batch requests) of each profile to write."""
    if not split or measured.per_model is None:
        return [(output, name or output.stem, measured.stats, measured.batch)]
    from costcalc.io.logs.values import printable

    out = []
    for model, stats in sorted(measured.per_model.items()):
        slug = "".join(c if c.isalnum() or c in "-._" else "-" for c in model)[:80]
        path = output.with_name(f"{output.stem}-{slug}{output.suffix or '.yaml'}")
        base = name or output.stem
        out.append((path, f"{base}-{printable(model)}", stats, measured.batch_by_model[model]))
    return out


def _write(
    measured: Measured, stats: LogStats, volume: Volume, path: Path, name: str, files: int
) -> float:
    """Render, validate and write one profile; its requests per day."""
    from costcalc.cli.from_logs_text import header, schema_ref, validate
    from costcalc.core.demand.derive import derive_profile
    from costcalc.io.output import write_file
    from costcalc.render.profile_yaml import render_profile

    derived = derive_profile(stats, name, volume)
    text = render_profile(derived, header(measured, stats, files, today()), schema_ref(path))
    validate(text, path)
    write_file(path, text)  # whole or not at all: an OS error exits 2 naming the path
    return float(derived.data["traffic"]["requests_per_day"])


def _report(measured: Measured) -> None:
    """After the profile: notes, the buckets of lines not used, times not used."""
    from costcalc.cli.from_logs_text import accounting

    for note in measured.all_notes:  # the tiktoken fallback and stand-in encodings, said once
        typer.echo(f"note: {note}", err=True)
    for line in accounting(measured):
        typer.echo(line, err=True)


def _why_none(measured: Measured) -> str:
    """' (12 of other models; 3 malformed, first at log.jsonl:2, …)', or ''."""
    skipped = measured.counts.skipped()
    return f" ({'; '.join(skipped)})" if skipped else ""
