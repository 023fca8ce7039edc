"""GitLab: a merge request's notes over the REST API (v4); GitLab cannot hide a note."""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping

from costcalc.errors import UserError
from costcalc.io.comment import Api, Comment, record_id, records

API_URL = "https://gitlab.com/api/v4"
ADVICE = {
    401: "Check that GITLAB_TOKEN (or CI_JOB_TOKEN) holds a valid, unexpired token.",
    403: "The token may not write notes: set GITLAB_TOKEN to a project or personal access "
    "token with the `api` scope and at least the Reporter role; a CI_JOB_TOKEN may not be "
    "allowed to write merge request notes.",
    404: "Check --project and --pr (the merge request IID, the number after `!`), or "
    "CI_PROJECT_ID and CI_MERGE_REQUEST_IID, and that the token can see the project.",
}


class GitLabThread:
    """The discussion of one merge request (its notes; system notes are GitLab's own)."""

    platform = "GitLab"
    can_hide = False

    def __init__(self, api: Api, project: str, iid: int) -> None:
        self.api = api
        self.where = f"{project}!{iid}"
        # a project path (group/name) is one URL segment: group%2Fname
        self._path = f"/projects/{urllib.parse.quote(project, safe='')}/merge_requests/{iid}/notes"

    def comments(self) -> list[Comment]:
        found: list[Comment] = []
        page: str | None = "1"
        seen: set[str] = set()
        while page and page not in seen:  # a server that names the same page again ends here
            seen.add(page)
            # oldest first: GitLab's default order is newest first
            url = f"{self._path}?sort=asc&order_by=created_at&per_page=100&page={page}"
            reply = self.api.call("GET", url)
            found += [
                Comment(int(r["id"]), str(r.get("body") or ""))
                for r in records(reply, f"notes on {self.where}")
                if not r.get("system")  # "added 1 commit", "changed the description"
            ]
            page = (reply.headers.get("X-Next-Page") or "").strip() or None
        return found

    def create(self, body: str) -> int:
        return record_id(self.api.call("POST", self._path, {"body": body}), self.where)

    def update(self, comment_id: int, body: str) -> None:
        self.api.call("PUT", f"{self._path}/{comment_id}", {"body": body})

    def delete(self, comment_id: int) -> None:
        self.api.call("DELETE", f"{self._path}/{comment_id}")

    def hide(self, comment: Comment) -> None:
        raise UserError("GitLab cannot hide a note")  # publish() deletes instead


def gitlab_thread(
    env: Mapping[str, str], project: str | None, mr: int | None, api_url: str | None
) -> GitLabThread:
    """The merge request to comment on, from the flags, else from GitLab CI's environment;
    everything missing is named at once (exit 2)."""
    # a personal or project token is preferred: the job token's API access is narrow
    secret: tuple[str, str] | None = None
    if env.get("GITLAB_TOKEN", "").strip():
        secret = ("PRIVATE-TOKEN", env["GITLAB_TOKEN"].strip())
    elif env.get("CI_JOB_TOKEN", "").strip():
        secret = ("JOB-TOKEN", env["CI_JOB_TOKEN"].strip())
    project = project or env.get("CI_PROJECT_ID", "").strip()
    iid = mr or _iid(env.get("CI_MERGE_REQUEST_IID", ""))
    missing = []
    if secret is None:
        missing.append("a token: set GITLAB_TOKEN (an access token with the api scope) or "
                       "CI_JOB_TOKEN")  # fmt: skip
    if not project:
        missing.append("the project: pass --project ID (or GROUP/NAME) or set CI_PROJECT_ID")
    if iid is None:
        missing.append("the merge request: pass --pr IID, or run in a merge request pipeline "
                       "(CI_MERGE_REQUEST_IID)")  # fmt: skip
    if missing:
        raise UserError("cannot comment on GitLab without " + "; ".join(missing))
    assert secret is not None and iid is not None
    base = (api_url or env.get("CI_API_V4_URL") or API_URL).rstrip("/")
    api = Api(base, {}, secret, ADVICE, "--api-url or CI_API_V4_URL")
    return GitLabThread(api, project, iid)


def _iid(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or int(text) < 1:
        raise UserError(f"CI_MERGE_REQUEST_IID={text!r} is not a merge request number")
    return int(text)
