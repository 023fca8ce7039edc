"""The error family: user errors carry their own message and exit with 2; anything else is a bug."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path


class CostcalcError(Exception):
    """Base class of every error costcalc raises on purpose."""


class UserError(CostcalcError):
    """Invalid usage or input: printed to stderr without a traceback, exit code 2."""

    exit_code = 2


class InputFileError(UserError):
    """A file that cannot be read or does not validate; the message names file, field and fix."""

    def __init__(self, path: Path | str, problem: str, field: str | None = None) -> None:
        self.path = str(path)
        self.field = field
        self.problem = problem
        where = f"{self.path}: field `{field}`" if field else self.path
        super().__init__(f"{where}: {problem}")

    def __reduce__(self) -> tuple[type, tuple[str, str, str | None]]:
        # rebuilt from its parts when a worker process sends it back (from-logs on many cores)
        return (type(self), (self.path, self.problem, self.field))


class UnknownIdError(UserError):
    """An id that is not in the catalog; lists the closest ids."""

    def __init__(
        self, kind: str, wanted: str, known: Iterable[str], where: str = "", hint: str = ""
    ) -> None:
        known_list = sorted(set(known))
        close = closest(wanted, known_list)
        suggestion = f" Did you mean {', '.join(close)}?" if close else ""
        prefix = f"{where}: " if where else ""
        extra = f" {hint}" if hint else ""
        super().__init__(f"{prefix}unknown {kind} `{wanted}`.{suggestion}{extra}")
        self.wanted = wanted
        self.suggestions = close


def closest(wanted: str, known: Iterable[str], n: int = 3) -> list[str]:
    """The ids most like `wanted`, best first, compared case-insensitively on the part after
    the provider: ids that extend it first (`runpod/h100` → runpod/h100-sxm, not h200), the
    same provider's first, then by edit distance (`openai/gpt5-mini` → openai/gpt-5-mini)."""
    provider, _, tail = wanted.lower().rpartition("/")
    known = list(known)
    scored = []
    for candidate in known:
        their_provider, _, their_tail = candidate.lower().rpartition("/")
        distance = _edits(tail, their_tail)
        extends = bool(tail) and their_tail.startswith(tail)
        if extends or distance <= max(2, len(tail) // 3):
            scored.append((not extends, their_provider != provider, distance, candidate))
    found = [candidate for *_, candidate in sorted(scored)[:n]]
    # and what merely looks alike (`replica_count` → replicas_peak)
    alike = difflib.get_close_matches(wanted, [k for k in known if k not in found], n, 0.6)
    return (found + alike)[:n]


def _edits(a: str, b: str) -> int:
    """Levenshtein distance: insertions, deletions and substitutions from a to b."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
    return row[-1]


class MissingDependency(UserError):
    """An optional package a feature needs is not installed (matplotlib for charts)."""
