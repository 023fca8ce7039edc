"""Safe YAML reading: syntax errors with their line, duplicate keys, alias bombs and empty files."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from costcalc.errors import InputFileError

MAX_FILE_BYTES = 20_000_000
MAX_NODES = 1_000_000  # written out in the file (a catalog of 1,000 offers has ~30,000)
MAX_EXPANDED_NODES = 1_000_000  # an alias bomb of 9 levels × 9 references is ~387 M nodes
MAX_DEPTH = 1_000  # levels of nesting; a profile nests 5
OPENING, CLOSING = np.frombuffer(b"[{", dtype=np.uint8), np.frombuffer(b"]}", dtype=np.uint8)
_INDENT = re.compile(r"^[ \t?:-]+", re.MULTILINE)

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_Base):  # type: ignore[misc]
    """Safe loader that refuses duplicate keys instead of keeping the last one silently."""


def _construct_mapping(loader: Any, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    # Duplicates are checked among the mapping's own keys; keys brought in by a `<<` merge may
    # be overridden, as YAML intends.
    own: set[Any] = set()
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=deep)
        if isinstance(key, list | dict):  # `? [a, b]`: a key must be text or a number
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be text or a number, not a list or a mapping",
                key_node.start_mark,
            )  # fmt: skip
        if key in own:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        own.add(key)
    loader.flatten_mapping(node)
    return {
        loader.construct_object(k, deep=deep): loader.construct_object(v, deep=deep)
        for k, v in node.value
    }


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _construct_date(loader: Any, node: yaml.ScalarNode) -> Any:
    """A date that does not exist (2026-02-30) is a syntax error at its line, not a crash."""
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise yaml.constructor.ConstructorError(
            None, None, f"{node.value!r} is not a date ({exc})", node.start_mark
        ) from None


_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_date)

# YAML 1.1 reads yes/no/on/off as booleans, so `requests_per_day: yes` became 1. Only
# true/false are booleans here (YAML 1.2); yes/no stay text, which a number field refuses and
# a yes/no field (autoscale_hourly: yes) still reads as a boolean.
_BOOL = "tag:yaml.org,2002:bool"
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _BOOL]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _expanded_size(value: Any, memo: dict[int, int]) -> int:
    """Nodes the document would have with every alias copied out; shared objects counted once
    per reference, computed once per object."""
    if not isinstance(value, dict | list):
        return 1
    key = id(value)
    if key not in memo:
        memo[key] = 0  # a cycle counts as empty rather than recursing forever
        children = value.values() if isinstance(value, dict) else value
        memo[key] = 1 + sum(_expanded_size(child, memo) for child in children)
    return memo[key]


def nesting(text: str) -> int:
    """An upper bound on how deep the document nests, without parsing it: the deepest run of
    open brackets (flow style), or the widest indent of a line, dashes included (block style:
    each level indents at least one column, and `- - - x` nests three lists on one line)."""
    brackets = np.frombuffer(text.encode("utf-8", "replace"), dtype=np.uint8)
    step = np.isin(brackets, OPENING).astype(np.int32) - np.isin(brackets, CLOSING)
    flow = int(np.cumsum(step).max(initial=0))
    block = max((len(m) for m in _INDENT.findall(text)), default=0)
    return max(flow, block)


def read_yaml(path: Path) -> dict[str, Any]:
    """Load a YAML mapping from `path`, or raise InputFileError saying what is wrong and where."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputFileError(path, f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputFileError(path, "no such file") from None
    except IsADirectoryError:
        raise InputFileError(path, "is a directory, expected a YAML file") from None
    except UnicodeDecodeError as exc:
        raise InputFileError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise InputFileError(path, f"cannot be read: {exc.strerror}") from None
    # every node but the first is set off by a separator: a cheap upper bound on the nodes
    # before PyYAML builds them (a 4 MB flow list of 2 million items took 770 MB to refuse)
    separators = sum(text.count(c) for c in ",:-\n")
    if separators > MAX_NODES:
        raise InputFileError(
            path, f"too many YAML items (about {separators:,}; the limit is {MAX_NODES:,})"
        )
    if nesting(text) > MAX_DEPTH:  # libyaml recurses in C: 30,000 levels crash the process
        raise InputFileError(path, f"YAML nesting is too deep (over {MAX_DEPTH} levels)")
    try:
        data = yaml.load(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputFileError(where, f"YAML syntax error: {problem}") from None
    except yaml.YAMLError as exc:
        raise InputFileError(path, f"YAML error: {exc}") from None
    except RecursionError:
        raise InputFileError(path, "YAML nesting is too deep") from None
    if data is None:
        raise InputFileError(path, "the file is empty; expected a YAML mapping (key: value lines)")
    if not isinstance(data, dict):
        raise InputFileError(
            path, f"expected a YAML mapping at the top, found {type(data).__name__}"
        )
    try:
        too_big = _expanded_size(data, {}) > MAX_EXPANDED_NODES
    except RecursionError:
        raise InputFileError(path, "YAML nesting is too deep") from None
    if too_big:
        raise InputFileError(
            path,
            "YAML aliases expand to over a million nodes (an alias bomb?); refusing to read it",
        )
    return data


def locate(path: Path, keys: Sequence[int | str]) -> tuple[int, int] | None:
    """Line and column (from 1) of the value at `keys` in a YAML file that read_yaml has read:
    the key itself where the mapping has it, else the nearest enclosing node that exists (a
    missing field points at the mapping that lacks it). None if the file cannot be composed."""
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=_StrictLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError):
        return None
    mark = node.start_mark if node is not None else None
    for key in keys:
        if isinstance(node, yaml.MappingNode):
            found = next(((k, v) for k, v in node.value if k.value == str(key)), None)
            if found is None:
                break
            mark, node = found[0].start_mark, found[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            if not 0 <= key < len(node.value):
                break
            node = node.value[key]
            mark = node.start_mark
        else:
            break
    return None if mark is None else (mark.line + 1, mark.column + 1)
