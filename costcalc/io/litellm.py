"""Read LiteLLM's model_prices_and_context_window.json (a file or a URL) into catalog prices."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from costcalc.errors import InputFileError, UserError

MAX_DOWNLOAD_BYTES = 50_000_000  # the 1.110.2 file is 3.5 MB; 50 MB is room without a risk
PER_MTOK = 1_000_000  # LiteLLM prices one token; the catalog prices a million
# LiteLLM's `mode`s that are text chat the catalog can price (gpt-5-pro is a `responses` model)
TEXT_MODES = ("chat", "responses")
_VERSION = re.compile(r"(?<![0-9.])v?([0-9]+\.[0-9]+\.[0-9]+)(?![0-9])")
_ABOVE = re.compile(r"^input_cost_per_token_above_([0-9]+)k_tokens$")


@dataclass(frozen=True)
class PriceMap:
    """The file's entries by key, where it came from, its LiteLLM version and its date."""

    entries: dict[str, dict[str, Any]]
    origin: str
    version: str | None
    as_of: dt.date


def read_price_map(
    where: str, as_of: dt.date | None, version: str | None, today: dt.date
) -> PriceMap:
    """Read a local file or download a URL; `as_of` defaults to the file's modification date
    (a URL: today), the version to the one its name or URL spells (`…_1.110.2.json`)."""
    if re.match(r"^[a-z][a-z0-9+.-]*://", where, re.IGNORECASE):
        text, date = _download(where), today
    else:
        path = Path(where)
        try:
            raw = path.read_bytes()
            date = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).date()
        except OSError as exc:
            raise InputFileError(path, f"cannot read it: {exc.strerror or exc}") from None
        text = raw.decode("utf-8", errors="replace")
    # the file's own name says the version (model_prices_1.110.2.json), or a folder named for
    # the package (litellm-1.110.2/); a Python version elsewhere in the path is not LiteLLM's
    found = _VERSION.search(Path(where).name) or re.search(r"litellm[-_]v?(\d+\.\d+\.\d+)", where)
    return PriceMap(
        entries=parse_price_map(text, where),
        origin=where,
        version=version or (found.group(1) if found else None),
        as_of=as_of or date,
    )


def _download(url: str) -> str:
    hint = (
        "Download model_prices_and_context_window.json (github.com/BerriAI/litellm, or the "
        "litellm wheel on PyPI) and pass its path: costcalc catalog update --from-litellm FILE"
    )
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            body: bytes = response.read(MAX_DOWNLOAD_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise UserError(f"{url}: cannot download it ({reason}). {hint}") from None
    if len(body) > MAX_DOWNLOAD_BYTES:
        raise UserError(f"{url}: over {MAX_DOWNLOAD_BYTES // 1_000_000} MB, not a price map")
    return body.decode("utf-8", errors="replace")


def parse_price_map(text: str, origin: str) -> dict[str, dict[str, Any]]:
    """The JSON object of model entries (sample_spec, LiteLLM's field guide, left out)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFileError(
            origin, f"not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    if not isinstance(data, dict):
        raise InputFileError(origin, "expected a JSON object of model entries by name")
    return {k: v for k, v in data.items() if k != "sample_spec" and isinstance(v, dict)}


def price(entry: dict[str, Any], field: str, origin: str, key: str) -> float | None:
    """One per-token price in USD per million tokens, None when absent. Not a number, NaN or
    negative is an error naming the file and the key: 1.25e-06 → 1.25."""
    value = entry.get(field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputFileError(origin, f"{value!r} is not a number", f"{key}.{field}")
    if not math.isfinite(value) or value < 0:
        raise InputFileError(origin, f"{value!r} is not a finite price >= 0", f"{key}.{field}")
    # ten significant digits: 1.25e-06 * 1e6 is 1.2499999999999998 in binary
    return float(f"{value * PER_MTOK:.10g}")


def _count(entry: dict[str, Any], field: str, origin: str, key: str) -> int | None:
    value = entry.get(field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputFileError(origin, f"{value!r} is not a whole number", f"{key}.{field}")
    if value <= 0 or value != int(value):
        raise InputFileError(origin, f"{value!r} is not a positive whole number", f"{key}.{field}")
    return int(value)


def _date(entry: dict[str, Any], origin: str, key: str) -> dt.date | None:
    value = entry.get("deprecation_date")
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputFileError(
            origin, f"{value!r} is not a date (YYYY-MM-DD)", f"{key}.deprecation_date"
        ) from None


def _tier(entry: dict[str, Any], suffix: str, origin: str, key: str) -> dict[str, float] | None:
    """Priority or flex prices (`input_cost_per_token_flex`…); None without both rates."""
    usd_in = price(entry, f"input_cost_per_token{suffix}", origin, key)
    usd_out = price(entry, f"output_cost_per_token{suffix}", origin, key)
    if usd_in is None or usd_out is None:
        return None
    tier = {"usd_per_mtok_input": usd_in, "usd_per_mtok_output": usd_out}
    cached = price(entry, f"cache_read_input_token_cost{suffix}", origin, key)
    return tier | ({"usd_per_mtok_cached_input": cached} if cached is not None else {})


def _long_context(entry: dict[str, Any], origin: str, key: str) -> dict[str, Any] | None:
    """The lowest `_above_Nk_tokens` tier: input_cost_per_token_above_272k_tokens = 5e-06
    reads as above_input_tokens 272000 at 5 USD/Mtok (the whole request is repriced)."""
    thresholds = sorted(int(m.group(1)) for f in entry if (m := _ABOVE.match(f)))
    if not thresholds:
        return None
    above = f"_above_{thresholds[0]}k_tokens"
    tier = _tier(entry, above, origin, key)
    if tier is None:
        return None
    write = price(entry, f"cache_creation_input_token_cost{above}", origin, key)
    extra = {"usd_per_mtok_cache_write": write} if write is not None else {}
    return {"above_input_tokens": thresholds[0] * 1000, **tier, **extra}


def offer_fields(entry: dict[str, Any], origin: str, key: str) -> dict[str, Any]:
    """A LiteLLM entry as HostedOffer fields; a field LiteLLM does not give is left out."""
    usd_in = price(entry, "input_cost_per_token", origin, key)
    usd_out = price(entry, "output_cost_per_token", origin, key)
    fields: dict[str, Any] = {"usd_per_mtok_input": usd_in, "usd_per_mtok_output": usd_out}
    fields["usd_per_mtok_cached_input"] = price(entry, "cache_read_input_token_cost", origin, key)
    # the 5-minute cache write (Anthropic's 1.25x input); the 1-hour one is `_above_1hr`
    fields["usd_per_mtok_cache_write"] = price(
        entry, "cache_creation_input_token_cost", origin, key
    )
    batch_in = price(entry, "input_cost_per_token_batches", origin, key)
    if batch_in is not None and usd_in:
        # a share off every rate: 0.625 batch on 1.25 standard is 1 - 0.5 = 0.5 off
        fields["batch_discount"] = float(f"{max(0.0, 1 - batch_in / usd_in):.6g}")
    fields["priority"] = _tier(entry, "_priority", origin, key)
    fields["flex"] = _tier(entry, "_flex", origin, key)
    fields["long_context"] = _long_context(entry, origin, key)
    fields["context_window"] = _count(entry, "max_input_tokens", origin, key)
    fields["min_cacheable_tokens"] = _count(entry, "prompt_cache_min_tokens", origin, key)
    fields["deprecation_date"] = _date(entry, origin, key)
    return {name: value for name, value in fields.items() if value is not None}


def batch_mismatch(entry: dict[str, Any], origin: str, key: str) -> str | None:
    """The output rate's batch share when it is not the input's (the catalog keeps one)."""
    pairs = [
        (price(entry, f"{side}_cost_per_token", origin, key),
         price(entry, f"{side}_cost_per_token_batches", origin, key))
        for side in ("input", "output")
    ]  # fmt: skip
    shares = [1 - b / s for s, b in pairs if s and b is not None]
    if len(shares) == 2 and abs(shares[0] - shares[1]) > 0.005:
        return f"batch: {shares[0]:.0%} off input but {shares[1]:.0%} off output"
    return None
