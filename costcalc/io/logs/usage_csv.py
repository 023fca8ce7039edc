"""CSV usage logs: one request per row with timestamp, prompt_tokens, completion_tokens."""

from __future__ import annotations

from costcalc.io.logs.formats import from_csv
from costcalc.io.logs.registry import CsvFormat

FORMAT = CsvFormat(
    name="usage-csv",
    title="CSV with timestamp, prompt_tokens, completion_tokens[, cached_tokens]",
    matches=lambda columns: {"prompt_tokens", "completion_tokens"} <= set(columns),
    parse=from_csv,
)
