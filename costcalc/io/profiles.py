"""Load a traffic profile: validate it, count prompt files and text, refuse absurd volumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from costcalc.core.demand.tokens import inflate
from costcalc.core.units import DAYS_PER_MONTH
from costcalc.errors import InputFileError
from costcalc.io.tokens import DEFAULT_ENCODING, count_tokens
from costcalc.io.validation import read_validated
from costcalc.schema.profile import (
    MAX_REQUESTS_PER_DAY,
    MIN_REQUESTS_PER_DAY,
    Profile,
    PromptPart,
)
from costcalc.schema.uncertain import (
    DISTRIBUTION_KEYS,
    UNCERTAIN_FIELDS,
    Distribution,
    Lognormal,
    parse_distribution,
)

# Defaults that change the answer; when a profile leaves them out, the report says so.
REPORTED_DEFAULTS = (
    "traffic.pattern",
    "traffic.burst_factor",
    "request.user_tokens",
    "request.output_tokens",
    "request.caching.hit_rate",
    "slo.percentile",
    "slo.ttft_ms",
    "slo.tpot_ms",
    "overheads.gateway_usd_per_month",
    "overheads.engineer_hours_per_month",
    "overheads.engineer_usd_per_hour",
)
MAX_TOKENS_PER_MONTH = 1e18  # far beyond any real workload; beyond it float sums stop being exact


@dataclass(frozen=True)
class LoadedProfile:
    profile: Profile
    path: Path
    token_sources: dict[str, str] = field(default_factory=dict)  # part → how it was counted
    warnings: list[str] = field(default_factory=list)
    defaults_used: list[str] = field(default_factory=list)
    uncertain: dict[str, Distribution] = field(default_factory=dict)  # field path → distribution


def _resolve_part(
    part: PromptPart, name: str, base: Path, path: Path, loaded: LoadedProfile
) -> PromptPart:
    if part.tokens is not None:
        return part
    if part.file is not None:
        prompt_path = (base / part.file).resolve()
        try:
            text = prompt_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputFileError(
                path,
                f"prompt file {part.file!r} not found (looked in {prompt_path})",
                f"request.{name}.file",
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputFileError(
                path, f"cannot read prompt file {part.file!r}: {exc}", f"request.{name}.file"
            ) from None
        origin = part.file
    else:
        assert part.text is not None
        text, origin = part.text, "inline text"
    counted = count_tokens(text, DEFAULT_ENCODING)
    loaded.token_sources[name] = f"{counted.tokens:,} tokens from {origin} ({counted.method})"
    if counted.warning and counted.warning not in loaded.warnings:
        loaded.warnings.append(counted.warning)
    return PromptPart(tokens=counted.tokens)


def _is_distribution(node: Any) -> bool:
    return isinstance(node, dict) and bool(node) and set(node) <= DISTRIBUTION_KEYS


def take_distributions(
    data: dict[str, Any], path: Path, found: dict[str, Distribution], notes: list[str]
) -> dict[str, Any]:
    """A copy of the mapping with each distribution replaced by its mean (rounded for counts),
    the distributions collected in `found` by field path."""

    def walk(node: dict[str, Any], prefix: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in node.items():
            where = f"{prefix}{key}"
            if _is_distribution(value):
                out[key] = point(value, where)
            elif isinstance(value, dict):
                out[key] = walk(value, f"{where}.")
            else:
                out[key] = value
        return out

    def point(raw: dict[str, Any], where: str) -> float:
        spec = UNCERTAIN_FIELDS.get(where)
        if spec is None:
            allowed = ", ".join(sorted(UNCERTAIN_FIELDS))
            raise InputFileError(
                path,
                "only facts about traffic, requests and overheads may be distributions, not "
                f"targets or choices; give a number. Fields that may be: {allowed}",
                where,
            )
        try:
            dist = parse_distribution(raw)
        except ValidationError as exc:
            problems = "; ".join(
                (f"{'.'.join(map(str, e['loc']))}: " if e["loc"] else "")
                + e["msg"].removeprefix("Value error, ")
                for e in exc.errors()
            )
            raise InputFileError(
                path,
                f"not a distribution ({problems}); write {{median, p90}} (lognormal), "
                "{low, high} (uniform) or {low, mode, high} (triangular)",
                where,
            ) from None
        ends = (dist.low, dist.high) if not isinstance(dist, Lognormal) else (dist.median,)
        if any(not spec.low <= end <= spec.high for end in ends):
            raise InputFileError(
                path, f"must stay within {spec.low:g} to {spec.high:g} (got {raw})", where
            )
        found[where] = dist
        if not spec.whole:
            return dist.mean
        notes.append(
            f"{where}: the point result uses {round(dist.mean)}, the mean {dist.mean:.4g} "
            "rounded (a whole number); Monte Carlo samples are rounded too"
        )
        return float(round(dist.mean))

    return walk(data, "")


def load_profile(path: Path) -> LoadedProfile:
    """Read and validate a profile; prompt `file`/`text` parts become token counts and
    distributions their means (kept in `uncertain` for Monte Carlo)."""
    uncertain: dict[str, Distribution] = {}
    notes: list[str] = []
    profile, data = read_validated(
        path, Profile, lambda raw: take_distributions(raw, path, uncertain, notes)
    )
    loaded = LoadedProfile(profile, path, warnings=notes)
    request = profile.request
    resolved = request.model_copy(
        update={
            "system_prompt": _resolve_part(
                request.system_prompt, "system_prompt", path.parent, path, loaded
            ),
            "tools": _resolve_part(request.tools, "tools", path.parent, path, loaded),
        }
    )
    profile = profile.model_copy(update={"request": resolved})
    check_volume(path, profile, profile.requests_per_day)
    return LoadedProfile(
        profile, path, loaded.token_sources, loaded.warnings, defaults_used(data, profile),
        uncertain,
    )  # fmt: skip


def defaults_used(data: dict[str, Any], profile: Profile) -> list[str]:
    """`path=value` for each reported default the file did not set."""
    used = []
    for path in REPORTED_DEFAULTS:
        node: Any = data
        value: Any = profile
        for key in path.split("."):
            node = node.get(key) if isinstance(node, dict) else None
            value = getattr(value, key)
        if node is None:
            used.append(f"{path}={value:g}" if isinstance(value, float) else f"{path}={value}")
    return used


def check_volume(path: Path | str, profile: Profile, requests_per_day: float) -> None:
    """Refuse a month of billed tokens that no real workload reaches (and floats cannot sum)."""
    if requests_per_day > MAX_REQUESTS_PER_DAY:
        raise InputFileError(
            path,
            f"{requests_per_day:.3g} requests a day is above the {MAX_REQUESTS_PER_DAY:.0e} a "
            "profile may give",
            "traffic.requests_per_day",
        )
    if not requests_per_day >= MIN_REQUESTS_PER_DAY:
        raise InputFileError(
            path,
            f"{requests_per_day:.3g} requests a day is below the {MIN_REQUESTS_PER_DAY} a day "
            "costcalc prices (one request in about three years)",
            "traffic.requests_per_day",
        )
    per_month = requests_per_day * inflate(profile.request).billed_tokens * DAYS_PER_MONTH
    if not per_month < MAX_TOKENS_PER_MONTH:
        raise InputFileError(
            path,
            f"{per_month:.3g} billed tokens per month is beyond {MAX_TOKENS_PER_MONTH:.0e}; "
            "check requests_per_day, token counts and conversation turns",
            "traffic.requests_per_day",
        )
