"""Fuzzing the files a user hands costcalc: one value of a real profile, catalog entry or saved
report replaced by anything; the command exits 0 or 2 (never 3) and its JSON stays finite.

The budget is short in CI; COSTCALC_FUZZ_EXAMPLES=2000 runs a longer campaign. A crash this
finds becomes a case in tests/corpus/cases.yaml.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from costcalc.cli import app
from tests.conftest import ROOT

EXAMPLES = int(os.environ.get("COSTCALC_FUZZ_EXAMPLES", "15"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
runner = CliRunner()

# values a hand-edited or generated file can hold where another belongs
ODD_VALUES = st.one_of(
    st.sampled_from(
        [
            math.nan,
            math.inf,
            -math.inf,
            -1,
            0,
            0.0,
            1e308,
            -1e-9,
            2**63,
            "",
            "abc",
            "1e3",
            "200k",
            True,
            False,
            None,
            [],
            {},
            [1, 2],
            {"a": 1},
            "yes",
        ]
    ),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
)


def paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a nested document that holds a value (mappings and lists included)."""
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data[:3]):
            found += paths(value, (*prefix, index))
    return found


def replaced(data: Any, where: tuple[Any, ...], value: Any) -> Any:
    copy = json.loads(json.dumps(data, default=str))
    node = copy
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    return copy


def finite_json(text: str) -> bool:
    """JSON output never carries NaN or Infinity (json.loads reads both; the schema forbids)."""
    found: list[str] = []
    json.loads(text, parse_constant=found.append)
    return not found


def exits_cleanly(args: list[str]) -> tuple[int, str]:
    done = runner.invoke(app, args)
    assert done.exit_code in (0, 1, 2), (args, done.output, done.exception)
    assert "Traceback" not in done.output and "internal error" not in done.output, done.output
    if done.exit_code == 2:
        assert done.stderr.strip(), "an input error says what is wrong"
    return done.exit_code, done.stdout


def mutation(document: Any) -> st.SearchStrategy[tuple[tuple[Any, ...], Any]]:
    return st.tuples(st.sampled_from(paths(document)), ODD_VALUES)


PROFILE = yaml.safe_load((ROOT / "profiles" / "seed-stage-uncertain.yaml").read_text("utf-8"))


@FUZZ
@given(change=mutation(PROFILE))
def test_a_mutated_profile_is_compared_or_refused(tmp_path: Path, change: Any) -> None:
    where, value = change
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(replaced(PROFILE, where, value)), encoding="utf-8")
    code, out = exits_cleanly(["compare", str(path), "-f", "json"])
    if code == 0:
        assert finite_json(out)


HOSTED = yaml.safe_load((ROOT / "pricing" / "hosted.yaml").read_text("utf-8"))["offers"][:2]
COMPUTE = yaml.safe_load((ROOT / "pricing" / "compute.yaml").read_text("utf-8"))["offers"][:2]
RAG = str(ROOT / "profiles" / "rag-support-chatbot.yaml")


@FUZZ
@given(
    which=st.sampled_from(["hosted.yaml", "compute.yaml"]),
    change=st.one_of(mutation({"offers": HOSTED}), mutation({"offers": COMPUTE})),
)
def test_a_mutated_catalog_entry_is_used_or_refused(
    tmp_path: Path, which: str, change: Any
) -> None:
    where, value = change
    entries = {"hosted.yaml": HOSTED, "compute.yaml": COMPUTE}[which]
    try:
        document = replaced({"schema_version": 1, "offers": entries}, where, value)
    except (KeyError, IndexError, TypeError):
        return  # the path belongs to the other file's shape
    folder = tmp_path / "cat"
    folder.mkdir(exist_ok=True)
    (folder / which).write_text(yaml.safe_dump(document), encoding="utf-8")
    code, out = exits_cleanly(["compare", RAG, "--catalog", str(folder), "-f", "json"])
    if code == 0:
        assert finite_json(out)


def _report() -> Any:
    done = runner.invoke(app, ["compare", RAG, "-f", "json"])
    assert done.exit_code == 0
    return json.loads(done.stdout)


REPORT = _report()


@FUZZ
@given(change=mutation(REPORT))
def test_a_mutated_saved_report_is_diffed_or_refused(tmp_path: Path, change: Any) -> None:
    where, value = change
    base = tmp_path / "base.json"
    head = tmp_path / "head.json"
    base.write_text(json.dumps(replaced(REPORT, where, value)), encoding="utf-8")
    head.write_text(json.dumps(REPORT), encoding="utf-8")
    code, out = exits_cleanly(["diff", str(base), str(head), "-f", "json"])
    if code in (0, 1):
        assert finite_json(out)
