"""Layering (DESIGN §3): the core is pure, renderers return strings, modules stay small.

Which package may import which is written as import-linter contracts in `.importlinter` at the
top of the repository; `test_import_contracts_hold` runs them. What import-linter cannot see
(calls rather than imports) is checked here on the syntax tree of every module of core.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "costcalc"
CONTRACTS = ROOT / ".importlinter"


# ---- import contracts (.importlinter) -------------------------------------------------------


def lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter on the costcalc package under `project` with `project`/.importlinter.

    In a subprocess whose working directory is `project`: import-linter finds the root package
    on sys.path, and there `project` comes first, whatever costcalc is installed elsewhere.
    """
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from importlinter.cli import lint_imports_command; lint_imports_command()",
            "--no-cache",  # no .import_linter_cache/ left in the checkout
            "--no-logo",
            str(project / ".importlinter"),
        ],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_import_contracts_hold() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, f"lint-imports failed:\n{result.stdout}\n{result.stderr}"
    assert "0 broken" in result.stdout, result.stdout


def test_import_contracts_can_fail(tmp_path: Path) -> None:
    """The contracts catch violations: on a copy of the package with bad modules added, each
    contract breaks and the report names the offending import."""
    shutil.copy(CONTRACTS, tmp_path / ".importlinter")
    copy = tmp_path / "costcalc"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    bad = {
        # core -> os; core -> schema -> yaml (an indirect route to a banned library)
        "core/_arch_bad.py": "import os\nimport costcalc.schema._arch_bad\n",
        "schema/_arch_bad.py": "import yaml\n",
        # render below cli; io and render are independent siblings
        "render/_arch_bad.py": "import costcalc.cli\n",
        "io/_arch_bad.py": "import costcalc.render\n",
        # a top-level module in no layer (also: core/_arch_bad.py is in no layer of core)
        "_arch_stray.py": "",
        # an import circle inside one folder of core
        "core/analysis/_arch_a.py": "import costcalc.core.analysis._arch_b\n",
        "core/analysis/_arch_b.py": "import costcalc.core.analysis._arch_a\n",
    }
    for name, source in bad.items():
        (copy / name).write_text(f'"""Deliberate violation."""\n{source}', encoding="utf-8")

    result = lint_imports(tmp_path)
    report = result.stdout
    assert result.returncode == 1, f"{report}\n{result.stderr}"
    # every contract must break here: a new contract needs its own bad module above
    assert "Contracts: 0 kept," in report, report
    for expected in (
        "costcalc.core._arch_bad -> os",
        "costcalc.schema._arch_bad -> yaml",
        "costcalc.render._arch_bad -> costcalc.cli",
        "costcalc.io._arch_bad -> costcalc.render",
        "- costcalc._arch_stray",
        "- costcalc.core._arch_bad",
        "No cycles are allowed in costcalc.core.analysis.",
    ):
        assert expected in report, f"{expected!r} not reported:\n{report}"


# ---- what imports cannot show: core calls no I/O and reads no clock --------------------------

IO_BUILTINS = frozenset({"print", "open", "input"})
IO_QUALIFIED = frozenset({"builtins.print", "builtins.open", "builtins.input", "io.open"})
# Matched on the last two parts of the name once import aliases are resolved, so
# `dt.date.today`, `datetime.date.today`, `date.today` (after `from datetime import date`)
# and `time()` (after `from time import time`) are all caught.
CLOCK = frozenset(
    {
        "date.today",
        "datetime.now",
        "datetime.today",
        "datetime.utcnow",
        "time.time",
        "time.time_ns",
        "time.monotonic",
        "time.monotonic_ns",
        "time.perf_counter",
        "time.perf_counter_ns",
    }
)


class Violation(NamedTuple):
    line: int
    rule: str  # "print", "open", "input" or "clock"
    what: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.rule}: {self.what}"


def _aliases(tree: ast.AST) -> dict[str, str]:
    """Local name -> what it was imported as (`dt` -> `datetime`, `date` -> `datetime.date`)."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    names[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return None if head is None else f"{head}.{node.attr}"
    return None


def core_violations(source: str) -> list[Violation]:
    """print/open/input calls and clock reads in one module's source."""
    tree = ast.parse(source)
    aliases = _aliases(tree)

    def qualified(dotted: str) -> str:
        head, dot, rest = dotted.partition(".")
        return aliases.get(head, head) + dot + rest

    found: list[Violation] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _dotted(node.func)
            if name is None:
                continue
            if name in IO_BUILTINS:
                found.append(Violation(node.lineno, name, f"{name}()"))
            elif qualified(name) in IO_QUALIFIED:
                found.append(Violation(node.lineno, qualified(name).rpartition(".")[2], name))
        elif isinstance(node, ast.Name | ast.Attribute) and isinstance(node.ctx, ast.Load):
            # references too, not only calls: `field(default_factory=dt.date.today)` reads the
            # clock as surely as `dt.date.today()`
            name = _dotted(node)
            if name is None:
                continue
            full = qualified(name)
            if "." in full and ".".join(full.split(".")[-2:]) in CLOCK:
                found.append(Violation(node.lineno, "clock", f"{name} ({full})"))
    return sorted(found)


def _modules(package: str) -> list[Path]:
    return sorted((PACKAGE / package).rglob("*.py"))


def test_every_core_module_is_checked() -> None:
    modules = _modules("core")
    assert PACKAGE / "core" / "__init__.py" in modules
    assert len(modules) > 10, modules  # the glob found the package, not an empty directory


@pytest.mark.parametrize("path", _modules("core"), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_core_module_calls_no_io_and_reads_no_clock(path: Path) -> None:
    found = core_violations(path.read_text(encoding="utf-8"))
    rel = path.relative_to(ROOT).as_posix()
    assert not found, f"{rel}:\n" + "\n".join(f"  {v}" for v in found)


@pytest.mark.parametrize(
    ("source", "rule"),
    [
        ("print('x')", "print"),
        ("def f(x):\n    print(x, file=None)\n", "print"),
        ("open('costs.csv')", "open"),
        ("with open(p, encoding='utf-8') as f:\n    pass\n", "open"),
        ("import builtins\nbuiltins.open('x')", "open"),
        ("import io\nio.open('x')", "open"),
        ("answer = input('? ')", "input"),
        ("import datetime as dt\ntoday = dt.date.today()", "clock"),
        ("import datetime\ntoday = datetime.date.today()", "clock"),
        ("from datetime import date\ntoday = date.today()", "clock"),
        ("from datetime import date as D\ntoday = D.today()", "clock"),
        ("today = date.today()", "clock"),  # however `date` got here
        ("from datetime import datetime\nnow = datetime.now()", "clock"),
        ("import datetime as dt\nnow = dt.datetime.now(dt.UTC)", "clock"),
        ("import datetime as dt\nnow = dt.datetime.utcnow()", "clock"),
        ("import time\nt = time.time()", "clock"),
        ("from time import time\nt = time()", "clock"),
        ("from time import perf_counter as pc\nt = pc()", "clock"),
        ("import time\nt = time.monotonic()", "clock"),
        (
            "import datetime as dt\nfrom dataclasses import field\n"
            "day: dt.date = field(default_factory=dt.date.today)",
            "clock",
        ),
    ],
)
def test_core_checker_reports_each_rule(source: str, rule: str) -> None:
    found = core_violations(source)
    assert [v.rule for v in found] == [rule], found


def test_core_checker_reports_the_line() -> None:
    source = "import datetime as dt\n\n\ndef f():\n    return dt.date.today()\n"
    assert core_violations(source) == [Violation(5, "clock", "dt.date.today (datetime.date.today)")]


def test_core_checker_passes_what_core_legitimately_does() -> None:
    source = (
        "import datetime as dt\n"
        "import numpy as np\n"
        "from dataclasses import dataclass\n"
        "@dataclass\n"
        "class Price:\n"
        "    input: float\n"
        "    as_of: dt.date\n"
        "def age(p: Price, today: dt.date) -> int:\n"
        "    notes = [f'{p.input} per input token']\n"
        "    step_time = np.max([1.0, 2.0])\n"
        "    return (today - p.as_of).days + int(step_time) + len(notes)\n"
        "d = dt.date(2026, 1, 1).replace(day=2)\n"
        "t = dt.timedelta(days=1)\n"
    )
    assert core_violations(source) == []


# ---- renderers and module hygiene -------------------------------------------------------------


@pytest.mark.parametrize(
    "path", _modules("render"), ids=lambda p: p.relative_to(PACKAGE).as_posix()
)
def test_renderer_returns_strings_and_never_prints(path: Path) -> None:
    found = [v for v in core_violations(path.read_text(encoding="utf-8")) if v.rule == "print"]
    assert not found, f"{path.relative_to(ROOT).as_posix()}: {found}"


def test_modules_are_small_and_say_what_they_hold() -> None:
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert len(text.splitlines()) <= 320, f"{path.relative_to(ROOT)} is over 320 lines"
        assert ast.get_docstring(ast.parse(text)), (
            f"{path.relative_to(ROOT)} has no module docstring"
        )
