"""Which log files belong together: Batch input files and their result files, joined by id.

Records of different files are joined by `custom_id` only when they are an input/result pair
of one job. A job is one input file and the result files that answer it: of its model (gpt-4o-mini
takes gpt-4o-mini-2024-07-18), and of those, the one sharing most of its first ids. A result file
naming no model (an OpenAI error file), or naming a model no input file names (an Azure deployment
name in the inputs), joins the input file whose ids it shares, else the only input file left
without results. Two result files answering the same prompts with two models are two jobs, never
merged; two input files of one model (January's and February's job) are two jobs too.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from costcalc.errors import InputFileError
from costcalc.io.logs.formats import LogRecord
from costcalc.io.logs.measure import KeySet, Parts
from costcalc.io.logs.read import LineCounts, read_records
from costcalc.io.logs.values import TimeRange

SURVEY_LINES = 200  # records read to tell what a file holds

# a dated snapshot of the same model: -2024-07-18, -20241022, -0125 (MMDD), -001, -latest; a
# version such as -v3 or -405 names another model (deepseek-v2 and deepseek-v3 are two)
_SNAPSHOT = re.compile(r"-(?:\d{4}-\d{2}-\d{2}|20\d{6}|(?:0[1-9]|1[0-2])\d{2}|0\d\d|latest)$")
# a Batch line's side, told from its bytes when the first records showed only the other: a
# result has a "response" or "result" key, an input a "body" or "params" key without one
_RESULT_KEY = re.compile(rb'"(?:response|result)"\s*:')
_INPUT_KEY = re.compile(rb'"(?:body|params)"\s*:')


@functools.lru_cache(maxsize=4096)  # asked for every line, of a few names
def model_matches(wanted: str, logged: str) -> bool:
    """`--model gpt-4o-mini` takes gpt-4o-mini-2024-07-18 and openai/gpt-4o-mini, never
    gpt-4o-mini-search or (for `gpt-4o`) gpt-4o-mini: a provider prefix and a dated snapshot
    are ignored, any other suffix is another model. Case does not matter."""
    want = wanted.lower().rsplit("/", 1)[-1]
    name = logged.lower().rsplit("/", 1)[-1]
    if name == want:
        return True
    return name.startswith(want + "-") and bool(_SNAPSHOT.fullmatch(name[len(want) :]))


@functools.lru_cache(maxsize=4096)
def base_model(logged: str) -> str:
    """The model without provider prefix or snapshot: openai/gpt-4o-2024-08-06 → gpt-4o."""
    name = logged.lower().rsplit("/", 1)[-1]
    while (stripped := _SNAPSHOT.sub("", name)) != name and stripped:
        name = stripped
    return name or "unknown-model"  # "org/": a provider without a model


@dataclass
class Survey:
    """What the first records of a file hold: which sides, which model."""

    path: Path
    sides: Counter[str] = field(default_factory=Counter)
    model: str | None = None
    ids: set[str] = field(default_factory=set)  # the first records' custom_ids
    # the models of the first records that have messages or answers to tokenise
    text_models: set[str | None] = field(default_factory=set)

    @property
    def inputs(self) -> bool:
        return self.sides["input"] > 0

    @property
    def results(self) -> bool:
        return self.sides["result"] + self.sides["both"] > 0 or not self.sides


def survey(path: Path, span: TimeRange) -> Survey:
    """The sides and model of a file's first records; its bad lines are counted later."""
    found = Survey(path)
    try:
        records = read_records(path, False, LineCounts(), span)
        for _, record in itertools.islice(records, SURVEY_LINES):
            found.sides[record.side] += 1
            found.model = found.model or record.model
            if record.messages or (record.answer and record.usage is None):
                found.text_models.add(record.model)
            if record.custom_id is not None:
                found.ids.add(record.custom_id)
        one_side = bool(found.sides["input"]) != bool(found.sides["result"])
        if found.ids and one_side and _other_side(path, "result" if found.inputs else "input"):
            found.sides["result" if found.inputs else "input"] += 1  # read in both passes
    except InputFileError:
        pass  # said when the file is read for real
    return found


def _other_side(path: Path, side: str) -> bool:
    """Whether any line of a Batch file is of `side`, though its first records were not: a
    file of 250 inputs then their 250 results. A scan of the bytes, not a parse (about 1 GB/s)."""
    from costcalc.io.logs.opening import STREAM_ERRORS, one_array, open_log

    try:
        with open_log(path) as handle:
            if one_array(handle):
                return False  # a JSON array: its records span lines, so no line tells
            for line in handle:
                result = _RESULT_KEY.search(line) is not None
                if result if side == "result" else not result and _INPUT_KEY.search(line):
                    return True
    except STREAM_ERRORS:  # a log cut short: said when it is read for real
        pass
    return False


@dataclass
class Job:
    """Files read together: results first (kept by id), then inputs (joined on the fly)."""

    results: list[Path] = field(default_factory=list)
    inputs: list[Path] = field(default_factory=list)

    @property
    def paired(self) -> bool:
        return bool(self.results and self.inputs)


def _best(result: Survey, inputs: list[Survey], busy: set[Path]) -> Survey | None:
    """The input file sharing most of the result file's first ids; on a tie, one without
    results yet, then the first named (January's job reusing February's ids: the files pair
    in the order given)."""
    shared = [(len(result.ids & s.ids), s.path not in busy, -i, s) for i, s in enumerate(inputs)]
    best = max(shared, key=lambda x: x[:3], default=None)
    return best[3] if best else None


def _key(s: Survey) -> str | None:
    return base_model(s.model) if s.model else None


def jobs(surveys: list[Survey]) -> list[Job]:
    """One job per input file, with the result files that answer it (see the module's
    docstring); result files of no job stand alone and come first, so that their failures are
    known when a job's inputs are left without a result."""
    inputs = [s for s in surveys if s.inputs]
    by_input = {s.path: Job(inputs=[s.path]) for s in inputs}
    alone: list[Survey] = []
    for s in surveys:
        if not s.results:
            continue
        same = [i for i in inputs if _key(i) == _key(s)] if s.model else []
        if s.inputs and s.path in by_input:
            same = [next(i for i in inputs if i.path == s.path)]  # a file of both sides
        busy = {path for path, job in by_input.items() if job.results}
        chosen = _best(s, same, busy)
        if chosen is None:
            alone.append(s)
        else:
            by_input[chosen.path].results.append(s.path)
    # a result file naming no model, or a model no input file names: the input file whose
    # first ids it shares, else the only one left without results. Read apart, each request
    # would count twice, once as an input and once as a result.
    for s in list(alone):
        waiting = [i for i in inputs if not by_input[i.path].results]
        busy = {path for path, job in by_input.items() if job.results}
        chosen = _best(s, [i for i in inputs if s.ids & i.ids], busy) or (
            waiting[0] if len(waiting) == 1 else None
        )
        if chosen is not None:
            by_input[chosen.path].results.append(s.path)
            alone.remove(s)
    return [Job(results=[s.path]) for s in alone] + list(by_input.values())


@dataclass(frozen=True)
class Held:
    """One side of a Batch request waiting for the other: small, the message texts dropped."""

    record: LogRecord
    parts: Parts | None
    answer: float | None  # the answer's tokens, counted when the result has no usage
    where: str


T = TypeVar("T")


class Joiner(Generic[T]):
    """Pairs a job's inputs and results by key; a key seen twice on one side is a duplicate.
    Keys seen are kept as 64-bit hashes (KeySet: 16 bytes each), the waiting side as whatever
    is given."""

    def __init__(self) -> None:
        self.waiting: dict[str, dict[str, T]] = {"input": {}, "result": {}}
        self.seen = {"input": KeySet(), "result": KeySet()}

    def take(self, side: str, key: str, item: T) -> tuple[str, T | None]:
        """("duplicate", None), ("paired", the other side's item) or ("waiting", None)."""
        if not self.seen[side].add(key):
            return "duplicate", None
        other = self.waiting["result" if side == "input" else "input"]
        if key in other:
            return "paired", other.pop(key)
        self.waiting[side][key] = item
        return "waiting", None

    def left(self, side: str) -> list[T]:
        return list(self.waiting[side].values())
