"""What a request file sends a model (message contents, tool schemas, answers), not its JSON."""

from __future__ import annotations

import itertools
import re
import time
from dataclasses import dataclass
from pathlib import Path

from costcalc.errors import InputFileError
from costcalc.io.logs.read import LineCounts, read_records
from costcalc.io.logs.values import TimeRange
from costcalc.io.tokens import TokenCounter

# logs.jsonl, export.json, logs.jsonl.gz …
JSON_NAME = re.compile(r"\.(jsonl|json|ndjson)(\.(gz|gzip|bz2|xz))?$", re.IGNORECASE)
PROBE_RECORDS = 20  # a request file shows messages within its first records
CHUNK = 2_000


@dataclass(frozen=True)
class Contents:
    """What a request file holds, counted: tokens and characters of its texts."""

    tokens: int
    characters: int
    requests: int  # records with messages
    answers: int  # records with an answer but no messages (a Batch output file)
    malformed: int  # lines that are not records (counted as nothing)

    @property
    def what(self) -> str:
        """'contents of 100 requests' or 'contents of 98 answers' (or both)."""
        parts = [f"{n:,} {kind}{'s' * (n != 1)}" for n, kind in ((self.requests, "request"),
                 (self.answers, "answer")) if n]  # fmt: skip
        return "contents of " + (" and ".join(parts) or "no requests")


def _span() -> TimeRange:
    return TimeRange.until(time.time())


def is_request_file(path: Path) -> bool:
    """A JSONL or JSON file of chat requests or responses (an OpenAI Batch input file, a proxy
    log): its JSON syntax is not what a model is sent. A JSON file of tool schemas is not one."""
    if not JSON_NAME.search(path.name):
        return False
    try:
        records = read_records(path, False, LineCounts(), _span())
        first = itertools.islice(records, PROBE_RECORDS)  # a Batch error file too: it sends
        return any(r.messages or r.answer or r.custom_id for _, r in first)  # nothing
    except InputFileError:  # unreadable, or zstd: counted as text, which says why
        return False


def _texts(record_texts: list[str], counter: TokenCounter) -> tuple[int, int]:
    counter.prepare(record_texts)
    return sum(counter[t] for t in record_texts), sum(len(t) for t in record_texts)


def count_contents(path: Path, counter: TokenCounter) -> Contents:
    """Every message's text, the tool schemas (as the compact JSON sent) and the answers of
    every record, each occurrence counted (a system prompt sent 100 times is billed 100
    times); streamed, CHUNK records at a time."""
    counts = LineCounts()
    tokens = characters = requests = answers = 0
    batch: list[str] = []
    for _, record in read_records(path, False, counts, _span()):
        texts = [text for _, text in record.messages or ()]
        texts += [t for t in (record.tools, record.answer) if t]
        requests += bool(record.messages)
        answers += bool(record.answer and not record.messages)
        batch += texts
        if len(batch) >= CHUNK:
            n, c = _texts(batch, counter)
            tokens, characters, batch = tokens + n, characters + c, []
    n, c = _texts(batch, counter)
    return Contents(tokens + n, characters + c, requests, answers, counts.malformed)
