"""GitHub: a pull request's conversation comments over REST, hidden as outdated over GraphQL."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

from costcalc.errors import UserError
from costcalc.io.comment import Api, Comment, record_id, records

API_URL = "https://api.github.com"
MAX_BODY_CHARS = 65_536  # GitHub refuses a longer comment with 422 "body is too long"
ADVICE = {
    401: "Check that GITHUB_TOKEN holds a valid, unexpired token.",
    403: "The token may not comment here: in a workflow grant `permissions: pull-requests: "
    "write`; a fine-grained token needs Pull requests: write, a classic one the repo scope. "
    "Workflows run from forks get a read-only token.",
    404: "Check --repo and --pr (or GITHUB_REPOSITORY and the event), and that the token can "
    "see the repository: GitHub answers 404 for a private one it cannot.",
}
MINIMIZE = (
    "mutation($id: ID!) { minimizeComment(input: {subjectId: $id, classifier: OUTDATED}) "
    "{ minimizedComment { isMinimized } } }"
)


class GitHubThread:
    """The conversation of one pull request (its comments are issue comments)."""

    platform = "GitHub"
    can_hide = True

    def __init__(self, api: Api, repo: str, number: int, graphql_url: str) -> None:
        self.api = api
        self.where = f"{repo}#{number}"
        self.graphql_url = graphql_url
        self._path = f"/repos/{repo}/issues/{number}/comments"
        self._one = f"/repos/{repo}/issues/comments"

    def comments(self) -> list[Comment]:
        found: list[Comment] = []
        url: str | None = f"{self._path}?per_page=100&page=1"
        seen: set[str] = set()
        while url and url not in seen:  # a server that links a page to itself ends here
            seen.add(url)
            reply = self.api.call("GET", url)
            found += [
                Comment(int(r["id"]), str(r.get("body") or ""), str(r.get("node_id") or ""))
                for r in records(reply, f"comments on {self.where}")
            ]
            url = next_link(reply.headers.get("Link") or "")
        return found

    def create(self, body: str) -> int:
        _check_length(body)
        return record_id(self.api.call("POST", self._path, {"body": body}), self.where)

    def update(self, comment_id: int, body: str) -> None:
        _check_length(body)
        self.api.call("PATCH", f"{self._one}/{comment_id}", {"body": body})

    def delete(self, comment_id: int) -> None:
        self.api.call("DELETE", f"{self._one}/{comment_id}")

    def hide(self, comment: Comment) -> None:
        # REST cannot minimize; GraphQL answers 200 even when it refuses, with `errors`
        reply = self.api.call(
            "POST", self.graphql_url, {"query": MINIMIZE, "variables": {"id": comment.node_id}}
        )
        errors = reply.data.get("errors") if isinstance(reply.data, dict) else None
        if errors or not isinstance(reply.data, dict):
            said = errors[0].get("message") if errors and isinstance(errors[0], dict) else ""
            raise UserError(
                f"hiding comment {comment.id} on {self.where} failed"
                + (f" ({said})" if said else "")
                + ". The token needs pull-requests: write; or use --behavior delete-and-new."
            )


def next_link(header: str) -> str | None:
    """The rel="next" URL of a Link header: `<https://…&page=2>; rel="next", <…>; rel="last"`."""
    found = re.search(r'<([^>]+)>\s*;\s*rel="next"', header)
    return found.group(1) if found else None


def _check_length(body: str) -> None:
    if len(body) > MAX_BODY_CHARS:
        raise UserError(
            f"the comment has {len(body):,} characters, more than the {MAX_BODY_CHARS:,} GitHub "
            "takes: post a shorter report (fewer profiles, or --format markdown of one)"
        )


def github_thread(
    env: Mapping[str, str], repo: str | None, pr: int | None, api_url: str | None
) -> GitHubThread:
    """The pull request to comment on, from the flags, else from GitHub Actions' environment;
    everything missing is named at once (exit 2)."""
    token = env.get("GITHUB_TOKEN", "").strip()
    repo = repo or env.get("GITHUB_REPOSITORY", "").strip()
    number = pr or _event_number(env)
    missing = []
    if not token:
        missing.append("a token: set GITHUB_TOKEN (in a workflow, `GITHUB_TOKEN: "
                       "${{ secrets.GITHUB_TOKEN }}` under env)")  # fmt: skip
    if not repo:
        missing.append("the repository: pass --repo OWNER/NAME or set GITHUB_REPOSITORY")
    elif not re.fullmatch(r"[\w.-]+/[\w.-]+", repo):
        missing.append(f"the repository: {repo!r} is not OWNER/NAME (--repo)")
    if number is None:
        missing.append("the pull request: pass --pr N, or run on a pull_request event "
                       "(its number is read from GITHUB_EVENT_PATH)")  # fmt: skip
    if missing:
        raise UserError("cannot comment on GitHub without " + "; ".join(missing))
    assert number is not None
    base = (api_url or env.get("GITHUB_API_URL") or API_URL).rstrip("/")
    headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
    api = Api(base, headers, ("Authorization", f"Bearer {token}"), ADVICE,
              "--api-url or GITHUB_API_URL")  # fmt: skip
    return GitHubThread(api, repo, number, graphql_url(base))


def graphql_url(api_url: str) -> str:
    # GitHub Enterprise Server serves REST at /api/v3 and GraphQL at /api/graphql;
    # github.com at api.github.com and api.github.com/graphql
    return api_url.removesuffix("/v3") + "/graphql"


def _event_number(env: Mapping[str, str]) -> int | None:
    """The pull request number in the event payload GitHub Actions writes for the job."""
    name = env.get("GITHUB_EVENT_PATH", "").strip()
    if not name:
        return None
    try:
        event = json.loads(Path(name).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(f"{name} (GITHUB_EVENT_PATH): cannot read the event: {exc}") from None
    # pull_request / pull_request_target events carry pull_request; a comment on a pull
    # request (issue_comment) carries the issue, marked as a pull request
    issue = event.get("issue") if isinstance(event, dict) else None
    pull = event.get("pull_request") if isinstance(event, dict) else None
    if not isinstance(pull, dict) and isinstance(issue, dict) and "pull_request" in issue:
        pull = issue
    number = pull.get("number") if isinstance(pull, dict) else None
    return number if isinstance(number, int) and number > 0 else None
