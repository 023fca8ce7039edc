"""The Python API for notebooks: compare, check and diff as typed reports and pandas frames."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from costcalc.errors import UserError

if TYPE_CHECKING:
    import pandas as pd

    from costcalc.core.analysis.compare import Comparison
    from costcalc.io.profiles import LoadedProfile
    from costcalc.schema.report import CompareReport
    from costcalc.schema.report_gates import CheckReport, DiffReport

__all__ = ["CompareResult", "check", "compare", "diff", "load_profile"]

PathLike = str | Path
Volume = float | str  # 250000, or "250k" as on the command line

OPTION_COLUMNS = (
    "id", "kind", "monthly_usd", "usd_per_mtok", "usd_per_1k_requests", "replicas_peak",
    "throughput_source", "fixed_monthly_usd", "monthly_usd_without_labor",
    "cold_starts_per_day", "slo_met", "notes",
)  # fmt: skip
BREAKEVEN_COLUMNS = (
    "hosted", "self_hosted", "status", "requests_per_day", "tokens_per_day",
    "without_labor_status", "without_labor_requests_per_day", "without_labor_tokens_per_day",
    "cost_ratio",
)  # fmt: skip


@dataclass(frozen=True, repr=False)
class CompareResult:
    """One profile compared: the core result, its typed JSON report, and frames of both.
    `report` is what `costcalc compare --format json` writes (`report.model_dump()` for a
    dict); the frames import pandas when first asked for, so `import costcalc` stays light."""

    comparison: Comparison
    report: CompareReport
    profile: LoadedProfile

    def __repr__(self) -> str:  # the dataclass's would print the whole comparison
        r = self.report
        options = len(r.options)
        return f"CompareResult(profile={r.profile!r}, cheapest={r.cheapest!r}, {options=})"

    def options_frame(self) -> pd.DataFrame:
        """One row per option, cheapest first, with the JSON report's figures; the self-hosted
        columns are empty for hosted options. With Monte Carlo, P10/P50/P90 of monthly USD."""
        import pandas as pd

        rows = []
        for option in self.report.options:
            data = option.model_dump()
            row = {k: data.get(k) for k in OPTION_COLUMNS}
            row["notes"] = "; ".join(option.notes or [])
            spread = data.get("monthly_usd_quantiles")  # with Monte Carlo
            if spread is not None:
                row.update({f"monthly_usd_{q}": v for q, v in spread.items()})
            rows.append(row)
        frame = pd.DataFrame(rows, columns=_columns(OPTION_COLUMNS, rows))
        quantiles = dict.fromkeys(frame.columns[len(OPTION_COLUMNS) :], "float64")
        return frame.astype({"replicas_peak": "Int64", "slo_met": "boolean", **quantiles})

    def breakeven_frame(self) -> pd.DataFrame:
        """One row per hosted × self-hosted pair: where self-hosting becomes cheaper, with
        labor and without it, in requests/day and billed tokens/day (empty unless `status`
        is crosses), and the cost ratio self-hosted / hosted at the profile's volume. With Monte
        Carlo, P10/P50/P90 of the break-even and the chance that self-hosting is cheaper."""
        import pandas as pd

        rows = []
        for pair in self.report.breakeven:
            without = pair.without_labor
            row: dict[str, Any] = {
                "hosted": pair.hosted,
                "self_hosted": pair.self_hosted,
                "status": pair.status,
                "requests_per_day": pair.requests_per_day,
                "tokens_per_day": pair.tokens_per_day,
                "without_labor_status": without.status if without else None,
                "without_labor_requests_per_day": without.requests_per_day if without else None,
                "without_labor_tokens_per_day": without.tokens_per_day if without else None,
                "cost_ratio": pair.cost_ratio,
            }
            if pair.tokens_per_day_quantiles is not None:  # with Monte Carlo
                quantiles = pair.tokens_per_day_quantiles.model_dump()
                row.update({f"tokens_per_day_{q}": v for q, v in quantiles.items()})
                row["p_self_hosted_cheaper"] = pair.p_self_hosted_cheaper
            rows.append(row)
        frame = pd.DataFrame(rows, columns=_columns(BREAKEVEN_COLUMNS, rows))
        floats = [c for c in frame.columns if "_per_day" in c or c.endswith(("ratio", "cheaper"))]
        return frame.astype(dict.fromkeys(floats, "float64"))

    def curves_frame(self) -> pd.DataFrame:
        """The featured pair's monthly cost across the break-even range (the report's chart),
        long format: one row per option and volume. Empty without a hosted and a self-hosted
        option to compare."""
        import numpy as np
        import pandas as pd

        from costcalc.core.analysis.curves import cost_curves

        curves = cost_curves(self.comparison)
        lines = curves.curves if curves else []
        tokens = np.asarray(curves.tokens_per_day if curves else [], dtype=float)
        billed = self.comparison.tokens.billed_tokens
        return pd.DataFrame({
            "tokens_per_day": np.tile(tokens, len(lines)),
            "requests_per_day": np.tile(tokens / billed, len(lines)),
            "option": [line.option for line in lines for _ in tokens],
            "kind": [line.kind for line in lines for _ in tokens],
            "monthly_usd": np.concatenate([np.zeros(0), *(line.monthly_usd for line in lines)]),
        })  # fmt: skip


def _columns(base: Sequence[str], rows: list[dict[str, Any]]) -> list[str]:
    """The fixed columns, then any a row added (the Monte Carlo ones), in first-seen order."""
    extra = [k for row in rows for k in row if k not in base]
    return [*base, *dict.fromkeys(extra)]


def _volume(value: Volume | None, name: str) -> float | None:
    """A positive, finite number; a string such as '250k' or '10M' as the CLI reads it."""
    if value is None:
        return None
    if isinstance(value, str):
        from costcalc.core.units import parse_quantity

        try:
            return parse_quantity(value)
        except ValueError as exc:
            raise UserError(f"{name}: {exc}") from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UserError(f"{name}={value!r}: expected a number such as 250000 or '250k'")
    if not math.isfinite(value) or value <= 0:
        raise UserError(f"{name}={value!r}: must be a positive, finite number")
    return float(value)


def _range(span: tuple[Volume, Volume] | None) -> tuple[float, float] | None:
    if span is None:
        return None
    if len(span) != 2:
        raise UserError(f"range_tokens_per_day={span!r}: expected (low, high)")
    low, high = (_volume(v, "range_tokens_per_day") for v in span)
    assert low is not None and high is not None
    if low >= high:
        raise UserError(f"range_tokens_per_day={span!r}: low must be below high")
    return low, high


def _sampling(samples: int | None, seed: int) -> tuple[int | None, int]:
    """Monte Carlo's sample count (None: no sampling) and seed, in the CLI's bounds."""
    from costcalc.io.analyze import MAX_SAMPLES, MIN_SAMPLES

    def whole(x: object) -> bool:
        return isinstance(x, int) and not isinstance(x, bool)

    if samples is not None and not (whole(samples) and MIN_SAMPLES <= samples <= MAX_SAMPLES):
        raise UserError(f"monte_carlo={samples!r}: expected {MIN_SAMPLES:,} to {MAX_SAMPLES:,}")
    if not (whole(seed) and seed >= 0):
        raise UserError(f"seed={seed!r}: expected a whole number, 0 or more")
    return samples, seed


def _limit(value: float | None, name: str) -> float | None:
    """A budget or gate limit: a finite number, 0 or more (the CLI's flags have min=0)."""
    ok = isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < math.inf
    if value is not None and not ok:
        raise UserError(f"{name}={value!r}: expected a finite number, 0 or more")
    return value


def load_profile(path: PathLike) -> LoadedProfile:
    """Read and validate a profile (`.profile` is the model); errors name the file and field."""
    from costcalc.io.profiles import load_profile as load

    return load(Path(path))


def compare(
    profile: PathLike,
    requests_per_day: Volume | None = None,
    catalogs: Sequence[PathLike] = (),
    range_tokens_per_day: tuple[Volume, Volume] | None = None,
    monte_carlo: int | None = None,
    seed: int = 0,
    every_option: bool = False,
) -> CompareResult:
    """`costcalc compare PROFILE`: every option's cost at the profile's volume (or
    `requests_per_day`), and where each self-hosted option breaks even against each hosted one.

    `catalogs` are directories layered over the built-in catalog; `range_tokens_per_day` the
    break-even search range in billed tokens/day; `monte_carlo` samples the profile's uncertain
    inputs that many times (100 to 1,000,000) with `seed`; `every_option` is `--all`. Bad
    input raises a UserError."""
    from costcalc.io.analyze import analyze
    from costcalc.render.json import report

    volume, span = _volume(requests_per_day, "requests_per_day"), _range(range_tokens_per_day)
    samples, seed = _sampling(monte_carlo, seed)
    dirs = [Path(c) for c in catalogs]
    loaded, comparison, _ = analyze(Path(profile), dirs, volume, span, samples, seed, every_option)
    return CompareResult(comparison, report(comparison, loaded.warnings), loaded)


def check(
    profile: PathLike | Sequence[PathLike] | None = None,
    *,
    catalogs: Sequence[PathLike] = (),
    option: str | None = None,
    max_monthly_usd: float | None = None,
    max_usd_per_1k_requests: float | None = None,
    max_usd_per_mtok: float | None = None,
    quantile: str | None = None,
    monte_carlo: int | None = None,
    seed: int = 0,
    errors: Literal["raise", "report"] = "raise",
) -> CheckReport:
    """`costcalc check`: each profile's projected spend against its budget, as the JSON report
    (`.passed`, and per profile `.results[i].status`: pass, fail, no_budget or error).

    Budgets come from the profile's `budget:`, then costcalc.yaml, then the `max_*` arguments,
    which win. Without `profile`, the profiles of costcalc.yaml (from the working directory up
    to the repository root) are checked. `quantile` ('p90') gates a Monte Carlo quantile
    (10,000 samples unless `monte_carlo` says). A profile that cannot be checked raises its
    UserError; with errors="report" it becomes an error result, as in the CLI."""
    from costcalc.io.analyze import check_profiles, check_targets, quantile_samples
    from costcalc.render import check as render
    from costcalc.schema.profile import Budget

    if errors not in ("raise", "report"):
        raise UserError(f"{errors=}: expected 'raise' or 'report'")
    named = [profile] if isinstance(profile, str | Path) else list(profile or [])
    entries, dirs = check_targets([Path(p) for p in named], [Path(c) for c in catalogs], Path.cwd())
    samples, seed = _sampling(monte_carlo, seed)
    samples = quantile_samples(quantile, samples)
    flags = Budget(
        monthly_usd=_limit(max_monthly_usd, "max_monthly_usd"),
        usd_per_1k_requests=_limit(max_usd_per_1k_requests, "max_usd_per_1k_requests"),
        usd_per_mtok=_limit(max_usd_per_mtok, "max_usd_per_mtok"),
    )
    outcomes = check_profiles(
        entries, dirs, flags, option, quantile, samples, seed, raise_errors=errors == "raise"
    )
    return render.report(outcomes)


def _compare_report(
    source: PathLike | CompareResult | CompareReport, catalogs: Sequence[Path]
) -> CompareReport:
    """A saved compare JSON (parsed by its model), a profile compared now, or a result."""
    from costcalc.io.analyze import analyze
    from costcalc.io.project import is_report, load_report
    from costcalc.render.json import report
    from costcalc.schema.report import CompareReport

    if isinstance(source, CompareResult):
        return source.report
    if isinstance(source, CompareReport):
        return source
    path = Path(source)
    if is_report(path):
        return load_report(path)
    loaded, comparison, _ = analyze(path, catalogs)
    return report(comparison, loaded.warnings)


def diff(
    base: PathLike | CompareResult | CompareReport,
    head: PathLike | CompareResult | CompareReport,
    option: str | None = None,
    max_increase_pct: float | None = None,
    max_increase_usd: float | None = None,
    catalogs: Sequence[PathLike] = (),
) -> DiffReport:
    """`costcalc diff BASE HEAD`: past, current and change of every option's monthly cost, the
    volume and each break-even, as the JSON report (`.changed`, `.passed`). BASE and HEAD are
    each a profile, a saved `compare --format json` report, or a `compare()` result. The
    gates limit the rise of `option`'s monthly cost (default: HEAD's cheapest option)."""
    from costcalc.core.gates.diff import diff as run_diff
    from costcalc.render.diff import report

    pct = _limit(max_increase_pct, "max_increase_pct")
    usd = _limit(max_increase_usd, "max_increase_usd")
    past, current = (_compare_report(s, [Path(c) for c in catalogs]) for s in (base, head))
    return report(run_diff(past, current, option, pct, usd))
