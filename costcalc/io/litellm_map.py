"""Map LiteLLM keys onto catalog ids and plan a hosted.yaml overlay with its list of changes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from costcalc.errors import InputFileError
from costcalc.io.litellm import TEXT_MODES, PriceMap, batch_mismatch, offer_fields
from costcalc.io.validation import validation_error
from costcalc.schema.catalog import HostedOffer

# litellm_provider → (catalog id prefix, how LiteLLM spells its keys before the model name)
PROVIDERS = {
    "openai": ("openai", ""),
    "anthropic": ("anthropic", ""),
    "gemini": ("google", "gemini/"),
    "together_ai": ("together", "together_ai/"),
    "fireworks_ai": ("fireworks", "fireworks_ai/accounts/fireworks/models/"),
    "deepinfra": ("deepinfra", "deepinfra/"),
}
ORG_IN_KEY = {"together", "deepinfra"}  # together_ai/Qwen/Qwen2.5-7B-Instruct-Turbo
# fields LiteLLM owns; one it does not give for a key keeps the catalog's value (Fireworks'
# 50 % cached input comes from Fireworks' docs, not LiteLLM)
OWNED = (
    "usd_per_mtok_cached_input",
    "usd_per_mtok_cache_write",
    "batch_discount",
    "priority",
    "flex",
    "long_context",
    "context_window",
    "min_cacheable_tokens",
    "deprecation_date",
)
_SNAPSHOT = re.compile(r"^(.+?)-(20[0-9]{6}|20[0-9]{2}-[0-9]{2}-[0-9]{2})$")
# "gemini" holds "mini": whole words only; up to 9.9B parameters is small
_SMALL = re.compile(
    r"(?<![a-z])(nano|mini|lite|haiku|flash|small)(?![a-z])|(?<![0-9.])[0-9](\.[0-9])?b\b"
)
VIA = "model_prices_and_context_window.json"

Index = dict[tuple[str, str], list[str]]


def index_keys(entries: Mapping[str, dict[str, Any]]) -> Index:
    """(catalog prefix, model name in lower case) → LiteLLM keys, the provider's usual spelling
    first: `gemini/gemini-2.5-pro` before `gemini-2.5-pro`, chat before other modes."""
    found: Index = {}
    for key, entry in entries.items():
        provider = PROVIDERS.get(str(entry.get("litellm_provider")))
        if provider is None or key.startswith("ft:"):
            continue
        found.setdefault((provider[0], key.rsplit("/", 1)[-1].lower()), []).append(key)
    for keys in found.values():
        keys.sort(key=lambda k: (not _canonical(k, entries[k]), not _text(entries[k]), k))
    return found


def _canonical(key: str, entry: dict[str, Any]) -> bool:
    spelled = PROVIDERS[str(entry.get("litellm_provider"))][1]
    # bare for OpenAI and Anthropic (`openai/sora-2` is another product); `together_ai/org/…`
    return key.startswith(spelled) and bool(spelled or "/" not in key)


def _text(entry: dict[str, Any]) -> bool:
    return entry.get("mode") in TEXT_MODES


def find_key(prefix: str, model: str, index: Index) -> str | None:
    """The key of a catalog offer: its model name (`claude-sonnet-4-5`), else the newest dated
    snapshot of it (`claude-sonnet-4-5-20250929`) when LiteLLM lists only those."""
    name = model.lower()
    if (prefix, name) in index:
        return index[(prefix, name)][0]
    snapshots = sorted(
        (m.group(2).replace("-", ""), keys[0])
        for (p, n), keys in index.items()
        if p == prefix and (m := _SNAPSHOT.match(n)) and m.group(1) == name
    )
    return snapshots[-1][1] if snapshots else None


def catalog_id(prefix: str, name: str) -> str:
    """A new offer's id as the catalog spells them: claude-haiku-4-5 → anthropic/claude-haiku-4.5,
    llama-v3p1-8b-instruct → fireworks/llama-3.1-8b-instruct, Meta-Llama-3.1-8B → llama-3.1-8b."""
    tail = name.lower().removeprefix("meta-")
    tail = re.sub(r"v?([0-9]+)p([0-9]+)", r"\1.\2", tail)  # Fireworks' 3p1 is 3.1
    if prefix == "anthropic":
        tail = re.sub(r"-([0-9])-([0-9])(?=$|-)", r"-\1.\2", tail)
    return f"{prefix}/{re.sub(r'[^a-z0-9._-]+', '-', tail).strip('-._')}"


def _source(entry: dict[str, Any], old: str | None, version: str | None) -> str:
    """LiteLLM's provider link, said as the catalog says it: `URL (via LiteLLM 1.110.2 …json)`."""
    link = entry.get("source")
    if not isinstance(link, str) or len(link) < 4:
        link = (old or "https://github.com/BerriAI/litellm").split(" (via ")[0]
    return f"{link} (via LiteLLM {version + ' ' if version else ''}{VIA})"


def _validated(data: dict[str, Any], origin: str, key: str) -> HostedOffer:
    try:
        return HostedOffer.model_validate(data)
    except ValidationError as exc:
        problem = validation_error(origin, exc, HostedOffer).problem
        raise InputFileError(
            origin, f"key `{key}` does not make a catalog offer: {problem}"
        ) from None


def _flat(offer: HostedOffer | None) -> dict[str, Any]:
    """Prices and limits by dotted name (`priority.usd_per_mtok_input`)."""
    if offer is None:
        return {}
    out: dict[str, Any] = {}
    for name in ("usd_per_mtok_input", "usd_per_mtok_output", *OWNED):
        value = getattr(offer, name)
        if hasattr(value, "model_dump"):
            out.update({f"{name}.{k}": v for k, v in value.model_dump().items() if v is not None})
        elif value is not None:
            out[name] = value
    return out


def _changes(offer_id: str, old: HostedOffer, new: HostedOffer, report: dict[str, Any]) -> None:
    before, after = _flat(old), _flat(new)
    for field in sorted(set(before) | set(after), key=lambda f: (f.count("."), f)):
        was, now = before.get(field), after.get(field)
        if was == now:
            continue
        row = {"id": offer_id, "field": field, "old": was, "new": now}
        if field == "deprecation_date":
            report["deprecations"].append(row | {"old": str(was) if was else None, "new": str(now)})
        elif "usd_per_mtok" in field or field == "batch_discount":
            # 1.25 → 1.5 is +20 %: (1.5 - 1.25) / 1.25 = 0.2
            pct = (now - was) / was * 100 if was and now is not None else None
            report["price_changes"].append(
                row | {"change_pct": None if pct is None else round(pct, 2)}
            )
        else:
            report["other_changes"].append(row)


def _guess_class(name: str) -> str:
    """A new offer's model_class from its name, to be checked by hand (the notes say so)."""
    lowered = name.lower()
    if "opus" in lowered or re.search(r"gpt-[0-9.]+-pro\b", lowered):
        return "frontier"
    return "small" if _SMALL.search(lowered) else "large"


def empty_report(prices: PriceMap) -> dict[str, Any]:
    return {
        "litellm": {"from": prices.origin, "version": prices.version, "as_of": str(prices.as_of)},
        "updated": 0, "price_changes": [], "deprecations": [], "other_changes": [], "gone": [],
        "new": [], "added": False, "kept_from_catalog": [], "skipped": [], "warnings": [],
        "written": None,
    }  # fmt: skip


def plan_update(
    hosted: Mapping[str, HostedOffer], prices: PriceMap, add_new: bool
) -> tuple[list[HostedOffer], dict[str, Any]]:
    """The overlay's offers (every catalog offer LiteLLM prices, refreshed; new ones with
    `add_new`) and the JSON-ready change list."""
    entries, origin, report = prices.entries, prices.origin, empty_report(prices)
    index = index_keys(entries)
    offers: list[HostedOffer] = []
    used: set[str] = set()
    for offer in hosted.values():
        prefix = offer.id.split("/", 1)[0]
        if (
            prefix not in {p for p, _ in PROVIDERS.values()}
            or "litellm" not in offer.source.lower()
        ):
            report["skipped"].append({"id": offer.id, "why": "its source is not LiteLLM"})
            continue
        key = find_key(prefix, offer.model, index)
        fields = offer_fields(entries[key], origin, key) if key else {}
        if key is None or "usd_per_mtok_input" not in fields or "usd_per_mtok_output" not in fields:
            spelled = PROVIDERS_BY_PREFIX[prefix]
            # Together and DeepInfra keys hold the model's organisation: together_ai/Qwen/…
            looked = f"{spelled}{'…/' if prefix in ORG_IN_KEY else ''}{offer.model}"
            report["gone"].append({"id": offer.id, "looked_for": looked, "key": key})
            continue
        used.add(key)
        kept = [f for f in OWNED if f not in fields and getattr(offer, f) not in (None, 0)]
        if kept:
            report["kept_from_catalog"].append({"id": offer.id, "key": key, "fields": kept})
        data = offer.model_dump() | {f: None for f in OWNED if f not in kept} | fields
        data["min_cacheable_tokens"] = data["min_cacheable_tokens"] or 0
        _scale_kept(data, offer, kept, report)
        data |= {
            "as_of": prices.as_of,
            "source": _source(entries[key], offer.source, prices.version),
        }
        try:
            new = _validated(data, origin, key)
        except InputFileError as exc:  # a kept catalog value the new prices contradict
            report["skipped"].append({"id": offer.id, "why": exc.problem})
            continue
        if offer.price_basis_note and new.usd_per_mtok_input != offer.usd_per_mtok_input:
            report["warnings"].append(f"{offer.id}: its price changed; its price_basis_note "
                                      f"may no longer hold: {offer.price_basis_note}")  # fmt: skip
        if (mismatch := batch_mismatch(entries[key], origin, key)) is not None:
            report["warnings"].append(f"{offer.id} ({key}): {mismatch}; batch_discount is input's")
        _changes(offer.id, offer, new, report)
        if offer.source.split(" (via ")[0] != new.source.split(" (via ")[0]:
            row = {"id": offer.id, "field": "source", "old": offer.source, "new": new.source}
            report["other_changes"].append(row)
        offers.append(new)
    report["updated"] = len(offers)
    new_offers = _new_offers(hosted, prices, index, used)
    report["new"] = [{"id": o.id, "key": key, "usd_per_mtok_input": o.usd_per_mtok_input,
                      "usd_per_mtok_output": o.usd_per_mtok_output,
                      "model_class_guess": o.model_class} for key, o in new_offers]  # fmt: skip
    return offers + ([o for _, o in new_offers] if add_new else []), report


PROVIDERS_BY_PREFIX = dict(PROVIDERS.values())  # "google" → "gemini/"
RELATIVE = ("usd_per_mtok_cached_input", "usd_per_mtok_cache_write")  # shares of the input


def _scale_kept(
    data: dict[str, Any], offer: HostedOffer, kept: list[str], report: dict[str, Any]
) -> None:
    """A cached-input or cache-write price kept from the catalog is a share of the input price
    (Fireworks: cached at 50 %): when LiteLLM moves the input price, it moves with it (0.05 of
    0.10 becomes 0.10 of 0.20), and the change list says so."""
    ratio = data["usd_per_mtok_input"] / offer.usd_per_mtok_input
    if ratio == 1:
        return
    for field in RELATIVE:
        if field in kept:
            data[field] = round(getattr(offer, field) * ratio, 10)
            report["warnings"].append(
                f"{offer.id}: {field} kept from the catalog, scaled with the input price "
                f"({getattr(offer, field):g} → {data[field]:g})"
            )


def _new_offers(
    hosted: Mapping[str, HostedOffer], prices: PriceMap, index: Index, used: set[str]
) -> list[tuple[str, HostedOffer]]:
    """Text models LiteLLM prices for providers the catalog covers, not in it yet; a dated
    snapshot of a model LiteLLM also lists undated is the same model and is left out."""
    names = {o.id.split("/", 1)[0]: o.provider for o in hosted.values()}
    found: dict[str, tuple[str, HostedOffer]] = {}
    for (prefix, name), keys in sorted(index.items()):
        key, entry = keys[0], prices.entries[keys[0]]
        snapshot = _SNAPSHOT.match(name)
        if prefix not in names or key in used or not _text(entry) or not _canonical(key, entry):
            continue
        if snapshot and (
            (prefix, snapshot.group(1)) in index
            or find_key(prefix, snapshot.group(1), index) != key
        ):
            continue
        offer_id = catalog_id(prefix, snapshot.group(1) if snapshot else name)
        try:  # a model the catalog does not have yet: a bad entry skips it, not the update
            fields = offer_fields(entry, prices.origin, key)
        except InputFileError:
            continue
        usd = (fields.get("usd_per_mtok_input"), fields.get("usd_per_mtok_output"))
        # 0/0 is LiteLLM not knowing (Gemini's Lyria music models), not a free chat model
        if offer_id in hosted or offer_id in found or None in usd or usd == (0, 0):
            continue
        model = key.rsplit("/", 1)[-1]
        data = {"id": offer_id, "provider": names[prefix], "model": model,
                "model_class": _guess_class(model), "as_of": prices.as_of,
                "source": _source(entry, None, prices.version),
                "notes": "added by `costcalc catalog update --add-new`: model_class guessed "
                         "from the name and reasoning left off; check both"} | fields  # fmt: skip
        try:
            found[offer_id] = (key, _validated(data, prices.origin, key))
        except InputFileError:
            continue
    return list(found.values())
