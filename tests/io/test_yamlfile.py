"""Safe YAML reading: every failure is a user error naming the file (and line)."""

from __future__ import annotations

from pathlib import Path

import pytest

from costcalc.errors import InputFileError
from costcalc.io.yamlfile import read_yaml


def write(tmp_path: Path, text: str, name: str = "p.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "name: x\ntraffic:\n  requests_per_day: [1, 2\nslo: {}\n")
    with pytest.raises(InputFileError, match=r"p\.yaml:4:\d+: YAML syntax error"):
        read_yaml(path)


def test_duplicate_keys_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "name: a\nname: b\n")
    with pytest.raises(
        InputFileError, match=r"p\.yaml:2:1: YAML syntax error: duplicate key 'name'"
    ):
        read_yaml(path)


def test_merge_keys_may_override_what_they_bring(tmp_path: Path) -> None:
    path = write(tmp_path, "base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n")
    assert read_yaml(path)["use"] == {"x": 1, "y": 3}


def test_empty_and_non_mapping_files(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="the file is empty"):
        read_yaml(write(tmp_path, "# only a comment\n"))
    with pytest.raises(InputFileError, match="expected a YAML mapping at the top, found list"):
        read_yaml(write(tmp_path, "- a\n- b\n"))


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ["a0: [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    lines = [line.replace(f"a{i}: [", f"a{i}: &a{i} [") for i, line in enumerate(lines)]
    path = write(tmp_path, "\n".join(lines) + "\n")
    with pytest.raises(InputFileError, match="alias bomb"):
        read_yaml(path)


def test_missing_directory_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no such file"):
        read_yaml(tmp_path / "absent.yaml")
    with pytest.raises(InputFileError, match="is a directory"):
        read_yaml(tmp_path)
    binary = tmp_path / "b.yaml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InputFileError, match="not UTF-8"):
        read_yaml(binary)


def test_python_tags_are_not_executed(tmp_path: Path) -> None:
    path = write(tmp_path, "x: !!python/object/apply:os.system ['echo hacked']\n")
    with pytest.raises(InputFileError, match="YAML syntax error"):
        read_yaml(path)
