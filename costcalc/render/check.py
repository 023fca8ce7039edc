"""`costcalc check` results: text, JSON, Markdown, JUnit XML, GitHub annotations, GitLab quality."""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

from costcalc.core.gates.budget import Check, Gate, Outcome
from costcalc.render.fmt import md_cell, usd
from costcalc.schema.report_gates import CheckReport, CheckResult, GateResult

SCHEMA_VERSION = 1


UNITS = {
    "monthly_usd": "/month",
    "usd_per_1k_requests": " per 1k requests",
    "usd_per_mtok": " per M tokens",
}


def _figure(gate: Gate, value: float) -> str:
    return usd(value) + UNITS[gate.metric]


def gate_sentence(check: Check, gate: Gate) -> str:
    """'openai/gpt-4.1 (cheapest): $3,450/month is over the $3,000/month budget by $450 (15.0%)'."""
    head = f"{check.option.id} ({check.chosen_by})"
    budget = _figure(gate, gate.limit)
    basis = "" if gate.basis == "point" else f"{gate.basis} "
    if gate.passed:
        return f"{head}: {basis}{_figure(gate, gate.projected)} is within the {budget} budget"
    return (
        f"{head}: {basis}{_figure(gate, gate.projected)} is over the {budget} budget "
        f"by {usd(gate.excess)} ({gate.excess_share:.1%})"
    )


@dataclass(frozen=True)
class Item:
    """One reported line: PASS/FAIL per gate, SKIP without a budget, ERROR for bad input."""

    word: str
    case: str  # a stable test-case name for JUnit history: the gate's metric
    sentence: str


def items(outcome: Outcome) -> list[Item]:
    if outcome.error is not None:
        text = (
            outcome.error
            if outcome.error.startswith(outcome.source)
            else f"{outcome.source}: {outcome.error}"
        )
        return [Item("ERROR", "load", text)]
    check = outcome.check
    assert check is not None
    if not check.gates:
        costs = f"{check.option.id} costs {usd(check.option.monthly_usd)}/month"
        return [Item("SKIP", "budget", f"{check.profile}: no budget set ({costs})")]
    return [
        Item(
            "PASS" if g.passed else "FAIL", g.metric, f"{check.profile}: {gate_sentence(check, g)}"
        )
        for g in check.gates
    ]


def _profile(outcome: Outcome) -> str:
    return outcome.check.profile if outcome.check else outcome.source


def summary(outcomes: Sequence[Outcome]) -> str:
    counts = {
        s: sum(1 for o in outcomes if o.status == s) for s in ("pass", "fail", "no_budget", "error")
    }
    return (
        f"{len(outcomes)} profile(s) checked: {counts['pass']} within budget, "
        f"{counts['fail']} over, "
        f"{counts['no_budget']} without a budget, {counts['error']} invalid"
    )


def render_text(outcomes: Sequence[Outcome]) -> str:
    lines = []
    for o in outcomes:
        lines += [f"{i.word:<5} {i.sentence}" for i in items(o)]
        lines += [f"      warning: {w}" for w in o.warnings]
    return "\n".join([*lines, summary(outcomes)]) + "\n"


def report(outcomes: Sequence[Outcome]) -> CheckReport:
    """The check as the schema_version 1 report (costcalc/schema/report_gates.py)."""
    results = []
    for o in outcomes:
        check = o.check
        results.append(CheckResult(
            source=o.source,
            profile=check.profile if check else None,
            status=o.status,
            option=check.option.id if check else None,
            chosen_by=check.chosen_by if check else None,
            monthly_usd=round(check.option.monthly_usd, 2) if check else None,
            gates=[
                GateResult(metric=g.metric, limit=g.limit, projected=round(g.projected, 6),
                           basis=g.basis, passed=g.passed, excess=round(g.excess, 6),
                           excess_pct=round(g.excess_share * 100, 4) if g.limit > 0 else None)
                for g in (check.gates if check else ())
            ],
            error=o.error,
            warnings=o.warnings,
        ))  # fmt: skip
    return CheckReport(
        schema_version=SCHEMA_VERSION,
        command="check",
        passed=all(o.status in ("pass", "no_budget") for o in outcomes),
        summary=summary(outcomes),
        results=results,
    )


def render_json(outcomes: Sequence[Outcome]) -> str:
    return report(outcomes).json_text()


def render_markdown(outcomes: Sequence[Outcome]) -> str:
    rows = ["| Status | Check |", "| --- | --- |"]
    icon = {
        "PASS": "✅ pass",
        "FAIL": "❌ over budget",
        "SKIP": "➖ no budget",
        "ERROR": "⚠️ invalid",
    }
    for o in outcomes:
        rows += [f"| {icon[i.word]} | {md_cell(i.sentence)} |" for i in items(o)]
    return "### costcalc check\n\n" + "\n".join(rows) + f"\n\n{summary(outcomes)}\n"


@dataclass(frozen=True)
class Run:
    """Where and when the check ran, for JUnit: '2026-11-30T14:05:09' (local time, no zone, as
    the Ant JUnit schema wants), the host name, and the repository root that paths in
    annotations are relative to."""

    timestamp: str = "1970-01-01T00:00:00"
    hostname: str = "localhost"
    root: str | None = None


def render_junit(outcomes: Sequence[Outcome], run: Run = Run()) -> str:
    """JUnit XML valid against the Apache Ant JUnit schema (tests/fixtures/JUnit.xsd): one test
    case per profile and gate, a failure element on a breach, each with its time; the passed
    checks' sentences go to the suite's system-out (a test case holds only its outcome)."""
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    total = sum(o.seconds for o in outcomes)
    suite = ET.Element("testsuite", name="costcalc check", package="costcalc", id="0",
                       timestamp=run.timestamp, hostname=run.hostname or "localhost")  # fmt: skip
    ET.SubElement(suite, "properties")
    passed = []
    for o in outcomes:
        found = items(o)
        for item in found:
            case = ET.SubElement(
                suite, "testcase", classname=f"costcalc.{_profile(o)}", name=item.case,
                time=f"{o.seconds / len(found):.3f}",
            )  # fmt: skip
            counts["tests"] += 1
            if item.word == "FAIL":
                failure = ET.SubElement(
                    case, "failure", message=item.sentence, type="BudgetExceeded"
                )
                failure.text = item.sentence
                counts["failures"] += 1
            elif item.word == "ERROR":
                error = ET.SubElement(case, "error", message=item.sentence, type="InvalidInput")
                error.text = item.sentence
                counts["errors"] += 1
            elif item.word == "SKIP":
                ET.SubElement(case, "skipped", message=item.sentence)
                counts["skipped"] += 1
            else:
                passed.append(f"PASS  {item.sentence}")
    ET.SubElement(suite, "system-out").text = "\n".join([*passed, summary(outcomes)])
    ET.SubElement(suite, "system-err")
    suite.attrib.update({k: str(v) for k, v in counts.items()})
    suite.set("time", f"{total:.3f}")
    root = ET.Element("testsuites")  # the Ant schema allows no attributes here
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def relative(source: str, root: str | None) -> str:
    """A profile's path as CI annotations want it: relative to the repository root, with `/`
    (/repo/profiles/a.yaml → profiles/a.yaml); unchanged when outside the root."""
    if root is None:
        return source
    path = PurePath(source)
    try:
        return path.relative_to(root).as_posix() if path.is_absolute() else path.as_posix()
    except ValueError:
        return source


def annotation(
    level: str, title: str, message: str, file: str | None = None, line: int | None = None
) -> str:
    """A GitHub Actions workflow command; '%', CR and LF escaped as the runner requires (and
    ',' and ':' too in a property value, such as a file name)."""
    text = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    properties = [f"file={_property(file)}"] if file else []
    properties += [f"line={line}"] if file and line else []
    properties.append(f"title={_property(title)}")
    return f"::{level} {','.join(properties)}::{text}"


def _property(value: str) -> str:
    return (
        value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        .replace(":", "%3A").replace(",", "%2C")
    )  # fmt: skip


def render_github(outcomes: Sequence[Outcome], run: Run = Run()) -> str:
    levels = {"PASS": "notice", "FAIL": "error", "SKIP": "notice", "ERROR": "error"}
    titles = {
        "PASS": "costcalc budget",
        "FAIL": "costcalc budget exceeded",
        "SKIP": "costcalc budget",
        "ERROR": "costcalc invalid input",
    }
    lines = [
        annotation(levels[i.word], titles[i.word], i.sentence, relative(o.source, run.root),
                   o.line())
        for o in outcomes
        for i in items(o)
    ]  # fmt: skip
    lines += [
        annotation("warning", "costcalc", w, relative(o.source, run.root))
        for o in outcomes
        for w in o.warnings
    ]
    return "\n".join([*lines, summary(outcomes)]) + "\n"


def render_gitlab(outcomes: Sequence[Outcome], run: Run = Run()) -> str:
    """GitLab's code quality report (a JSON list of issues; docs.gitlab.com/ci/testing/
    code_quality): each broken budget and each profile that cannot be checked is an issue, so
    the merge request widget shows it. Passing checks are not issues."""
    issues = []
    for o in outcomes:
        for item in items(o):
            if item.word not in ("FAIL", "ERROR"):
                continue
            path = relative(o.source, run.root)
            check_name = "costcalc-budget" if item.word == "FAIL" else "costcalc-invalid-input"
            issues.append({
                "description": item.sentence,
                "check_name": check_name,
                "fingerprint": hashlib.sha256(
                    f"{path}|{check_name}|{item.case}".encode()
                ).hexdigest()[:32],  # stable across runs: the widget tracks it
                "severity": "major" if item.word == "FAIL" else "critical",
                "location": {"path": path, "lines": {"begin": o.line() or 1}},
            })  # fmt: skip
    return json.dumps(issues, indent=2) + "\n"
