"""One costcalc comment per pull or merge request, found by its marker: edit, hide or delete it."""

from __future__ import annotations

import json
import sys
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from costcalc import __version__
from costcalc.errors import UserError

if TYPE_CHECKING:
    import urllib.error

TIMEOUT_S = 10.0
MARKER = "<!-- costcalc comment -->"
RATE_LEFT = ("X-RateLimit-Remaining", "RateLimit-Remaining")  # GitHub's, GitLab's


class Behavior(StrEnum):
    update = "update"
    new = "new"
    delete_and_new = "delete-and-new"
    hide_and_new = "hide-and-new"


def marker(tag: str | None) -> str:
    """The hidden first line that makes a comment ours; a tag keeps one comment per workflow."""
    return f"<!-- costcalc comment: {tag} -->" if tag else MARKER


def is_ours(body: str, mark: str) -> bool:
    # The marker must open the comment: a human quoting it ("> <!-- costcalc…") or another
    # tool's comment mentioning it is never ours to edit or delete.
    lines = body.strip().splitlines()
    return bool(lines) and lines[0].strip() == mark


@dataclass(frozen=True)
class Comment:
    id: int
    body: str
    node_id: str = ""  # GitHub's GraphQL id, which minimizeComment takes


class Thread(Protocol):
    """The comments of one pull or merge request on one platform."""

    platform: str  # "GitHub", for messages
    where: str  # "owner/repo#7"
    can_hide: bool

    def comments(self) -> list[Comment]: ...
    def create(self, body: str) -> int: ...
    def update(self, comment_id: int, body: str) -> None: ...
    def delete(self, comment_id: int) -> None: ...
    def hide(self, comment: Comment) -> None: ...


def publish(thread: Thread, markdown: str, behavior: Behavior, tag: str | None) -> list[str]:
    """Post `markdown` as `behavior` says; one line per thing done, for stderr.

    An empty file means the report had nothing to say: nothing is posted, and the earlier
    comment is deleted (update, delete-and-new) or hidden (hide-and-new) so it cannot mislead.
    """
    mark = marker(tag)
    body = f"{mark}\n{markdown.strip()}\n" if markdown.strip() else ""
    done: list[str] = []
    if behavior is Behavior.hide_and_new and not thread.can_hide:
        done.append(f"{thread.platform} cannot hide comments: deleting earlier ones instead")
        behavior = Behavior.delete_and_new
    earlier = [] if behavior is Behavior.new else _ours(thread, mark)
    if behavior is Behavior.update and earlier and body:
        latest = max(earlier, key=lambda c: c.id)  # ids grow with time on both platforms
        if _same(latest.body, body):  # no edit, so no "edited" mark and no notification
            return [f"comment {latest.id} on {thread.where} is up to date"]
        thread.update(latest.id, body)
        return [f"updated comment {latest.id} on {thread.where}"]
    for old in earlier:
        if behavior is Behavior.hide_and_new:
            thread.hide(old)
            done.append(f"hid comment {old.id} on {thread.where} as outdated")
        else:
            thread.delete(old.id)
            done.append(f"deleted comment {old.id} on {thread.where}")
    if not body:
        return [*done, "nothing to post: the file is empty"]
    created = thread.create(body)
    return [*done, f"created comment {created} on {thread.where}"]


def _ours(thread: Thread, mark: str) -> list[Comment]:
    return [c for c in thread.comments() if is_ours(c.body, mark)]


def _same(posted: str, body: str) -> bool:
    # GitHub may hand a body back with CRLF line ends
    return posted.replace("\r\n", "\n").strip() == body.strip()


def read_markdown(path: Path) -> str:
    """The Markdown to post: a file, or stdin for `-` (`costcalc diff … | costcalc comment`)."""
    if str(path) == "-":
        return sys.stdin.read()
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text; name the Markdown file to post") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read it: {exc.strerror or exc}") from None


@dataclass(frozen=True)
class Reply:
    headers: Mapping[str, str]
    data: Any


class Api:
    """JSON over HTTP with one token; every failure a UserError that says what to check."""

    def __init__(
        self, base_url: str, headers: Mapping[str, str], secret: tuple[str, str],
        advice: Mapping[int, str], url_hint: str,
    ) -> None:  # fmt: skip
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise UserError(f"{base_url!r} is not an http(s) URL: check {url_hint}")
        self.base_url = base_url.rstrip("/")
        self.origin = (parts.scheme, parts.netloc)
        self.headers = {"Accept": "application/json", "User-Agent": f"costcalc/{__version__}",
                        **headers}  # fmt: skip
        self.secret = secret
        self.advice = advice

    def call(self, method: str, url: str, body: Mapping[str, Any] | None = None) -> Reply:
        """`url` is a path under the base URL, or a full URL the API gave (a next page)."""
        import http.client  # here, not at the top: every command imports this module
        import urllib.error
        import urllib.request

        url = url if "://" in url else self.base_url + url
        parts = urllib.parse.urlsplit(url)
        if (parts.scheme, parts.netloc) != self.origin:
            raise UserError(f"the API pointed costcalc at {url}, another host than "
                            f"{self.base_url}: the token is not sent there")  # fmt: skip
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(url, data=data, method=method, headers=self.headers)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        # unredirected: should the API redirect elsewhere, the token does not follow
        request.add_unredirected_header(*self.secret)
        what = f"{method} {url}"
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                headers, raw = response.headers, response.read()
        except urllib.error.HTTPError as exc:
            raise UserError(self._refused(what, exc)) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, TimeoutError):
                reason = f"no answer within {TIMEOUT_S:g} s"
            raise UserError(f"{what}: cannot reach the API ({reason}); check --api-url and "
                            "the network") from None  # fmt: skip
        try:
            return Reply(headers, json.loads(raw) if raw.strip() else None)
        except ValueError:
            raise UserError(f"{what}: the answer is not JSON; is --api-url the API?") from None

    def _refused(self, what: str, exc: urllib.error.HTTPError) -> str:
        said = _message(exc)
        text = f"{what}: the API answered {exc.code} {exc.reason}" + (f" ({said})" if said else "")
        left = {exc.headers.get(name) for name in RATE_LEFT} if exc.headers else set()
        if exc.code == 429 or "0" in left:
            return f"{text}. Rate limited: try again later."
        advice = self.advice.get(exc.code)
        return f"{text}. {advice}" if advice else text


def _message(exc: urllib.error.HTTPError) -> str:
    """The reason the API gave in its JSON body ("Resource not accessible by integration")."""
    try:
        data = json.loads(exc.read() or b"null")
    except (ValueError, OSError):
        return ""
    if isinstance(data, dict):
        message = data.get("message") or data.get("error")
        return str(message) if message else ""
    return ""


def records(reply: Reply, what: str) -> list[dict[str, Any]]:
    """A page of comments, checked to be a list of objects before anything reads it."""
    if not isinstance(reply.data, list) or not all(isinstance(r, dict) for r in reply.data):
        raise UserError(f"{what}: the API answered something other than a list of comments")
    return reply.data


def record_id(reply: Reply, what: str) -> int:
    if not isinstance(reply.data, dict) or not isinstance(reply.data.get("id"), int):
        raise UserError(f"{what}: the API's answer names no comment id")
    return int(reply.data["id"])
