"""`--format csv`: one row per option, for spreadsheets (use JSON for the whole report)."""

from __future__ import annotations

import csv
import io

from costcalc.core.analysis.compare import Comparison
from costcalc.core.analysis.crossings import BreakEven
from costcalc.core.analysis.options import HostedOption, SelfHostedOption
from costcalc.core.analysis.verdict import windows
from costcalc.render.summary import pair_of, tokens_per_day

COLUMNS = [
    "id", "kind", "monthly_usd", "usd_per_mtok", "usd_per_1k_requests", "replicas_peak",
    "throughput_source", "fixed_monthly_usd", "cold_starts_per_day", "breakeven_status",
    "breakeven_tokens_per_day", "breakeven_against", "slo_met", "notes",
    "breakeven_requests_per_day", "cheaper_windows_requests_per_day",
]  # fmt: skip


def _windows(be: BreakEven) -> str:
    """'35453.8-51309.5;59722.1-': every window where self-hosting is cheaper (an open end
    empty), for a spreadsheet to split."""
    return ";".join(
        f"{'' if w.low_requests_per_day is None else f'{w.low_requests_per_day:.1f}'}-"
        f"{'' if w.high_requests_per_day is None else f'{w.high_requests_per_day:.1f}'}"
        for w in windows(be)
    )


def render_csv(c: Comparison) -> str:
    """Hosted rows carry their break-even against the featured self-hosted option;
    self-hosted rows against the featured hosted option (`featured` in the JSON)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    featured = c.featured
    for o in c.options:
        pair = None
        if isinstance(o, HostedOption) and featured.self_hosted is not None:
            pair = pair_of(c, o.id, featured.self_hosted)
        elif isinstance(o, SelfHostedOption) and featured.hosted is not None:
            pair = pair_of(c, featured.hosted, o.id)
        be = pair.with_labor if pair else None
        be_tokens = tokens_per_day(c, be.requests_per_day) if be else None
        s = o if isinstance(o, SelfHostedOption) else None
        writer.writerow([
            o.id, o.kind, f"{o.monthly_usd:.2f}", f"{o.usd_per_mtok:.6f}",
            f"{o.usd_per_1k_requests:.6f}",
            s.replicas_peak if s else "", s.cost.source if s else "",
            f"{s.cost.fixed.total_usd_per_month:.2f}" if s else "",
            f"{s.cold_starts_per_day:.2f}" if s else "",
            be.status if be else "", f"{be_tokens:.0f}" if be_tokens is not None else "",
            (pair.self_hosted if isinstance(o, HostedOption) else pair.hosted) if pair else "",
            "" if o.slo_met is None else str(o.slo_met).lower(), "; ".join(o.notes),
            f"{be.requests_per_day:.1f}" if be and be.requests_per_day is not None else "",
            _windows(be) if be else "",
        ])  # fmt: skip
    return buffer.getvalue()
