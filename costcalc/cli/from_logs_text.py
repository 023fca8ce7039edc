"""What `profile from-logs` says: the profile's opening comment and the accounting of every line."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from costcalc.cli.common import user_errors

if TYPE_CHECKING:
    from costcalc.core.demand.logstats import LogStats
    from costcalc.io.logs.measure import Measured


def lines_read(measured: Measured) -> list[str]:
    """Where every line went, one bucket a line (those with none left out):

    1,204 lines read:
      requests used             1,100 lines: 550 requests (12 of them retries)
      failed requests               4  first: log.jsonl:9: status 429
    """
    from costcalc.io.logs.read import BUCKETS

    counts, stats = measured.counts, measured.stats
    retries = f" ({stats.retries:,} of them retries)" if stats.retries else ""
    used = counts.buckets["used"]
    out = [f"{counts.lines:,} lines read:"]
    out.append(f"  {BUCKETS['used']:<25} {used:>9,} lines: {stats.attempts:,} requests{retries}")
    for bucket, label in BUCKETS.items():
        if bucket != "used" and counts.buckets[bucket]:
            first = counts.first[bucket]
            out.append(f"  {label:<25} {counts.buckets[bucket]:>9,}  first: {first}")
    return out


def _shares(counter: dict[str, int], total: int, prefix: str) -> str:
    parts = sorted(((n, k.removeprefix(prefix)) for k, n in counter.items()
                    if k.startswith(prefix)), reverse=True)  # fmt: skip
    return ", ".join(f"{how} for {n / total:.0%}" for n, how in parts)


def measured_how(measured: Measured) -> list[str]:
    """How each number was measured: from usage, tokenised (which encoding) or estimated."""
    total = measured.stats.attempts
    out = [
        f"Input tokens: {_shares(measured.how, total, 'input: ')} of requests.",
        f"Output tokens: {_shares(measured.how, total, 'output: ')} of requests.",
    ]
    if measured.encodings:
        by = ", ".join(f"{how} for {n / total:.0%}" for how, n in measured.encodings.items())
        out.append(f"Prompt parts (system prompt, tools, context, history): from the messages, "
                   f"{by} of requests.")  # fmt: skip
    else:
        out.append("No messages in the logs: all input counted as user input (the split into "
                   "system prompt, tools, context and history is unknown).")  # fmt: skip
    return out


def header(measured: Measured, stats: LogStats, files: int, today: dt.date) -> list[str]:
    """The profile's opening comment: what was read, what went where, how it was counted."""
    formats = "; ".join(measured.counts.formats) or "none recognised"
    models = (
        ", ".join(f"{m} {n / stats.attempts:.0%}" for m, n in stats.models.most_common(5))
        or "not recorded"
    )
    head = [
        f"Derived by costcalc profile from-logs on {today.isoformat()} from {files} file(s).",
        f"Formats: {formats}.",
        *lines_read(measured),
    ]
    if stats is not measured.stats:
        head.append(f"This profile: the {stats.attempts:,} requests of one model.")
    if measured.counts.outliers:
        head.append(f"{measured.counts.outliers:,} with a time outside {measured.span}, not "
                    "used for volume.")  # fmt: skip
    return [
        *head,
        *measured_how(measured),
        f"Models: {models}.",
        *measured.all_notes,
        "Latency targets (slo) and the compare section are not in logs: add them.",
        "",
    ]


def accounting(measured: Measured, filtered: bool = False) -> list[str]:
    """stderr after the run: every line's bucket, models of a mixed log, times not used."""
    out = lines_read(measured)
    models = measured.stats.models
    if measured.per_model is not None:  # the models the profiles are split by
        models = Counter({m: stats.attempts for m, stats in measured.per_model.items()})
    if len(models) > 1:
        shown = ", ".join(f"{m} {n:,}" for m, n in models.most_common(8))
        more = f" and {len(models) - 8:,} more" if len(models) > 8 else ""
        split = (
            "" if measured.per_model is not None or filtered
            else " (one profile each: --split-by-model)"
        )  # fmt: skip
        out.append(f"models: {shown}{more} requests{split}")
    counts = measured.counts
    if counts.outliers:
        out.append(
            f"warning: {counts.outliers:,} line(s) with a time outside {measured.span}, not used "
            f"for the volume; first at {counts.first_outlier}"
        )
    return out


@user_errors
def schema_ref(output: Path) -> str:
    """profile.schema.json relative to the written profile, so an editor finds it (a file URI
    when no relative path exists, as between Windows drives)."""
    import os

    from costcalc.io.shipped import builtin_schema

    schema = builtin_schema("profile.schema.json").resolve()
    try:
        return Path(os.path.relpath(schema, output.parent.resolve())).as_posix()
    except ValueError:
        return schema.as_uri()


def validate(text: str, output: Path) -> None:
    """The profile must load before it is written: checked from a temporary copy, so a
    failing run leaves no file behind (nor clobbers an older one)."""
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
