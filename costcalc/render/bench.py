"""`bench show` and `bench plan` as text: points under the SLO, the fit, the commands to run."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from costcalc.core.selfhosted.capacity import load_text
from costcalc.core.selfhosted.plan import BenchPlan
from costcalc.core.selfhosted.pointcheck import PointCheck
from costcalc.core.selfhosted.replay import Replayed, summary
from costcalc.core.selfhosted.replica import ReplicaCapacity
from costcalc.render.console import capture
from costcalc.schema.profile import Slo


@dataclass(frozen=True)
class PointGroup:
    """The points of one replica shape (GPUs per replica, precision) and engine version."""

    gpus_per_replica: int
    precision: str
    engine_version: str  # "" when the runs do not say
    points: Sequence[PointCheck]  # each against the SLO, computed in core
    replayed: Sequence[Replayed]  # each point through the serving model, its source held out
    capacity: ReplicaCapacity | str | None  # at the profile's mix, when a profile was given


def _latency(measured: tuple[float | None, int], slo: Slo) -> str:
    value, used = measured
    if value is None:
        return "–"
    return f"{value:,.1f}" + ("" if used == slo.percentile else f" (p{used})")


def _points_table(checks: Sequence[PointCheck], slo: Slo) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    pct = slo.percentile
    table.add_column("Mix in → out", no_wrap=True)
    table.add_column("Load", no_wrap=True)
    table.add_column("req/s/replica", justify="right", no_wrap=True)
    table.add_column(f"TTFT p{pct} ms", justify="right", no_wrap=True)
    table.add_column(f"TPOT p{pct} ms", justify="right", no_wrap=True)
    table.add_column("SLO", no_wrap=True)
    table.add_column("Run", no_wrap=True)
    for c in checks:
        p = c.point
        table.add_row(
            ("* " if c.chosen else "  ") + f"{p.input_tokens:,.0f} → {p.output_tokens:,.0f}",
            load_text(p),
            f"{p.request_throughput:.3f}",
            _latency(c.ttft_ms, slo),
            _latency(c.tpot_ms, slo),
            "pass?" if c.slo_met and c.unchecked else ("pass" if c.slo_met else "FAIL"),
            "capacity" if p.saturated else ("burst" if p.load == "burst" else "lower bound"),
        )
    return table


def _replay_lines(runs: Sequence[Replayed]) -> list[str]:
    """Each point predicted by the serving model calibrated without its source."""
    if not runs:
        return []
    lines = ["serving model, each run predicted without its own source (measured → predicted):"]
    for r in runs:
        p = r.point
        err, got = r.error_pct["request_throughput"], r.predicted["request_throughput"]
        said = "cannot serve it" if got is None or err is None else f"{got:.3g} req/s ({err:+.0f}%)"
        lines.append(
            f"  {p.input_tokens:,.0f} → {p.output_tokens:,.0f}, {load_text(p)}: "
            f"{p.request_throughput:.3g} → {said}, calibration: {r.calibration}"
        )
    median, largest = summary(runs)
    lines.append(
        f"  request throughput off by {median['request_throughput']:.0f}% (median), "
        f"{largest['request_throughput']:.0f}% at worst; `costcalc bench predict` for latencies"
    )
    return lines


def _capacity_line(capacity: ReplicaCapacity | str) -> str:
    if isinstance(capacity, str):
        return f"at your mix: {capacity}"
    mix = capacity.mix
    roof = capacity.predicted
    return (
        f"at your mix ({mix.prefill_tokens:,.0f} prefill of {mix.input_tokens:,.0f} input tokens, "
        f"{mix.output_tokens:,.0f} output): {1.0 / capacity.seconds_per_request:.3g} req/s per "
        f"replica, batch {roof.batch} under the SLO (TTFT ≈{roof.ttft_tail_s * 1000:,.0f} ms, "
        f"TPOT ≈{roof.tpot_tail_s * 1000:.1f} ms at its percentile); calibration: "
        f"{capacity.calibration}"
    )


def render_show(
    model: str, gpu: str, groups: Sequence[PointGroup], slo: Slo, slo_source: str, width: int
) -> str:
    def body(console: Console) -> None:
        console.print(
            f"SLO: p{slo.percentile} TTFT ≤ {slo.ttft_ms:g} ms, "
            f"TPOT ≤ {slo.tpot_ms:g} ms ({slo_source})"
        )
        for g in groups:
            console.print()
            if not g.points:
                console.print(Text(
                    f"{model} on {gpu}, {g.gpus_per_replica} GPU(s) per replica, {g.precision}: "
                    "no benchmark runs; the serving model alone (`costcalc bench plan` lists "
                    "the runs to make)",
                    style="bold",
                ))  # fmt: skip
                if g.capacity is not None:
                    console.print(_capacity_line(g.capacity))
                continue
            console.print(Text(
                f"{model} on {gpu}, {g.gpus_per_replica} GPU(s) per replica, {g.precision}, "
                f"vLLM {g.engine_version or 'version not recorded'} ({len(g.points)} point(s); "
                "* = chosen for its mix)",
                style="bold",
            ))  # fmt: skip
            console.print(_points_table(g.points, slo))
            for line in _replay_lines(g.replayed):
                console.print(line)
            if g.capacity is not None:
                console.print(_capacity_line(g.capacity))

    return capture(body, width)


def render_plan(
    plan: BenchPlan,
    hf_name: str,
    gpu: str,
    gpus_per_replica: int,
    precision: str,
    profile_path: str,
) -> str:
    serve = ["vllm", "serve", hf_name, "--tensor-parallel-size", str(gpus_per_replica)]
    if precision == "fp8":
        serve += ["--quantization", "fp8"]
    lines = [
        f"# Benchmark plan for {hf_name} on {gpu}: {gpus_per_replica} GPU(s) per replica, "
        f"{precision}.",
        "# Concurrency doubles until the KV cache of the longest mix is full "
        f"(about {plan.max_batch} sequences).",
    ]
    if precision == "int4":
        lines.append(
            "# int4: serve an AWQ or GPTQ checkpoint of the model instead of the one below."
        )
    lines += ["", "# 1. On the GPU machine, start one replica:", shlex.join(serve), ""]
    lines.append("# 2. From a client, sweep each mix (results go to ./bench-results):")
    for number, mix in enumerate(plan.mixes, start=1):
        lines.append(
            f"# mix {number} ({mix.name}): {mix.prefix_tokens} shared prefix + {mix.input_tokens} "
            f"input tokens, {mix.output_tokens} output"
        )
        lines.append(f"for C in {' '.join(str(c) for c in plan.concurrencies)}; do")
        lines.append(f"  vllm bench serve --model {shlex.quote(hf_name)} --dataset-name random \\")
        prefix = f"--random-prefix-len {mix.prefix_tokens} " if mix.prefix_tokens else ""
        lines.append(
            f"    {prefix}--random-input-len {mix.input_tokens} "
            f"--random-output-len {mix.output_tokens} --ignore-eos \\"
        )
        lines.append(
            "    --max-concurrency $C --num-prompts $(( C * 8 > 100 ? C * 8 : 100 )) "
            "--request-rate inf \\"
        )
        lines.append(
            "    --percentile-metrics ttft,tpot,itl,e2el --metric-percentiles 50,90,95,99 \\"
        )
        lines.append(
            "    --save-result --result-dir bench-results "
            f"--result-filename mix{number}-c$C.json \\"
        )
        lines.append(
            f"    --metadata gpu={gpu} tp={gpus_per_replica} replicas=1 precision={precision}"
        )
        lines.append("done")
    lines += [
        "",
        "# 3. Turn the results into catalog points and compare with them:",
        "costcalc bench import bench-results/*.json -o my-catalog/throughput.yaml",
        f"costcalc compare {shlex.quote(profile_path)} --catalog my-catalog",
    ]
    return "\n".join(lines) + "\n"
