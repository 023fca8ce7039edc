"""`catalog check` as text, JSON or GitHub annotations: one finding a line, failing ones first."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from costcalc.core.analysis.audit import Finding, summary
from costcalc.render.check import annotation, relative


@dataclass(frozen=True)
class Located:
    """A finding and where its entry is written: file and line, when known."""

    finding: Finding
    file: str | None = None
    line: int | None = None


def _word(f: Finding) -> str:
    return "FAIL" if f.fails else "ERROR" if f.kind == "error" else "WARN"


def render_text(found: Sequence[Located], checked: str) -> str:
    """Two lines a finding, failing ones first, then the summary:

    FAIL  stale       runpod-serverless/48gb  (pricing/compute.yaml:47)
          priced 206 days ago (2026-05-08), over 120; used by profiles/rag.yaml
    """
    lines = [f"catalog check: {checked}"]
    for x in found:
        f = x.finding
        used = f"; used by {', '.join(f.named_by)}" if f.named_by else ""
        at = f"  ({x.file}:{x.line})" if x.file and x.line else f"  ({x.file})" if x.file else ""
        lines.append(f"{_word(f):<5} {f.kind:<11} {f.id}{at}")
        lines += textwrap.wrap(f.text + used, 94, initial_indent=" " * 6,
                               subsequent_indent=" " * 6, break_on_hyphens=False)  # fmt: skip
    lines.append(summary([x.finding for x in found]))
    return "\n".join(lines) + "\n"


def render_json(found: Sequence[Located], checked: str, today: str, max_age_days: int) -> str:
    findings = [
        {"kind": x.finding.kind, "id": x.finding.id, "text": x.finding.text,
         "named_by": list(x.finding.named_by), "fails": x.finding.fails,
         "file": x.file, "line": x.line}
        for x in found
    ]  # fmt: skip
    return json.dumps({
        "checked": checked, "today": today, "max_age_days": max_age_days,
        "fails": any(x.finding.fails or x.finding.kind == "error" for x in found),
        "findings": findings,
        "summary": summary([x.finding for x in found]),
    }, indent=2) + "\n"  # fmt: skip


def render_github(found: Sequence[Located], root: str | None) -> str:
    levels = {"FAIL": "error", "ERROR": "error", "WARN": "warning"}
    lines = []
    for x in found:
        f = x.finding
        used = f"; used by {', '.join(f.named_by)}" if f.named_by else ""
        file = relative(x.file, root) if x.file else None
        title = f"costcalc catalog: {f.kind}"
        lines.append(annotation(levels[_word(f)], title, f"{f.id}: {f.text}{used}", file, x.line))
    lines.append(summary([x.finding for x in found]))
    return "\n".join(lines) + "\n"
