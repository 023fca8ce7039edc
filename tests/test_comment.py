"""`costcalc comment` against a real local HTTP server that plays GitHub and GitLab in memory."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import Result
from typer.testing import CliRunner

from costcalc.cli import app

OURS = "<!-- costcalc comment -->"
GH_THREAD = "gh:acme/app#7"
GL_THREAD = "gl:42!5"
CI_VARIABLES = (
    "GITHUB_TOKEN", "GITHUB_REPOSITORY", "GITHUB_API_URL", "GITHUB_EVENT_PATH", "GITLAB_TOKEN",
    "CI_JOB_TOKEN", "CI_API_V4_URL", "CI_PROJECT_ID", "CI_MERGE_REQUEST_IID",
)  # fmt: skip


@dataclass
class Forge:
    """Comments per thread, every request seen, and switches for failures."""

    url: str = ""
    threads: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    seen: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    minimized: list[str] = field(default_factory=list)
    forbid: bool = False
    delay_s: float = 0.0
    next_id: int = 1000

    def add(self, thread: str, body: str, **extra: Any) -> int:
        self.next_id += 1
        note = {"id": self.next_id, "node_id": f"IC_{self.next_id}", "body": body, **extra}
        self.threads.setdefault(thread, []).append(note)
        return self.next_id

    def bodies(self, thread: str) -> dict[int, str]:
        return {c["id"]: c["body"] for c in self.threads.get(thread, [])}

    def find(self, comment_id: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        for notes in self.threads.values():
            for note in notes:
                if note["id"] == comment_id:
                    return notes, note
        raise KeyError(comment_id)


class Handler(BaseHTTPRequestHandler):
    """GitHub's routes at the root (and /graphql), GitLab's under /api/v4."""

    def log_message(self, *args: Any) -> None:
        pass

    def _serve(self) -> None:
        self._route(self.command)  # the request's method

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

    def _route(self, method: str) -> None:
        forge: Forge = self.server.forge  # type: ignore[attr-defined]
        time.sleep(forge.delay_s)
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        forge.seen.append((method, self.path, {k.lower(): v for k, v in self.headers.items()}))
        size = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(size)) if size else {}
        token = (self.headers.get("Authorization"), self.headers.get("PRIVATE-TOKEN"),
                 self.headers.get("JOB-TOKEN"))  # fmt: skip
        if token not in (("Bearer gh-token", None, None), (None, "gl-token", None),
                         (None, None, "job-token")):  # fmt: skip
            return self._send(401, {"message": "Bad credentials"})
        if forge.forbid:
            return self._send(403, {"message": "Resource not accessible by integration"})
        if url.path == "/graphql":
            assert "minimizeComment" in body["query"] and "OUTDATED" in body["query"]
            forge.minimized.append(body["variables"]["id"])
            return self._send(200, {"data": {"minimizeComment": {"minimizedComment": {}}}})
        gh = re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/(\d+)/comments", url.path)
        gl = re.fullmatch(r"/api/v4/projects/([^/]+)/merge_requests/(\d+)/notes", url.path)
        one = re.fullmatch(r"/repos/.+/issues/comments/(\d+)|/api/v4/.+/notes/(\d+)", url.path)
        if (gh or gl) and method == "POST":
            key = f"gh:{gh[1]}#{gh[2]}" if gh else f"gl:{gl[1]}!{gl[2]}"  # type: ignore[index]
            new = forge.add(key, body["body"])
            return self._send(201, forge.find(new)[1])
        if gh or gl:
            key = f"gh:{gh[1]}#{gh[2]}" if gh else f"gl:{gl[1]}!{gl[2]}"  # type: ignore[index]
            notes = list(forge.threads.get(key, []))
            if gl and query.get("sort") != "asc":
                notes.reverse()  # GitLab lists newest first unless asked
            page, per_page = int(query.get("page", 1)), int(query.get("per_page", 20))
            more = page * per_page < len(notes)
            headers = {}
            if gh and more:
                nxt = f"{forge.url}{url.path}?per_page={per_page}&page={page + 1}"
                headers["Link"] = f'<{nxt}>; rel="next", <{nxt}>; rel="last"'
            if gl:
                headers["X-Next-Page"] = str(page + 1) if more else ""
            return self._send(200, notes[(page - 1) * per_page : page * per_page], headers)
        if one:
            notes, note = forge.find(int(one[1] or one[2]))
            if method == "DELETE":
                notes.remove(note)
                return self._send(204, None)
            note["body"] = body["body"]
            return self._send(200, note)
        return self._send(404, {"message": "Not Found"})

    def _send(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
        raw = b"" if data is None else json.dumps(data).encode()
        self.send_response(status)
        for name, value in {"Content-Length": str(len(raw)), **(headers or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(raw)


class QuietServer(ThreadingHTTPServer):
    """A client that gave up (the timeout test) breaks the pipe: not a failure, and printed
    from the server's thread it would land in whichever CliRunner captures stderr then."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture
def forge(monkeypatch: pytest.MonkeyPatch) -> Iterator[Forge]:
    for name in CI_VARIABLES:  # a run inside real CI must not reach the real API
        monkeypatch.delenv(name, raising=False)
    state = Forge()
    server = QuietServer(("127.0.0.1", 0), Handler)
    server.forge = state  # type: ignore[attr-defined]
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    worker = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    worker.start()
    yield state
    server.shutdown()
    server.server_close()


def github(forge: Forge, tmp: Path, text: str, *args: str, **env: str) -> Result:
    env = {"GITHUB_TOKEN": "gh-token", "GITHUB_REPOSITORY": "acme/app", **env}
    return _run(tmp, text, ["github", "--api-url", forge.url, *args], env)


def gitlab(forge: Forge, tmp: Path, text: str, *args: str, **env: str) -> Result:
    env = {"GITLAB_TOKEN": "gl-token", "CI_API_V4_URL": f"{forge.url}/api/v4",
           "CI_PROJECT_ID": "42", "CI_MERGE_REQUEST_IID": "5", **env}  # fmt: skip
    return _run(tmp, text, ["gitlab", *args], env)


def _run(tmp: Path, text: str, args: list[str], env: dict[str, str]) -> Result:
    path = tmp / "diff.md"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["comment", *args, "--file", str(path)], env=env)
    assert "Traceback" not in result.output, result.output
    return result


def test_github_creates_a_comment_and_leaves_another_tools_alone(
    forge: Forge, tmp_path: Path
) -> None:
    other = forge.add(GH_THREAD, "<!-- infracost -->\nother tool")
    result = github(forge, tmp_path, "## Cost diff\n+12 %\n", "--pr", "7")
    assert result.exit_code == 0, result.output
    (new,) = set(forge.bodies(GH_THREAD)) - {other}
    assert forge.bodies(GH_THREAD) == {other: "<!-- infracost -->\nother tool",
                                       new: f"{OURS}\n## Cost diff\n+12 %\n"}  # fmt: skip
    assert result.stderr == f"created comment {new} on acme/app#7\n"


def test_github_updates_its_comment_in_place_found_on_page_two(
    forge: Forge, tmp_path: Path
) -> None:
    for i in range(150):  # ours is the 121st: on page 2 of 100
        forge.add(GH_THREAD, f"{OURS}\nold" if i == 120 else f"comment {i}")
    quoted = forge.add(GH_THREAD, f"> {OURS}\nsomeone quoting us")  # never ours
    ours = forge.threads[GH_THREAD][120]["id"]
    result = github(forge, tmp_path, "new figures", "--pr", "7")
    assert result.exit_code == 0, result.output
    bodies = forge.bodies(GH_THREAD)
    assert len(bodies) == 151 and bodies[ours] == f"{OURS}\nnew figures\n"
    assert bodies[quoted].startswith("> ")
    assert any("page=2" in path for _, path, _ in forge.seen)
    assert result.stderr == f"updated comment {ours} on acme/app#7\n"
    again = github(forge, tmp_path, "new figures", "--pr", "7")  # same text: no edit
    assert "is up to date" in again.stderr and [m for m, *_ in forge.seen].count("PATCH") == 1


def test_update_with_an_empty_file_deletes_the_comment(forge: Forge, tmp_path: Path) -> None:
    other = forge.add(GH_THREAD, "other tool")
    ours = forge.add(GH_THREAD, f"{OURS}\nold")
    result = github(forge, tmp_path, "\n", "--pr", "7")
    assert result.exit_code == 0, result.output
    assert list(forge.bodies(GH_THREAD)) == [other]
    assert result.stderr.splitlines() == [f"deleted comment {ours} on acme/app#7",
                                          "nothing to post: the file is empty"]  # fmt: skip


@pytest.mark.parametrize(("behavior", "kept"), [("new", True), ("delete-and-new", False)])
def test_new_posts_again_and_delete_and_new_removes_the_earlier(
    forge: Forge, tmp_path: Path, behavior: str, kept: bool
) -> None:
    ours = forge.add(GH_THREAD, f"{OURS}\nold")
    result = github(forge, tmp_path, "fresh", "--pr", "7", "--behavior", behavior)
    assert result.exit_code == 0, result.output
    bodies = forge.bodies(GH_THREAD)
    assert (ours in bodies) is kept and len(bodies) == 1 + kept
    assert list(bodies.values())[-1] == f"{OURS}\nfresh\n"


def test_hide_and_new_minimizes_the_earlier_comment_as_outdated(
    forge: Forge, tmp_path: Path
) -> None:
    ours = forge.add(GH_THREAD, f"{OURS}\nold")
    other = forge.add(GH_THREAD, "other tool")
    result = github(forge, tmp_path, "fresh", "--pr", "7", "--behavior", "hide-and-new")
    assert result.exit_code == 0, result.output
    assert forge.minimized == [f"IC_{ours}"]
    assert {ours, other} < set(forge.bodies(GH_THREAD)) and len(forge.bodies(GH_THREAD)) == 3
    assert f"hid comment {ours} on acme/app#7 as outdated" in result.stderr


def test_tags_keep_one_comment_each(forge: Forge, tmp_path: Path) -> None:
    untagged = forge.add(GH_THREAD, f"{OURS}\nplain")
    for tag in ("nightly", "pr", "nightly"):
        assert github(forge, tmp_path, f"by {tag}", "--pr", "7", "--tag", tag).exit_code == 0
    bodies = forge.bodies(GH_THREAD)
    assert set(bodies.values()) == {
        "<!-- costcalc comment: nightly -->\nby nightly\n",
        "<!-- costcalc comment: pr -->\nby pr\n",
        f"{OURS}\nplain",
    }
    assert bodies[untagged] == f"{OURS}\nplain"
    bad = github(forge, tmp_path, "x", "--pr", "7", "--tag", "a -->")
    assert bad.exit_code == 2 and "--tag" in bad.stderr


def test_github_pr_number_comes_from_the_event_file(forge: Forge, tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"action": "opened", "pull_request": {"number": 7}}))
    result = github(forge, tmp_path, "hello", GITHUB_EVENT_PATH=str(event))
    assert result.exit_code == 0, result.output
    assert "on acme/app#7" in result.stderr and len(forge.bodies(GH_THREAD)) == 1


def test_gitlab_updates_its_note_on_page_two_and_skips_system_notes(
    forge: Forge, tmp_path: Path
) -> None:
    for i in range(130):
        forge.add(GL_THREAD, f"note {i}", system=i % 2 == 0)
    ours = forge.add(GL_THREAD, f"{OURS}\nold")
    forge.add(GL_THREAD, OURS, system=True)  # GitLab's own note is never ours
    result = gitlab(forge, tmp_path, "new figures")
    assert result.exit_code == 0, result.output
    assert forge.bodies(GL_THREAD)[ours] == f"{OURS}\nnew figures\n"
    assert result.stderr == f"updated comment {ours} on 42!5\n"
    pages = [path for method, path, _ in forge.seen if method == "GET"]
    assert len(pages) == 2 and all("sort=asc" in p for p in pages)


def test_gitlab_hides_by_deleting_and_says_so(forge: Forge, tmp_path: Path) -> None:
    ours = forge.add(GL_THREAD, f"{OURS}\nold")
    result = gitlab(forge, tmp_path, "fresh", "--behavior", "hide-and-new")
    assert result.exit_code == 0, result.output
    assert ours not in forge.bodies(GL_THREAD) and len(forge.bodies(GL_THREAD)) == 1
    assert result.stderr.startswith("GitLab cannot hide comments: deleting earlier ones")


def test_gitlab_job_token_goes_in_the_job_token_header(forge: Forge, tmp_path: Path) -> None:
    result = gitlab(forge, tmp_path, "hi", "--project", "42", GITLAB_TOKEN="",
                    CI_JOB_TOKEN="job-token")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert all(headers.get("job-token") == "job-token" for *_, headers in forge.seen)


@pytest.mark.parametrize(("platform", "advice"), [("github", "pull-requests: write"),
                                                  ("gitlab", "`api` scope")])  # fmt: skip
def test_forbidden_exits_2_saying_which_permission(
    forge: Forge, tmp_path: Path, platform: str, advice: str
) -> None:
    forge.forbid = True
    run = github if platform == "github" else gitlab
    result = run(forge, tmp_path, "hi", "--pr", "5")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: GET ") and "403" in result.stderr
    assert "Resource not accessible by integration" in result.stderr and advice in result.stderr


@pytest.mark.parametrize(("platform", "variable"), [("github", "GITHUB_TOKEN"),
                                                    ("gitlab", "GITLAB_TOKEN")])  # fmt: skip
def test_a_missing_token_exits_2_naming_the_variable(
    forge: Forge, tmp_path: Path, platform: str, variable: str
) -> None:
    run = github if platform == "github" else gitlab
    result = run(forge, tmp_path, "hi", "--pr", "5", **{variable: ""})
    assert result.exit_code == 2 and variable in result.stderr, result.output
    assert forge.seen == []


def test_missing_repository_and_pull_request_are_named_together(
    forge: Forge, tmp_path: Path
) -> None:
    result = github(forge, tmp_path, "hi", GITHUB_REPOSITORY="")
    assert result.exit_code == 2
    assert "--repo OWNER/NAME" in result.stderr and "--pr N" in result.stderr


def test_an_unreachable_api_exits_2(forge: Forge, tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = _run(tmp_path, "hi", ["github", "--pr", "7", "--api-url", f"http://127.0.0.1:{port}"],
                  {"GITHUB_TOKEN": "gh-token", "GITHUB_REPOSITORY": "acme/app"})  # fmt: skip
    assert result.exit_code == 2 and "cannot reach the API" in result.stderr, result.output


def test_a_silent_api_times_out_with_exit_2(
    forge: Forge, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("costcalc.io.comment.TIMEOUT_S", 0.2)  # 10 s in real use
    forge.delay_s = 1.0
    result = github(forge, tmp_path, "hi", "--pr", "7")
    assert result.exit_code == 2 and "no answer within 0.2 s" in result.stderr, result.output


def test_the_pull_request_recipe_end_to_end(
    forge: Forge, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real git repository: a baseline of every profile on main (in a worktree, as the
    action makes it), a branch that triples one profile's traffic, adds one and removes
    another; check, the project-wide diff, and one comment posted, updated, then deleted."""
    import shutil
    import subprocess

    root = Path(__file__).resolve().parents[1]
    repo = tmp_path / "repo"
    (repo / "profiles").mkdir(parents=True)
    for name in ("rag-support-chatbot", "tool-agent", "batch-summarisation"):
        shutil.copy(root / "profiles" / f"{name}.yaml", repo / "profiles")
    project = "schema_version: 1\nprofiles:\n" + "".join(
        f"  - path: profiles/{n}.yaml\n" for n in ("rag-support-chatbot", "tool-agent",
                                                   "batch-summarisation")
    )  # fmt: skip
    (repo / "costcalc.yaml").write_text(project, encoding="utf-8")

    def git(*args: str, cwd: Path = repo) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd,
                       check=True, capture_output=True)  # fmt: skip

    git("init", "-q", "-b", "main")
    git("add", ".")
    git("commit", "-qm", "main")
    git("checkout", "-qb", "more-agents")
    agent = repo / "profiles" / "tool-agent.yaml"
    agent.write_text(agent.read_text().replace("conversations_per_day: 1500",
                                               "conversations_per_day: 4500"))  # fmt: skip
    shutil.copy(root / "profiles" / "article-selfhost-7b.yaml", repo / "profiles")
    (repo / "costcalc.yaml").write_text(
        project.replace("batch-summarisation", "article-selfhost-7b"), encoding="utf-8"
    )
    git("commit", "-qam", "triple the agent, add the article, drop batch")
    git("worktree", "add", "-q", str(tmp_path / "base"), "main")
    runner = CliRunner()
    env = {"GITHUB_TOKEN": "gh-token", "GITHUB_REPOSITORY": "acme/app",
           "COSTCALC_TODAY": "2026-11-30"}  # fmt: skip

    def run(cwd: Path, *args: str) -> Result:
        monkeypatch.chdir(cwd)
        result = runner.invoke(app, list(args), env=env)
        assert "Traceback" not in result.output, result.output
        return result

    baseline = tmp_path / "baseline.json"
    assert run(tmp_path / "base", "compare", "--project", "-f", "json", "-o", str(baseline)
               ).exit_code == 0  # fmt: skip
    assert run(repo, "check").exit_code == 0  # every profile within its own budget
    comment = tmp_path / "cost.md"

    def diff_and_comment() -> int:
        code = run(repo, "diff", "--baseline", str(baseline), "--max-increase-pct", "10",
                   "-f", "markdown", "-o", str(comment)).exit_code  # fmt: skip
        posted = run(repo, "comment", "github", "--file", str(comment), "--pr", "7",
                     "--api-url", forge.url)  # fmt: skip
        assert posted.exit_code == 0, posted.output
        return code

    assert diff_and_comment() == 1  # +200 % on the agent: the gate breaks
    ((first, body),) = forge.bodies(GH_THREAD).items()
    assert "+200.0%" in body and "new: $1,290/month" in body and "removed" in body
    # the agent back to 1,500 tasks: the added $1,290 profile and the removed $84 one still
    # move the total, $4,555 → $5,761 (+26 %), over the 10 % gate on the total
    agent.write_text(agent.read_text().replace("conversations_per_day: 4500",
                                               "conversations_per_day: 1500"))  # fmt: skip
    assert diff_and_comment() == 1
    ((same, body),) = forge.bodies(GH_THREAD).items()
    assert same == first and "+200.0%" not in body and "on the total" in body  # edited in place
    # the branch undone: nothing to say, so the comment goes
    (repo / "costcalc.yaml").write_text(project, encoding="utf-8")
    assert diff_and_comment() == 0
    assert comment.read_text() == "" and forge.bodies(GH_THREAD) == {}
    # a baseline that is not one: exit 2
    assert run(repo, "diff", "--baseline", str(agent)).exit_code == 2
