"""Which log files belong together: Batch input files and their result files, joined by id.

Records of different files are joined by `custom_id` only when they are an input/result pair
of one job. A job is told by its model: the input files of a model and the result files whose
responses name it (gpt-4o-mini takes gpt-4o-mini-2024-07-18); a result file naming no model (an
OpenAI error file) joins the only job there is. Two result files answering the same prompts
with two models are two jobs, never merged; a result file with no input file stands alone.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from costcalc.errors import InputFileError
from costcalc.io.logs.read import LineCounts, read_records
from costcalc.io.logs.values import TimeRange

SURVEY_LINES = 200  # records read to tell what a file holds

# a dated snapshot or version of the same model: -2024-07-18, -20241022, -0125, -latest, -v2
_SNAPSHOT = re.compile(r"-(?:\d{4}-\d{2}-\d{2}|\d{8}|\d{4}|\d{3}|latest|v\d+(?:\.\d+)*)$")


def model_matches(wanted: str, logged: str) -> bool:
    """`--model gpt-4o-mini` takes gpt-4o-mini-2024-07-18 and openai/gpt-4o-mini, never
    gpt-4o-mini-search or (for `gpt-4o`) gpt-4o-mini: a provider prefix and a dated snapshot
    are ignored, any other suffix is another model. Case does not matter."""
    want = wanted.lower().rsplit("/", 1)[-1]
    name = logged.lower().rsplit("/", 1)[-1]
    if name == want:
        return True
    return name.startswith(want + "-") and bool(_SNAPSHOT.fullmatch(name[len(want) :]))


def base_model(logged: str) -> str:
    """The model without provider prefix or snapshot: openai/gpt-4o-2024-08-06 → gpt-4o."""
    name = logged.lower().rsplit("/", 1)[-1]
    while (stripped := _SNAPSHOT.sub("", name)) != name and stripped:
        name = stripped
    return name


@dataclass
class Survey:
    """What the first records of a file hold: which sides, which model."""

    path: Path
    sides: Counter[str] = field(default_factory=Counter)
    model: str | None = None
    ids: set[str] = field(default_factory=set)  # the first records' custom_ids

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
            if record.custom_id is not None:
                found.ids.add(record.custom_id)
    except InputFileError:
        pass  # said when the file is read for real
    return found


@dataclass
class Job:
    """Files read together: results first (kept by id), then inputs (joined on the fly)."""

    results: list[Path] = field(default_factory=list)
    inputs: list[Path] = field(default_factory=list)

    @property
    def paired(self) -> bool:
        return bool(self.results and self.inputs)


def jobs(surveys: list[Survey]) -> list[Job]:
    """Input files grouped by model, each group with the result files of its model; the
    result files of no input group first, so that their failures are known when a group's
    inputs are left without a result."""
    by_model: dict[str | None, Job] = {}
    for s in surveys:
        if s.inputs:
            by_model.setdefault(s.model and base_model(s.model), Job()).inputs.append(s.path)
    alone: list[Survey] = []
    for s in surveys:
        if not s.results:
            continue
        key = s.model and base_model(s.model)
        if key is None and len(by_model) == 1:
            key = next(iter(by_model))  # an error file names no model: the one job there is
        if key in by_model:
            by_model[key].results.append(s.path)
        else:
            alone.append(s)
    # a result file whose model names no input group (an Azure deployment name in the inputs,
    # say) joins the input group without results whose first ids it shares most: read apart,
    # each request would count twice, once as an input and once as a result
    ids = {s.path: s.ids for s in surveys}
    for s in list(alone):
        waiting = [j for j in by_model.values() if not j.results]
        shared = [(len(s.ids & set().union(*(ids[p] for p in j.inputs))), j) for j in waiting]
        best = max(shared, key=lambda x: x[0], default=(0, None))
        if best[1] is not None and best[0] > 0:
            best[1].results.append(s.path)
            alone.remove(s)
    return [Job(results=[s.path]) for s in alone] + list(by_model.values())


T = TypeVar("T")


class Joiner(Generic[T]):
    """Pairs a job's inputs and results by key; a key seen twice on one side is a duplicate.
    Keys are kept as hashes (about 60 bytes each), the waiting side as whatever is given."""

    def __init__(self) -> None:
        self.waiting: dict[str, dict[str, T]] = {"input": {}, "result": {}}
        self.seen: dict[str, set[int]] = {"input": set(), "result": set()}

    def take(self, side: str, key: str, item: T) -> tuple[str, T | None]:
        """("duplicate", None), ("paired", the other side's item) or ("waiting", None)."""
        seen = self.seen[side]
        if hash(key) in seen:
            return "duplicate", None
        seen.add(hash(key))
        other = self.waiting["result" if side == "input" else "input"]
        if key in other:
            return "paired", other.pop(key)
        self.waiting[side][key] = item
        return "waiting", None

    def left(self, side: str) -> list[T]:
        return list(self.waiting[side].values())
