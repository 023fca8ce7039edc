"""A rich console that records into a string at a fixed width (renderers never print)."""

from __future__ import annotations

import io
from collections.abc import Callable

from rich.console import Console


def capture(body: Callable[[Console], None], width: int, color: bool = False) -> str:
    """Run `body` against a console writing to memory; return what it printed.

    Trailing blanks are stripped: rich pads table cells to the full width, which only clutters
    CI logs and diffs.
    """
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width, force_terminal=color, no_color=not color,
        color_system="standard" if color else None, highlight=False, soft_wrap=False,
    )  # fmt: skip
    body(console)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"
