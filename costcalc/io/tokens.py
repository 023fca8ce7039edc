"""Count tokens with tiktoken, degrading to a stated estimate when its encodings are unavailable.

tiktoken downloads an encoding file on first use and caches it (TIKTOKEN_CACHE_DIR). Offline,
that download fails; costcalc then says so once and counts ceil(characters / 4), OpenAI's rule
of thumb for English text, labelled as an estimate wherever it is shown.
"""

from __future__ import annotations

import collections
import functools
import math
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from costcalc.errors import InputFileError

DEFAULT_ENCODING = "o200k_base"  # current OpenAI models; cl100k_base for GPT-4 / GPT-3.5
CHARS_PER_TOKEN = 4.0
LOAD_TIMEOUT_S = 10.0
BLOCK_CHARS = 1 << 20  # characters encoded at a time when counting a file

_encoders: dict[str, Any] = {}
_failures: dict[str, str] = {}
_loading: dict[str, threading.Thread] = {}  # encoders being loaded by preload


@dataclass(frozen=True)
class TokenCount:
    tokens: int
    method: str  # the encoding name, or "estimate: characters / 4"
    warning: str | None = None


def _reason(exc: Exception) -> str:
    """Why loading failed, in one short clause (requests' own messages run to 300 characters)."""
    if type(exc).__name__ in {"ConnectionError", "Timeout", "ConnectTimeout", "SSLError"}:
        return "no network to download it"
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text[:100]}"


_NOT_SEPARATORS = bytes(b for b in range(256) if b not in b" \n")


def quick_ranks(
    tiktoken_bpe_file: str, expected_hash: str | None = None, *more_args: Any, **more: Any
) -> dict[bytes, int]:
    """tiktoken.load.load_tiktoken_bpe parsed in one pass: 0.07 s for cl100k_base's 100,256
    lines instead of 0.17 s a line at a time, paid by every command that counts tokens. The
    file is read, its hash checked and cached by tiktoken's own read_file_cached. Only a file
    of 'token rank' lines is parsed here (told in 5 ms: its only whitespace is one space and
    one newline a line, in turn); any other layout, or an argument a newer tiktoken passes,
    goes to tiktoken's own function, so that what it accepts and its errors stay tiktoken's."""
    import binascii

    from tiktoken.load import load_tiktoken_bpe, read_file_cached

    if not more_args and not more:
        contents = read_file_cached(tiktoken_bpe_file, expected_hash)
        lines = contents.count(b"\n")
        fields = contents.split()
        if (
            len(fields) == 2 * lines  # not: a blank line, a missing field, no final newline
            and contents.translate(None, _NOT_SEPARATORS) == b" \n" * lines  # not: 3, then 1
            and not any(space in contents for space in (b"\t", b"\r", b"\x0b", b"\x0c"))
        ):
            try:  # a2b_base64 is what b64decode calls, without its argument checks
                ranks = map(int, fields[1::2])
                return dict(zip(map(binascii.a2b_base64, fields[::2]), ranks, strict=True))
            except ValueError:  # a rank that is not a number
                pass
    return dict(load_tiktoken_bpe(tiktoken_bpe_file, expected_hash, *more_args, **more))


def _quicken() -> None:
    """Have tiktoken's OpenAI encodings parse their file with quick_ranks."""
    try:
        import tiktoken_ext.openai_public as public
    except ImportError:  # pragma: no cover - a tiktoken without its OpenAI plugin
        return
    if hasattr(public, "load_tiktoken_bpe"):  # the name its encodings call
        public.load_tiktoken_bpe = quick_ranks


def _load(encoding: str) -> Any:
    """tiktoken.get_encoding in a daemon thread, so a network that drops packets cannot hang us."""
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            import tiktoken

            _quicken()
            result["encoder"] = tiktoken.get_encoding(encoding)
        except Exception as exc:  # tiktoken raises requests/OS/value errors alike offline
            result["error"] = _reason(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(LOAD_TIMEOUT_S)
    if "encoder" in result:
        return result["encoder"]
    raise RuntimeError(result.get("error", f"timed out after {LOAD_TIMEOUT_S:.0f} s"))


def preload(encoding: str) -> None:
    """Start loading an encoder in the background (about 0.2 s for cl100k_base), so that
    reading a log's first lines and loading overlap; `encoder` waits for it."""
    if encoding not in _encoders and encoding not in _failures and encoding not in _loading:
        _loading[encoding] = threading.Thread(target=encoder, args=(encoding,), daemon=True)
        _loading[encoding].start()


def loaded() -> None:
    """Wait for every encoder a preload started (before a fork: a worker process must not
    start with a half-loaded encoder, or an import lock held by a thread it does not have)."""
    for encoding in list(_loading):
        encoder(encoding)


def encoder(encoding: str) -> Any | None:
    """The cached encoder, or None (once failed, never retried in this process)."""
    loading = _loading.get(encoding)
    if loading is not None and loading is not threading.current_thread():
        loading.join(2 * LOAD_TIMEOUT_S)
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
        return TokenCount(encoded_length(enc, text), encoding)
    return TokenCount(
        math.ceil(len(text) / CHARS_PER_TOKEN),
        "estimate: characters / 4",
        f"tiktoken could not load {encoding} ({_failures[encoding]}); token counts of prompt "
        f"text are estimated as characters / 4. Put the encoding file in TIKTOKEN_CACHE_DIR "
        f"to count exactly.",
    )


@functools.lru_cache(maxsize=256)
def encoding_for_model(model: str | None) -> tuple[str, str | None]:
    """The tiktoken encoding of a model, and a note when an OpenAI encoding stands in.

    o200k_base for current OpenAI models (gpt-4o, gpt-4.1, gpt-5, o-series), cl100k_base for
    GPT-4 and GPT-3.5; other families' tokenizers are not in tiktoken, so o200k_base stands in.
    """
    if not model:
        return DEFAULT_ENCODING, None
    try:
        from tiktoken.model import encoding_name_for_model

        return encoding_name_for_model(model.split("/")[-1]), None
    except KeyError:
        return DEFAULT_ENCODING, (
            f"{model} does not use an OpenAI tokenizer; {DEFAULT_ENCODING} stands in, so its "
            "counts are estimates for that model"
        )


def _lengths(enc: Any, texts: list[str]) -> list[int]:
    return [encoded_length(enc, t) for t in texts]


def encoded_length(enc: Any, text: str) -> int:
    """Tokens of `text`, encoded BLOCK_CHARS at a time where the count cannot change: tiktoken
    returns a list of ints, 16 M of them (580 MB) for one 32 MB system prompt in a log line.
    A block with no such cut (one 1 M-character word) is cut anyway, off by a token at most."""
    total, start = 0, 0
    while len(text) - start > BLOCK_CHARS:
        cut = _last_cut(text[start : start + BLOCK_CHARS]) or BLOCK_CHARS
        total += len(enc.encode_ordinary(text[start : start + cut]))
        start += cut
    return total + len(enc.encode_ordinary(text[start:] if start else text))


class TokenCounter:
    """Counts many texts, each distinct text once (a conversation's earlier turns come back
    in every later request), in parallel batches.

    tiktoken's encode_ordinary_batch submits one thread-pool task per text; on short chat
    turns that bookkeeping costs more than the encoding. Here each thread takes one slice of
    the batch (tiktoken releases the GIL while encoding), which is what lets a log pass run
    faster than encode_ordinary_batch over the same texts.
    """

    MAX_CACHED = 200_000  # distinct texts remembered (≈ 25 MB); then the cache starts over
    THREADS = min(8, os.cpu_count() or 1)

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._encoder = encoder(encoding)
        self._counts: dict[int, int] = {}
        self._pool: ThreadPoolExecutor | None = None

    @property
    def method(self) -> str:
        return self.encoding if self._encoder is not None else "estimate: characters / 4"

    @property
    def warning(self) -> str | None:
        return None if self._encoder is not None else count_tokens("", self.encoding).warning

    def prepare(self, texts: list[str], threads: bool = True) -> None:
        """Count every text not counted yet, in one batch (on THREADS threads, or this one)."""
        if len(self._counts) > self.MAX_CACHED:
            self._counts.clear()
        todo = list({hash(t): t for t in texts if hash(t) not in self._counts}.items())
        if not todo:
            return
        texts = [t for _, t in todo]
        if self._encoder is None:
            counts = [math.ceil(len(t) / CHARS_PER_TOKEN) for t in texts]
        elif not threads or self.THREADS == 1 or len(texts) < 2 * self.THREADS:
            counts = _lengths(self._encoder, texts)
        else:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.THREADS, thread_name_prefix="tokens")
            # interleaved slices, so long and short texts spread evenly over the threads
            slices = [texts[i :: self.THREADS] for i in range(self.THREADS)]
            parts = list(self._pool.map(functools.partial(_lengths, self._encoder), slices))
            counts = [0] * len(texts)
            for i, part in enumerate(parts):
                counts[i :: self.THREADS] = part
        self._counts.update((key, n) for (key, _), n in zip(todo, counts, strict=True))

    def __getitem__(self, text: str) -> int:
        key = hash(text)
        if key not in self._counts:
            self.prepare([text])
        return self._counts[key]


# Where a text can be cut without changing its tokens: before a letter that starts a line, or
# at a space between two letters. tiktoken first splits text with a regex (cl100k_base,
# o200k_base) whose pieces never run from a newline into a letter nor from a letter into a
# space, and merges tokens only within a piece; so both halves encode as the whole would.
_CUT = re.compile(r"(?<=\n)[A-Za-z]|(?<=[A-Za-z]) (?=[A-Za-z])")
_CUT_WINDOW = 1 << 16  # searched at the end of a block: text has a cut every line or word


def _last_cut(text: str) -> int | None:
    found = collections.deque(_CUT.finditer(text, max(0, len(text) - _CUT_WINDOW)), maxlen=1)
    return found[0].start() if found else None


def count_file(path: Path, encoding: str = DEFAULT_ENCODING) -> tuple[int, int] | None:
    """Tokens and characters of a UTF-8 text file, None for a binary one (it holds a NUL).

    Read and encoded a block at a time, so memory stays a few times BLOCK_CHARS whatever the
    file's size (read whole, a 32 MB file peaked at 385 MB here); blocks are cut where the
    count cannot change. A text with no such cut in 4 blocks (one very long word) is cut
    anyway: its count may be off by a token there.
    """
    enc = encoder(encoding)
    tokens = characters = 0
    carry = ""
    try:
        with path.open("r", encoding="utf-8", errors="replace", newline="") as handle:
            while block := handle.read(BLOCK_CHARS):
                if "\x00" in block:
                    return None
                characters += len(block)
                text = carry + block
                cut = _last_cut(text) if enc is not None else len(text)
                if cut is None or cut == 0:
                    cut = len(text) if len(text) > 4 * BLOCK_CHARS else 0
                if enc is not None and cut:
                    tokens += len(enc.encode_ordinary(text[:cut]))
                carry = text[cut:]
    except OSError as exc:
        raise InputFileError(path, f"cannot be read: {exc.strerror or exc}") from None
    if enc is None:
        return math.ceil(characters / CHARS_PER_TOKEN), characters
    return tokens + (len(enc.encode_ordinary(carry)) if carry else 0), characters
