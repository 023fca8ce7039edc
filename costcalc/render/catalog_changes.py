"""What `catalog update` found (changed prices and dates, gone, new) and the overlay it writes."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

import yaml

from costcalc.schema.catalog import HostedOffer

# what a hosted offer is first, its prices next, where it came from last (as pricing/ has it)
_LAST = ("as_of", "source", "notes")


def _tidy(value: Any) -> Any:
    """Ten significant digits, whole numbers whole: 10.0 → 10, 0.0625 stays."""
    if isinstance(value, float):
        return int(value) if value.is_integer() else float(f"{value:.10g}")
    if isinstance(value, dict):
        return {k: _tidy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_tidy(v) for v in value]
    return value


def render_hosted_yaml(offers: Sequence[HostedOffer], header: Sequence[str]) -> str:
    """A hosted.yaml that `--catalog DIR` reads back; defaults (no rate limits) left out."""
    rows = []
    for offer in offers:
        data = _tidy(offer.model_dump(mode="json", exclude_none=True, exclude_defaults=True))
        data.update({k: getattr(offer, k) for k in ("id", "provider", "model", "model_class")})
        data["as_of"] = str(offer.as_of)
        order = ["id", "provider", "model", "model_class"]
        order += [k for k in data if k not in order and k not in _LAST] + list(_LAST)
        rows.append({k: data[k] for k in order if k in data})
    comments = "".join(f"# {line}\n" for line in header)
    body = yaml.safe_dump(
        {"schema_version": 1, "offers": rows}, sort_keys=False, allow_unicode=True, width=100
    )
    return comments + body


def render_changes_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def _number(value: Any) -> str:
    """A price as it reads (0.125, 2.4), a count whole (a 1,047,576-token context window)."""
    if value is None:
        return "none"
    whole = isinstance(value, float) and value.is_integer() and 1e6 <= value < 1e15
    if whole or (isinstance(value, int) and not isinstance(value, bool)):
        return f"{int(value):,}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _section(title: str, rows: list[str]) -> list[str]:
    return [f"{title} ({len(rows)}):", *(f"  {row}" for row in rows), ""] if rows else []


def render_changes_text(report: dict[str, Any], list_new: bool) -> str:
    """The change list a person reads: one line per change, the arithmetic's result as %."""
    source = report["litellm"]
    version = f"LiteLLM {source['version']}" if source["version"] else "LiteLLM"
    lines = [
        f"{version} ({source['from']}, as_of {source['as_of']}): {report['updated']} catalog "
        f"offers priced, {len(report['price_changes'])} price changes.",
        "",
    ]
    width = max((len(r["id"]) for k in ("price_changes", "other_changes") for r in report[k]),
                default=0)  # fmt: skip
    prices = []
    for row in report["price_changes"]:
        pct = "" if row["change_pct"] is None else f"  ({row['change_pct']:+.1f} %)"
        prices.append(f"{row['id']:<{width}}  {row['field']}: {_number(row['old'])} → "
                      f"{_number(row['new'])}{pct}")  # fmt: skip
    lines += _section("Price changes (USD per million tokens; batch_discount a share)", prices)
    lines += _section(
        "Deprecation dates set or moved",
        [f"{r['id']}: {r['old'] or 'none'} → {r['new']}" for r in report["deprecations"]],
    )
    lines += _section(
        "Other changes",
        [f"{r['id']:<{width}}  {r['field']}: {_number(r['old'])} → {_number(r['new'])}"
         for r in report["other_changes"]],
    )  # fmt: skip
    lines += _section(
        "Gone from LiteLLM (left out of the overlay: the catalog's entry stays)",
        [f"{r['id']}: no key `{r['looked_for']}`" + (f" priced (found `{r['key']}`)" if r["key"]
         else "") for r in report["gone"]],
    )  # fmt: skip
    lines += _new(report, list_new)
    lines += _section(
        "Kept from the catalog (LiteLLM has no value for them)",
        [f"{r['id']}: {', '.join(r['fields'])}" for r in report["kept_from_catalog"]],
    )
    lines += _section("Not updated", [f"{r['id']}: {r['why']}" for r in report["skipped"]])
    lines += _section("Warnings", list(report["warnings"]))
    if report["written"]:
        lines.append(f"Wrote {report['written']}: use its folder with --catalog.")
    else:
        lines.append("Dry run: nothing written (-o DIR writes DIR/hosted.yaml).")
    return "\n".join(lines) + "\n"


def _new(report: dict[str, Any], list_new: bool) -> list[str]:
    new = report["new"]
    if not new:
        return []
    if not list_new:
        per = Counter(r["id"].split("/", 1)[0] for r in new)
        counts = ", ".join(f"{p} {n}" for p, n in sorted(per.items()))
        return [f"New in LiteLLM ({len(new)}: {counts}): not added; --add-new lists them "
                "and, with -o, adds them (model_class guessed: check it).", ""]  # fmt: skip
    title = "New in LiteLLM" + (", added" if report["added"] else "")
    return _section(
        title + " (USD per million tokens in / out, model_class guessed)",
        [f"{r['id']}  {_number(r['usd_per_mtok_input'])} / {_number(r['usd_per_mtok_output'])}"
         f"  {r['model_class_guess']}  (`{r['key']}`)" for r in new],
    )  # fmt: skip
