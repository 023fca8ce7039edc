"""`bench predict` as text (measured against predicted, per run) and as JSON."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from costcalc.core.selfhosted.capacity import load_text
from costcalc.core.selfhosted.replay import METRICS, Replayed, summary
from costcalc.render.console import capture
from costcalc.schema.catalog import ThroughputPoint
from costcalc.schema.report_bench import Load, Metrics, PredictedRun, PredictReport, Summary

LABELS = {
    "request_throughput": "req/s",
    "ttft_ms_p50": "TTFT p50 ms",
    "ttft_ms_p99": "TTFT p99 ms",
    "tpot_ms_p50": "TPOT p50 ms",
    "tpot_ms_p99": "TPOT p99 ms",
}


def _value(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{x:,.3g}" if abs(x) < 100 else f"{x:,.0f}"


def _error(x: float | None) -> str:
    return "–" if x is None else f"{x:+.0f}%"


def _name(run: Replayed) -> str:
    """The file, and the run inside it when the file holds several ("[benchmark 2: …]"); a
    built-in run by its source."""
    if not run.point.source.startswith(run.group):
        return run.group  # a catalog point: "catalog: <its source>"
    return run.group + run.point.source.removeprefix(run.group)


def _pair(run: Replayed, name: str) -> str:
    return f"{_value(run.measured[name])} → {_value(run.predicted[name])}"


def render_predict_text(runs: Sequence[Replayed], skipped: Sequence[str], width: int) -> str:
    def body(console: Console) -> None:
        files = len({r.group for r in runs})
        console.print(
            f"bench predict: {len(runs)} run(s) from {files} file(s) or source(s), each predicted "
            "by the serving model calibrated without its own.\n"
        )
        for r in runs:
            p = r.point
            console.print(f"{_name(r)}", overflow="fold")
            console.print(
                f"  {p.model} on {p.gpus_per_replica}× {p.gpu} {p.precision}: "
                f"{p.input_tokens:,.0f} → {p.output_tokens:,.0f} tokens, {load_text(p)}"
            )
            console.print(f"  calibration: {r.calibration}")
            table = Table(box=None, pad_edge=True, show_edge=False, padding=(0, 1, 0, 1))
            table.add_column("", no_wrap=True)
            table.add_column("measured → predicted", justify="right", no_wrap=True)
            table.add_column("error", justify="right", no_wrap=True)
            table.add_column("p99 measured → predicted", justify="right", no_wrap=True)
            table.add_column("error", justify="right", no_wrap=True)
            table.add_row(
                "req/s", _pair(r, "request_throughput"), _error(r.error_pct["request_throughput"]),
                "", "",
            )  # fmt: skip
            for label, metric in (("TTFT ms", "ttft_ms"), ("TPOT ms", "tpot_ms")):
                table.add_row(
                    label, _pair(r, f"{metric}_p50"), _error(r.error_pct[f"{metric}_p50"]),
                    _pair(r, f"{metric}_p99"), _error(r.error_pct[f"{metric}_p99"]),
                )  # fmt: skip
            console.print(table)
            console.print()
        median, largest = summary(runs)
        console.print("Absolute error over these runs, median / worst:")
        for name in METRICS:
            if median[name] is not None:
                console.print(f"  {LABELS[name]:<12} {median[name]:.0f}% / {largest[name]:.0f}%")
        for line in skipped:
            console.print(f"skipped: {line}", overflow="fold")

    return capture(body, width)


def predict_report(runs: Sequence[Replayed], skipped: Sequence[str]) -> PredictReport:
    median, largest = summary(runs)
    return PredictReport(
        runs=[
            PredictedRun(
                file=r.group,
                source=r.point.source,
                model=r.point.model,
                gpu=r.point.gpu,
                gpus_per_replica=r.point.gpus_per_replica,
                precision=r.point.precision,
                input_tokens=r.point.input_tokens,
                output_tokens=r.point.output_tokens,
                load=Load(kind=r.point.load or "burst", value=_load_value(r.point)),
                measured=Metrics(**r.measured),
                predicted=Metrics(**r.predicted),
                error_pct=Metrics(**r.error_pct),
                calibration=r.calibration,
            )
            for r in runs
        ],
        summary=Summary(
            median_abs_error_pct=Metrics(**median), max_abs_error_pct=Metrics(**largest)
        ),
        skipped=list(skipped),
    )


def _load_value(p: ThroughputPoint) -> float | None:
    if p.load == "concurrency":
        return p.concurrency
    if p.load == "rate":
        return p.request_rate
    return None if p.num_prompts is None else float(p.num_prompts)


def render_predict_json(runs: Sequence[Replayed], skipped: Sequence[str]) -> str:
    return predict_report(runs, skipped).model_dump_json(indent=2) + "\n"
