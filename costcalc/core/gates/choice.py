"""Which option a gate checks: one rule for `check`, `diff` and `report` (issue 13)."""

from __future__ import annotations

from dataclasses import dataclass

# In order: the flag, the profile's `budget.option`, the project file's, the option the
# verdict recommends (`featured`), and for reports saved before there was one, the cheapest.
RULES = ("--option", "budget.option", "costcalc.yaml", "featured", "cheapest")


@dataclass(frozen=True)
class Chosen:
    option: str
    rule: str  # one of RULES: what chose it, said on every line that gates it


def choose_option(
    flag: str | None,
    profile_option: str | None,
    project_option: str | None,
    recommended: str | None,
    cheapest: str | None,
) -> Chosen | None:
    """The first of the five that is set, and which rule it was; None when none is (no
    option meets the SLO and none was named)."""
    for rule, wanted in zip(
        RULES, (flag, profile_option, project_option, recommended, cheapest), strict=True
    ):
        if wanted:
            return Chosen(wanted, rule)
    return None
