"""Project-wide diff: every profile against the baseline of the target branch, and the total."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from costcalc.core.gates.budget import Outcome
from costcalc.core.gates.diff import Change, Gate, ReportDiff, diff, increase_gates
from costcalc.schema.report import CompareReport


@dataclass(frozen=True)
class ProfileDiff:
    """One profile: against its baseline (changed, unchanged), new (no baseline: its own
    budget is checked instead), or removed (in the baseline only)."""

    path: str
    status: str  # changed | unchanged | new | removed
    diff: ReportDiff | None = None
    check: Outcome | None = None
    past_usd: float | None = None  # a removed profile's gated monthly USD

    @property
    def passed(self) -> bool:
        if self.diff is not None:
            return self.diff.passed
        if self.check is not None:
            return self.check.status in ("pass", "no_budget")
        return True


@dataclass(frozen=True)
class ProjectDiff:
    profiles: tuple[ProfileDiff, ...]
    total: Change  # gated monthly USD, summed: baseline (with removed) → now (with new)
    gates: tuple[Gate, ...]  # on the total

    @property
    def passed(self) -> bool:
        return all(p.passed for p in self.profiles) and all(g.passed for g in self.gates)

    @property
    def changed(self) -> bool:
        return any(p.status != "unchanged" for p in self.profiles)


def _gated_usd(report: CompareReport) -> float | None:
    """The monthly USD of the option a gate would check in a saved report (budget.option, the
    recommendation, else the cheapest): what a removed profile took off the bill."""
    wanted = report.budget_option or report.recommended or report.cheapest
    return next((o.monthly_usd for o in report.options if o.id == wanted), None)


def project_diff(
    base: Mapping[str, CompareReport],
    head: Mapping[str, CompareReport],
    new_checks: Mapping[str, Outcome],
    option: str | None,
    max_increase_pct: float | None,
    max_increase_usd: float | None,
    project_options: Mapping[str, str | None],
) -> ProjectDiff:
    """Each profile of HEAD against its baseline (by path from the project file's folder),
    with the same gates per profile and on the total. Example: a baseline of $3,783 and
    $688, a PR that triples the first and adds a $1,290 profile: total $4,471 → $13,327."""
    profiles = []
    past_total = current_total = 0.0
    for path in sorted(set(base) | set(head) | set(new_checks)):
        if path in base and path in head:
            d = diff(base[path], head[path], option, max_increase_pct, max_increase_usd,
                     project_options.get(path))  # fmt: skip
            profiles.append(ProfileDiff(path, "changed" if d.changed else "unchanged", d))
            past_total += d.gated.past or 0.0
            current_total += d.gated.current or 0.0
        elif path in new_checks:
            outcome = new_checks[path]
            profiles.append(ProfileDiff(path, "new", check=outcome))
            if outcome.check is not None:
                current_total += outcome.check.option.monthly_usd
        else:
            past = _gated_usd(base[path])
            profiles.append(ProfileDiff(path, "removed", past_usd=past))
            past_total += past or 0.0
    total = Change(round(past_total, 2), round(current_total, 2))
    return ProjectDiff(
        tuple(profiles), total, increase_gates(total, max_increase_pct, max_increase_usd)
    )
