"""Layering (DESIGN §3): the core is pure, renderers return strings, modules stay small."""

from __future__ import annotations

import ast
import subprocess
import sys

from tests.conftest import ROOT

PACKAGE = ROOT / "costcalc"


def test_core_imports_no_cli_render_or_file_libraries() -> None:
    code = (
        "import sys, costcalc.core.compare; "
        "print(sorted(m for m in ('typer', 'rich', 'yaml', 'tiktoken', 'pandas') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_core_never_opens_files_reads_the_clock_or_the_environment() -> None:
    banned = {"open", "print", "input"}
    banned_attrs = {("os", "environ"), ("dt", "date.today"), ("datetime", "now"), ("date", "today")}
    for path in (PACKAGE / "core").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in banned, f"{path.name} calls {node.func.id}()"
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                assert (node.value.id, node.attr) not in banned_attrs, (
                    f"{path.name} uses {node.value.id}.{node.attr}"
                )
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith(
                    ("costcalc.io", "costcalc.render", "costcalc.cli")
                )


def test_renderers_return_strings_and_never_print() -> None:
    for path in (PACKAGE / "render").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = {
            n.func.id
            for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
        }
        assert "print" not in calls, path.name


def test_modules_are_small_and_say_what_they_hold() -> None:
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert len(text.splitlines()) <= 320, f"{path.relative_to(ROOT)} is over 320 lines"
        assert ast.get_docstring(ast.parse(text)), (
            f"{path.relative_to(ROOT)} has no module docstring"
        )
