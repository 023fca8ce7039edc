"""Count tokens with tiktoken, degrading to a stated estimate when its encodings are unavailable.

tiktoken downloads an encoding file on first use and caches it (TIKTOKEN_CACHE_DIR). Offline,
that download fails; costcalc then says so once and counts ceil(characters / 4), OpenAI's rule
of thumb for English text, labelled as an estimate wherever it is shown.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Any

DEFAULT_ENCODING = "o200k_base"  # current OpenAI models; cl100k_base for GPT-4 / GPT-3.5
CHARS_PER_TOKEN = 4.0
LOAD_TIMEOUT_S = 10.0

_encoders: dict[str, Any] = {}
_failures: dict[str, str] = {}


@dataclass(frozen=True)
class TokenCount:
    tokens: int
    method: str  # the encoding name, or "estimate: characters / 4"
    warning: str | None = None


def _load(encoding: str) -> Any:
    """tiktoken.get_encoding in a daemon thread, so a network that drops packets cannot hang us."""
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            import tiktoken

            result["encoder"] = tiktoken.get_encoding(encoding)
        except Exception as exc:  # tiktoken raises requests/OS/value errors alike offline
            result["error"] = f"{type(exc).__name__}: {str(exc)[:160]}"

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(LOAD_TIMEOUT_S)
    if "encoder" in result:
        return result["encoder"]
    raise RuntimeError(result.get("error", f"timed out after {LOAD_TIMEOUT_S:.0f} s"))


def encoder(encoding: str) -> Any | None:
    """The cached encoder, or None (once failed, never retried in this process)."""
    if encoding in _encoders:
        return _encoders[encoding]
    if encoding in _failures:
        return None
    try:
        _encoders[encoding] = _load(encoding)
    except RuntimeError as exc:
        _failures[encoding] = str(exc)
        return None
    return _encoders[encoding]


def count_tokens(text: str, encoding: str = DEFAULT_ENCODING) -> TokenCount:
    """Tokens of `text` in `encoding`; special-token text is counted as ordinary text."""
    enc = encoder(encoding)
    if enc is not None:
        return TokenCount(len(enc.encode_ordinary(text)), encoding)
    return TokenCount(
        math.ceil(len(text) / CHARS_PER_TOKEN),
        "estimate: characters / 4",
        f"tiktoken could not load {encoding} ({_failures[encoding]}); token counts of prompt "
        f"text are estimated as characters / 4. Put the encoding file in TIKTOKEN_CACHE_DIR "
        f"to count exactly.",
    )
