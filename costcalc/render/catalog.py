"""Catalog entries as tables (`catalog list`), field lists (`catalog show`), Markdown or JSON."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from costcalc.render.console import capture
from costcalc.render.fmt import md_cell
from costcalc.schema.catalog import ComputeOffer, GpuSpec, HostedOffer, OpenModel, ThroughputPoint

Record = HostedOffer | ComputeOffer | GpuSpec | OpenModel | ThroughputPoint
WHAT = {
    "hosted": "hosted API offer",
    "compute": "compute offer",
    "gpu": "GPU",
    "model": "open model",
    "point": "throughput point",
}
LAST_FIELDS = ("as_of", "source", "notes")  # what an entry is first, where it came from last


@dataclass(frozen=True)
class Entry:
    """One catalog record and its kind: hosted, compute, gpu, model or point."""

    kind: str
    record: Record


@dataclass(frozen=True)
class Column:
    header: str
    right: bool = False  # numbers, right-aligned
    optional: bool = False  # left out of the text table when the width cannot hold it
    keep_longer: bool = False  # an optional column left out only after the others


@dataclass
class Section:
    """One table; `groups` labels each row (a provider, a model), shown as a heading row."""

    title: str
    columns: list[Column]
    rows: list[list[str]] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def number(value: float | None) -> str:
    """A figure as the catalog file writes it: 10 not 10.0, 0.00025192 kept whole."""
    if value is None:
        return "–"
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _grouped(records: Sequence[Any], label: Any) -> list[tuple[str, Any]]:
    """Records by group (each group where it first appears), in catalog order within it."""
    order: dict[str, list[Any]] = {}
    for r in records:
        order.setdefault(label(r), []).append(r)
    return [(name, r) for name, members in order.items() for r in members]


def _hosted(offers: Sequence[HostedOffer], today: dt.date) -> Section:
    cols = [Column("ID"), Column("Model", optional=True), Column("Class"),
            Column("In", True), Column("Cached", True), Column("Out", True),
            Column("As of", optional=True, keep_longer=True), Column("Deprecation")]  # fmt: skip
    section = Section(f"Hosted API offers ({len(offers)}), USD per million tokens", cols)
    for provider, o in _grouped(offers, lambda o: o.provider):
        retired = o.deprecation_date.isoformat() if o.deprecation_date else ""
        section.groups.append(provider)
        section.rows.append([
            o.id, o.model, o.model_class, number(o.usd_per_mtok_input),
            number(o.usd_per_mtok_cached_input), number(o.usd_per_mtok_output),
            o.as_of.isoformat(), f"{retired} past" if o.retired_by(today) else retired,
        ])  # fmt: skip
    if any(o.retired_by(today) for o in offers):
        section.notes.append(
            f"past: the deprecation date is on or before today ({today.isoformat()}); "
            "compare leaves these offers out unless a profile names them."
        )
    return section


def _compute(offers: Sequence[ComputeOffer], billing: str) -> Section:
    if billing == "hourly":
        title = f"Compute offers billed by the hour ({len(offers)})"
        prices = [Column("$/h", True), Column("$/GPU-h", True)]
    else:
        title = f"Serverless compute offers, billed by the second per GPU ({len(offers)})"
        prices = [Column("Flex $/s", True), Column("Active $/s", True),
                  Column("Cold start s", True, optional=True)]  # fmt: skip
    section = Section(title, [Column("ID"), Column("GPU"), Column("GPUs", True), *prices,
                              Column("As of")])  # fmt: skip
    for provider, o in _grouped(offers, lambda o: o.provider):
        if billing == "hourly":
            figures = [number(o.usd_per_hour), number(o.usd_per_gpu_hour)]
        else:
            figures = [number(o.usd_per_second_flex), number(o.usd_per_second_active),
                       number(o.cold_start_s)]  # fmt: skip
        section.groups.append(provider)
        section.rows.append([o.id, o.gpu, str(o.gpus), *figures, o.as_of.isoformat()])
    if billing == "hourly" and any(o.usd_per_gpu_hour for o in offers):
        section.notes.append("$/GPU-h: GPUs rented one by one, up to GPUs per machine.")
    return section


def _gpus(gpus: Sequence[GpuSpec]) -> Section:
    cols = [Column("ID"), Column("Name"), Column("Memory GB", True),
            Column("Bandwidth GB/s", True), Column("BF16 TFLOPS", True),
            Column("FP8 TFLOPS", True)]  # fmt: skip
    rows = [[g.id, g.name, number(g.memory_gb), number(g.bandwidth_gbs), number(g.bf16_tflops),
             number(g.fp8_tflops)] for g in gpus]  # fmt: skip
    return Section(f"GPUs ({len(gpus)}), dense tensor throughput", cols, rows)


def _models(models: Sequence[OpenModel]) -> Section:
    cols = [Column("ID"), Column("Name"), Column("Class"), Column("Params B", True),
            Column("Layers", True, True), Column("KV heads", True, True),
            Column("Context", True)]  # fmt: skip
    rows = [[m.id, m.name, m.model_class, number(m.params_b), str(m.layers), str(m.kv_heads),
             f"{m.context_window:,}" if m.context_window else "–"] for m in models]  # fmt: skip
    return Section(f"Open models ({len(models)})", cols, rows)


def _load(p: ThroughputPoint) -> str:
    if p.load == "concurrency":
        return f"conc {p.concurrency:g}"
    if p.load == "rate":
        return f"{p.request_rate:.3g} req/s"
    return f"burst {p.num_prompts}" if p.num_prompts else "burst"


def _points(points: Sequence[ThroughputPoint]) -> Section:
    cols = [Column("Model / GPU"), Column("GPUs", True), Column("Precision"),
            Column("In → out", True), Column("Load"), Column("req/s", True), Column("Run"),
            Column("As of", optional=True)]  # fmt: skip
    section = Section(f"Throughput points ({len(points)}): one replica, measured", cols)
    ordered = sorted(points, key=lambda p: (p.gpu, p.gpus_per_replica, p.precision))
    for model, p in _grouped(ordered, lambda p: p.model):
        run = "capacity" if p.saturated else ("burst" if p.load == "burst" else "lower bound")
        section.groups.append(model)
        section.rows.append([
            p.gpu, str(p.gpus_per_replica), p.precision,
            f"{p.input_tokens:,.0f} → {p.output_tokens:,.0f}", _load(p),
            f"{p.request_throughput:.3g}", run + (" (est.)" if p.estimate else ""),
            p.as_of.isoformat(),
        ])  # fmt: skip
    return section


def sections(found: Sequence[Entry], today: dt.date) -> list[Section]:
    """The tables of the entries found, in the order hosted, compute, GPUs, models, points."""
    of: dict[str, list[Any]] = {kind: [] for kind in WHAT}
    for e in found:
        of[e.kind].append(e.record)
    hourly = [o for o in of["compute"] if o.billing == "hourly"]
    serverless = [o for o in of["compute"] if o.billing == "serverless"]
    made = [
        _hosted(of["hosted"], today) if of["hosted"] else None,
        _compute(hourly, "hourly") if hourly else None,
        _compute(serverless, "serverless") if serverless else None,
        _gpus(of["gpu"]) if of["gpu"] else None,
        _models(of["model"]) if of["model"] else None,
        _points(of["point"]) if of["point"] else None,
    ]
    return [s for s in made if s is not None]


def _table(section: Section, dropped: int) -> Table:
    """The section's table without its last `dropped` optional columns."""
    # dropped from the end of this list: the columns kept longer go first in it
    optional = sorted(
        (i for i, c in enumerate(section.columns) if c.optional),
        key=lambda i: (not section.columns[i].keep_longer, i),
    )
    keep = [i for i in range(len(section.columns)) if i not in optional[len(optional) - dropped :]]
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, collapse_padding=True)
    for i in keep:
        column = section.columns[i]
        table.add_column(column.header, justify="right" if column.right else "left", no_wrap=True)
    previous = None
    for n, row in enumerate(section.rows):
        group = section.groups[n] if section.groups else None
        if group is not None and group != previous:
            table.add_row(Text(group), *[""] * (len(keep) - 1))
            previous = group
        indent = "  " if group is not None else ""
        table.add_row(*[Text(indent + row[i] if i == 0 else row[i]) for i in keep])  # no markup
    return table


def _widest(table: Table) -> int:
    return max(len(line) for line in capture(lambda c: c.print(table), 1000).splitlines())


def render_list_text(found: Sequence[Entry], today: dt.date, width: int, footer: str) -> str:
    def body(console: Console) -> None:
        for n, section in enumerate(sections(found, today)):
            optional = sum(c.optional for c in section.columns)
            dropped = 0  # the optional columns go, last first, until the table fits
            while dropped < optional and _widest(_table(section, dropped)) > width:
                dropped += 1
            console.print(("\n" if n else "") + section.title, markup=False)
            table = _table(section, dropped)
            natural = _widest(table)
            if natural <= width:
                console.print(table)
            else:  # still too wide: print it whole, wider than asked, never cut ids or prices
                whole = capture(lambda c, t=table: c.print(t), natural).rstrip("\n")  # type: ignore[misc]
                console.print(Text(whole), crop=False, no_wrap=True, overflow="ignore")
            for note in section.notes:
                console.print(textwrap.fill(note, width), markup=False)
        # the footer quotes --search: text, never markup
        console.print(("\n" if found else "") + textwrap.fill(footer, width), markup=False)

    return capture(body, width)


def render_list_markdown(found: Sequence[Entry], today: dt.date, footer: str) -> str:
    out = []
    for section in sections(found, today):
        cols = section.columns
        out += [f"### {section.title}", "", "| " + " | ".join(c.header for c in cols) + " |"]
        out.append("| " + " | ".join("---:" if c.right else "---" for c in cols) + " |")
        previous = None
        for n, row in enumerate(section.rows):
            group = section.groups[n] if section.groups else None
            if group is not None and group != previous:
                out.append(f"| **{md_cell(group)}** |" + " |" * (len(cols) - 1))
                previous = group
            out.append("| " + " | ".join(md_cell(x) for x in row) + " |")
        out += ["", *[f"{note}\n" for note in section.notes]]
    return "\n".join([*out, footer]) + "\n"


def entry_fields(entry: Entry, today: dt.date) -> dict[str, Any]:
    """Every field of the entry as JSON values (dates as ISO strings), its kind first."""
    data = entry.record.model_dump(mode="json")
    ordered = {k: v for k, v in data.items() if k not in LAST_FIELDS}
    ordered |= {k: data[k] for k in LAST_FIELDS if k in data}
    if isinstance(entry.record, HostedOffer):
        ordered["past_deprecation"] = entry.record.retired_by(today)
    return {"kind": entry.kind, **ordered}


def render_json(found: Sequence[Entry], today: dt.date) -> str:
    return json.dumps([entry_fields(e, today) for e in found], indent=2, ensure_ascii=False) + "\n"


def _value(value: Any) -> str:
    if value is None or value == [] or value == "":
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float | int):
        return number(value)
    if isinstance(value, dict):
        return ", ".join(f"{k} {_value(v)}" for k, v in value.items() if v is not None)
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value)
    return str(value)


def _field_lines(name: str, value: Any, indent: int, width: int) -> list[str]:
    """`name  value`, a nested object as indented fields, long text wrapped under the value."""
    label = " " * indent + name
    if isinstance(value, dict):
        return [label] + [
            line for k, v in value.items() for line in _field_lines(k, v, indent + 2, width)
        ]
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return [label] + [f"{' ' * (indent + 2)}- {_value(item)}" for item in value]
    head = f"{label:<30} "
    wrapped = textwrap.wrap(
        _value(value), max(20, width - len(head)), break_long_words=False, break_on_hyphens=False
    )
    return [head + wrapped[0], *[" " * len(head) + line for line in wrapped[1:]]]


def render_show_text(found: Sequence[Entry], today: dt.date, width: int) -> str:
    blocks = []
    for entry in found:
        fields = entry_fields(entry, today)
        del fields["kind"]
        past = fields.pop("past_deprecation", False)
        lines = [f"{fields.get('id', '')} ({WHAT[entry.kind]})"]
        for name, value in fields.items():
            lines += _field_lines(name, value, 2, width)
            if name == "deprecation_date" and past:
                lines[-1] += " (past: compare leaves it out unless a profile names it)"
        blocks.append("\n".join(line.rstrip() for line in lines))
    return "\n\n".join(blocks) + "\n"
