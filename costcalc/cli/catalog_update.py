"""`costcalc catalog update --from-litellm`: refresh hosted prices from LiteLLM's price map."""

from __future__ import annotations

import datetime as dt
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from costcalc.cli.catalog import app as catalog_app
from costcalc.cli.common import CatalogOption, user_errors
from costcalc.cli.values import parse_date


class ChangesFormat(StrEnum):
    text = "text"
    json = "json"


def _folder(path: Path | None) -> Path | None:
    """-o names a catalog folder: a regular file there is refused before any work is done."""
    if path is not None and path.exists() and not path.is_dir():
        raise typer.BadParameter(f"{path}: is a file; name a folder", param_hint="'-o'")
    return path


def _date(text: str | None) -> dt.date | None:
    """--as-of: YYYY-MM-DD, not after today (a price dated in the future would never age)."""
    from costcalc.io.analyze import today

    date = parse_date(text, "--as-of")
    if date is not None and date > today():
        raise typer.BadParameter(
            f"{text}: after today ({today().isoformat()}); give the day the file was read",
            param_hint="'--as-of'",
        )
    return date


@catalog_app.command("update")
@user_errors
def update(
    from_litellm: Annotated[
        str,
        typer.Option(
            "--from-litellm",
            metavar="FILE|URL",
            help="LiteLLM's model_prices_and_context_window.json: a path, or a URL to download.",
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="DIR",
            help="Catalog folder to write hosted.yaml into (default: only print the changes).",
            callback=_folder,
        ),
    ] = None,
    catalog: CatalogOption = None,
    output_format: Annotated[
        ChangesFormat,
        typer.Option("--format", "-f", help="text (for a person) or json (for CI)."),
    ] = ChangesFormat.text,
    add_new: Annotated[
        bool,
        typer.Option(
            "--add-new",
            help="List LiteLLM's models the catalog lacks (of providers it covers) and, "
            "with -o, add them; their model_class is guessed from the name.",
        ),
    ] = False,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DATE",
            help="Date the prices were read, YYYY-MM-DD (default: the file's modification "
            "date; a URL: today).",
        ),
    ] = None,
    litellm_version: Annotated[
        str | None,
        typer.Option(
            "--litellm-version",
            metavar="VERSION",
            help="LiteLLM version the file is from, for `source` (default: from its name, "
            "e.g. prices_1.110.2.json).",
        ),
    ] = None,
) -> None:
    """Update hosted prices from LiteLLM's price map into a catalog overlay.

    Reads model_prices_and_context_window.json, maps its keys onto catalog ids (gpt-5 →
    openai/gpt-5, claude-sonnet-4-5[-20250929] → anthropic/claude-sonnet-4.5, gemini/… →
    google/…, together_ai/…, fireworks_ai/accounts/fireworks/models/…, deepinfra/…) and
    prints what changed: prices (old → new, %), deprecation dates, offers gone from LiteLLM,
    new models. Per-token prices become USD per million (1.25e-06 → 1.25). Fields LiteLLM
    does not have (model_class, cache_ttl_s, rate limits, latency, notes) are kept. Only
    offers whose source is LiteLLM are updated. With -o DIR, writes DIR/hosted.yaml, checked
    with the catalog loader first; `costcalc compare … --catalog DIR` then uses it.

    \b
    Examples:
      costcalc catalog update --from-litellm model_prices_and_context_window.json
      costcalc catalog update --from-litellm prices.json -o our-prices
      costcalc compare profiles/rag-support-chatbot.yaml --catalog our-prices
      costcalc catalog update --from-litellm prices.json -f json > changes.json
      costcalc catalog update --from-litellm https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json
    """
    from costcalc.io.analyze import today
    from costcalc.io.catalog import load_catalog
    from costcalc.io.litellm import read_price_map
    from costcalc.io.litellm_map import VIA, plan_update
    from costcalc.render.catalog_changes import (
        render_changes_json,
        render_changes_text,
        render_hosted_yaml,
    )

    prices = read_price_map(from_litellm, _date(as_of), litellm_version, today())
    base = load_catalog(catalog or [])
    offers, report = plan_update(base.hosted, prices, add_new)
    report["added"] = bool(add_new and output is not None)
    if output is not None:
        offers += _carried(output / "hosted.yaml", offers, report)
        header = [
            "Hosted offers refreshed by `costcalc catalog update` (USD per million tokens) from",
            f"LiteLLM {prices.version or '(unknown version)'} {VIA},",
            f"read from {prices.origin}, as_of {prices.as_of}. Fields LiteLLM lacks are the",
            f"catalog's. Layer it over the built-in catalog with --catalog {output}.",
        ]
        text = render_hosted_yaml(offers, header)
        _check_loads(text, catalog or [])
        from costcalc.io.output import write_file

        write_file(output / "hosted.yaml", text)
        report["written"] = str(output / "hosted.yaml")
    out = render_changes_json(report) if output_format is ChangesFormat.json else None
    typer.echo(out or render_changes_text(report, add_new), nl=False)


def _carried(path: Path, offers: list[Any], report: dict[str, Any]) -> list[Any]:
    """The offers of the hosted.yaml about to be replaced that the update does not write (a
    negotiated price, a model of your own): kept, never silently dropped."""
    if not path.exists():
        return []
    from costcalc.errors import InputFileError, UserError
    from costcalc.io.catalog import CATALOG_FILES
    from costcalc.io.validation import read_validated

    try:
        parsed, _ = read_validated(path, CATALOG_FILES["hosted.yaml"][0])
    except InputFileError as exc:
        raise UserError(
            f"{path}: exists and does not load ({exc.problem}); it would be replaced: move it "
            "away or name another folder with -o"
        ) from None
    written = {o.id for o in offers}
    kept = [o for o in parsed.offers if o.id not in written]  # type: ignore[attr-defined]
    if kept:
        ids = ", ".join(o.id for o in kept)
        report["warnings"].append(
            f"{path}: {len(kept)} of its offers kept as they are (not from LiteLLM): {ids}"
        )
    return kept


def _check_loads(text: str, catalog: list[Path]) -> Any:
    """The overlay as the catalog loader reads it, over the same --catalog folders: a file it
    would refuse is never written."""
    from costcalc.io.catalog import load_catalog

    with tempfile.TemporaryDirectory(prefix="costcalc-update-") as folder:
        (Path(folder) / "hosted.yaml").write_text(text, encoding="utf-8")
        return load_catalog([*catalog, Path(folder)])
