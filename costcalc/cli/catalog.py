"""`costcalc catalog list|show`: what a profile can name, from pricing/ and `--catalog` dirs."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from costcalc.cli.common import (
    CatalogOption,
    OutputOption,
    WidthOption,
    terminal_width,
    user_errors,
    write_output,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from costcalc.render.catalog import Entry, Record
    from costcalc.schema.catalog import Catalog

app = typer.Typer(
    help="""List and inspect the catalog: the hosted offers, compute offers, GPUs, open models
    and throughput points a profile can name, with their prices, dates and sources.

    \b
    Examples:
      costcalc catalog list --kind hosted --search mini
      costcalc catalog show openai/gpt-5-mini
    """,
    no_args_is_help=True,
)


class CatalogKind(StrEnum):
    hosted = "hosted"
    compute = "compute"
    gpu = "gpu"
    model = "model"
    points = "points"


class ListFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


class ShowFormat(StrEnum):
    text = "text"
    json = "json"


# --kind → the kind of each entry it lists (a throughput point has no id: "point")
ENTRY_KIND = {"hosted": "hosted", "compute": "compute", "gpu": "gpu", "model": "model",
              "points": "point"}  # fmt: skip


def _names(kind: str, record: object) -> tuple[str, ...]:
    """What --search looks in: the id and the names an entry goes by."""
    fields = {"hosted": ("id", "provider", "model"), "compute": ("id", "provider", "gpu"),
              "point": ("model", "gpu")}.get(kind, ("id", "name"))  # fmt: skip
    return tuple(getattr(record, name) for name in fields)


def select(catalog: Catalog, kinds: list[str], search: str | None) -> list[Entry]:
    """The entries of these kinds whose id or a name holds `search`, ignoring case."""
    from costcalc.render.catalog import Entry

    tables: dict[str, Iterable[Record]] = {
        "hosted": catalog.hosted.values(),
        "compute": catalog.compute.values(),
        "gpu": catalog.gpus.values(),
        "model": catalog.models.values(),
        "point": catalog.points,
    }
    needle = (search or "").casefold()
    return [
        Entry(kind, record)
        for kind in kinds
        for record in tables[kind]
        if any(needle in name.casefold() for name in _names(kind, record))
    ]


NOUNS = {
    "hosted": ("hosted offer", "hosted offers"),
    "compute": ("compute offer", "compute offers"),
    "gpu": ("GPU", "GPUs"),
    "model": ("model", "models"),
    "points": ("point", "points"),
    None: ("entry", "entries"),
}


def _footer(found: list[Entry], kind: CatalogKind | None, search: str | None) -> str:
    """How many matched and how to see one: `3 hosted offers match 'nano'. See one with: …`."""
    one, many = NOUNS[kind.value if kind else None]
    if not found:
        return f"No {many} match {search!r}." if search else f"No {many} in the catalog."
    noun, verb = (one, "matches") if len(found) == 1 else (many, "match")
    matched = f"{len(found)} {noun}" + (f" {verb} {search!r}." if search else ".")
    if all(e.kind == "point" for e in found):  # a point has no id: bench show checks them
        return f"{matched} Points of one model and GPU: costcalc bench show MODEL GPU"
    points = any(e.kind == "point" for e in found)
    return f"{matched} See one with: costcalc catalog show ID" + (
        " (points: costcalc bench show MODEL GPU)" if points else ""
    )


@app.command("list")
@user_errors
def list_(
    kind: Annotated[
        CatalogKind | None,
        typer.Option("--kind", "-k", help="Only this kind of entry (default: every kind)."),
    ] = None,
    search: Annotated[
        str | None,
        typer.Option(
            "--search",
            "-s",
            metavar="TEXT",
            help="Only entries whose id or name holds TEXT, ignoring case (e.g. h100, claude).",
        ),
    ] = None,
    catalog: CatalogOption = None,
    output_format: Annotated[
        ListFormat,
        typer.Option(
            "--format",
            "-f",
            help="text (tables), json (a list of entries with every field) or markdown.",
        ),
    ] = ListFormat.text,
    output: OutputOption = None,
    width: WidthOption = None,
) -> None:
    """List what a profile can name: hosted offers, compute offers, GPUs, models, points.

    Hosted prices are USD per million tokens; an offer on or past its deprecation date
    (today, or COSTCALC_TODAY) is marked `past`. Compute offers show their hourly or
    per-second prices as the catalog writes them. Entries from --catalog directories replace
    built-in ones of the same id.

    \b
    Examples:
      costcalc catalog list --kind hosted --search nano
      costcalc catalog list --kind compute --search h100
      costcalc catalog list -s llama -f json > llama.json
      costcalc catalog list --catalog ./our-prices --kind hosted -f markdown
    """
    from costcalc.io.analyze import today
    from costcalc.io.catalog import load_catalog
    from costcalc.render import catalog as render

    prices = load_catalog(catalog or [])
    kinds = [ENTRY_KIND[kind.value]] if kind else list(ENTRY_KIND.values())
    found = select(prices, kinds, search)
    footer = _footer(found, kind, search)
    if output_format is ListFormat.json:
        text = render.render_json(found, today())
    elif output_format is ListFormat.markdown:
        text = render.render_list_markdown(found, today(), footer)
    else:
        text = render.render_list_text(found, today(), terminal_width(width), footer)
    write_output(text, output)


@app.command()
@user_errors
def show(
    entry_id: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="Id of a hosted offer, compute offer, GPU or model (any case).",
        ),
    ],
    catalog: CatalogOption = None,
    output_format: Annotated[
        ShowFormat,
        typer.Option("--format", "-f", help="text (field by field) or json (a list of entries)."),
    ] = ShowFormat.text,
    output: OutputOption = None,
    width: WidthOption = None,
) -> None:
    """Show every field of one catalog entry, with its source and as_of date.

    Field names are those of the catalog files, so an entry can be copied into a --catalog
    directory and edited. An unknown ID exits 2 and names the closest ids.

    \b
    Examples:
      costcalc catalog show openai/gpt-5-mini
      costcalc catalog show runpod/h100-sxm -f json
      costcalc catalog show H100-SXM
    """
    from costcalc.errors import UnknownIdError
    from costcalc.io.analyze import today
    from costcalc.io.catalog import load_catalog
    from costcalc.render import catalog as render

    prices = load_catalog(catalog or [])
    entries = select(prices, ["hosted", "compute", "gpu", "model"], None)
    wanted = entry_id.strip().casefold()
    found = [e for e in entries if getattr(e.record, "id", "").casefold() == wanted]
    if not found:
        raise UnknownIdError(
            "catalog id",
            entry_id,
            [getattr(e.record, "id", "") for e in entries],
            hint="`costcalc catalog list --search TEXT` finds ids.",
        )
    if output_format is ShowFormat.json:
        text = render.render_json(found, today())
    else:
        text = render.render_show_text(found, today(), terminal_width(width))
    write_output(text, output)
