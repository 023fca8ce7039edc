"""Edges of the model and of the command line that once ended in a traceback or were taken
silently: each now has a defined result or a refusal naming the file or flag (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from costcalc.cli import app
from tests.conftest import ROOT

RAG = ROOT / "profiles" / "rag-support-chatbot.yaml"
runner = CliRunner()


def edited(tmp_path: Path, old: str, new: str, base: Path = RAG) -> str:
    text = base.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "p.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return str(path)


def test_yes_is_not_a_number_of_requests(tmp_path: Path) -> None:
    for word in ("yes", "true", "on"):
        done = runner.invoke(app, ["compare", edited(tmp_path, "40000 ", f"{word} ")])
        assert done.exit_code == 2, done.output
        assert "traffic.requests_per_day" in done.stderr and "valid number" in done.stderr
        # line 9 of the RAG profile is `  requests_per_day: 40000 …`: the key at column 3
        assert "p.yaml:9:3: field `traffic.requests_per_day`" in done.stderr


def test_each_of_several_problems_says_its_line(tmp_path: Path) -> None:
    path = tmp_path / "multi.yaml"
    path.write_text(
        "schema_version: 1\nname: x\ntraffic: {requests_per_day: 10, bogus: 1}\n"
        "request:\n  user_tokens: -4\n",
        encoding="utf-8",
    )
    done = runner.invoke(app, ["compare", str(path)])
    assert done.exit_code == 2
    assert "2 problems" in done.stderr
    assert "`traffic.bogus` (line 3): unknown key" in done.stderr
    assert "`request.user_tokens` (line 5): input should be greater than or equal to 0" in (
        done.stderr
    )


def test_numbers_take_the_suffixes_the_flags_take(tmp_path: Path) -> None:
    # 40k is 40,000, as `--requests-per-day 40k` would be; a name ending in k stays a name
    plain = runner.invoke(app, ["compare", str(RAG), "-f", "json"])
    text = RAG.read_text(encoding="utf-8").replace("40000 ", "40k ")
    text = text.replace("name: rag-support-chatbot", "name: 200k")
    path = tmp_path / "k.yaml"
    path.write_text(text, encoding="utf-8")
    suffixed = runner.invoke(app, ["compare", str(path), "-f", "json"])
    assert suffixed.exit_code == 0, suffixed.output
    assert json.loads(suffixed.stdout)["volume"] == json.loads(plain.stdout)["volume"]
    assert json.loads(suffixed.stdout)["profile"] == "200k"
    done = runner.invoke(app, ["compare", edited(tmp_path, "40000 ", "40q ")])
    assert done.exit_code == 2 and "valid number" in done.stderr


def test_yes_still_switches_a_yes_no_field_on(tmp_path: Path) -> None:
    profile = {
        "name": "t",
        "traffic": {"requests_per_day": 1000},
        "compare": {
            "hosted": ["openai/gpt-4o-mini"],
            "self_hosted": [
                {
                    "model": "llama-3.1-8b-instruct",
                    "compute": "runpod/a40",
                    "autoscale_hourly": "yes",
                }
            ],
        },
    }
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(profile).replace("'yes'", "yes"), encoding="utf-8")
    done = runner.invoke(app, ["compare", str(path), "-f", "json"])
    assert done.exit_code == 0, done.output


def test_min_replicas_above_max_replicas_is_refused(tmp_path: Path) -> None:
    profile = {
        "name": "t",
        "traffic": {"requests_per_day": 1000},
        "compare": {
            "self_hosted": [
                {
                    "model": "llama-3.1-8b-instruct",
                    "compute": "runpod/a40",
                    "min_replicas": 50,
                    "max_replicas": 2,
                }
            ]
        },
    }
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(profile), encoding="utf-8")
    done = runner.invoke(app, ["compare", str(path)])
    assert done.exit_code == 2
    assert "compare.self_hosted[0]" in done.stderr and "min_replicas (50)" in done.stderr


def test_a_compare_section_where_nothing_can_run_is_an_error(tmp_path: Path) -> None:
    profile = {
        "name": "t",
        "traffic": {"requests_per_day": 1000},
        "slo": {"ttft_ms": 1, "tpot_ms": 1},
        "compare": {"self_hosted": [{"model": "llama-3.1-8b-instruct", "compute": "runpod/a40"}]},
    }
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(profile), encoding="utf-8")
    done = runner.invoke(app, ["compare", str(path)])
    assert done.exit_code == 2
    assert "nothing to compare" in done.stderr and "cannot meet the SLO" in done.stderr
    # with a hosted offer beside it, the report is hosted-only and says so
    profile["compare"]["hosted"] = ["openai/gpt-4o-mini"]  # type: ignore[index]
    path.write_text(yaml.safe_dump(profile), encoding="utf-8")
    done = runner.invoke(app, ["compare", str(path), "-f", "json"])
    assert done.exit_code == 0
    assert any("prices hosted offers only" in w for w in json.loads(done.stdout)["warnings"])


def test_a_volume_below_a_request_in_three_years_is_refused(tmp_path: Path) -> None:
    done = runner.invoke(app, ["compare", edited(tmp_path, "40000 ", "5e-11 ")])
    assert done.exit_code == 2 and "greater than or equal to 0.001" in done.stderr
    done = runner.invoke(app, ["compare", str(RAG), "--requests-per-day", "0.0001"])
    assert done.exit_code == 2 and "below the 0.001 a day" in done.stderr
    # 0.064 a day is priced, and shown as such rather than "0 requests/day"
    done = runner.invoke(app, ["compare", str(RAG), "--requests-per-day", "0.064"])
    assert done.exit_code == 0 and "0.064 requests/day" in done.stdout


def test_a_free_hosted_offer_is_charted_by_the_gap(tmp_path: Path) -> None:
    catalog = tmp_path / "cat"
    catalog.mkdir()
    (catalog / "hosted.yaml").write_text(yaml.safe_dump({"schema_version": 1, "offers": [{
        "id": "free/model", "provider": "Free", "model": "free", "model_class": "small",
        "usd_per_mtok_input": 0, "usd_per_mtok_output": 0, "as_of": "2026-11-01",
        "source": "https://example.test"}]}), encoding="utf-8")  # fmt: skip
    profile = tmp_path / "p.yaml"
    profile.write_text(yaml.safe_dump({
        "name": "t", "traffic": {"requests_per_day": 10000},
        "compare": {"hosted": ["free/model"], "self_hosted": [
            {"model": "llama-3.1-8b-instruct", "compute": "runpod-serverless/48gb"}]},
    }), encoding="utf-8")  # fmt: skip
    args = [str(profile), "--catalog", str(catalog)]
    done = runner.invoke(app, ["sensitivity", *args])
    assert done.exit_code == 0, done.output
    assert "self-hosted − hosted cost" in done.stdout
    done = runner.invoke(app, ["report", *args, "-o", str(tmp_path / "r.html")])
    assert done.exit_code == 0, done.output


def test_budget_flags_out_of_range_name_the_flag() -> None:
    for value, why in (("2e9", "less than or equal to 1000000000"), ("inf", "finite")):
        done = runner.invoke(app, ["check", str(RAG), "--max-monthly-usd", value])
        assert done.exit_code == 2, done.output
        assert "--max-monthly-usd" in done.stderr and why in done.stderr


def test_an_output_that_cannot_be_written_is_refused_before_any_work(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("keep", encoding="utf-8")
    for args in (
        ["check", str(RAG), "-o", str(blocker / "x.txt")],
        ["check", str(RAG), "-o", str(tmp_path)],
        ["compare", str(RAG), "--plot", str(blocker / "x.png")],
        ["report", str(RAG), "-o", str(blocker / "r.html")],
    ):
        done = runner.invoke(app, args)
        assert done.exit_code == 2, (args, done.output)
        assert "cannot write it" in done.stderr and "Traceback" not in done.output
    assert blocker.read_text(encoding="utf-8") == "keep"


def test_a_step_summary_that_is_a_folder_is_named(tmp_path: Path) -> None:
    done = runner.invoke(
        app, ["check", str(RAG), "-f", "github"], env={"GITHUB_STEP_SUMMARY": str(tmp_path)}
    )
    assert done.exit_code == 2
    assert f"{tmp_path}: cannot append to it: it is a folder" in done.stderr


def test_a_profile_that_cannot_be_checked_is_named_on_stderr_beside_the_junit_file(
    tmp_path: Path,
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("nope: [\n", encoding="utf-8")
    out = tmp_path / "x.xml"
    done = runner.invoke(app, ["check", str(bad), "-f", "junit", "-o", str(out)])
    assert done.exit_code == 2
    assert "bad.yaml:2:1: YAML syntax error" in done.stderr
    assert "<error" in out.read_text(encoding="utf-8")  # the CI server sees it too


def test_a_dangling_catalog_reference_names_its_file_and_record(tmp_path: Path) -> None:
    catalog = tmp_path / "cat"
    catalog.mkdir()
    (catalog / "compute.yaml").write_text(yaml.safe_dump({"schema_version": 1, "offers": [{
        "id": "acme/box", "provider": "Acme", "gpu": "h100-nope", "billing": "hourly",
        "usd_per_hour": 2, "as_of": "2026-11-01", "source": "https://example.test"}]}),
        encoding="utf-8")  # fmt: skip
    done = runner.invoke(app, ["compare", str(RAG), "--catalog", str(catalog)])
    assert done.exit_code == 2
    assert "compute.yaml: offers[0]: field `gpu`: unknown GPU `h100-nope`" in done.stderr


def test_ids_match_whatever_their_case_and_typos_get_the_nearest_id(tmp_path: Path) -> None:
    from costcalc.errors import closest

    base = ROOT / "tests" / "corpus" / "base" / "small.yaml"
    upper = edited(tmp_path, "runpod-serverless/48gb", "RunPod-Serverless/48GB", base)
    done = runner.invoke(app, ["compare", upper, "-f", "json"])
    assert done.exit_code == 0, done.output
    # an id that extends what was typed comes first, the same provider's before others'
    compute = ["runpod/h200", "runpod/h100-sxm", "modal/h100", "runpod/l40s", "runpod/a40"]
    assert closest("runpod/h100", compute) == ["runpod/h100-sxm", "modal/h100", "runpod/h200"]
    assert closest("runpod/L4", compute)[0] == "runpod/l40s"
    assert closest("openai/gpt5-mini", ["openai/gpt-4o-mini", "openai/gpt-5-mini"])[0] == (
        "openai/gpt-5-mini"
    )
    assert closest("replica_count", ["replicas_peak", "monthly_usd"]) == ["replicas_peak"]


def test_a_range_in_requests_is_searched_in_billed_tokens() -> None:
    # RAG: 226.3M billed tokens/day over 40,000 requests/day = 5,658 a request, so 10k:1Mreq
    # searches 56.6M to 5.66B billed tokens/day
    done = runner.invoke(app, ["compare", str(RAG), "-f", "json", "--range", "10k:1Mreq"])
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    per_request = report["volume"]["billed_tokens_per_day"] / report["volume"]["requests_per_day"]
    low, high = report["range"]["tokens_per_day"]
    assert low == pytest.approx(10_000 * per_request, rel=1e-3)
    assert high == pytest.approx(1_000_000 * per_request, rel=1e-3)
    assert low == pytest.approx(56.58e6, rel=1e-3)
    tokens = runner.invoke(app, ["compare", str(RAG), "-f", "json", "--range", "1M:1Btok"])
    assert json.loads(tokens.stdout)["range"]["tokens_per_day"] == [1e6, 1e9]
    for bad in ("10k:1Mreqs", "1Mreq", "0:1Mreq"):
        done = runner.invoke(app, ["compare", str(RAG), "--range", bad])
        assert done.exit_code == 2, (bad, done.output)


def test_an_output_that_is_a_link_writes_the_file_it_names(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    done = runner.invoke(app, ["check", str(RAG), "-o", str(link)])
    assert done.exit_code == 0, done.output
    assert link.is_symlink() and "rag-support-chatbot" in real.read_text(encoding="utf-8")


def test_the_same_option_twice_in_compare_is_refused(tmp_path: Path) -> None:
    twice = {"model": "llama-3.1-8b-instruct", "compute": "runpod-serverless/48gb"}
    for section, why in (
        (
            {"hosted": ["openai/gpt-4o-mini", "OpenAI/gpt-4o-mini"]},
            "lists openai/gpt-4o-mini twice",
        ),
        ({"self_hosted": [twice, {**twice, "min_replicas": 2}]}, "items 0 and 1 are both"),
    ):
        path = tmp_path / "p.yaml"
        path.write_text(
            yaml.safe_dump(
                {"name": "t", "traffic": {"requests_per_day": 1000}, "compare": section}
            ),
            encoding="utf-8",
        )
        done = runner.invoke(app, ["compare", str(path), "-f", "json"])
        assert done.exit_code == 2, done.output
        assert "field `compare`" in done.stderr and why in done.stderr


def test_a_failed_run_in_a_sweep_is_skipped_though_its_latencies_are_zero(tmp_path: Path) -> None:
    import re

    good = json.loads(
        (
            ROOT / "tests/fixtures/real-bench/vllm_serving_llama31_8b_H100x2replicas_llmd_exp7.json"
        ).read_text(encoding="utf-8")
    )
    failed = {**good, "completed": 0, "request_throughput": 0}
    stat = re.compile(r"^(mean|median|std|p[0-9.]+)_(ttft|tpot|itl|e2el)_ms$")
    failed.update({key: 0 for key in good if stat.match(key)})
    sweep = tmp_path / "sweep.jsonl"
    sweep.write_text(json.dumps(good) + "\n" + json.dumps(failed) + "\n", encoding="utf-8")
    out = tmp_path / "t.yaml"
    flags = ["--model", "llama-3.1-8b-instruct", "--gpu", "h100-sxm", "--gpus-per-replica", "1"]
    done = runner.invoke(app, ["bench", "import", str(sweep), *flags, "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert "(line 2): the run completed no requests" in done.stderr
    assert len(yaml.safe_load(out.read_text(encoding="utf-8"))["points"]) == 1


def test_a_timestamp_in_an_unknown_format_falls_back_to_the_response_time(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    log.write_text("".join(json.dumps({
        "timestamp": f"Mon, 30 Nov 2026 10:0{n}:00 GMT",
        "request": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"hi {n}"}]},
        "response": {"created": 1764496800 + 3600 * n,
                     "usage": {"prompt_tokens": 10, "completion_tokens": 5}},
    }) + "\n" for n in range(3)), encoding="utf-8")  # fmt: skip
    for strict in ([], ["--strict"]):
        out = tmp_path / "p.yaml"
        done = runner.invoke(app, ["profile", "from-logs", str(log), *strict, "-o", str(out)])
        assert done.exit_code == 0, done.output
        # the span from the response times: 3 requests over 2 hours = 36 a day
        assert "3 requests, 36 per day" in done.output


def test_an_unknown_id_names_its_line_and_column(tmp_path: Path) -> None:
    rag = (ROOT / "profiles" / "rag-support-chatbot.yaml").read_text(encoding="utf-8")
    assert "compute: runpod-serverless/48gb" in rag
    bad = tmp_path / "dym.yaml"
    bad.write_text(rag.replace("runpod-serverless/48gb", "runpod/l40", 1), encoding="utf-8")
    line_no = next(
        n for n, line in enumerate(bad.read_text(encoding="utf-8").splitlines(), 1)
        if "runpod/l40" in line
    )  # fmt: skip
    column = bad.read_text(encoding="utf-8").splitlines()[line_no - 1].index("compute") + 1
    result = CliRunner().invoke(app, ["compare", str(bad)])
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"error: {bad}:{line_no}:{column}: field `compare.self_hosted[0].compute`: unknown "
        "compute offer `runpod/l40`. Did you mean runpod/l40s"
    )
