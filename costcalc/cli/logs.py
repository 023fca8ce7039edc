"""`costcalc tokens` and `costcalc profile from-logs`: measure tokens instead of guessing them."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from costcalc.cli.common import OutputOption, user_errors, write_output

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

    A JSONL or JSON file of chat requests (an OpenAI Batch input file, a proxy log) is
    counted by what a model is sent: every message's text, the tool schemas and the answers,
    not the JSON around them (which adds about half again). Any other file is counted as text.
    """
    from costcalc.errors import UserError
    from costcalc.io.logs.contents import count_contents, is_request_file
    from costcalc.io.tokens import TokenCounter, count_file, encoding_for_model

    encoding, note = encoding_for_model(model)
    counter = TokenCounter(encoding)
    rows: list[tuple[str, int, int, str]] = []
    binary: list[str] = []
    notes = [n for n in (note, counter.warning) if n]
    for path in _files(paths):
        if is_request_file(path):
            found = count_contents(path, counter)
            rows.append((str(path), found.tokens, found.characters, found.what))
            if found.malformed:
                notes.append(f"{path}: {found.malformed:,} line(s) not a request, not counted")
            continue
        counted = count_file(path, encoding)  # streamed: a large file is never read whole
        if counted is None:  # a binary file (it holds a NUL): not text to count
            binary.append(str(path))
        else:
            rows.append((str(path), *counted, "text"))
    if binary and not rows:
        raise UserError(f"{', '.join(binary)}: binary, not text; nothing to count")
    total = sum(row[1] for row in rows)
    notes += [f"{name}: binary, not text; skipped" for name in binary]
    if output_format is TokensFormat.json:
        write_output(json.dumps({
            "encoding": encoding, "method": counter.method, "total": total, "notes": notes,
            "files": [{"path": p, "tokens": n, "characters": c, "counted": what}
                      for p, n, c, what in rows],
        }, indent=2) + "\n", output)  # fmt: skip
        return
    width = max([len(p) for p, *_ in rows] + [5])
    lines = [
        f"{name:<{width}}  {n:>10,} tokens  {chars:>10,} characters"
        + ("" if what == "text" else f"  ({what})")
        for name, n, chars, what in rows
    ]
    lines.append(f"{'total':<{width}}  {total:>10,} tokens  ({counter.method})")
    write_output("\n".join(lines) + "\n", output)
    for line in notes:
        typer.echo(f"note: {line}", err=True)
