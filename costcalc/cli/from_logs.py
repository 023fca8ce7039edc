"""`costcalc profile from-logs`: a traffic profile measured from logs, every line accounted."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from costcalc.cli.common import checked_output, output_path, user_errors
from costcalc.cli.logs import profile_app
from costcalc.cli.values import parse_volume, within
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
            parser=output_path, callback=checked_output,  # before reading gigabytes of logs
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
        typer.Option("--strict", help="Fail (exit 2) at the first line in any bucket but "
                     "'requests used', or with a time outside 2015 to tomorrow."),
    ] = False,
    name: Annotated[
        str | None, typer.Option("--name", help="Profile name (default: the output file's stem).")
    ] = None,
    days: Annotated[
        float | None,
        typer.Option("--days", callback=within(0.001, 36_500), metavar="D",
                     help="Days the logs cover, 0.001 to 36,500 (default: first to last "
                     "request)."),
    ] = None,
    requests_per_day: Annotated[
        str | None,
        typer.Option("--requests-per-day", metavar="N",
                     help="Set the volume instead of measuring it, e.g. 250k."),
    ] = None,
    jobs_per_month: Annotated[
        float | None,
        typer.Option("--jobs-per-month", callback=within(0.001, 1e6), metavar="N",
                     help="For a Batch API job: how often it runs, 0.001 to 1,000,000; "
                     "volume = its requests × N."),
    ] = None,
    utc_offset: Annotated[
        float,
        typer.Option("--utc-offset", callback=within(-14, 14), metavar="HOURS",
                     help="Shift the daily shape to local time, -14 to 14."),
    ] = 0.0,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, max=256, metavar="N",
                     help="Processes a large plain JSONL log is read with, in parts "
                     "(default: every core; 1: one process)."),
    ] = None,
) -> None:  # fmt: skip
    """Measure a traffic profile from request logs.

    Reads, in any mix (each file's format is told by its first record or CSV header):
    OpenAI-style chat JSONL (proxy logs: `request`/`body`, `response`, `created`,
    `conversation_id`); OpenAI Batch API input, output and error files; Anthropic Message
    Batches requests and results; LiteLLM spend logs; Langfuse observations; Helicone and
    OpenRouter exports; the OpenAI usage export; CSV with timestamp, prompt_tokens,
    completion_tokens. Gzip, bzip2 and xz are read as they are. A plain JSONL log over 16 MB
    is read in parts on every core (--workers) and the parts merged.

    Every line ends in one bucket, printed and written in the profile: requests used, failed
    requests, inputs without a result, results without an input, duplicates, other models,
    not a model call, malformed. Provider usage is the ground truth for totals.

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
        logs, model, strict, utc_offset, progress, split_by_model=split_by_model,
        workers=workers))  # fmt: skip
    if measured.stats.attempts == 0:
        _report(measured)
        raise UserError(f"no requests found in {', '.join(map(str, logs))}{_why_none(measured)}")
    volume = Volume(days, per_day, jobs_per_month, measured.batch)
    missing = volume.missing(measured.stats)
    if missing:
        _report(measured)  # what was read, before the question
        if days is not None and volume.is_job(measured.stats):
            missing += " (--days does not apply: a job's volume is how often it runs)"
        raise UserError(f"{', '.join(map(str, logs))}: {missing}")
    if jobs_per_month is not None and not measured.batch:
        typer.echo("warning: --jobs-per-month takes the logs as one job, but no request in "
                   "them went through a Batch API", err=True)  # fmt: skip
    whole = measured.stats.span_days
    files = len({log.resolve() for log in logs})  # a file named twice is read once
    rendered = [
        (path, stats, _render(measured, stats, part, path, profile_name, files))
        for path, profile_name, stats, part in _targets(
            measured, output, name, split_by_model, Volume(days, per_day, jobs_per_month,
                                                           measured.batch, whole))
    ]  # fmt: skip
    from costcalc.io.output import write_file

    for path, stats, (text, rate) in rendered:  # every profile checked before any is written
        write_file(path, text)  # whole or not at all: an OS error exits 2 naming the path
        shown = f"{rate:,.2f}".removesuffix(".00")
        typer.echo(f"wrote {path}: {_plural(stats.requests, 'request')}, {shown} per day")
    _report(measured, model is not None)
    unlogged = measured.how["output: not logged (0)"]
    if unlogged:
        typer.echo(
            f"warning: {unlogged:,} of {measured.stats.attempts:,} requests have no result in "
            "the logs: their output is counted as 0 tokens (give the result files too)",
            err=True,
        )


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'s' * (n != 1)}"


def _per_day(text: str | None) -> float | None:
    from costcalc.schema.profile import MAX_REQUESTS_PER_DAY, MIN_REQUESTS_PER_DAY

    value = parse_volume(text, "--requests-per-day")
    if value is not None and not MIN_REQUESTS_PER_DAY <= value <= MAX_REQUESTS_PER_DAY:
        raise typer.BadParameter(
            f"{text}: give {MIN_REQUESTS_PER_DAY:g} to {MAX_REQUESTS_PER_DAY:g}",
            param_hint="'--requests-per-day'",
        )
    return value


def _measure(logs: list[Path], run: Callable[[Callable[[int], None] | None], Measured]) -> Measured:
    """Run the measurement with a progress bar on a terminal."""
    progress = None
    bar = None
    if sys.stderr.isatty():
        from rich.progress import Progress

        # refreshed by the reader, not by a thread of rich's: a large log is read by forked
        # workers, and a process should fork with no other thread running
        bar = Progress(transient=True, auto_refresh=False)
        task = bar.add_task(
            "reading logs", total=sum(p.stat().st_size for p in logs if p.is_file())
        )
        bar.start()

        def progress(position: int) -> None:
            bar.update(task, completed=position)
            bar.refresh()

    try:
        return run(progress)
    finally:
        if bar is not None:
            bar.stop()


def _targets(
    measured: Measured, output: Path, name: str | None, split: bool, volume: Volume
) -> list[tuple[Path, str, LogStats, Volume]]:
    """(file, profile name, statistics, volume) of each profile to write. Split by model, each
    profile's rate is over the span of all the logs (a model seen in 2 hours of a week's log
    is not 12 times as busy), and --requests-per-day is shared by each model's requests."""
    if not split or measured.per_model is None:
        return [(output, name or output.stem, measured.stats, volume)]
    from costcalc.errors import UserError
    from costcalc.io.logs.values import printable

    out, used = [], set()
    total = measured.stats.attempts
    for model, stats in sorted(measured.per_model.items()):
        base = "".join(c if c.isalnum() or c in "-._" else "-" for c in model)[:80].strip(".")
        slug, n = base or "model", 1
        while slug.lower() in used:  # "a b" and "a:b" both read a-b: the second is a-b-2
            n += 1
            slug = f"{base or 'model'}-{n}"
        used.add(slug.lower())
        path = output.with_name(f"{output.stem}-{slug}{output.suffix or '.yaml'}")
        share = stats.attempts / total
        per_day = (
            None if volume.requests_per_day is None else round(volume.requests_per_day * share, 2)
        )
        part = dataclasses.replace(volume, requests_per_day=per_day,
                                   batch=measured.batch_by_model[model])  # fmt: skip
        problem = part.missing(stats)
        if problem:  # one model's job can lack --jobs-per-month, say
            raise UserError(f"{path}: nothing written: {problem}")
        out.append((path, f"{name or output.stem}-{printable(model)}", stats, part))
    return out


def _render(
    measured: Measured, stats: LogStats, volume: Volume, path: Path, name: str, files: int
) -> tuple[str, float]:
    """One profile's text, validated (it loads), and its requests per day."""
    from costcalc.cli.from_logs_text import header, schema_ref, validate
    from costcalc.core.demand.derive import derive_profile
    from costcalc.render.profile_yaml import render_profile

    derived = derive_profile(stats, name, volume)
    text = render_profile(derived, header(measured, stats, files, today()), schema_ref(path))
    validate(text, path)
    return text, float(derived.data["traffic"]["requests_per_day"])


def _report(measured: Measured, filtered: bool = False) -> None:
    """After the profile: notes, the buckets of lines not used, times not used."""
    from costcalc.cli.from_logs_text import accounting

    for note in measured.all_notes:  # the tiktoken fallback and stand-in encodings, said once
        typer.echo(f"note: {note}", err=True)
    for line in accounting(measured, filtered):
        typer.echo(line, err=True)


def _why_none(measured: Measured) -> str:
    """' (12 of other models; 3 malformed, first at log.jsonl:2, …)', or ''."""
    skipped = measured.counts.skipped()
    return f" ({'; '.join(skipped)})" if skipped else ""
