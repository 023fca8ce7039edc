"""Load a traffic profile: validate it, count prompt files and text, refuse absurd volumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from costcalc.core.inflation import inflate
from costcalc.core.units import DAYS_PER_MONTH
from costcalc.errors import InputFileError
from costcalc.io.tokens import DEFAULT_ENCODING, count_tokens
from costcalc.io.validation import read_validated
from costcalc.schema.profile import Profile, PromptPart

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


def load_profile(path: Path) -> LoadedProfile:
    """Read and validate a profile; prompt `file`/`text` parts become token counts."""
    profile, data = read_validated(path, Profile)
    loaded = LoadedProfile(profile, path)
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
        profile, path, loaded.token_sources, loaded.warnings, defaults_used(data, profile)
    )


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
    per_month = requests_per_day * inflate(profile.request).billed_tokens * DAYS_PER_MONTH
    if not per_month < MAX_TOKENS_PER_MONTH:
        raise InputFileError(
            path,
            f"{per_month:.3g} billed tokens per month is beyond {MAX_TOKENS_PER_MONTH:.0e}; "
            "check requests_per_day, token counts and conversation turns",
            "traffic.requests_per_day",
        )
