"""What the renderers need beyond the comparison itself: where inputs came from."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ReportContext:
    """Facts from loading: how prompt tokens were counted, which defaults filled gaps."""

    token_sources: dict[str, str] = field(default_factory=dict)
    defaults_used: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
