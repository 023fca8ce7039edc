"""Budget gates (`costcalc check`): is the projected spend of one option within its limits?"""

from __future__ import annotations

from dataclasses import dataclass, field

from costcalc.core.analysis.compare import Comparison
from costcalc.core.analysis.options import Option
from costcalc.core.analysis.samples import quantile as sample_quantile
from costcalc.core.gates.choice import choose_option
from costcalc.errors import UnknownIdError, UserError
from costcalc.schema.profile import Budget

# (budget field, what it limits, option attribute)
METRICS = (
    ("monthly_usd", "monthly USD", "monthly_usd"),
    ("usd_per_1k_requests", "USD per 1k requests", "usd_per_1k_requests"),
    ("usd_per_mtok", "USD per million billed tokens", "usd_per_mtok"),
)


@dataclass(frozen=True)
class Gate:
    """One limit on one figure of the checked option."""

    metric: str  # a Budget field name
    label: str
    limit: float
    projected: float
    basis: str = "point"  # or a Monte Carlo quantile such as "p90"

    @property
    def passed(self) -> bool:
        return self.projected <= self.limit

    @property
    def excess(self) -> float:
        """How far over the limit, in the metric's unit (0 when within it)."""
        return max(0.0, self.projected - self.limit)

    @property
    def excess_share(self) -> float:
        """Excess as a share of the limit: $3,450 against $3,000 → 0.15."""
        return self.excess / self.limit if self.limit > 0 else float("inf")


@dataclass(frozen=True)
class Check:
    profile: str
    option: Option
    chosen_by: str  # one of choice.RULES: "--option", "budget.option", "costcalc.yaml", …
    gates: tuple[Gate, ...]

    @property
    def passed(self) -> bool:
        return all(g.passed for g in self.gates)


def merge_budgets(profile_budget: Budget | None, overrides: Budget) -> Budget:
    """Flags (and project-file budgets) override the profile's `budget:` key by key."""
    base = profile_budget.model_dump() if profile_budget else {}
    base.update({k: v for k, v in overrides.model_dump().items() if v is not None})
    return Budget.model_validate(base)


def parse_quantile(text: str) -> float:
    """'p90' → 0.90; from p1 to p99."""
    digits = text.lower().removeprefix("p")
    if not digits.isdigit() or not 1 <= int(digits) <= 99:
        raise UserError(f"--quantile {text!r}: expected p1 to p99, such as p90")
    return int(digits) / 100.0


def projected(
    comparison: Comparison, option: Option, attribute: str, quantile: str | None
) -> float:
    """The option's figure at the profile's point values, or its Monte Carlo quantile."""
    mc = comparison.monte_carlo
    if quantile is None or mc is None:
        return float(getattr(option, attribute))
    samples = {
        "monthly_usd": mc.monthly_usd[option.id],
        "usd_per_1k_requests": mc.usd_per_1k_requests(option.id),
        "usd_per_mtok": mc.usd_per_mtok(option.id),
    }[attribute]
    return float(sample_quantile(samples, parse_quantile(quantile)))


def check(
    comparison: Comparison,
    budget: Budget,
    option_flag: str | None,
    quantile: str | None = None,
    project_option: str | None = None,
) -> Check:
    """The gates of the option `choose_option` picks (the flag, the profile's budget.option,
    the project file's, else the one the verdict recommends); with `quantile` (and Monte Carlo
    run), each gate checks that quantile of the figure."""
    profile_budget = comparison.profile.budget
    own = (profile_budget.option if profile_budget else None) or budget.option
    chosen = choose_option(
        option_flag, own, project_option, comparison.recommended, comparison.cheapest
    )
    if chosen is None:
        raise UserError(
            f"{comparison.profile.name}: no option meets the SLO; name one with --option"
        )
    return _gates(comparison, budget, chosen.option, chosen.rule, quantile)


def checks(
    comparison: Comparison,
    budget: Budget,
    option_flag: str | None,
    quantile: str | None = None,
    project_option: str | None = None,
) -> list[Check]:
    """`check`, once per option a profile's `budget.options` lists (after `budget.option`),
    unless --option names one: several options gated, each line saying `budget.options`."""
    own = comparison.profile.budget
    if option_flag or own is None or not own.options:
        return [check(comparison, budget, option_flag, quantile, project_option)]
    listed = own.options
    first = [check(comparison, budget, None, quantile, project_option)] if own.option else []
    return first + [
        _gates(comparison, budget, wanted, "budget.options", quantile)
        for wanted in dict.fromkeys(listed)
        if wanted != own.option
    ]


def _gates(
    comparison: Comparison, budget: Budget, wanted: str, chosen_by: str, quantile: str | None
) -> Check:
    option = next((o for o in comparison.options if o.id == wanted), None)
    if option is None:
        where = f"{comparison.profile.name}: {chosen_by}"
        compared = [o.id for o in comparison.options]
        raise UnknownIdError("compared option", wanted, compared, where)
    basis = quantile.lower() if quantile and comparison.monte_carlo else "point"
    gates = tuple(
        Gate(field, label, float(limit), projected(comparison, option, attribute, quantile), basis)
        for field, label, attribute in METRICS
        if (limit := getattr(budget, field)) is not None
    )
    return Check(comparison.profile.name, option, chosen_by, gates)


@dataclass(frozen=True)
class Outcome:
    """One profile's check, or the user error that stopped it."""

    source: str  # the profile file
    check: Check | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0  # how long the check took (JUnit's time)
    # line in the profile of what matters: "volume" (traffic.requests_per_day) and each budget
    # metric set in the profile itself (not overridden by the project file or a flag)
    lines: dict[str, int] = field(default_factory=dict)

    def line(self) -> int | None:
        """The line an annotation points at: the first broken budget's, else the volume's."""
        if self.check is not None:
            for gate in self.check.gates:
                if not gate.passed and gate.metric in self.lines:
                    return self.lines[gate.metric]
        return self.lines.get("volume")

    @property
    def status(self) -> str:
        if self.error is not None:
            return "error"
        assert self.check is not None
        if not self.check.gates:
            return "no_budget"
        return "pass" if self.check.passed else "fail"
