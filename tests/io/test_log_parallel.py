"""A log read in parts by worker processes gives what one process gives (issue 14, item 7)."""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from costcalc.errors import InputFileError
from costcalc.io.logs import parallel
from costcalc.io.logs.measure import Measured
from costcalc.io.logs.pipeline import measure_logs
from costcalc.io.logs.read import Part

T0 = 1_793_059_200  # 2026-10-26 00:00 UTC
NOW = T0 + 30 * 86_400

pytestmark = pytest.mark.skipif(
    "fork" not in __import__("multiprocessing").get_all_start_methods(),
    reason="parts are read by forked workers; without fork a log is read in one process",
)


def chat(i: int, usage: bool) -> dict[str, Any]:
    """Turn (i % 3) + 1 of conversation i // 3, a request every 97 s over about 2 days."""
    turn, messages = i % 3, [{"role": "system", "content": "Answer about orders."}]
    model = "gpt-4o-mini-2024-07-18" if i % 13 else "gpt-4o"
    answer = {"message": {"role": "assistant", "content": f"answer {i} " * 7}}
    for t in range(turn):
        messages += [{"role": "user", "content": f"question {i - turn + t} " * 5},
                     {"role": "assistant", "content": f"answer {i - turn + t} " * 7}]  # fmt: skip
    messages.append({"role": "user", "content": f"question {i} " * (5 + i % 11)})
    out: dict[str, Any] = {
        "created": T0 + 97 * i, "conversation_id": f"c{i // 3}",
        "request": {"model": model, "messages": messages},
        "response": {"id": f"chatcmpl-{i}", "choices": [answer]},
    }  # fmt: skip
    if usage:
        out["response"]["usage"] = {
            "prompt_tokens": 30 + 9 * turn + i % 11,
            "completion_tokens": 15,
        }
    return out


def write_log(path: Path, n: int, usage: bool, bad: dict[int, str] | None = None) -> Path:
    """n lines; `bad` replaces line i (0-based) with the given text."""
    lines = [json.dumps(chat(i, usage)) for i in range(n)]
    for i, text in (bad or {}).items():
        lines[i] = text
    path.write_text("\n".join(lines) + "\n")
    return path


def measure(path: Path, workers: int, model: str | None = "gpt-4o-mini") -> Measured:
    return measure_logs([path], model, False, 0.0, now_s=NOW, workers=workers)


def same(one: Measured, many: Measured, sampled: bool = False) -> None:
    """Everything one process measured, measured alike in parts."""
    a, b = one.counts, many.counts
    assert (a.lines, a.buckets, a.first, a.outliers, a.first_outlier, a.formats) == (
        b.lines, b.buckets, b.first, b.outliers, b.first_outlier, b.formats
    )  # fmt: skip
    s, t = one.stats, many.stats
    assert (s.attempts, s.retries, s.max_repeats, s.first_time, s.last_time) == (
        t.attempts, t.retries, t.max_repeats, t.first_time, t.last_time
    )  # fmt: skip
    assert (s.models, s.minutes) == (t.models, t.minutes)
    notes = [note for note in many.all_notes if "read in one process" not in note]
    assert notes == one.all_notes or sampled
    assert np.array_equal(s.hours, t.hours)
    assert s.turns() == t.turns() and s.max_carried == t.max_carried
    assert one.how == many.how and one.batch == many.batch
    for name in ("output", "prompt_total", "carried_turns", "cached", "reasoning"):
        assert s.metrics[name].count == t.metrics[name].count
        assert s.metrics[name].total == pytest.approx(t.metrics[name].total, rel=1e-12)
    if not sampled:  # every request tokenised: the same values, in the same order
        assert one.encodings == many.encodings
        for name, metric in s.metrics.items():
            assert metric.samples == t.metrics[name].samples, name


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PART_BYTES", 4096)


def test_parts_start_lines_number_them_and_cover_the_file(
    tmp_path: Path, small_parts: None
) -> None:
    path = write_log(tmp_path / "log.jsonl", 300, usage=True)
    data = path.read_bytes()
    cut = parallel.parts(path, 4)
    assert len(cut) == 4 and cut[0].start == 0 and cut[-1].end == len(data)
    for before, after in itertools.pairwise(cut):
        assert before.end == after.start and data[after.start - 1 : after.start] == b"\n"
    # each worker numbers its part's first line: 1 + the newlines before it, as one pass does
    lines = [-1] * len(cut)
    numbered = [
        parallel._numbered(k, part, cut[k - 1] if k else None, lines) for k, part in enumerate(cut)
    ]
    assert [p.first_line for p in numbered] == [1 + data[: p.start].count(b"\n") for p in cut]
    # worker k counted part k-1's lines; nobody needs the last part's
    assert lines == [data[p.start : p.end].count(b"\n") for p in cut[:-1]] + [-1]
    assert cut[0].format.name == "openai-chat"


def test_a_small_compressed_csv_or_array_log_is_not_cut(
    tmp_path: Path, small_parts: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gzip

    log = write_log(tmp_path / "log.jsonl", 300, usage=True)
    (tmp_path / "log.jsonl.gz").write_bytes(gzip.compress(log.read_bytes()))
    array = tmp_path / "log.json"
    array.write_text(json.dumps([chat(i, True) for i in range(300)], indent=1))
    assert parallel.parts(tmp_path / "log.jsonl.gz", 4) == []
    assert parallel.parts(array, 4) == []
    assert parallel.parts(log, 1) == []  # one worker
    monkeypatch.setattr(parallel, "MIN_PART_BYTES", log.stat().st_size)  # too small to share
    assert parallel.parts(log, 4) == []


def test_without_usage_parts_measure_exactly_what_one_process_does(
    real_cl100k: str, tmp_path: Path, small_parts: None
) -> None:
    # a malformed line, a failed request, a time outside the plausible range and a duplicate
    # id within one part, placed in the first and the last part
    bad = {
        5: "{not json",
        280: json.dumps({**chat(280, False), "status_code": 429}),
        290: json.dumps({**chat(290, False), "created": 4e9}),
        298: json.dumps(chat(297, False)),  # chatcmpl-297 again, next to the first
    }
    path = write_log(tmp_path / "log.jsonl", 300, usage=False, bad=bad)
    one, many = measure(path, 1), measure(path, 3)
    assert len(parallel.parts(path, 3)) == 3
    same(one, many)
    b = many.counts
    # 300 lines: 1 malformed, 1 failed, 1 duplicate, 24 of another model (gpt-4o where
    # i % 13 == 0: i = 0, 13, …, 299, none of them a bad line) and the other 273 used
    assert b.buckets["malformed"] == 1 and b.buckets["failed"] == 1
    assert b.buckets["duplicate"] == 1 and b.buckets["other_model"] == 24
    assert b.buckets["used"] == 300 - 1 - 1 - 1 - 24
    assert b.first["malformed"].startswith(f"{path}:6: ")  # line numbers are the file's
    assert b.first["duplicate"] == f"{path}:299: id chatcmpl-297 again"
    assert b.outliers == 1 and b.first_outlier is not None
    assert b.first_outlier.startswith(f"{path}:291: ")


def test_with_usage_totals_are_exact_and_the_sample_is_said(
    real_cl100k: str, tmp_path: Path, small_parts: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from costcalc.io.logs import runstate

    monkeypatch.setattr(runstate, "SAMPLE_FIRST", 30)
    monkeypatch.setattr(runstate, "SAMPLE_LATER", 10)
    path = write_log(tmp_path / "log.jsonl", 600, usage=True)
    one, many = measure(path, 1), measure(path, 2)
    same(one, many, sampled=True)
    # prompt tokens: 30 + 9 × turn + i % 11 for the 553 gpt-4o-mini lines, from usage alike
    wanted = [i for i in range(600) if i % 13]
    total = sum(30 + 9 * (i % 3) + i % 11 for i in wanted)
    assert many.stats.metrics["prompt_total"].total == total
    note = next(n for n in many.all_notes if "sample" in n)
    # 2 parts: the first 30 shared, 15 each (at least SAMPLE_LATER, 10)
    assert (
        "the first 30 of each model, shared among the parts a large log is read in (at least "
        "10 each for a model new there), then the requests of 1 in 10 conv" in note
    )


def test_the_first_sample_is_shared_among_the_parts(
    real_cl100k: str, tmp_path: Path, small_parts: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from costcalc.io.logs import runstate

    # no conversation drawn (1 in 10⁹): the sample is the first requests of each model alone
    monkeypatch.setattr(runstate, "SAMPLE_FIRST", 30)
    monkeypatch.setattr(runstate, "SAMPLE_LATER", 10)
    monkeypatch.setattr(runstate, "SAMPLE_EVERY", 10**9)
    path = write_log(tmp_path / "log.jsonl", 600, usage=True)
    assert len(parallel.parts(path, 2)) == 2 and len(parallel.parts(path, 4)) == 4

    def sample(workers: int) -> str:
        note = next(n for n in measure(path, workers).all_notes if "sample" in n)
        return note.split(" requests with usage")[0].split("a sample of ")[1]

    # 553 gpt-4o-mini requests (i % 13 != 0 of 600); one process tokenises the first 30, two
    # parts 15 each, four parts 10 each (30 / 4 = 7, less than SAMPLE_LATER)
    assert sample(1) == "30 of 553"
    assert sample(2) == "30 of 553"
    assert sample(4) == "40 of 553"
    # a second log read in parts after it: the model's first 30 are tokenised already, so its
    # parts tokenise none first (they used to take 15 more); 2 × 553 requests in all
    again = write_log(tmp_path / "again.jsonl", 600, usage=True)
    both = measure_logs([path, again], "gpt-4o-mini", False, 0.0, now_s=NOW, workers=2)
    note = next(n for n in both.all_notes if "sample" in n)
    assert "a sample of 30 of 1,106 requests" in note


def test_an_id_in_two_parts_reads_the_file_again_in_one_process(
    real_cl100k: str, tmp_path: Path, small_parts: None
) -> None:
    path = write_log(tmp_path / "log.jsonl", 300, usage=True,
                     bad={299: json.dumps(chat(1, True))})  # fmt: skip
    one, many = measure(path, 1), measure(path, 2)
    assert many.counts.buckets["duplicate"] == 1 == one.counts.buckets["duplicate"]
    assert f"{path} was read in one process: ids repeat far apart" in many.all_notes
    same(one, many)


def test_split_by_model_merges_each_model(
    real_cl100k: str, tmp_path: Path, small_parts: None
) -> None:
    path = write_log(tmp_path / "log.jsonl", 300, usage=False)
    one = measure_logs([path], None, False, 0.0, now_s=NOW, split_by_model=True, workers=1)
    many = measure_logs([path], None, False, 0.0, now_s=NOW, split_by_model=True, workers=3)
    assert one.per_model is not None and many.per_model is not None
    assert sorted(one.per_model) == sorted(many.per_model) == ["gpt-4o", "gpt-4o-mini"]
    for model, stats in one.per_model.items():
        other = many.per_model[model]
        assert (stats.attempts, stats.minutes) == (other.attempts, other.minutes)
        assert stats.metrics["user"].samples == other.metrics["user"].samples
    assert many.per_model["gpt-4o"].attempts == 24  # i % 13 == 0 for i < 300


def _dies(k: int, part: Part, progress: Any) -> parallel.PartResult:
    os._exit(3)


def _fails(k: int, part: Part, progress: Any) -> parallel.PartResult:
    raise InputFileError(f"log.jsonl:{part.first_line}", "a disk error", "request")


def _buggy(k: int, part: Part, progress: Any) -> parallel.PartResult:
    raise ValueError("a bug")


def test_a_worker_that_dies_gives_no_result_and_an_error_comes_back_whole(
    tmp_path: Path, small_parts: None
) -> None:
    path = write_log(tmp_path / "log.jsonl", 300, usage=True)
    cut = parallel.parts(path, 2)
    assert parallel.run_parts(cut, _dies, None) is None
    # a bug is not the user's error: no result, so the file is read again in one process,
    # where the bug shows its own traceback
    assert parallel.run_parts(cut, _buggy, None) is None
    with pytest.raises(InputFileError) as caught:
        parallel.run_parts(cut, _fails, None)
    # the earliest part's error, rebuilt with its parts
    assert (caught.value.path, caught.value.field) == ("log.jsonl:1", "request")
    assert str(caught.value) == "log.jsonl:1: field `request`: a disk error"


def test_workers_default_to_the_cores_and_can_be_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COSTCALC_WORKERS", "3")
    assert parallel.workers_wanted(None) == 3
    assert parallel.workers_wanted(1) == 1
    monkeypatch.delenv("COSTCALC_WORKERS")
    assert parallel.workers_wanted(None) == len(os.sched_getaffinity(0))


def test_the_cli_writes_the_same_profile_on_one_core_or_three(
    real_cl100k: str, tmp_path: Path, small_parts: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from costcalc.cli import app

    monkeypatch.setenv("COSTCALC_TODAY", "2026-11-25")
    log = write_log(tmp_path / "log.jsonl", 300, usage=False, bad={7: "[1, 2"})
    written = {}
    for workers in ("1", "3"):
        out = tmp_path / f"w{workers}.yaml"
        done = CliRunner().invoke(app, ["profile", "from-logs", str(log), "--model",
                                        "gpt-4o-mini", "--name", "m", "--workers", workers,
                                        "-o", str(out)])  # fmt: skip
        assert done.exit_code == 0, done.output
        written[workers] = out.read_text()
    assert written["1"] == written["3"]
    # the bucket's first line is the file's line 8 (the profile's comments wrap long lines)
    flat = " ".join(line.lstrip("# ") for line in written["3"].splitlines())
    assert "log.jsonl:8: not JSON" in flat and "malformed 1 first: " in " ".join(flat.split())
    bad = CliRunner().invoke(app, ["profile", "from-logs", str(log), "--workers", "0",
                                   "-o", str(tmp_path / "x.yaml")])  # fmt: skip
    assert bad.exit_code == 2 and "--workers" in bad.output


def _interrupted(k: int, part: Part, progress: Any) -> parallel.PartResult:
    import signal

    os.kill(os.getpid(), signal.SIGINT)  # as Ctrl-C sends it to every process of the terminal
    return parallel.PartResult(Measured(), {}, 0, set(), {}, np.array([k], dtype=np.int64))


def test_workers_leave_ctrl_c_to_the_parent(tmp_path: Path, small_parts: None) -> None:
    # the parent stops the workers when it is interrupted; a worker never dies of it itself
    path = write_log(tmp_path / "log.jsonl", 300, usage=True)
    results = parallel.run_parts(parallel.parts(path, 2), _interrupted, None)
    assert results is not None and [int(r.keys[0]) for r in results] == [0, 1]


def test_a_line_longer_than_a_part_stays_whole(
    real_cl100k: str, tmp_path: Path, small_parts: None
) -> None:
    # line 151 holds 40 kB of question: the cuts at a quarter, a half and three quarters of the
    # file may all fall in it; each part still starts a line, none is empty, and none splits it
    long_line = chat(150, False)
    long_line["request"]["messages"][-1]["content"] = "why " * 10_000
    path = write_log(tmp_path / "log.jsonl", 200, usage=False, bad={150: json.dumps(long_line)})
    data = path.read_bytes()
    cut = parallel.parts(path, 8)
    assert 2 <= len(cut) <= 8
    assert all(data[p.start - 1 : p.start] == b"\n" for p in cut[1:])
    assert all(p.start < p.end for p in cut)
    same(measure(path, 1), measure(path, 8))


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "logs"
ID_KEYS = {"id", "custom_id", "request_id", "response_id", "trace_id", "generation_id"}


def _renamed(value: Any, copy: int) -> Any:
    """The record with every id made unique to this copy (request_id → request_id-c7)."""
    if isinstance(value, dict):
        return {
            key: f"{item}-c{copy}" if key in ID_KEYS and isinstance(item, str)
            else _renamed(item, copy)
            for key, item in value.items()
        }  # fmt: skip
    return [_renamed(item, copy) for item in value] if isinstance(value, list) else value


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.jsonl")))
def test_every_jsonl_format_measures_alike_in_parts(
    name: str, real_cl100k: str, tmp_path: Path, small_parts: None
) -> None:
    # the format's sample (tests/fixtures/logs) copied 40 times with its ids made unique
    lines = [json.loads(line) for line in (FIXTURES / name).read_text().splitlines() if line]
    path = tmp_path / name
    path.write_text("".join(json.dumps(_renamed(r, k)) + "\n" for k in range(40) for r in lines))
    assert len(parallel.parts(path, 3)) >= 2
    one = measure_logs([path], None, False, 0.0, now_s=NOW, workers=1)
    many = measure_logs([path], None, False, 0.0, now_s=NOW, workers=3)
    assert not any("read in one process" in note for note in many.all_notes)
    same(one, many)


def test_a_first_line_too_deep_to_read_is_malformed_in_parts_too(
    real_cl100k: str, tmp_path: Path, small_parts: None
) -> None:
    deep = '{"a": ' * 5000 + "1" + "}" * 5000
    path = write_log(tmp_path / "log.jsonl", 300, usage=False, bad={0: deep})
    assert len(parallel.parts(path, 2)) == 2  # the format is told by the next line
    one, many = measure(path, 1), measure(path, 2)
    same(one, many)
    assert many.counts.first["malformed"] == f"{path}:1: nested too deeply"


def test_notes_over_the_limit_are_counted_once(tmp_path: Path, small_parts: None) -> None:
    # 30 models no OpenAI tokenizer counts, each with its note, and (offline) the note that
    # o200k_base, standing in, cannot be loaded: 31, of which 20 are kept and 11 left off,
    # whether one process or three read them
    rows = [chat(i, False) for i in range(300)]
    for i, row in enumerate(rows):
        row["request"]["model"] = f"llama-{i % 30}"
    path = tmp_path / "log.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    one = measure_logs([path], None, False, 0.0, now_s=NOW, workers=1)
    many = measure_logs([path], None, False, 0.0, now_s=NOW, workers=3)
    offline = sum("could not load" in note for note in one.said)  # 1 here, 0 with o200k cached
    left_off = 30 + offline - 20
    assert one.all_notes[-1] == many.all_notes[-1] == f"… and {left_off} more notes like these"
    same(one, many)
