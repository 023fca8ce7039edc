"""Renderers: a comparison in, a string out. Only the CLI prints."""

from __future__ import annotations

from enum import StrEnum


class Format(StrEnum):
    """Output formats of `costcalc compare`."""

    text = "text"
    json = "json"
    markdown = "markdown"
    csv = "csv"
