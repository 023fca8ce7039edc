"""Cost diff between two reports (`costcalc diff`): past, current and change, and its gates.

Both sides are `compare --format json` documents (schema_version 2, or 1), so a baseline saved on
the main branch diffs against a profile changed in a pull request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from costcalc.core.gates.choice import choose_option
from costcalc.errors import UnknownIdError, UserError
from costcalc.schema.report import BreakEven, CompareReport

HALF_A_CENT = 0.005  # USD a month: a cost below it is $0 for a relative change


@dataclass(frozen=True)
class Change:
    past: float | None
    current: float | None

    @property
    def delta(self) -> float | None:
        if self.past is None or self.current is None:
            return None
        return self.current - self.past

    @property
    def share(self) -> float | None:
        """Relative change: 3,000 → 3,450 is +0.15; None from zero (under half a cent) or a
        missing side."""
        if self.delta is None or self.past is None or abs(self.past) < HALF_A_CENT:
            return None
        return self.delta / self.past

    @property
    def changed(self) -> bool:
        """Changed by more than rounding (0.05 %, or either side missing)."""
        if self.past is None or self.current is None:
            return self.past != self.current
        scale = max(abs(self.past), abs(self.current), 1e-9)
        return abs(self.current - self.past) > 5e-4 * scale


@dataclass(frozen=True)
class Row:
    label: str  # an option id, or a pair "hosted vs self-hosted"
    change: Change
    past_status: str | None = None  # break-even status (crosses, never, always)
    current_status: str | None = None

    @property
    def changed(self) -> bool:
        return self.change.changed or self.past_status != self.current_status


@dataclass(frozen=True)
class Gate:
    name: str  # --max-increase-pct or --max-increase-usd
    limit: float
    value: float | None
    from_zero: bool = False  # a cost that rose from $0: no % limit holds it

    @property
    def passed(self) -> bool:
        return not self.from_zero and (self.value is None or self.value <= self.limit)


@dataclass(frozen=True)
class ReportDiff:
    profile: str
    volume: tuple[Row, ...]  # requests/day, billed tokens/day, inflation factor
    options: tuple[Row, ...]  # monthly USD per option
    breakeven: tuple[Row, ...]  # billed tokens/day per pair
    cheapest: tuple[str | None, str | None]
    gated_option: str
    chosen_by: str  # the rule that chose it (choice.RULES)
    gated: Change
    gates: tuple[Gate, ...]

    @property
    def changed(self) -> bool:
        rows = (*self.volume, *self.options, *self.breakeven)
        return any(r.changed for r in rows) or self.cheapest[0] != self.cheapest[1]

    @property
    def passed(self) -> bool:
        return all(g.passed for g in self.gates)


def _by_id(report: CompareReport) -> dict[str, float]:
    """Monthly USD by option id."""
    return {o.id: o.monthly_usd for o in report.options}


def _pairs(report: CompareReport) -> dict[str, BreakEven]:
    return {f"{b.hosted} vs {b.self_hosted}": b for b in report.breakeven}


def _union(past: Mapping[str, object], current: Mapping[str, object]) -> list[str]:
    return list(current) + [k for k in past if k not in current]


def _volume(base: CompareReport, head: CompareReport) -> tuple[Row, ...]:
    return (
        Row("requests/day", Change(base.volume.requests_per_day, head.volume.requests_per_day)),
        Row(
            "billed tokens/day",
            Change(base.volume.billed_tokens_per_day, head.volume.billed_tokens_per_day),
        ),
        Row("inflation factor", Change(base.inflation.factor, head.inflation.factor)),
    )


def _breakeven_row(label: str, past: BreakEven | None, current: BreakEven | None) -> Row:
    return Row(
        label,
        Change(
            None if past is None else past.tokens_per_day,
            None if current is None else current.tokens_per_day,
        ),
        None if past is None else past.status,
        None if current is None else current.status,
    )


def increase_gates(
    gated: Change, max_increase_pct: float | None, max_increase_usd: float | None
) -> tuple[Gate, ...]:
    """The --max-increase-pct and --max-increase-usd gates on one change of monthly USD."""
    gates = []
    if max_increase_pct is not None:
        share = gated.share
        rose_from_zero = (
            share is None and gated.delta is not None and gated.delta >= HALF_A_CENT
        )  # $0 → $511 is no % at all, and more than any % limit allows
        gates.append(
            Gate("--max-increase-pct", max_increase_pct, None if share is None else share * 100,
                 from_zero=rose_from_zero)
        )  # fmt: skip
    if max_increase_usd is not None:
        gates.append(Gate("--max-increase-usd", max_increase_usd, gated.delta))
    return tuple(gates)


def diff(
    base: CompareReport,
    head: CompareReport,
    option: str | None,
    max_increase_pct: float | None,
    max_increase_usd: float | None,
    project_option: str | None = None,
) -> ReportDiff:
    """Compare two reports; the gated figure is the monthly USD of the option the rule of
    `choose_option` picks in HEAD: the flag, HEAD's budget.option, the project file's, the one
    its verdict recommends, else its cheapest (against the same option in BASE)."""
    past_options, head_options = _by_id(base), _by_id(head)
    chosen = choose_option(
        option, head.budget_option, project_option, head.recommended, head.cheapest
    )
    if chosen is None:
        raise UserError("HEAD has no option that meets the SLO to gate on; name one with --option")
    gated_id, chosen_by = chosen.option, chosen.rule
    if gated_id not in head_options and gated_id not in past_options:
        raise UnknownIdError(
            "compared option", gated_id, _union(past_options, head_options), "--option"
        )
    gated = Change(past_options.get(gated_id), head_options.get(gated_id))
    gates = increase_gates(gated, max_increase_pct, max_increase_usd)
    options = tuple(
        Row(oid, Change(past_options.get(oid), head_options.get(oid)))
        for oid in _union(past_options, head_options)
    )
    past_pairs, head_pairs = _pairs(base), _pairs(head)
    breakeven = tuple(
        _breakeven_row(label, past_pairs.get(label), head_pairs.get(label))
        for label in _union(past_pairs, head_pairs)
    )
    return ReportDiff(
        profile=head.profile or base.profile,
        volume=_volume(base, head),
        options=options,
        breakeven=breakeven,
        cheapest=(base.cheapest, head.cheapest),
        gated_option=gated_id,
        chosen_by=chosen_by,
        gated=gated,
        gates=gates,
    )
