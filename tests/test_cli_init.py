"""`costcalc init`: a commented starting profile that loads and compares, for every use case."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from costcalc.cli import app
from costcalc.io.profiles import load_profile
from costcalc.render.profile_template import TEMPLATES, UseCase, render_template

runner = CliRunner()
# the module, not the `init` command that costcalc.cli exports under the same name
init_module = importlib.import_module("costcalc.cli.init")


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A person at a terminal: CliRunner's stdin is never a TTY, so init is told it is."""
    monkeypatch.setattr(init_module, "stdin_is_terminal", lambda: True)


@pytest.mark.parametrize("use_case", list(UseCase))
def test_each_use_case_writes_a_profile_that_loads_and_compares(
    use_case: UseCase, tmp_path: Path
) -> None:
    path = tmp_path / f"{use_case}.yaml"
    code, out, err = run("init", str(path), "--use-case", use_case, "--requests-per-day", "30k")
    assert code == 0, err
    assert out == ""  # the profile goes to the file, the messages to stderr
    profile = load_profile(path).profile
    assert profile.requests_per_day == 30_000 and profile.name == use_case
    assert f"costcalc compare {path}" in err

    code, out, err = run("compare", str(path), "--width", "100")
    assert code == 0, err
    assert "30,000 requests/day" in out
    assert "Traceback" not in err


@pytest.mark.parametrize("use_case", list(UseCase))
def test_every_field_says_what_it_means(use_case: UseCase, tmp_path: Path) -> None:
    """Each `key: value` line carries a comment, beside it or on the line above; the file says
    what to run next."""
    path = tmp_path / "p.yaml"
    assert run("init", str(path), "--use-case", use_case)[0] == 0
    lines = path.read_text(encoding="utf-8").splitlines()
    assert all(len(line) <= 100 for line in lines)
    previous = ""
    for line in lines:
        if re.match(r"^\s*[a-z_]+: \S", line):
            assert " # " in line or previous.lstrip().startswith("#"), line
        previous = line
    text = "\n".join(lines)
    assert f"costcalc compare {path}" in text and "costcalc catalog list" in text


def test_defaults_differ_by_use_case_where_the_use_case_matters(tmp_path: Path) -> None:
    profiles = {}
    for use_case in UseCase:
        path = tmp_path / f"{use_case}.yaml"
        assert run("init", str(path), "--use-case", use_case)[0] == 0
        profiles[use_case] = load_profile(path).profile
        assert profiles[use_case].requests_per_day == TEMPLATES[use_case].requests_per_day
    assert profiles[UseCase.rag].request.retrieval.chunks > 0
    assert profiles[UseCase.agent].request.tools.token_count > 0
    assert profiles[UseCase.chatbot].request.conversation.turns > 1
    assert profiles[UseCase.batch].traffic.batch_share == 1.0
    assert profiles[UseCase.batch].traffic.pattern == "flat"
    assert profiles[UseCase.chatbot].traffic.pattern == "consumer-evening"
    assert profiles[UseCase.rag].traffic.pattern == "business-hours"
    tightest = min(profiles.values(), key=lambda p: p.slo.ttft_ms)
    assert tightest is profiles[UseCase.voice] and tightest.slo.ttft_ms <= 500
    # a first profile is compared with the fair default set; its own list is commented out
    assert all(p.compare is None for p in profiles.values())
    voice = render_template(UseCase.voice, 24_000, "v", "v.yaml", None)
    assert "# compare:" in voice and "#       min_replicas: 1" in voice


@pytest.mark.parametrize(("given", "written"), [("250k", 250_000), ("1.2M", 1_200_000)])
def test_suffixed_volume_is_written_as_a_plain_number(
    given: str, written: int, tmp_path: Path
) -> None:
    path = tmp_path / "p.yaml"
    assert run("init", str(path), "--requests-per-day", given)[0] == 0
    assert f"requests_per_day: {written} " in path.read_text(encoding="utf-8")
    assert load_profile(path).profile.requests_per_day == written


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("keep me\n", encoding="utf-8")
    code, _, err = run("init", str(path))
    assert code == 2
    assert "already exists" in err and "--force" in err
    assert path.read_text(encoding="utf-8") == "keep me\n"


def test_force_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("old\n", encoding="utf-8")
    code, _, err = run("init", str(path), "--force", "--use-case", "batch")
    assert code == 0, err
    assert load_profile(path).profile.traffic.batch_share == 1.0


def test_dash_prints_the_profile_to_stdout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run("init", "-", "--use-case", "voice", "--name", "calls")
    assert code == 0, err
    assert list(tmp_path.iterdir()) == []  # nothing written
    assert yaml.safe_load(out)["name"] == "calls"
    copy = tmp_path / "copy.yaml"
    copy.write_text(out, encoding="utf-8")
    assert load_profile(copy).profile.slo.ttft_ms == TEMPLATES[UseCase.voice].values["slo.ttft_ms"]


def test_default_path_and_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run("init")
    assert code == 0, err
    profile = load_profile(tmp_path / "costcalc-profile.yaml").profile
    assert profile.name == "my-chatbot"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--use-case", "podcast"], "--use-case"),
        (["--requests-per-day", "lots"], "is not a number"),
        (["--requests-per-day", "0"], "positive"),
        (["--requests-per-day", "2e10"], "requests a day"),
        (["--name", "  "], "--name"),
        (["--name", "x" * 101], "--name"),
    ],
)
def test_bad_flags_exit_2_and_write_nothing(args: list[str], message: str, tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    code, out, err = run("init", str(path), *args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err + out
    assert not path.exists()


@pytest.mark.parametrize("name", ["yes", "a: b # c", 'say "hi"', "100", "naïve-bot"])
def test_any_printable_name_round_trips(name: str, tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    assert run("init", str(path), "--name", name)[0] == 0
    assert load_profile(path).profile.name == name


def test_script_run_never_prompts_and_says_which_defaults_it_used(tmp_path: Path) -> None:
    path = tmp_path / "support.yaml"
    code, out, err = run("init", str(path), "--use-case", "rag")
    assert code == 0, err
    assert "Use case" not in err + out and "Requests per day" not in err + out
    assert "--requests-per-day 20k" in err and "--name support" in err
    assert "--use-case" not in err.split("used", 1)[1]  # given, so not a default
    assert load_profile(path).profile.name == "support"


@pytest.mark.usefixtures("terminal")
def test_terminal_run_asks_for_what_the_flags_do_not_give(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    code, _, err = run("init", str(path), stdin="rag\n250k\nsupport-bot\n")
    assert code == 0, err
    assert "Use case [chatbot]" in err and "Requests per day (e.g. 250k or 1.2M) [20k]" in err
    profile = load_profile(path).profile
    assert profile.name == "support-bot" and profile.requests_per_day == 250_000
    assert profile.request.retrieval.chunks > 0
    assert "note:" not in err  # asked, so nothing was defaulted silently


@pytest.mark.usefixtures("terminal")
def test_terminal_run_asks_again_after_a_bad_answer(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    code, _, err = run("init", str(path), stdin="podcast\nagent\nlots\n1.2M\n\n")
    assert code == 0, err
    assert "'podcast': choose one of" in err and "is not a number" in err
    profile = load_profile(path).profile
    assert profile.model_class == "large" and profile.requests_per_day == 1_200_000
    assert profile.name == "p"  # the default: the file's name


@pytest.mark.usefixtures("terminal")
def test_terminal_run_does_not_ask_what_the_flags_give(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    args = ("init", str(path), "--use-case", "voice", "--requests-per-day", "5k", "--name", "v")
    code, _, err = run(*args, stdin="")
    assert code == 0, err
    assert "Use case" not in err and "Requests per day" not in err
    assert load_profile(path).profile.requests_per_day == 5000
