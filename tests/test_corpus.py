"""The bad-input corpus (tests/corpus/cases.yaml): every bad file or argument exits 2 naming the
file and the field, never 3 (a traceback), and leaves no half-written or clobbered output.

Each case builds its input in a fresh folder, runs one command in-process and checks the exit
code, the phrases on stderr and, where asked, that the output file was not written. A case
marked `xfail` documents a known bug (strictly: it fails loudly once fixed, so the mark goes).
The case format is described at the top of cases.yaml.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer.main
import typer.testing
import yaml
from typer.testing import CliRunner

import costcalc.io.catalog
from costcalc.cli import app
from tests.conftest import ROOT

CORPUS = ROOT / "tests" / "corpus" / "cases.yaml"
TODAY = "2026-11-30"
INPUTS = ("text", "base", "bytes_hex")
KEYS = {
    "id", "command", *INPUTS, "replace", "json_set", "name", "files", "env", "cwd", "out",
    "old_output", "isolated", "exit", "stderr", "stdout", "no_output", "xfail",
}  # fmt: skip
CLEARED_ENV = ("GITHUB_STEP_SUMMARY", "GITHUB_ACTIONS", "NO_COLOR", "COSTCALC_TODAY")
runner = CliRunner()
LOAD_CATALOG = costcalc.io.catalog.load_catalog


def load_cases() -> list[dict[str, Any]]:
    cases = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    assert isinstance(cases, list), f"{CORPUS}: expected a list of cases"
    seen: set[str] = set()
    for case in cases:
        ident = case.get("id", "?")
        assert ident not in seen, f"{CORPUS}: duplicate case id {ident!r}"
        seen.add(ident)
        unknown = set(case) - KEYS
        assert not unknown, f"{CORPUS}: case {ident}: unknown keys {sorted(unknown)}"
        given = [k for k in INPUTS if k in case]
        assert len(given) <= 1, f"{CORPUS}: case {ident}: give one of {INPUTS}"
        assert case.get("exit") in (0, 1, 2), f"{CORPUS}: case {ident}: exit must be 0, 1 or 2"
        assert isinstance(case.get("command"), list), f"{CORPUS}: case {ident}: command a list"
    return cases


def _param(case: dict[str, Any]) -> Any:
    marks = []
    if case.get("xfail"):
        marks.append(pytest.mark.xfail(reason=str(case["xfail"]), strict=True))
    return pytest.param(case, id=case["id"], marks=marks)


CASES = load_cases()


def _set(doc: Any, dotted: str, value: Any) -> Any:
    """`doc` with the value at `a.b.0.c` replaced; every part but the last must exist (a key
    that no longer matches must not silently stop the edit), the last may be a new key. A key
    with dots in it ("# of req.") is matched whole: the longest run of parts that is a key."""
    if dotted == "":
        return value
    parts = dotted.split(".")
    node = doc
    while parts:
        if isinstance(node, list):
            index = int(parts.pop(0))
            assert -len(node) <= index < len(node), f"json_set {dotted!r}: no item {index}"
            if not parts:
                node[index] = value
            else:
                node = node[index]
            continue
        assert isinstance(node, dict), f"json_set {dotted!r}: {parts[0]!r} is under a value"
        take = next((n for n in range(len(parts), 0, -1) if ".".join(parts[:n]) in node), 1)
        key = ".".join(parts[:take])
        del parts[:take]
        assert key in node or not parts, f"json_set {dotted!r}: no key {key!r}"
        if not parts:
            node[key] = value
        else:
            node = node[key]
    return doc


def build_input(case: dict[str, Any], folder: Path, places: dict[str, str]) -> Path | None:
    """The case's main input file in `folder`, or None when it has none."""
    if "base" in case:
        base = ROOT / case["base"]
        raw = base.read_bytes()
        try:
            data: str | bytes = raw.decode("utf-8")
        except UnicodeDecodeError:
            data = raw  # copied as it is (a file that is bad because it is not UTF-8)
        suffix = base.suffix
    elif "text" in case:
        data, suffix = _fill(case["text"], places), ".yaml"
    elif "bytes_hex" in case:
        data, suffix = bytes.fromhex("".join(case["bytes_hex"].split())), ".yaml"
    else:
        assert "replace" not in case and "json_set" not in case, f"{case['id']}: edits of what?"
        return None
    for old, new in case.get("replace", []):
        assert isinstance(data, str) and old in data, f"{case['id']}: replace {old!r}: no match"
        data = data.replace(old, new)
    if "json_set" in case:
        assert isinstance(data, str), f"{case['id']}: json_set needs a JSON text"
        doc = json.loads(data)
        for dotted, value in case["json_set"].items():
            doc = _set(doc, str(dotted), value)
        data = json.dumps(doc, indent=1)  # NaN and infinities come out as NaN / Infinity
    path = folder / case.get("name", f"input{suffix}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def _fill(text: str, places: dict[str, str]) -> str:
    for key, value in places.items():
        text = text.replace("{" + key + "}", value)
    return text


@dataclass(frozen=True)
class Ran:
    exit_code: int
    stdout: str
    stderr: str
    crash: str  # an exception that escaped the command, or the signal that killed it


@functools.cache
def _command(_: object) -> Any:
    return typer.main.get_command(app)


@functools.cache
def _builtin_catalog() -> Any:
    return LOAD_CATALOG()


def _load_catalog(extra_dirs: Any = (), with_serving: bool = True) -> Any:
    if not extra_dirs and with_serving:
        return _builtin_catalog()
    return LOAD_CATALOG(extra_dirs, with_serving)


def run_in_process(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> Ran:
    # typer builds the click command afresh on every invoke (0.15 s of introspection) and the
    # built-in catalog is read on each (0.1 s): both once for the corpus, so hundreds of cases
    # take seconds. A --catalog layer is still read, with the built-in files, every time.
    monkeypatch.setattr(typer.testing, "_get_command", _command)
    monkeypatch.setattr(costcalc.io.catalog, "load_catalog", _load_catalog)
    result = runner.invoke(app, argv)
    crash = ""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        assert result.exc_info is not None
        crash = traceback.format_exception(*result.exc_info)[-1].strip()
    return Ran(result.exit_code, result.stdout, result.stderr, crash)


def run_isolated(argv: list[str]) -> Ran:
    """`python -m costcalc` in a subprocess, for an input that can crash the interpreter."""
    done = subprocess.run(
        [sys.executable, "-m", "costcalc", *argv], capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120, check=False,
    )  # fmt: skip
    crash = f"killed by signal {-done.returncode}" if done.returncode < 0 else ""
    return Ran(done.returncode, done.stdout, done.stderr, crash)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_bad_input(case: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "case"
    folder.mkdir()
    out = folder / case.get("out", "output.yaml")
    places = {"dir": str(folder), "out": str(out), "root": str(ROOT)}
    for name, text in (case.get("files") or {}).items():
        extra = folder / name
        extra.parent.mkdir(parents=True, exist_ok=True)
        extra.write_text(_fill(text, places), encoding="utf-8")
    main = build_input(case, folder, places)
    if main is not None:
        places["file"] = str(main)
    if "old_output" in case:  # a file the failed command must leave as it was
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(case["old_output"], encoding="utf-8")
    argv = [_fill(str(arg), places) for arg in case["command"]]
    for name in CLEARED_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COSTCALC_TODAY", TODAY)
    for name, value in (case.get("env") or {}).items():
        monkeypatch.setenv(name, _fill(str(value), places))
    if "cwd" in case:
        monkeypatch.chdir(_fill(case["cwd"], places))

    ran = run_isolated(argv) if case.get("isolated") else run_in_process(argv, monkeypatch)

    problems = check(case, ran, out)
    if problems:
        said = (
            f"$ costcalc {' '.join(argv)}\nexit {ran.exit_code}"
            + (f", {ran.crash}" if ran.crash else "")
            + f"\n--- stderr\n{ran.stderr[-3000:]}\n--- stdout\n{ran.stdout[-1500:]}"
        )
        pytest.fail("\n".join(problems) + "\n" + said, pytrace=False)


def check(case: dict[str, Any], ran: Ran, out: Path) -> list[str]:
    """What the run did that the case does not expect."""
    problems = []
    if ran.crash:
        problems.append(f"the command crashed: {ran.crash}")
    if ran.exit_code == 3 or "Traceback" in ran.stderr + ran.stdout:
        problems.append("internal error (exit 3 or a traceback)")
    if ran.exit_code != case["exit"]:
        problems.append(f"expected exit {case['exit']}, got {ran.exit_code}")
    for stream, text in (("stderr", ran.stderr), ("stdout", ran.stdout)):
        missing = [p for p in case.get(stream, []) if str(p).lower() not in text.lower()]
        if missing:
            problems.append(f"{stream} lacks {missing}")
    if case.get("no_output") and out.exists():
        problems.append(f"{out.name} was written by a failed run")
    if "old_output" in case and (
        not out.is_file() or out.read_text(encoding="utf-8") != case["old_output"]
    ):
        problems.append(f"{out.name} was clobbered or removed by a failed run")
    if out.parent.is_dir():
        partial = [p.name for p in out.parent.glob(f".{out.name}.*")]
        if partial:
            problems.append(f"temporary files left beside the output: {partial}")
    return problems


def test_corpus_is_large_and_varied() -> None:
    """At least 170 cases, and every command among them."""
    assert len(CASES) >= 170
    commands = {" ".join(c["command"][:2]) if c["command"][0] in ("bench", "profile")
                else c["command"][0] for c in CASES}  # fmt: skip
    assert commands >= {
        "compare", "check", "diff", "report", "sensitivity", "tokens", "profile from-logs",
        "bench import",
    }  # fmt: skip
