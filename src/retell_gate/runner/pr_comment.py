"""The sticky pull-request comment: found again by its hidden marker and edited in place, else created once.

It is never a failure of the step. No pull request, a read-only token, a GitHub that is down, even a
bug in this module: each becomes a notice or a warning, and the gate's exit code stays what the
batch decided. The final edit gets GRACE_SECONDS past the gate's `timeout`, so that a timed-out run
still reports, and a GitHub that never answers costs no more than that.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from ..errors import ApiError, InputError
from ..inputs.raw import raw_values
from ..inputs.values import parse_base_url, parse_bool, parse_github_token, parse_seconds
from ..judge.outcome import Outcome
from ..net.transport import MaybeArrived
from ..report.comment import Place, is_marked, marker, render, render_running
from .github import Workflow
from .github_api import GitHubApi, GitHubError

__all__ = ["GRACE_SECONDS", "comment_outcome", "comment_running"]

GRACE_SECONDS = 8.0  # past `timeout`; inside the 10 s a cancelled step has between SIGINT and SIGKILL
PULL_REQUEST_EVENTS = frozenset({"pull_request", "pull_request_target"})
REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
LINK_SAFE = re.compile(r"https?://[A-Za-z0-9.:%~/_-]+")  # nothing that could end a markdown link early
TITLE = "Pull-request comment"
PERMISSION_HINT = (
    "Give the job `permissions: pull-requests: write`. On a pull request from a fork, GitHub gives the "
    "workflow a read-only token whatever it asks for; the results are in the job summary."
)


class Skipped(Exception):
    """No comment this time, for a reason the user should read at `level`."""

    def __init__(self, level: str, message: str) -> None:
        super().__init__(message)
        self.level = level
        self.message = message


@dataclass(frozen=True)
class PullRequest:
    api_url: str
    repository: str
    number: int


def comment_outcome(
    workflow: Workflow,
    env: Mapping[str, str],
    argv: Sequence[str],
    outcome: Outcome,
    started: float,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    engine: str = "",
) -> None:
    """With `comment-on-pr: true`, put the outcome in the pull request's comment; never raises.

    Called on every path once the outcome is known. The inputs are read here again, so that a run
    stopped by another bad input still updates its comment, rather than leaving the last verdict.
    """
    try:
        asked = wanted(env, argv)
        if asked is None:
            return
        token, timeout = asked
        end = clock() if timeout is None else min(clock(), started + timeout)
        deadline = end + GRACE_SECONDS
        _update(workflow, env, token, partial(render, outcome), deadline, clock, sleep, engine)
    except Exception as error:  # never the step's failure, whatever went wrong
        _unexpected(workflow, error)


def comment_running(
    workflow: Workflow,
    env: Mapping[str, str],
    token: str,
    batch_ids: Sequence[str],
    deadline: float,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    engine: str = "",
    what: str = "",
) -> None:
    """Start mode: post (or edit) the comment as running, with the batch IDs; never raises.

    Call it only with `comment-on-pr: true`, with a deadline of its own (e.g. GRACE_SECONDS from now,
    within the gate's), and the same `engine` as the final comment_outcome, which edits it.
    """
    try:
        _update(workflow, env, token, partial(render_running, batch_ids, what=what), deadline, clock, sleep, engine)
    except Exception as error:
        _unexpected(workflow, error)


def _update(
    workflow: Workflow,
    env: Mapping[str, str],
    token: str,
    body_for: Callable[[Place], str],
    deadline: float,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
    engine: str,
) -> None:
    try:
        pull = pull_request(env)
        if not token:
            raise Skipped("warning", "`comment-on-pr` is on, but `github-token` is empty: no comment was posted.")
        place = Place(marker(env.get("GITHUB_WORKFLOW", ""), env.get("GITHUB_JOB", ""), engine), run_url(env))
        api = GitHubApi(pull.api_url, pull.repository, token, clock, sleep)
        body = workflow.redact(body_for(place))  # public: the secrets out, as from every other write
        done = _upsert(api, pull.number, place.marker, body, deadline)
        workflow.log(f"{done} the comment on pull request #{pull.number}.")
    except Skipped as skipped:
        workflow.annotate(skipped.level, skipped.message, title=TITLE)
    except ApiError as error:
        workflow.annotate("warning", explain(error), title=TITLE)


def _upsert(api: GitHubApi, number: int, mark: str, body: str, deadline: float) -> str:
    """Edit the marked comment, or create it; after a create that may have arrived, look instead of resending."""

    def ours(text: str) -> bool:
        return is_marked(text, mark)

    existing = api.find_comment(number, ours, deadline)
    if existing is not None:
        api.edit_comment(existing.id, body, deadline)
        return "Updated"
    try:
        created = api.create_comment(number, body, deadline)
    except MaybeArrived as unsure:
        arrived = api.find_comment(number, ours, deadline)
        if arrived is None:
            unposted = "It is not there, and is not posted again (never twice): the next run posts it."
            raise GitHubError(f"{unsure.message} {unposted}") from None
        api.edit_comment(arrived.id, body, deadline)  # it may be a twin run's: make it ours
        return "Posted"
    return _settle_twins(api, number, ours, created.id, body, deadline)


def _settle_twins(
    api: GitHubApi, number: int, ours: Callable[[str], bool], created: int, body: str, deadline: float
) -> str:
    """Two runs of one job that look at the same moment both find no comment, and both post one. The later
    post finds the earlier, moves its verdict there and deletes itself, so one comment is left: the oldest,
    which every later run edits. The verdict goes in before the copy goes, so a refusal never loses it."""
    try:
        oldest = api.find_comment(number, ours, deadline)
        if oldest is None or oldest.id == created:
            return "Posted"
        api.edit_comment(oldest.id, body, deadline)
        api.delete_comment(created, deadline)
    except ApiError:
        return "Posted"  # it is posted; at worst a twin's comment stays beside it
    return "Updated"


def explain(error: ApiError) -> str:
    """The warning for a comment GitHub did not take; a missing permission is named."""
    status = error.status if isinstance(error, GitHubError) else None
    if status in (403, 404) and "rate limit" not in error.message.lower():
        return f"The comment on the pull request could not be posted: {error.message} {PERMISSION_HINT}"
    if status == 401:
        return f"The comment on the pull request could not be posted: {error.message} Check `github-token`."
    return f"The comment on the pull request could not be updated: {error.message} {error.hint}".rstrip()


def pull_request(env: Mapping[str, str]) -> PullRequest:
    """The pull request this run is for, from the runner's event file; Skipped when there is none."""
    event = env.get("GITHUB_EVENT_NAME", "")
    if event not in PULL_REQUEST_EVENTS:
        what = f"a `{event}` event" if event else "no GitHub event"
        raise Skipped("notice", f"`comment-on-pr` is on, but this run is for {what}, not a pull request: no comment.")
    number = _pull_request_number(env.get("GITHUB_EVENT_PATH", ""))
    repository = env.get("GITHUB_REPOSITORY", "")
    if not REPOSITORY.fullmatch(repository):
        raise Skipped("warning", "GITHUB_REPOSITORY is not `owner/name`: no comment was posted.")
    try:
        api_url = parse_base_url("GITHUB_API_URL", env.get("GITHUB_API_URL") or "https://api.github.com")
    except InputError:
        raise Skipped("warning", "GITHUB_API_URL is not an https:// URL: no comment was posted.") from None
    return PullRequest(api_url, repository, number)


def _pull_request_number(path: str) -> int:
    try:
        event = json.loads(Path(path).read_text(encoding="utf-8")) if path else None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        event = None
    pull = event.get("pull_request") if isinstance(event, dict) else None
    number = pull.get("number") if isinstance(pull, dict) else None
    if type(number) is not int or number <= 0:
        raise Skipped("warning", "The event file (GITHUB_EVENT_PATH) names no pull request: no comment was posted.")
    return number


def run_url(env: Mapping[str, str]) -> str:
    """The workflow run's page, or "" when the runner's variables do not make a safe link."""
    repository, run_id = env.get("GITHUB_REPOSITORY", ""), env.get("GITHUB_RUN_ID", "")
    server = (env.get("GITHUB_SERVER_URL") or "https://github.com").rstrip("/")
    if not (REPOSITORY.fullmatch(repository) and re.fullmatch(r"[0-9]{1,20}", run_id) and LINK_SAFE.fullmatch(server)):
        return ""
    return f"{server}/{repository}/actions/runs/{run_id}"


def wanted(env: Mapping[str, str], argv: Sequence[str]) -> tuple[str, float | None] | None:
    """The token and `timeout` when a comment is wanted; None when not, or when the inputs that ask
    for it are themselves invalid (the gate reports those)."""
    try:
        values = raw_values(env, argv)
        if not parse_bool("comment-on-pr", values["comment-on-pr"]):
            return None
        token = parse_github_token("github-token", values["github-token"]).reveal()
    except InputError:
        return None
    try:
        return token, parse_seconds("timeout", values["timeout"])
    except InputError:
        return token, None


def _unexpected(workflow: Workflow, error: Exception) -> None:
    message = (
        f"The comment on the pull request stopped on an unexpected {type(error).__name__}; the gate's result "
        "is not affected. This is a bug in the gate; please report it with the log of this step."
    )
    workflow.annotate("warning", message, title=TITLE)
