"""Bad values in benchmark result files: exit 2 naming file, record and field, never a crash.

Each real file (and a sample of each format the fixtures lack) is mutated one value at a time,
by hand and by hypothesis, and run through `costcalc bench import` as a user would.
"""

from __future__ import annotations

import copy
import json
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer.testing
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import costcalc.io.catalog
from costcalc.cli import app
from costcalc.core.selfhosted.benchrun import Run, problems
from costcalc.errors import InputFileError
from costcalc.io import bench
from costcalc.io.bench.common import OfflineShape
from tests.conftest import ROOT
from tests.io import bench_samples as samples

REAL = ROOT / "tests" / "fixtures" / "real-bench"
runner = CliRunner()
Where = tuple[str | int, ...]  # a value's place in a JSON document
MISSING = object()  # the mutation that deletes a key
GPUS = ("--gpus-per-replica", "1")  # for files that do not record their hardware
OFFLINE = ("--input-len", "500", "--output-len", "100", "--batch-size", "8", *GPUS)


@pytest.fixture(scope="module", autouse=True)
def fast_cli() -> Iterator[None]:
    """The built-in catalog read and the command line built once, not on every invocation:
    about 20 ms a run instead of 300, so hundreds of mutated files fit in a few seconds."""
    catalog, load = costcalc.io.catalog.load_catalog(), costcalc.io.catalog.load_catalog
    command = typer.testing._get_command(app)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            costcalc.io.catalog,
            "load_catalog",
            lambda extra=(), *args, **kw: catalog if not extra else load(extra, *args, **kw),
        )
        patch.setattr(typer.testing, "_get_command", lambda _app: command)
        yield


@dataclass(frozen=True)
class Case:
    name: str
    doc: Any
    flags: tuple[str, ...]
    fields: tuple[Where, ...]  # values costcalc reads
    file: str = ""  # the real file `doc` was read from


def real(name: str, file: str, flags: tuple[str, ...], fields: tuple[Where, ...]) -> Case:
    return Case(name, json.loads((REAL / file).read_text(encoding="utf-8")), flags, fields, file)


SERVE_ARRAYS = samples.vllm_serve(
    completed=4, ttfts=[0.1, 0.2, 0.3, 0.4], itls=[[0.01] * 10 for _ in range(4)],
    output_lens=[11] * 4, errors=[""] * 4, tp="1", replicas="1",
)  # fmt: skip
GUIDELLM = ("benchmarks", 0, "metrics")
CASES = [
    real("vllm-serve", "vllm_serving_llama31_8b_H100x2replicas_llmd_exp7.json", GPUS, (
        ("completed",), ("request_throughput",), ("total_input_tokens",),
        ("total_output_tokens",), ("request_rate",), ("num_prompts",), ("median_ttft_ms",),
        ("p99_tpot_ms",), ("mean_ttft_ms",))),
    Case("vllm-serve-arrays", SERVE_ARRAYS, (), (
        ("ttfts",), ("ttfts", 1), ("itls", 2), ("itls", 2, 0), ("output_lens", 3), ("errors",),
        ("max_concurrency",), ("tp",), ("replicas",))),
    real("vllm-nightly", "vllm_nightly_summary_llama33_70b_tp8_ND96asr_v4.json", (), (
        (0, "Tput (req/s)"), (1, "# of req."), (2, "Output Tput (tok/s)"),
        (3, "Total Tput (tok/s)"), (0, "Median TTFT (ms)"), (1, "P99 TPOT (ms)"),
        (2, "Mean TPOT (ms)"))),
    real("llmperf", "llmperf_summary_llama2_70b_anyscale_conc5.json", GPUS, (
        ("results_num_completed_requests_per_min",), ("results_number_input_tokens_mean",),
        ("results_number_output_tokens_mean",), ("results_ttft_s_quantiles_p50",),
        ("results_end_to_end_latency_s_quantiles_p99",), ("num_concurrent_requests",),
        ("results_num_completed_requests",), ("timestamp",))),
    real("guidellm", "guidellm_v0.3_benchmarks_stripped.json", GPUS, (
        (*GUIDELLM, "requests_per_second", "successful", "mean"),
        (*GUIDELLM, "prompt_token_count", "successful", "mean"),
        (*GUIDELLM, "output_token_count", "successful", "max"),
        (*GUIDELLM, "time_to_first_token_ms", "successful", "median"),
        (*GUIDELLM, "inter_token_latency_ms", "successful", "percentiles"),
        (*GUIDELLM, "request_latency", "successful", "count"),
        ("benchmarks", 0, "start_time"), ("benchmarks", 0, "args", "strategy"),
        ("benchmarks", 0, "worker"))),
    Case("guidellm-0.7", samples.guidellm_v07(), (), (
        ("benchmarks", 1, "config", "strategy", "streams"), ("benchmarks", 1, "config", "backend"),
        ("config", "labels", "tp"), ("config",))),
    real("aiperf", "aiperf_profile_export_qwen3_0.6b_rtx6000ada_conc1.json", GPUS, (
        ("request_throughput", "avg"), ("request_count", "avg"), ("time_to_first_token", "p99"),
        ("time_to_first_token", "unit"), ("inter_token_latency", "p50"),
        ("output_sequence_length", "max"), ("request_latency", "avg"),
        ("input_config", "loadgen", "concurrency"), ("input_config", "endpoint", "model_names"),
        ("telemetry_data", "endpoints"), ("telemetry_data", "summary", "start_time"))),
    Case("genai-perf", samples.genai_perf(new_layout=True), GPUS, (
        ("input_config", "perf_analyzer", "stimulus"), ("input_config", "model_names"),
        ("input_sequence_length", "avg"))),
    Case("vllm-throughput", {"elapsed_time": 100.0, "num_requests": 1000,
         "total_num_tokens": 600_000, "requests_per_second": 10.0}, OFFLINE, (
        ("requests_per_second",), ("num_requests",), ("total_num_tokens",))),
    Case("vllm-latency", {"avg_latency": 2.0, "latencies": [2.0], "percentiles": {"50": 2.0}},
         OFFLINE, (("avg_latency",),)),
]  # fmt: skip
LLMD, NIGHTLY, LLMPERF, GUIDE, AIPERF, THROUGHPUT = (CASES[i] for i in (0, 2, 3, 4, 6, 8))
MUTATIONS: dict[str, Any] = {
    "nan": math.nan, "inf": math.inf, "-1": -1, "1e308": 1e308, "text": "lots", "list": [1],
    "null": None, "missing": MISSING,
}  # fmt: skip
# exit 2 that rightly names no field: the key that made the format known is gone, the only run
# was skipped, or the hardware key is gone (metadata keeps text and numbers only)
NO_FIELD = ("not a benchmark result", "no completed runs", "does not say what it ran on")
SKIPPED_OR_GONE = ("null", "missing", "list")


def mutated(doc: Any, path: Where, value: Any) -> Any:
    out = copy.deepcopy(doc)
    holder = out
    for key in path[:-1]:
        holder = holder[key]
    if value is MISSING:
        del holder[path[-1]]
    else:
        holder[path[-1]] = value
    return out


def shown(case: Case, path: Where) -> str:
    """The field as a message names it: a table row's column alone (the row is named by its
    test name), a GuideLLM label by its key (run metadata), else the path `a[0].b.c`."""
    if case.name == "vllm-nightly" or "labels" in path:
        return str(path[-1])
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def error_line(stderr: str) -> str:
    return next((line for line in stderr.splitlines() if line.startswith("error: ")), "")


def import_(folder: Path, case: Case, doc: Any) -> tuple[int, str, Path, bool]:
    """(exit code, stderr, file, whether an output was written) of `bench import` on `doc`."""
    path = folder / f"{case.name}.json"
    path.write_text(json.dumps(doc), encoding="utf-8")  # NaN and Infinity as Python writes them
    out = folder / "out.yaml"
    out.unlink(missing_ok=True)
    args = ["bench", "import", str(path), "--model", "llama-3.1-8b-instruct", "--gpu", "h100-sxm"]
    done = runner.invoke(app, [*args, *case.flags, "-o", str(out)])
    return done.exit_code, done.stderr, path, out.exists()


def test_every_real_file_is_mutated_here() -> None:
    twin = "vllm_serving_llama31_8b_A100x2replicas_llmd_exp7.json"  # the H100 file's twin
    assert {p.name for p in REAL.glob("*.json")} <= {twin, *(c.file for c in CASES)}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_file_imports_unmutated(tmp_path: Path, case: Case) -> None:
    code, stderr, _, written = import_(tmp_path, case, case.doc)
    assert code == 0 and written, stderr


@pytest.mark.parametrize(
    ("case", "path"),
    [(case, path) for case in CASES for path in case.fields],
    ids=[f"{case.name}:{shown(case, path)}" for case in CASES for path in case.fields],
)
def test_one_bad_value_exits_2_naming_file_and_field_or_is_read(
    tmp_path: Path, case: Case, path: Where
) -> None:
    for label, value in MUTATIONS.items():
        code, stderr, file, written = import_(tmp_path, case, mutated(case.doc, path, value))
        assert code in (0, 2), f"{label}: exit {code}\n{stderr}"
        if code == 0:
            continue
        assert not written, f"{label}: an output was written on failure"
        message = error_line(stderr)
        assert str(file) in message, f"{label}: the file is not named: {stderr}"
        if label in SKIPPED_OR_GONE and any(m in message for m in NO_FIELD):
            continue
        assert shown(case, path) in message, f"{label}: the field is not named: {stderr}"


# ---- hypothesis: random values anywhere in the real files --------------------------------

SCALARS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([0, -1, -5, 1e308, -1e308, 10**400, 2**63]),
    st.sampled_from(["lots", "1,234.5", "one", "0", "-3", "inf", "nan", "", "1e999"]),
    st.text(max_size=6),
    st.none(),
    st.booleans(),
)
VALUES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=3),
    st.dictionaries(st.sampled_from(["avg", "mean", "p50", "unit", "x"]), SCALARS, max_size=2),
)
FUZZED = [c for c in CASES if c.file or c.name == "vllm-serve-arrays"]


def paths(doc: Any, at: Where = ()) -> Iterator[Where]:
    """Every place in a document a value sits, containers included."""
    items = (
        doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else ()
    )
    for key, value in items:
        yield (*at, key)
        yield from paths(value, (*at, key))


@pytest.mark.parametrize("case", FUZZED, ids=[c.name for c in FUZZED])
@settings(max_examples=int(os.environ.get("COSTCALC_FUZZ_EXAMPLES", "40")), deadline=None)
@given(data=st.data())
def test_random_values_anywhere_exit_0_or_2(
    tmp_path_factory: pytest.TempPathFactory, case: Case, data: st.DataObject
) -> None:
    everywhere = list(paths(case.doc))
    doc = case.doc
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        # about half of the draws hit a value costcalc reads, the rest anywhere in the file
        where = data.draw(st.one_of(st.sampled_from(case.fields), st.sampled_from(everywhere)))
        try:
            doc = mutated(doc, where, data.draw(st.one_of(VALUES, st.just(MISSING))))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced what held this place
    code, stderr, file, written = import_(tmp_path_factory.mktemp("fuzz"), case, doc)
    assert code in (0, 2), stderr
    if code == 2:
        assert not written and str(file) in error_line(stderr), stderr


# ---- by hand: the fuzzing campaign's cases, read as the user would read them -------------


def test_a_negative_completed_count_is_an_error_not_zero_points(tmp_path: Path) -> None:
    code, stderr, file, written = import_(tmp_path, LLMD, {**LLMD.doc, "completed": -5})
    assert code == 2 and not written  # was: exit 0, "wrote 0 point(s)"
    assert f"{file}: field `completed`: must be at least 0, not -5" in stderr
    # 0 completed is a failed run, which is skipped
    code, stderr, _, _ = import_(tmp_path, LLMD, {**LLMD.doc, "completed": 0})
    assert code == 2 and f"no completed runs in {file}" in stderr


def test_a_negative_nightly_throughput_names_the_row_and_column(tmp_path: Path) -> None:
    rows = copy.deepcopy(NIGHTLY.doc)
    rows[2]["Tput (req/s)"] = -6.3
    code, stderr, file, written = import_(tmp_path, NIGHTLY, rows)
    assert code == 2 and not written  # was: exit 0, the row skipped as "no input/output tokens"
    assert f"{file} [tp8_pp1_qps_16]: field `Tput (req/s)`: must be at least 0, not -6.3" in stderr
    rows[2]["Tput (req/s)"] = 0  # a row that completed nothing is skipped, the others kept
    code, stderr, _, _ = import_(tmp_path, NIGHTLY, rows)
    assert code == 0 and "[tp8_pp1_qps_16]: no completed requests, skipped" in stderr


SERVE_META = Case("vllm-serve", {**LLMD.doc, "tp": "1"}, (), ())  # hardware from metadata


@pytest.mark.parametrize(
    ("case", "path", "value", "message"),
    [
        (SERVE_META, ("total_output_tokens",), "lots", "must be a number, not 'lots'"),
        (SERVE_META, ("request_throughput",), math.inf, "must be a finite number, not inf"),
        (SERVE_META, ("num_prompts",), 1e308, "is out of range: at most 1e+12, not 1e+308"),
        (SERVE_META, ("p99_ttft_ms",), [261.7], "must be a number, not a list"),
        (SERVE_META, ("max_concurrency",), True, "must be a number, not true"),
        (SERVE_META, ("total_input_tokens",), 10**400, "is out of range"),
        (SERVE_META, ("tp",), "one", "must be a whole number of GPUs from 1 to 64, not 'one'"),
        (SERVE_META, ("replicas",), "0", "must be a whole number of replicas from 1 to 10000"),
        (SERVE_META, ("pp",), "inf", "must be a whole number of pipeline stages"),
        (LLMPERF, ("timestamp",), 1e308, "is out of range"),
        (LLMPERF, ("results_end_to_end_latency_s_quantiles_p50",), 0.1,
         "0.1 s is not above `results_ttft_s_quantiles_p50`"),
        (GUIDE, (*GUIDELLM, "request_latency", "successful", "count"), 4.5,
         "must be a whole number, not 4.5"),
        (GUIDE, ("benchmarks", 0, "worker"), "m", "must be an object ({…}), not 'm'"),
        (AIPERF, ("input_config", "endpoint", "model_names"), {}, "must be a list, not an object"),
        (AIPERF, ("time_to_first_token", "unit"), "minutes", "unknown time unit 'minutes'"),
        (AIPERF, ("telemetry_data", "endpoints", "localhost:9400", "gpus"), [1],
         "must be an object ({…}), not a list"),
        (NIGHTLY, (3, "Total Tput (tok/s)"), 10.0, "10 is not above `Output Tput (tok/s)`"),
        # a run that completed requests but records no tokens was skipped: 0 points, exit 0
        (SERVE_META, ("total_input_tokens",), None, "missing, yet the run completed requests"),
        (SERVE_META, ("total_output_tokens",), 0, "is 0, yet the run completed requests"),
        (AIPERF, ("input_sequence_length", "avg"), 0, "is 0, yet the run completed requests"),
        (GUIDE, (*GUIDELLM, "output_token_count", "successful", "mean"), None, "missing, yet"),
        (GUIDE, GUIDELLM, None, "must be an object ({…}), not null"),  # {} is "no successes"
    ],
)  # fmt: skip
def test_messages_name_file_record_field_and_problem(
    tmp_path: Path, case: Case, path: Where, value: Any, message: str
) -> None:
    code, stderr, file, _ = import_(tmp_path, case, mutated(case.doc, path, value))
    record = f" [{case.doc[path[0]]['Test name']}]" if case is NIGHTLY else ""
    assert code == 2, stderr
    assert f"{file}{record}: field `{shown(case, path)}`: {message}" in stderr, stderr


def test_a_file_with_nothing_to_import_leaves_the_old_catalog(tmp_path: Path) -> None:
    path, out = tmp_path / "run.json", tmp_path / "throughput.yaml"
    out.write_text("schema_version: 1\npoints: []\n", encoding="utf-8")
    path.write_text(json.dumps([{**NIGHTLY.doc[0], "Tput (req/s)": 0}]), encoding="utf-8")
    done = runner.invoke(app, ["bench", "import", str(path), "--model", "llama-3.1-8b-instruct",
                               "--gpu", "h100-sxm", "-o", str(out)])  # fmt: skip
    assert done.exit_code == 2 and f"no completed runs in {path}" in done.stderr
    assert "[tp8_pp1_qps_01]: no completed requests, skipped" in done.stderr  # why
    assert out.read_text(encoding="utf-8") == "schema_version: 1\npoints: []\n"


def test_a_table_row_that_is_no_row_is_named_by_its_index(tmp_path: Path) -> None:
    code, stderr, file, _ = import_(tmp_path, NIGHTLY, [*NIGHTLY.doc[:3], 8.4])
    assert code == 2 and f"{file}: field `[3]`: must be an object, not 8.4" in stderr
    code, stderr, file, _ = import_(tmp_path, GUIDE, {"benchmarks": "none"})
    assert code == 2 and f"{file}: field `benchmarks`: must be a list, not 'none'" in stderr


def test_numbers_written_as_text_are_still_read(tmp_path: Path) -> None:
    doc = {**SERVE_META.doc, "total_input_tokens": "1,599,800", "completed": "200", "tp": "1.0"}
    assert import_(tmp_path, SERVE_META, doc)[0] == 0
    rows = copy.deepcopy(NIGHTLY.doc)
    rows[0]["Tput (req/s)"], rows[0]["# of req."] = "0.9745", "200"
    assert import_(tmp_path, NIGHTLY, rows)[0] == 0


def test_offline_totals_that_leave_no_output_name_the_field(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps({**THROUGHPUT.doc, "total_num_tokens": 1234}), encoding="utf-8")
    with pytest.raises(InputFileError, match=r"field `total_num_tokens`: 1.234 tokens per request"):
        bench.read_runs(path, OfflineShape(input_len=500))


def test_json_no_parser_can_hold_is_a_user_error(tmp_path: Path) -> None:
    digits = tmp_path / "digits.json"
    digits.write_text('{"completed": ' + "9" * 5000 + "}", encoding="utf-8")
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    for path in (digits, deep):
        with pytest.raises(InputFileError, match="not valid JSON"):
            bench.read_runs(path, OfflineShape())


def test_predict_refuses_a_bad_file_by_name(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({**LLMD.doc, "median_ttft_ms": "fast"}), encoding="utf-8")
    flags = ["--gpu", "h100-sxm", "--gpus-per-replica", "1", "--replicas", "2"]
    done = runner.invoke(app, ["bench", "predict", str(path), *flags])
    assert done.exit_code == 2
    assert f"{path}: field `median_ttft_ms`: must be a number, not 'fast'" in done.stderr


def test_the_safety_net_names_the_file_for_an_unforeseen_shape(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(doc: Any, source: str) -> list[Run | str]:
        raise ZeroDivisionError("float division by zero")

    formats = [(n, d, bench._plain(broken) if "llmperf" in n else p) for n, d, p in bench.FORMATS]
    monkeypatch.setattr(bench, "FORMATS", formats)
    path = tmp_path / "s.json"
    path.write_text(json.dumps(samples.llmperf()), encoding="utf-8")
    with pytest.raises(InputFileError, match=r"s\.json: cannot be read \(ZeroDivisionError"):
        bench.read_runs(path, OfflineShape())


def test_no_non_finite_value_reaches_the_model() -> None:
    run = Run("t", "t", None, 100.0, 50.0, 2.0, ttft_ms={99: math.inf}, e2e_mean_s=-1.0)
    assert problems(run) == [
        ("e2e_mean_s", "must be at least 0, not -1"),
        ("ttft_ms p99", "must be a finite number, not inf"),
    ]
    zero = Run("t", "t", None, 100.0, 50.0, 0.0)
    assert problems(zero) == [("request_throughput", "must be above 0, not 0")]
