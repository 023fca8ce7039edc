"""costcalc as CI installs it: the GitHub Action, the GitLab template, the pre-commit hook and
the examples that use them.

Three layers. The files validate against the schemas GitHub and GitLab publish (the copies
check-jsonschema vendors, so offline). Every costcalc command line in them parses: each flag
appears in `costcalc SUBCOMMAND --help`, flags gathered into a bash array included (the files
name them `check_args`, `diff_args`: SUBCOMMAND_args). And the shell of the action and of the
template runs here, in a real git repository with a pull request, against a stand-in
`costcalc` that records its calls: the baseline made in a worktree of the base, the comment
posted even when the gate fails, the action failing with the worst exit code.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT

ACTION = ROOT / "action.yml"
GITLAB_TEMPLATE = ROOT / "ci" / "gitlab" / "costcalc.gitlab-ci.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
GITHUB_EXAMPLE = ROOT / "examples" / "github-actions.yml"
GITLAB_EXAMPLE = ROOT / "examples" / "gitlab-ci.yml"
PRE_COMMIT_EXAMPLE = ROOT / "examples" / "pre-commit-config.yaml"

BEHAVIORS = ["update", "new", "delete-and-new", "hide-and-new"]
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
PINNED_TAG = re.compile(r"v\d+(\.\d+){0,2}")  # v6, v0.1.0: a release, never a branch
FULL_SHA = re.compile(r"[0-9a-f]{40}")
GITLAB_JOB_KEYWORDS = {
    "default", "include", "stages", "variables", "workflow", "spec", "image", "services",
    "cache", "before_script", "after_script",
}  # fmt: skip


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def pinned(ref: str) -> bool:
    return bool(PINNED_TAG.fullmatch(ref) or FULL_SHA.fullmatch(ref))


# --- schemas ------------------------------------------------------------------------------


def check_jsonschema(schema: str, *files: Path) -> subprocess.CompletedProcess[str]:
    pytest.importorskip("check_jsonschema")
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("schema", "path"),
    [
        ("vendor.github-actions", ACTION),
        ("vendor.github-workflows", GITHUB_EXAMPLE),
        ("vendor.gitlab-ci", GITLAB_TEMPLATE),
        ("vendor.gitlab-ci", GITLAB_EXAMPLE),
    ],
    ids=lambda x: x.name if isinstance(x, Path) else x,
)
def test_files_validate_against_the_published_schema(schema: str, path: Path) -> None:
    result = check_jsonschema(schema, path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_gitlab_example_with_its_template_included_validates(tmp_path: Path) -> None:
    """GitLab reads the example and the template as one file: that file is valid too."""
    merged = tmp_path / "merged.gitlab-ci.yml"
    merged.write_text(yaml.safe_dump(gitlab_config()), encoding="utf-8")
    result = check_jsonschema("vendor.gitlab-ci", merged)
    assert result.returncode == 0, result.stdout + result.stderr


def test_pre_commit_files_validate_with_pre_commit() -> None:
    """check-jsonschema vendors no pre-commit schema; pre-commit's own validator does it."""
    pytest.importorskip("pre_commit", reason="pre-commit is not installed (not a test extra)")
    for command, path in (("validate-manifest", HOOKS), ("validate-config", PRE_COMMIT_EXAMPLE)):
        result = subprocess.run(
            [sys.executable, "-m", "pre_commit", command, str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr


# --- every costcalc command line parses ---------------------------------------------------


@functools.cache
def costcalc_help(subcommand: str) -> str:
    """`costcalc SUBCOMMAND --help` (`costcalc --help` for ""), as a user's shell runs it."""
    args = [subcommand, "--help"] if subcommand else ["--help"]
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}
    result = subprocess.run(
        [sys.executable, "-m", "costcalc", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, (
        f"`costcalc {' '.join(args)}` failed, so the CI files call a command that does not "
        f"exist:\n{result.stdout}{result.stderr}"
    )
    return result.stdout


def shell_scripts() -> Iterator[tuple[str, str]]:
    """(file: where, script) for every piece of shell in the CI files."""
    for step in load(ACTION)["runs"]["steps"]:
        if "run" in step:
            yield f"action.yml: {step['name']}", step["run"]
    for name, job in load(GITLAB_TEMPLATE).items():
        if isinstance(job, dict):
            for key in ("before_script", "script", "after_script"):
                for line in job.get(key, []):
                    yield f"costcalc.gitlab-ci.yml: {name}.{key}", line
    for hook in load(HOOKS):
        yield (
            f".pre-commit-hooks.yaml: {hook['id']}",
            shlex.join([*shlex.split(hook["entry"]), *hook.get("args", [])]),
        )
    for repo in load(PRE_COMMIT_EXAMPLE)["repos"]:
        for hook in repo["hooks"]:
            yield "pre-commit-config.yaml", shlex.join(["costcalc", "check", *hook.get("args", [])])


@dataclass
class Call:
    where: str
    subcommand: str  # "" for `costcalc --version`
    words: list[str] = field(default_factory=list)


CONTROL = {"||", "&&", ";", "|", "(", ")", "then", "do", "else", "fi", "done", "&"}


def costcalc_calls() -> list[Call]:
    """Each `costcalc ...` in the shell, and each SUBCOMMAND_args+=(...) array of flags."""
    calls = []
    for where, script in shell_scripts():
        for line in script.replace("\\\n", " ").splitlines():
            lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
            lexer.whitespace_split = True
            lexer.commenters = "#"
            try:
                tokens = list(lexer)
            except ValueError:  # a quote spanning lines: not a costcalc call in these files
                continue
            for i, token in enumerate(tokens):
                if token != "costcalc":
                    continue
                words = []
                for word in tokens[i + 1 :]:
                    if word in CONTROL or set(word) <= set("();|&<>"):
                        break
                    words.append(word)
                sub = words[0] if words and not words[0].startswith("-") else ""
                calls.append(Call(where, sub, words[1:] if sub else words))
            for name, body in re.findall(r"\b(\w+)_args\+=\(([^)]*)\)", line):
                calls.append(Call(where, name, shlex.split(body)))
    return calls


def flags_of(help_text: str) -> set[str]:
    return set(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", help_text))


def choices_of(help_text: str, flag: str) -> list[str] | None:
    """The values a flag takes, from `-f, --format <text|json|markdown>` in the help."""
    match = re.search(r"(?<![\w-])" + re.escape(flag) + r"(?:,\s*--[\w-]+)?\s+<([^>]+)>", help_text)
    return match.group(1).split("|") if match and "|" in match.group(1) else None


CALLS = costcalc_calls()


def test_the_ci_files_call_every_command_they_need() -> None:
    used = {c.subcommand for c in CALLS}
    assert {"check", "compare", "diff", "comment"} <= used, used


@pytest.mark.parametrize(
    "call", CALLS, ids=[f"{c.where} | costcalc {c.subcommand} {' '.join(c.words)}" for c in CALLS]
)
def test_every_flag_is_one_costcalc_knows(call: Call) -> None:
    help_text = costcalc_help(call.subcommand)
    known = flags_of(help_text)
    words = call.words
    for i, word in enumerate(words):
        if not word.startswith("-") or word in ("-", "--"):
            continue
        flag = word.split("=", 1)[0]
        assert flag in known, f"costcalc {call.subcommand} has no {flag} ({call.where})"
        value = words[i + 1] if i + 1 < len(words) else ""
        choices = choices_of(help_text, flag)
        if choices and value and not value.startswith(("$", "-")):
            assert value in choices, f"{flag} {value}: not one of {choices} ({call.where})"


def test_the_comment_behaviors_offered_are_the_ones_costcalc_takes() -> None:
    help_text = " ".join(costcalc_help("comment").split())
    for behavior in BEHAVIORS:
        assert behavior in help_text
    for platform in ("github", "gitlab"):
        assert platform in help_text
    action = load(ACTION)
    validation = next(s for s in action["runs"]["steps"] if "INPUT_COMMENT" in s.get("env", {}))
    assert "|".join([*BEHAVIORS, "off"]) in validation["run"]
    assert all(b in action["inputs"]["comment"]["description"] for b in [*BEHAVIORS, "off"])
    assert load(GITLAB_TEMPLATE)["variables"]["COSTCALC_COMMENT"] == "update"


def test_compare_and_diff_are_the_project_wide_ones() -> None:
    """The baseline holds every profile (compare --project) and diff reads it (--baseline)."""
    compares = [c for c in CALLS if c.subcommand == "compare"]
    diffs = [c for c in CALLS if c.subcommand == "diff" and "--baseline" in c.words]
    assert compares and all("--project" in c.words for c in compares)
    assert {c.where.split(":")[0] for c in diffs} == {"action.yml", "costcalc.gitlab-ci.yml"}
    for c in diffs:
        assert c.words[c.words.index("-f") + 1] == "markdown"


# --- the GitHub Action ----------------------------------------------------------------------


def steps_by_id() -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in load(ACTION)["runs"]["steps"] if "id" in s}


def test_action_has_the_inputs_and_outputs_a_workflow_needs() -> None:
    action = load(ACTION)
    assert action["runs"]["using"] == "composite"
    assert {
        "profiles", "max-monthly-usd", "max-usd-per-1k-requests", "max-usd-per-mtok", "option",
        "baseline-ref", "max-increase-pct", "max-increase-usd", "comment", "comment-tag",
        "github-token",
        "python-version", "today", "working-directory",
    } <= set(action["inputs"])  # fmt: skip
    assert action["inputs"]["comment"]["default"] == "update"
    ids = steps_by_id()
    for name, output in action["outputs"].items():
        step = re.fullmatch(r"\$\{\{ steps\.([\w-]+)\.outputs\.[\w-]+ \}\}", output["value"])
        assert step and step.group(1) in ids, name
    assert {"check-exit-code", "diff-exit-code", "markdown"} <= set(action["outputs"])


def test_action_installs_costcalc_from_its_own_checkout_with_a_pip_cache() -> None:
    steps = load(ACTION)["runs"]["steps"]
    installs = [s for s in steps if "pip install" in s.get("run", "")]
    assert len(installs) == 1
    install = installs[0]["run"]
    # the action's checkout, never a package named costcalc on an index
    assert re.search(r'pip install [^\n]*"\$GITHUB_ACTION_PATH"', install), install
    assert not re.search(r"pip install [^\n]*\bcostcalc\b", install)
    setup = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    assert setup["with"]["python-version"] == "${{ inputs.python-version }}"
    cache = next(s for s in steps if s.get("uses", "").startswith("actions/cache@"))
    key_step = steps_by_id()["pip-cache"]
    assert '"$GITHUB_ACTION_PATH/pyproject.toml"' in key_step["run"]
    assert "steps.pip-cache.outputs.hash" in cache["with"]["key"]
    assert cache["with"]["path"] == "${{ steps.pip-cache.outputs.dir }}"
    assert steps.index(setup) < steps.index(cache) < steps.index(installs[0])


def test_action_pins_the_actions_it_uses() -> None:
    for step in load(ACTION)["runs"]["steps"]:
        if "uses" in step:
            name, _, ref = step["uses"].partition("@")
            assert name.startswith("actions/") and pinned(ref), step["uses"]


def test_action_never_splices_an_expression_into_shell() -> None:
    """Inputs reach the scripts through env: a branch name or input cannot inject shell."""
    for step in load(ACTION)["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step["name"]


def test_action_comments_even_when_the_gate_fails_and_fails_last() -> None:
    steps = load(ACTION)["runs"]["steps"]
    ids = steps_by_id()
    comment = next(s for s in steps if "costcalc comment github" in s.get("run", ""))
    assert "always()" in comment["if"] and "inputs.comment != 'off'" in comment["if"]
    assert "--behavior" in comment["run"] and comment["env"]["GITHUB_TOKEN"]
    last = steps[-1]
    assert last["if"] == "always()"
    assert last["env"] == {
        "CHECK_CODE": "${{ steps.check.outputs.exit-code }}",
        "DIFF_CODE": "${{ steps.diff.outputs.exit-code }}",
    }
    # the gates record their exit codes and go on, so the diff and the comment still run
    for gate in ("check", "diff"):
        assert 'echo "exit-code=$code" >> "$GITHUB_OUTPUT"' in ids[gate]["run"]
    assert "--format github" in ids["check"]["run"]
    assert steps.index(ids["check"]) < steps.index(comment) < steps.index(last)


def test_action_sets_costcalc_today_for_every_costcalc_run() -> None:
    for step in load(ACTION)["runs"]["steps"]:
        run = step.get("run", "")
        if re.search(r"costcalc (check|compare|diff) -", run):  # a call, not a message
            assert step["env"]["INPUT_TODAY"] == "${{ inputs.today }}", step["name"]
            assert 'export COSTCALC_TODAY="$INPUT_TODAY"' in run, step["name"]


def test_action_makes_the_baseline_in_a_worktree_of_the_base() -> None:
    run = steps_by_id()["baseline"]["run"]
    assert "git worktree add" in run and "git worktree remove" in run
    assert re.search(r"cd \"\$tree/\$prefix\" && costcalc compare --project -f json -o", run)


# --- the GitHub example -------------------------------------------------------------------


def test_github_example_uses_the_action_pinned_with_today_set() -> None:
    workflow = load(GITHUB_EXAMPLE)
    assert workflow["permissions"]["pull-requests"] == "write"
    assert "pull_request" in (workflow.get("on") or workflow.get(True))  # YAML 1.1: on is True
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    ours = [s for s in steps if re.fullmatch(r"[\w.-]+/costcalc@.+", s.get("uses", ""))]
    assert len(ours) == 1
    assert ours[0]["uses"].startswith("your-org/costcalc@")  # the placeholder README explains
    inputs = load(ACTION)["inputs"]
    assert set(ours[0]["with"]) <= set(inputs), "an input the action does not have"
    assert DATE.fullmatch(ours[0]["with"]["today"])
    for step in steps:
        if "uses" in step:
            assert pinned(step["uses"].partition("@")[2]), step["uses"]
    text = GITHUB_EXAMPLE.read_text(encoding="utf-8")
    assert "Pin a release" in text and "commit SHA" in text  # how to pin, said where it is used


# --- the GitLab template and example ------------------------------------------------------


def gitlab_config() -> dict[str, Any]:
    """The example as GitLab reads it: the included template, then the example over it."""
    example = load(GITLAB_EXAMPLE)
    (include,) = example.pop("include")
    assert include["remote"].endswith("/ci/gitlab/costcalc.gitlab-ci.yml")
    config = load(GITLAB_TEMPLATE)
    for key, value in example.items():
        if isinstance(value, dict) and isinstance(config.get(key), dict):
            config[key] = {**config[key], **value}
        else:
            config[key] = value
    return config


def gitlab_job(config: dict[str, Any], name: str) -> dict[str, Any]:
    """A job with its `extends` merged in (hashes deeply, lists replaced, as GitLab does)."""

    def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
        out = dict(base)
        for key, value in over.items():
            both = isinstance(value, dict) and isinstance(out.get(key), dict)
            out[key] = merge(out[key], value) if both else value
        return out

    job = dict(config[name])
    parents = job.pop("extends", [])
    for parent in [parents] if isinstance(parents, str) else parents:
        job = merge(gitlab_job(config, parent), job)
    return job


def test_gitlab_template_has_a_hidden_job_and_jobs_for_merge_requests() -> None:
    config = load(GITLAB_TEMPLATE)
    assert ".costcalc" in config
    jobs = {k for k, v in config.items() if k not in GITLAB_JOB_KEYWORDS and not k.startswith(".")}
    assert jobs == {"costcalc", "costcalc-comment"}
    for name in jobs:
        job = gitlab_job(config, name)
        assert config[name]["extends"] == ".costcalc"
        assert any("merge_request_event" in rule["if"] for rule in job["rules"])
        image, _, tag = job["image"].partition(":")
        assert image == "python" and re.fullmatch(r"3\.1[1-9]\S*", tag), job["image"]
        assert job["variables"]["PIP_CACHE_DIR"] == "$CI_PROJECT_DIR/.cache/pip"
        assert job["cache"]["paths"] == [".cache/pip"]
        assert 'python -m pip install "$COSTCALC_PIP_SPEC"' in job["before_script"]


def test_gitlab_template_installs_a_pinned_tag_from_git() -> None:
    spec = load(GITLAB_TEMPLATE)["variables"]["COSTCALC_PIP_SPEC"]
    url, _, ref = spec.rpartition("@")
    assert url.startswith("git+https://") and url.endswith("/costcalc.git") and pinned(ref), spec


def test_gitlab_reports_are_the_files_check_writes() -> None:
    job = gitlab_job(load(GITLAB_TEMPLATE), "costcalc")
    script = "\n".join(job["script"])
    reports = job["artifacts"]["reports"]
    assert job["artifacts"]["when"] == "always"
    assert f'--format junit -o "$CI_PROJECT_DIR/{reports["junit"]}"' in script
    assert f'--format gitlab -o "$CI_PROJECT_DIR/{reports["codequality"]}"' in script
    assert "cost-diff.md" in job["artifacts"]["paths"]


def test_gitlab_comment_runs_even_when_the_gate_fails() -> None:
    job = gitlab_job(load(GITLAB_TEMPLATE), "costcalc-comment")
    assert all(rule.get("when") == "always" for rule in job["rules"])
    assert job["needs"] == [{"job": "costcalc", "artifacts": True}]
    assert job["allow_failure"] is True
    assert "costcalc comment gitlab --file cost-diff.md" in "\n".join(job["script"])


def test_gitlab_example_includes_the_template_pinned_with_today_set() -> None:
    example = load(GITLAB_EXAMPLE)
    (include,) = example["include"]
    tag = re.search(r"/costcalc/([^/]+)/ci/gitlab/", include["remote"])
    assert tag and pinned(tag.group(1)), include
    variables = example["variables"]
    assert DATE.fullmatch(variables["COSTCALC_TODAY"])
    assert variables["COSTCALC_PIP_SPEC"].endswith("@" + tag.group(1)), "pin the same release"
    assert set(variables) <= set(load(GITLAB_TEMPLATE)["variables"]), "a variable never read"


# --- pre-commit ---------------------------------------------------------------------------


def test_pre_commit_hook_runs_costcalc_check_on_the_project_files() -> None:
    (hook,) = load(HOOKS)
    assert hook["id"] == "costcalc-check"
    assert hook["language"] == "python"
    assert hook["entry"] == "costcalc check"
    assert hook["pass_filenames"] is False  # costcalc.yaml names the profiles and budgets
    files = re.compile(hook["files"])
    for path in ("costcalc.yaml", "app/costcalc.yml", "profiles/chat.yaml", "a/profiles/b.yml"):
        assert files.search(path), path
    for path in ("README.md", "costcalc.yaml.bak", "myprofiles.yaml", "src/app.py"):
        assert not files.search(path), path


def test_pre_commit_example_pins_a_release_of_the_hook() -> None:
    (repo,) = load(PRE_COMMIT_EXAMPLE)["repos"]
    assert repo["repo"].endswith("/costcalc") and pinned(repo["rev"]), repo
    assert [h["id"] for h in repo["hooks"]] == ["costcalc-check"]


# --- the shell runs: a pull request in a real git repository, a stand-in costcalc ---------

FAKE_COSTCALC = """\
import json, os, sys
args = sys.argv[1:]
record = {
    "args": args,
    "cwd": os.getcwd(),
    "project": open("costcalc.yaml").read() if os.path.exists("costcalc.yaml") else None,
    "today": os.environ.get("COSTCALC_TODAY"),
    "github_token": os.environ.get("GITHUB_TOKEN"),
}
with open(os.environ["FAKE_COSTCALC_LOG"], "a") as log:
    log.write(json.dumps(record) + "\\n")
sub = args[0] if args else ""
out = args[args.index("-o") + 1] if "-o" in args else None
code = int(os.environ.get("FAKE_" + sub.upper().lstrip("-") + "_RC", "0"))
if out and not (sub == "diff" and code == 2):
    with open(out, "w") as f:
        f.write(os.environ.get("FAKE_DIFF_TEXT", "cost change\\n") if sub == "diff" else "{}")
sys.exit(code)
"""

GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@t",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@t",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_TERMINAL_PROMPT": "0",
}


@dataclass
class PullRequest:
    """origin with main (the base) and a branch; `work` is a shallow clone of the branch."""

    origin: Path
    work: Path
    base_sha: str
    bin: Path
    log: Path

    def calls(self) -> list[dict[str, Any]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text(encoding="utf-8").splitlines()]

    def called(self, sub: str) -> list[dict[str, Any]]:
        return [c for c in self.calls() if c["args"][:1] == [sub]]

    def env(self) -> dict[str, str]:
        """A clean runner's environment: none of the CI variables of the machine running the
        tests (which may be a CI job itself), no COSTCALC_TODAY."""
        inherited = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("GITHUB_", "RUNNER_", "CI_", "GITLAB_", "COSTCALC_"))
        }
        return {
            **inherited,
            **GIT_ENV,
            "HOME": str(self.work.parent),
            "PATH": os.pathsep.join(
                [str(self.bin), str(Path(sys.executable).parent), os.environ["PATH"]]
            ),
            "FAKE_COSTCALC_LOG": str(self.log),
        }


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", *args], cwd=cwd, env={**os.environ, **GIT_ENV}, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def make_pull_request(
    tmp_path: Path, base: Callable[[Path], None], head: Callable[[Path], None], *, fake: bool
) -> PullRequest:
    """main with `base` written, a branch `feature` with `head` applied on top, pushed to a
    bare origin; `work` is a shallow clone of the branch, as actions/checkout makes."""
    if shutil.which("git") is None or shutil.which("bash") is None:
        pytest.skip("git and bash are needed")
    seed = tmp_path / "seed"
    seed.mkdir()
    git(seed, "init", "-q", "-b", "main")
    base(seed)
    git(seed, "add", "-A")
    git(seed, "commit", "-qm", "base")
    base_sha = git(seed, "rev-parse", "HEAD")
    git(seed, "checkout", "-qb", "feature")
    head(seed)
    git(seed, "commit", "-qam", "the change")
    origin = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(seed), str(origin))
    # a GitLab or GitHub server hands out any commit it holds, not only branch tips
    git(origin, "config", "uploadpack.allowAnySHA1InWant", "true")
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", "--depth=1", "--branch", "feature", origin.as_uri(), str(work))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    if fake:
        (bin_dir / "costcalc.py").write_text(FAKE_COSTCALC, encoding="utf-8")
        script = bin_dir / "costcalc"
        script.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{bin_dir}/costcalc.py" "$@"\n')
        script.chmod(0o755)
    return PullRequest(origin, work, base_sha, bin_dir, tmp_path / "calls.jsonl")


@pytest.fixture
def pull_request(tmp_path: Path) -> PullRequest:
    """Stand-in projects at the root and in app/: costcalc.yaml says `# base` or `# head`."""

    def base(seed: Path) -> None:
        for folder in (seed, seed / "app"):
            folder.mkdir(exist_ok=True)
            (folder / "costcalc.yaml").write_text("# base\n", encoding="utf-8")
            (folder / "profiles").mkdir()
            (folder / "profiles" / "a.yaml").write_text("name: a\n", encoding="utf-8")
            (folder / "profiles" / "b.yaml").write_text("name: b\n", encoding="utf-8")

    def head(seed: Path) -> None:
        for folder in (seed, seed / "app"):
            (folder / "costcalc.yaml").write_text("# head\n", encoding="utf-8")

    return make_pull_request(tmp_path, base, head, fake=True)


@pytest.fixture
def real_pull_request(tmp_path: Path) -> PullRequest:
    """This repository's costcalc.yaml and profiles; the branch triples tool-agent's traffic
    (its budget holds, +200 % crosses a 10 % gate). The real costcalc runs."""

    def base(seed: Path) -> None:
        shutil.copy(ROOT / "costcalc.yaml", seed)
        shutil.copytree(ROOT / "profiles", seed / "profiles")

    def head(seed: Path) -> None:
        agent = seed / "profiles" / "tool-agent.yaml"
        text = agent.read_text(encoding="utf-8")
        assert "conversations_per_day: 1500 " in text
        agent.write_text(
            text.replace("conversations_per_day: 1500 ", "conversations_per_day: 4500 ")
        )

    return make_pull_request(tmp_path, base, head, fake=False)


class Expression:
    """The few GitHub expressions action.yml uses: contexts, literals, ==, !=, !, &&, ||,
    parentheses and the status functions, with JavaScript's && and || that return an operand."""

    TOKEN = re.compile(r"\s*('(?:[^']|'')*'|&&|\|\||==|!=|!|\(|\)|[A-Za-z_][\w.-]*(?:\(\))?)")

    def __init__(self, context: dict[str, Any], failed: bool) -> None:
        self.context, self.failed = context, failed

    def eval(self, text: str) -> Any:
        self.tokens, pos = [], 0
        while pos < len(text.rstrip()):
            match = self.TOKEN.match(text, pos)
            assert match, f"cannot read {text[pos:]!r}"
            self.tokens.append(match.group(1))
            pos = match.end()
        value = self.either()
        assert not self.tokens, f"left over in {text!r}: {self.tokens}"
        return value

    def either(self) -> Any:
        value = self.both()
        while self.tokens[:1] == ["||"]:
            self.tokens.pop(0)
            right = self.both()
            value = value or right
        return value

    def both(self) -> Any:
        value = self.compare()
        while self.tokens[:1] == ["&&"]:
            self.tokens.pop(0)
            right = self.compare()
            value = value and right
        return value

    def compare(self) -> Any:
        value = self.unary()
        while self.tokens[:1] in (["=="], ["!="]):
            op = self.tokens.pop(0)
            right = self.unary()
            same = str(value or "").lower() == str(right or "").lower()
            value = same if op == "==" else not same
        return value

    def unary(self) -> Any:
        token = self.tokens.pop(0)
        if token == "!":
            return not self.unary()
        if token == "(":
            value = self.either()
            assert self.tokens.pop(0) == ")"
            return value
        if token.startswith("'"):
            return token[1:-1].replace("''", "'")
        functions = {"always()": True, "success()": not self.failed, "failure()": self.failed}
        if token in functions:
            return functions[token]
        value: Any = self.context
        for part in token.split("."):
            value = value.get(part, "") if isinstance(value, dict) else ""
        return value


def render(text: str, context: dict[str, Any], failed: bool = False) -> str:
    def one(match: re.Match[str]) -> str:
        value = Expression(context, failed).eval(match.group(1))
        if isinstance(value, bool):
            return "true" if value else "false"
        return "" if value is None else str(value)

    return re.sub(r"\$\{\{(.*?)\}\}", one, text)


@dataclass
class ActionRun:
    failed: bool
    outputs: dict[str, str]
    ran: list[str]  # ids (or names) of the steps that ran
    exit_codes: dict[str, int]
    logs: str


def run_action(
    pr: PullRequest,
    inputs: dict[str, str],
    *,
    event: dict[str, Any] | None,
    fake: dict[str, str] | None = None,
    repository: str = "acme/app",
) -> ActionRun:
    """Run action.yml's steps as the runner does: each `if:` (success() when it names no
    status function), env rendered, `run:` in bash -eo pipefail, outputs from $GITHUB_OUTPUT.
    The `uses:` steps (setup-python, cache) and the pip install are left out."""
    action = load(ACTION)
    temp = pr.work.parent / "runner-temp"
    temp.mkdir(exist_ok=True)
    github = {
        "event": event or {},
        "repository": repository,
        "token": "ghs_fake",
        "base_ref": (event or {}).get("pull_request", {}).get("base", {}).get("ref", ""),
    }
    context: dict[str, Any] = {"github": github, "steps": {}, "runner": {"os": "Linux"}}
    defaults = {k: render(str(v.get("default", "")), context) for k, v in action["inputs"].items()}
    context["inputs"] = {**defaults, **inputs}
    failed, ran, codes, logs = False, [], {}, []
    env = {
        **pr.env(),
        **(fake or {}),
        "GITHUB_ACTION_PATH": str(ROOT),
        "GITHUB_WORKSPACE": str(pr.work),
        "GITHUB_REPOSITORY": repository,
        "GITHUB_EVENT_NAME": "pull_request" if event else "push",
        "GITHUB_BASE_REF": github["base_ref"],
        "RUNNER_TEMP": str(temp),
    }
    for n, step in enumerate(action["runs"]["steps"]):
        key = step.get("id", f"step{n}")
        condition = step.get("if", "success()")
        if not re.search(r"\b(always|success|failure|cancelled)\(\)", condition):
            condition = f"success() && ({condition})"
        if not Expression(context, failed).eval(condition):
            context["steps"][key] = {"outputs": {}, "outcome": "skipped"}
            continue
        outputs: dict[str, str] = {}
        if "uses" in step:
            outputs = {"python-version": "3.11.9"} if "setup-python" in step["uses"] else {}
        elif "pip install" not in step["run"]:
            output_file = temp / f"output-{n}"
            output_file.write_text("", encoding="utf-8")
            step_env = {k: render(str(v), context, failed) for k, v in step.get("env", {}).items()}
            cwd = pr.work / render(step.get("working-directory", "."), context)
            result = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                cwd=cwd,
                env={**env, **step_env, "GITHUB_OUTPUT": str(output_file)},
                capture_output=True,
                text=True,
            )
            logs.append(f"== {step['name']} (exit {result.returncode})\n"
                        f"{result.stdout}{result.stderr}")  # fmt: skip
            codes[key] = result.returncode
            for line in output_file.read_text(encoding="utf-8").splitlines():
                name, _, value = line.partition("=")
                outputs[name] = value
            failed = failed or result.returncode != 0
        ran.append(key)
        context["steps"][key] = {"outputs": outputs, "outcome": "success"}
    action_outputs = {k: render(v["value"], context) for k, v in action["outputs"].items()}
    return ActionRun(failed, action_outputs, ran, codes, "\n".join(logs))


def pr_event(repository: str = "acme/app") -> dict[str, Any]:
    return {
        "pull_request": {
            "number": 7,
            "base": {"ref": "main"},
            "head": {"repo": {"full_name": repository}},
        }
    }


@pytest.mark.slow
def test_action_gate_fails_the_check_and_still_diffs_and_comments(
    pull_request: PullRequest,
) -> None:
    pr = pull_request
    run = run_action(
        pr,
        {"today": "2026-11-27", "max-increase-pct": "10"},
        event=pr_event(),
        fake={"FAKE_CHECK_RC": "1", "FAKE_DIFF_RC": "0"},
    )
    assert run.failed and run.ran[-1] == "verdict"
    assert run.exit_codes["verdict"] == 1, run.logs  # the worst: check's 1
    assert run.outputs["check-exit-code"] == "1" and run.outputs["diff-exit-code"] == "0"
    markdown = Path(run.outputs["markdown"])
    assert markdown.read_text(encoding="utf-8") == "cost change\n"
    assert not markdown.is_relative_to(pr.work), "the action leaves the workspace alone"

    (compare,) = pr.called("compare")
    assert compare["args"] == ["compare", "--project", "-f", "json", "-o", run.outputs["baseline"]]
    assert compare["project"] == "# base\n", "the baseline is made on the base branch"
    assert Path(compare["cwd"]) != pr.work
    (check,) = pr.called("check")
    assert check["args"] == ["check", "--format", "github", "--"]
    assert Path(check["cwd"]) == pr.work and check["project"] == "# head\n"
    (diff,) = pr.called("diff")
    assert diff["args"] == [
        "diff", "--baseline", run.outputs["baseline"], "--max-increase-pct", "10",
        "-f", "markdown", "-o", str(markdown),
    ]  # fmt: skip
    (comment,) = pr.called("comment")
    assert comment["args"] == ["comment", "github", "--file", str(markdown), "--behavior", "update"]
    assert comment["github_token"] == "ghs_fake"
    assert {c["today"] for c in pr.calls() if c["args"][0] != "comment"} == {"2026-11-27"}
    # the worktree is gone and the checkout untouched
    assert git(pr.work, "worktree", "list").count("\n") == 0
    assert git(pr.work, "status", "--porcelain") == ""


@pytest.mark.slow
def test_action_passes_when_every_gate_holds(pull_request: PullRequest) -> None:
    run = run_action(pull_request, {}, event=pr_event())
    assert not run.failed, run.logs
    assert run.outputs["check-exit-code"] == "0" and run.outputs["diff-exit-code"] == "0"
    assert len(pull_request.called("comment")) == 1


@pytest.mark.slow
def test_action_passes_inputs_as_flags_and_profiles(pull_request: PullRequest) -> None:
    pr = pull_request
    run = run_action(
        pr,
        {
            "profiles": "profiles/*.yaml",
            "max-monthly-usd": "5000",
            "max-usd-per-1k-requests": "2.5",
            "max-usd-per-mtok": "4",
            "option": "openai/gpt-5-mini",
            "max-increase-usd": "300",
            "comment": "hide-and-new",
            "comment-tag": "app",
        },
        event=pr_event(),
    )
    assert not run.failed, run.logs
    (check,) = pr.called("check")
    assert check["args"] == [
        "check", "--format", "github", "--max-monthly-usd", "5000",
        "--max-usd-per-1k-requests", "2.5", "--max-usd-per-mtok", "4",
        "--option", "openai/gpt-5-mini", "--", "profiles/a.yaml", "profiles/b.yaml",
    ]  # fmt: skip
    (diff,) = pr.called("diff")
    assert diff["args"][3:7] == ["--max-increase-usd", "300", "--option", "openai/gpt-5-mini"]
    (comment,) = pr.called("comment")
    assert comment["args"][-4:] == ["--behavior", "hide-and-new", "--tag", "app"]


@pytest.mark.slow
def test_action_today_input_else_the_jobs_costcalc_today(pull_request: PullRequest) -> None:
    pr = pull_request
    run_action(pr, {}, event=pr_event(), fake={"COSTCALC_TODAY": "2026-01-02"})
    assert {c["today"] for c in pr.calls()} == {"2026-01-02"}  # the job's env: kept
    pr.log.unlink()
    run_action(pr, {"today": "2026-11-27"}, event=pr_event(), fake={"COSTCALC_TODAY": "2026-01-02"})
    assert {c["today"] for c in pr.called("check") + pr.called("diff")} == {"2026-11-27"}
    pr.log.unlink()
    run_action(pr, {}, event=pr_event())
    assert {c["today"] for c in pr.calls()} == {None}  # neither: today


@pytest.mark.slow
def test_action_in_a_subfolder_makes_the_baseline_in_the_same_subfolder(
    pull_request: PullRequest,
) -> None:
    pr = pull_request
    run = run_action(pr, {"working-directory": "app"}, event=pr_event())
    assert not run.failed, run.logs
    (compare,) = pr.called("compare")
    assert Path(compare["cwd"]).name == "app" and compare["project"] == "# base\n"
    assert Path(pr.called("check")[0]["cwd"]) == pr.work / "app"


@pytest.mark.slow
def test_action_with_a_commit_as_baseline_ref(pull_request: PullRequest) -> None:
    pr = pull_request
    run = run_action(pr, {"baseline-ref": pr.base_sha}, event=None)
    assert not run.failed, run.logs
    assert pr.called("compare")[0]["project"] == "# base\n"
    assert pr.called("comment") == []  # not a pull request: nothing to comment on


@pytest.mark.slow
def test_action_outside_a_pull_request_only_checks(pull_request: PullRequest) -> None:
    pr = pull_request
    run = run_action(pr, {}, event=None, fake={"FAKE_CHECK_RC": "1"})
    assert run.failed
    assert run.outputs["check-exit-code"] == "1" and run.outputs["diff-exit-code"] == ""
    assert [c["args"][0] for c in pr.calls()] == ["check"]


@pytest.mark.slow
def test_action_with_comment_off_posts_nothing(pull_request: PullRequest) -> None:
    run = run_action(pull_request, {"comment": "off"}, event=pr_event())
    assert not run.failed, run.logs
    assert pull_request.called("comment") == []


@pytest.mark.slow
def test_action_diff_error_leaves_the_comment_and_fails_with_2(pull_request: PullRequest) -> None:
    pr = pull_request
    run = run_action(pr, {}, event=pr_event(), fake={"FAKE_DIFF_RC": "2"})
    assert run.failed and run.exit_codes["verdict"] == 2, run.logs
    assert run.outputs["diff-exit-code"] == "2" and run.outputs["markdown"] == ""
    assert pr.called("comment") == []


@pytest.mark.slow
def test_action_base_without_a_project_file_checks_without_a_diff(
    pull_request: PullRequest, tmp_path: Path
) -> None:
    pr = pull_request
    git(pr.work, "fetch", "-q", "--depth=1", "origin", "main")
    run = run_action(pr, {"baseline-ref": "no-such-branch"}, event=pr_event())
    assert run.failed and "no-such-branch" in run.logs  # a wrong ref is an error
    # an orphan base with no costcalc.yaml: the first pull request that adds costcalc
    seed = tmp_path / "seed"
    git(seed, "checkout", "-q", "--orphan", "empty")
    git(seed, "rm", "-rqf", ".")
    (seed / "README").write_text("x\n", encoding="utf-8")
    git(seed, "add", "README")
    git(seed, "commit", "-qm", "no costcalc yet")
    git(seed, "push", "-q", str(pr.origin), "empty")
    pr.log.unlink(missing_ok=True)
    run = run_action(pr, {"baseline-ref": "empty"}, event=pr_event())
    assert not run.failed, run.logs
    assert "no costcalc.yaml on empty" in run.logs
    assert [c["args"][0] for c in pr.calls()] == ["check"]


@pytest.mark.slow
def test_action_comment_failure_fails_except_from_a_fork(pull_request: PullRequest) -> None:
    run = run_action(pull_request, {}, event=pr_event(), fake={"FAKE_COMMENT_RC": "1"})
    assert run.failed
    fork = run_action(
        pull_request, {}, event=pr_event("someone/app"), fake={"FAKE_COMMENT_RC": "1"}
    )
    assert not fork.failed and "fork" in fork.logs


@pytest.mark.slow
def test_action_rejects_an_unknown_comment_behavior(pull_request: PullRequest) -> None:
    run = run_action(pull_request, {"comment": "edit"}, event=pr_event())
    assert run.failed and run.exit_codes["inputs"] == 2 and "'edit'" in run.logs
    assert pull_request.calls() == []


# --- the GitLab jobs run the same way ---------------------------------------------------


def run_gitlab_job(
    pr: PullRequest, name: str, variables: dict[str, str], fake: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The job's `script` as the runner runs it: one bash, -eo pipefail, in CI_PROJECT_DIR,
    with the pipeline's variables (the example over the template's). before_script (the pip
    install) is left out."""
    config = gitlab_config()
    job = gitlab_job(config, name)
    env = {
        **pr.env(),
        **(fake or {}),
        **{k: str(v) for k, v in config["variables"].items()},
        **{k: str(v) for k, v in job.get("variables", {}).items()},
        "CI_PROJECT_DIR": str(pr.work),
        "CI_PIPELINE_SOURCE": "merge_request_event",
        "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
        "CI_MERGE_REQUEST_DIFF_BASE_SHA": pr.base_sha,
        "CI_MERGE_REQUEST_IID": "7",
        **variables,
    }
    script = "\n".join(job["script"])
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=pr.work,
        env=env,
        capture_output=True,
        text=True,
    )


@pytest.mark.slow
@pytest.mark.parametrize(("check_rc", "diff_rc", "worst"), [(0, 0, 0), (1, 0, 1), (0, 1, 1)])
def test_gitlab_job_reports_diffs_and_exits_with_the_worst(
    pull_request: PullRequest, check_rc: int, diff_rc: int, worst: int
) -> None:
    pr = pull_request
    fake = {"FAKE_CHECK_RC": str(check_rc), "FAKE_DIFF_RC": str(diff_rc)}
    result = run_gitlab_job(pr, "costcalc", {}, fake)
    assert result.returncode == worst, result.stdout + result.stderr
    checks = pr.called("check")
    assert [c["args"][1:3] for c in checks] == [
        ["--"],
        ["--format", "junit"],
        ["--format", "gitlab"],
    ]
    reports = gitlab_job(gitlab_config(), "costcalc")["artifacts"]["reports"]
    for report in reports.values():
        assert (pr.work / report).is_file()
    (compare,) = pr.called("compare")
    assert compare["project"] == "# base\n", "the baseline is the merge base"
    baseline = str(pr.work / "baseline.json")
    (diff,) = pr.called("diff")
    assert diff["args"] == [
        "diff", "--baseline", baseline, "--max-increase-pct", "10",
        "-f", "markdown", "-o", str(pr.work / "cost-diff.md"),
    ]  # fmt: skip
    assert {c["today"] for c in pr.calls()} == {"2026-11-27"}  # the example's
    assert git(pr.work, "worktree", "list").count("\n") == 0

    comment = run_gitlab_job(pr, "costcalc-comment", {})
    assert comment.returncode == 0, comment.stdout + comment.stderr
    (posted,) = pr.called("comment")
    assert posted["args"] == ["comment", "gitlab", "--file", "cost-diff.md", "--behavior", "update"]
    run_gitlab_job(pr, "costcalc-comment", {"COSTCALC_COMMENT_TAG": "app"})
    assert pr.called("comment")[1]["args"][-2:] == ["--tag", "app"]


@pytest.mark.slow
def test_gitlab_merged_results_pipeline_measures_against_the_target_tip(
    pull_request: PullRequest,
) -> None:
    pr = pull_request
    variables = {"CI_MERGE_REQUEST_TARGET_BRANCH_SHA": pr.base_sha, "COSTCALC_DIR": "app"}
    result = run_gitlab_job(pr, "costcalc", variables)
    assert result.returncode == 0, result.stdout + result.stderr
    (compare,) = pr.called("compare")
    assert Path(compare["cwd"]).name == "app" and compare["project"] == "# base\n"


@pytest.mark.slow
def test_gitlab_comment_job_without_a_diff_leaves_the_comment(pull_request: PullRequest) -> None:
    result = run_gitlab_job(pull_request, "costcalc-comment", {})
    assert result.returncode == 0 and "no cost-diff.md" in result.stdout
    assert pull_request.called("comment") == []


# --- and with the real costcalc -----------------------------------------------------------


@pytest.mark.slow
def test_action_with_the_real_costcalc_fails_a_pull_request_that_triples_traffic(
    real_pull_request: PullRequest,
) -> None:
    pr = real_pull_request
    inputs = {"today": "2026-11-27", "max-increase-pct": "10", "comment": "off"}
    run = run_action(pr, inputs, event=pr_event())
    assert run.failed and run.exit_codes["verdict"] == 1, run.logs
    assert run.outputs["check-exit-code"] == "0", run.logs  # within every budget
    assert run.outputs["diff-exit-code"] == "1", run.logs  # but +200 % crosses 10 %
    markdown = Path(run.outputs["markdown"]).read_text(encoding="utf-8")
    assert "tool-agent" in markdown and "rag-support-chatbot" not in markdown
    assert "::notice file=profiles/tool-agent.yaml" in run.logs  # check --format github
    assert git(pr.work, "status", "--porcelain") == ""


@pytest.mark.slow
def test_action_with_the_real_costcalc_passes_an_unchanged_pull_request(
    real_pull_request: PullRequest,
) -> None:
    pr = real_pull_request
    run = run_action(pr, {"today": "2026-11-27", "comment": "off"}, event=pr_event())
    assert not run.failed, run.logs  # no increase gate given: a rise alone fails nothing
    assert run.outputs["check-exit-code"] == "0" and run.outputs["diff-exit-code"] == "0"


@pytest.mark.slow
def test_gitlab_job_with_the_real_costcalc_writes_the_reports_the_widgets_read(
    real_pull_request: PullRequest,
) -> None:
    pr = real_pull_request
    result = run_gitlab_job(pr, "costcalc", {})
    assert result.returncode == 1, result.stdout + result.stderr  # the 10 % gate
    reports = gitlab_job(gitlab_config(), "costcalc")["artifacts"]["reports"]
    assert "<testsuite" in (pr.work / reports["junit"]).read_text(encoding="utf-8")
    assert isinstance(json.loads((pr.work / reports["codequality"]).read_text("utf-8")), list)
    assert "tool-agent" in (pr.work / "cost-diff.md").read_text(encoding="utf-8")
