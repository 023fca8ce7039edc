"""One JSON array of records read element by element, so a large export never sits in memory."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from costcalc.io.logs.values import BadValue

BLOCK_CHARS = 1 << 20  # read a megabyte of text at a time


class _Text:
    """A text buffer over the file: `text[at:]` is what is left to read."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.stream = io.TextIOWrapper(handle, encoding="utf-8-sig", errors="replace")
        self.text, self.at, self.ended = "", 0, False
        self.line, self.counted = 1, 0  # the line at text[counted]

    def more(self) -> bool:
        """Read on, dropping what was used: at least as much again as is left, so that an
        element larger than a block is parsed a few times, not once per block."""
        if self.ended:
            return False
        self.where()
        block = self.stream.read(max(len(self.text) - self.at, BLOCK_CHARS))
        self.text, self.at, self.counted = self.text[self.at :] + block, 0, 0
        self.ended = not block
        return bool(block)

    def skip(self, chars: str) -> str:
        """Skip white space and the characters given (at most one of each); the next char."""
        while True:
            while self.at < len(self.text) and self.text[self.at] in " \t\r\n":
                self.at += 1
            if self.at < len(self.text) and self.text[self.at] in chars:
                chars = chars.replace(self.text[self.at], "")
                self.at += 1
                continue
            if self.at < len(self.text) or not self.more():
                return self.text[self.at : self.at + 1]

    def where(self) -> int:
        """The line number at the current position (counted on from the last call)."""
        self.line += self.text.count("\n", self.counted, self.at)
        self.counted = self.at
        return self.line


def iter_array(handle: IO[bytes], path: Path) -> Iterator[tuple[int, Any | BadValue]]:
    """(line, element) for each element of the file's top-level array; a BadValue in place of
    an element that is not JSON, after which nothing more can be read."""
    decoder = json.JSONDecoder()
    text = _Text(handle)
    if text.skip("") != "[":
        yield 1, BadValue(None, "not a JSON array")
        return
    text.at += 1
    first = True
    while True:
        following = text.skip("" if first else ",")
        if following == "":
            yield text.where(), BadValue(None, "the JSON array is not closed (file cut short?)")
            return
        if following == "]":
            text.at += 1
            if text.skip(""):  # more after the array: said, as one line, never dropped
                yield text.where(), BadValue(None, "content after the end of the JSON array; "
                                                   "not read")  # fmt: skip
            return
        first = False
        line = text.where()
        while True:
            try:
                element, end = decoder.raw_decode(text.text, text.at)
                break
            except json.JSONDecodeError as exc:
                # an element cut by the end of the buffer reads once more text is in
                if text.more():
                    continue
                yield line, BadValue(None, f"not JSON ({exc.msg}); the rest of {path.name} "
                                           "cannot be read")  # fmt: skip
                return
            except RecursionError:
                yield line, BadValue(None, "nested too deeply")
                return
        text.at = end
        yield line, element
