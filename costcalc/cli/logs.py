"""`costcalc tokens` and `costcalc profile from-logs`: measure tokens instead of guessing them."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from costcalc.cli.common import OutputOption, checked_output, user_errors, write_output
from costcalc.io.analyze import today

if TYPE_CHECKING:
    from costcalc.io.logs.measure import Measured

profile_app = typer.Typer(
    help="Build traffic profiles from what you already have.", no_args_is_help=True
)


class TokensFormat(StrEnum):
    text = "text"
    json = "json"


def _files(paths: list[Path]) -> list[Path]:
    from costcalc.errors import InputFileError

    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")
            )
        elif path.is_file():
            found.append(path)
        else:
            raise InputFileError(path, "no such file or folder")
    return found


@user_errors
def _schema_ref(output: Path) -> str:
    """profile.schema.json relative to the written profile, so an editor finds it (a file URI
    when no relative path exists, as between Windows drives)."""
    import os

    from costcalc.io.catalog import builtin_schema

    schema = builtin_schema("profile.schema.json").resolve()
    try:
        return Path(os.path.relpath(schema, output.parent.resolve())).as_posix()
    except ValueError:
        return schema.as_uri()


@user_errors
def tokens(
    paths: Annotated[
        list[Path], typer.Argument(metavar="PATH", help="Files or folders (read recursively).")
    ],
    model: Annotated[
        str | None, typer.Option("--model", metavar="M", help="Count with this model's encoding.")
    ] = None,
    output_format: Annotated[
        TokensFormat,
        typer.Option("--format", "-f", help="text (a table) or json (for scripts)."),
    ] = TokensFormat.text,
    output: OutputOption = None,
) -> None:
    """Count the tokens of prompt files: system prompts, tool schemas, few-shot examples.

    Uses tiktoken: o200k_base for current OpenAI models (the default), cl100k_base for GPT-4
    and GPT-3.5; for other families o200k_base stands in and the output says so. Offline,
    without the encoding file, it falls back to characters / 4 and says that too.
    """
    from costcalc.errors import UserError
    from costcalc.io.tokens import TokenCounter, count_file, encoding_for_model

    encoding, note = encoding_for_model(model)
    counter = TokenCounter(encoding)
    rows, binary = [], []
    for path in _files(paths):
        counted = count_file(path, encoding)  # streamed: a large file is never read whole
        if counted is None:  # a binary file (it holds a NUL): not text to count
            binary.append(str(path))
        else:
            rows.append((str(path), *counted))
    if binary and not rows:
        raise UserError(f"{', '.join(binary)}: binary, not text; nothing to count")
    total = sum(n for _, n, _ in rows)
    notes = [n for n in (note, counter.warning) if n]
    notes += [f"{name}: binary, not text; skipped" for name in binary]
    if output_format is TokensFormat.json:
        write_output(json.dumps({
            "encoding": encoding, "method": counter.method, "total": total, "notes": notes,
            "files": [{"path": p, "tokens": n, "characters": c} for p, n, c in rows],
        }, indent=2) + "\n", output)  # fmt: skip
        return
    width = max([len(p) for p, _, _ in rows] + [5])
    lines = [
        f"{name:<{width}}  {n:>10,} tokens  {chars:>10,} characters" for name, n, chars in rows
    ]
    lines.append(f"{'total':<{width}}  {total:>10,} tokens  ({counter.method})")
    write_output("\n".join(lines) + "\n", output)
    for line in notes:
        typer.echo(f"note: {line}", err=True)


@profile_app.command("from-logs")
@user_errors
def from_logs(
    logs: Annotated[
        list[Path], typer.Argument(metavar="LOG", help="JSONL chat logs or CSV usage logs.")
    ],
    output: Annotated[
        Path,
        typer.Option(
            "-o",
            "--output",
            metavar="PROFILE.yaml",
            help="Profile to write.",
            callback=checked_output,  # before reading gigabytes of logs
        ),
    ],
    model: Annotated[
        str | None, typer.Option("--model", metavar="M", help="Keep only this model's requests.")
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict", help="Fail (exit 2) at the first malformed line or implausible time."
        ),
    ] = False,
    name: Annotated[
        str | None, typer.Option("--name", help="Profile name (default: the output file's stem).")
    ] = None,
    days: Annotated[
        float | None,
        typer.Option(
            "--days",
            min=0.001,
            max=36_500,
            help="Days the logs cover (default: first to last timestamp).",
        ),
    ] = None,
    utc_offset: Annotated[
        float,
        typer.Option(
            "--utc-offset",
            min=-14,
            max=14,
            metavar="HOURS",
            help="Shift the daily shape to local time.",
        ),
    ] = 0.0,
) -> None:
    """Measure a traffic profile from request logs.

    Reads JSONL where each line holds a chat request (`request` or `body`, with `model` and
    `messages`), optionally its response (`response`, with `usage`/`choices`), a time
    (`created` or ISO `timestamp`) and a `conversation_id` — OpenAI Batch API input and output
    files read as they are — or CSV with timestamp, prompt_tokens, completion_tokens[,
    cached_tokens]. Provider usage is the ground truth for totals. Logs are streamed in
    bounded memory; malformed lines (a value of the wrong type or range) are counted and
    reported, and a time before 2015 or after tomorrow is not used for the volume (with
    --strict, either is an error naming the file, line and field).

    \b
    Example:
      costcalc profile from-logs logs/*.jsonl -o profiles/measured.yaml
    """
    from costcalc.core.demand.derive import derive_profile
    from costcalc.errors import UserError
    from costcalc.io.logs.measure import measure_logs
    from costcalc.io.output import write_file
    from costcalc.render.profile_yaml import render_profile

    if any(output.resolve() == log.resolve() for log in logs):
        raise UserError(f"{output}: is one of the logs read; name another file to write")
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
        measured = measure_logs(logs, model, strict, utc_offset, progress)
    finally:
        if bar is not None:
            bar.stop()
    if measured.stats.attempts == 0:
        raise UserError(f"no requests found in {', '.join(map(str, logs))}{_why_none(measured)}")
    derived = derive_profile(measured.stats, name or output.stem, days)
    text = render_profile(derived, _header(measured, len(logs)), _schema_ref(output))
    _validate(text, output)
    write_file(output, text)  # whole or not at all: an OS error exits 2 naming the path
    per_day = derived.data["traffic"]["requests_per_day"]
    typer.echo(f"wrote {output}: {measured.stats.requests:,} requests, {per_day:,} per day")
    for note in measured.all_notes:  # the tiktoken fallback and stand-in encodings, said once
        typer.echo(f"note: {note}", err=True)
    counts = measured.counts
    if counts.outliers:
        typer.echo(
            f"warning: {counts.outliers:,} line(s) with a time outside {measured.span}, not used "
            f"for the volume; first at {counts.first_outlier}",
            err=True,
        )
    if counts.malformed:
        typer.echo(
            f"skipped {counts.malformed:,} malformed line(s), first at {counts.first_malformed}",
            err=True,
        )


def _why_none(measured: Measured) -> str:
    """' (12 of other models; 3 malformed lines, first at log.jsonl:2, …)', or ''."""
    counts = measured.counts
    why = [f"{n:,} of other models" for n in [sum(measured.skipped_models.values())] if n]
    if counts.malformed:
        why.append(f"{counts.malformed:,} malformed line(s), first at {counts.first_malformed}")
    return f" ({'; '.join(why)})" if why else ""


def _header(measured: Measured, files: int) -> list[str]:
    """The profile's opening comment: what was read, what was skipped, how tokens were counted."""
    stats, counts = measured.stats, measured.counts
    models = (
        ", ".join(f"{m} {n / stats.attempts:.0%}" for m, n in stats.models.most_common(5))
        or "not recorded"
    )
    read = (
        f"{counts.lines:,} lines: {stats.attempts:,} requests, "
        f"{counts.malformed:,} malformed (skipped)."
    )
    if counts.outliers:
        read += f" {counts.outliers:,} with a time outside {measured.span}, not used for volume."
    return [
        f"Derived by costcalc profile from-logs on {today().isoformat()} from {files} file(s).",
        read,
        f"Usage reported for {measured.with_usage / stats.attempts:.0%} of requests (the ground "
        "truth for totals).",
        f"Models: {models}. Tokens counted with: {', '.join(measured.encodings) or 'usage only'}.",
        *measured.all_notes,
        "Latency targets (slo) and the compare section are not in logs: add them.",
        "",
    ]


def _validate(text: str, output: Path) -> None:
    """The profile must load and compare before it is written: checked from a temporary copy,
    so a failing run leaves no file behind (nor clobbers an older one)."""
    import tempfile

    from costcalc.errors import InputFileError, UserError
    from costcalc.io.profiles import load_profile

    with tempfile.TemporaryDirectory(prefix="costcalc-") as folder:
        copy = Path(folder) / output.name
        copy.write_text(text, encoding="utf-8")
        try:
            load_profile(copy)
        except InputFileError as exc:
            where = f"field `{exc.field}`: " if exc.field else ""
            raise UserError(
                f"{output}: not written: the profile measured from the logs does not load: "
                f"{where}{exc.problem}"
            ) from None
