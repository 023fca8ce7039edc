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
    """The ids most like `wanted`, best first; also matches on the part after the provider."""
    known_list = list(known)
    hits = difflib.get_close_matches(wanted, known_list, n=n, cutoff=0.5)
    if len(hits) < n:
        tails = {k.split("/")[-1]: k for k in known_list}
        for tail in difflib.get_close_matches(wanted.split("/")[-1], list(tails), n=n, cutoff=0.6):
            if tails[tail] not in hits:
                hits.append(tails[tail])
    return hits[:n]
