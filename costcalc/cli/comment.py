"""`costcalc comment`: post a Markdown report to a pull or merge request as one lasting comment."""

from __future__ import annotations

import os
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from costcalc.cli.common import user_errors
from costcalc.io.comment import Behavior, Thread


class Platform(StrEnum):
    github = "github"
    gitlab = "gitlab"


def _tag(value: str | None) -> str | None:
    # the tag goes inside an HTML comment: `-->` or a line break would end it early
    if value is not None and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", value):
        raise typer.BadParameter(f"{value!r}: use letters, digits, '.', '_' and '-'")
    return value


def _text(value: str | None) -> str | None:
    # `--repo "$UNSET"` in CI gives "": say so rather than fall back to the environment
    if value is not None and not value.strip():
        raise typer.BadParameter("empty: give a value, or leave the flag out")
    return value


@user_errors
def comment(
    platform: Annotated[
        Platform,
        typer.Argument(metavar="PLATFORM", help="github or gitlab.", case_sensitive=False),
    ],
    file: Annotated[
        Path,
        typer.Option(
            "--file",
            metavar="FILE",
            help="Markdown to post (`-` for stdin), such as `costcalc diff -f markdown -o "
            "FILE`. An empty file posts nothing.",
        ),
    ],
    pr: Annotated[
        int | None,
        typer.Option(
            "--pr",
            min=1,
            metavar="N",
            help="Pull request number (GitHub) or merge request IID (GitLab); default: "
            "GITHUB_EVENT_PATH's pull request, or CI_MERGE_REQUEST_IID.",
        ),
    ] = None,
    behavior: Annotated[
        Behavior,
        typer.Option(
            "--behavior",
            help="update: edit the earlier comment (none yet: post one; empty file: delete "
            "it). new: always post. delete-and-new, hide-and-new: delete or hide (as outdated) "
            "the earlier ones, then post; GitLab deletes instead of hiding.",
        ),
    ] = Behavior.update,
    tag: Annotated[
        str | None,
        typer.Option(
            "--tag",
            metavar="NAME",
            callback=_tag,
            help="Keep a separate comment per tag (one per workflow, say); others are not touched.",
        ),
    ] = None,
    repo: Annotated[
        str | None,
        typer.Option(
            "--repo",
            metavar="OWNER/NAME",
            callback=_text,
            help="GitHub repository (default: GITHUB_REPOSITORY).",
        ),
    ] = None,
    project: Annotated[
        str | None,
        typer.Option(
            "--project",
            metavar="ID",
            callback=_text,
            help="GitLab project id or GROUP/NAME path (default: CI_PROJECT_ID).",
        ),
    ] = None,
    api_url: Annotated[
        str | None,
        typer.Option(
            "--api-url",
            metavar="URL",
            callback=_text,
            help="API root (default: GITHUB_API_URL, else https://api.github.com; "
            "CI_API_V4_URL, else https://gitlab.com/api/v4).",
        ),
    ] = None,
) -> None:
    """Post a Markdown report to the pull request (GitHub) or merge request (GitLab) as one
    comment that later runs edit instead of repeating.

    The comment opens with a hidden marker, `<!-- costcalc comment -->` (with --tag NAME:
    `<!-- costcalc comment: NAME -->`), by which costcalc finds its own earlier comment and
    never another tool's. The token comes from GITHUB_TOKEN (needs `pull-requests: write`),
    or GITLAB_TOKEN (`api` scope), else CI_JOB_TOKEN. Prints what it did on stderr.

    \b
    Examples:
      costcalc diff base.json profiles/app.yaml -f markdown -o diff.md
      costcalc comment github --file diff.md
      costcalc comment gitlab --file diff.md --behavior delete-and-new
      costcalc comment github --file diff.md --tag nightly --repo acme/app --pr 7
    """
    from costcalc.io.comment import publish, read_markdown

    if platform is Platform.github and project is not None:
        raise typer.BadParameter("is for gitlab; on GitHub use --repo", param_hint="'--project'")
    if platform is Platform.gitlab and repo is not None:
        raise typer.BadParameter("is for github; on GitLab use --project", param_hint="'--repo'")
    markdown = read_markdown(file)  # a missing file fails before any network call
    thread: Thread
    if platform is Platform.github:
        from costcalc.io.comment_github import github_thread

        thread = github_thread(os.environ, repo, pr, api_url)
    else:
        from costcalc.io.comment_gitlab import gitlab_thread

        thread = gitlab_thread(os.environ, project, pr, api_url)
    for line in publish(thread, markdown, behavior, tag):
        typer.echo(line, err=True)
