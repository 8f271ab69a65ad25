"""The sticky pull-request comment, against a fake GitHub over real HTTP: found, edited, never a failure."""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from retell_gate.runner import pr_comment
from retell_gate.runner.github import Workflow
from retell_gate.runner.pr_comment import GRACE_SECONDS, comment_outcome, comment_running, run_url
from tests.conftest import FakeClock
from tests.fake_github import FakeGitHub
from tests.runner_rules import workflow_commands
from tests.summary_cases import CASES

TOKEN = "ghs_PrCommentTestToken0123456789abcdefAB"
PR = 42
MARKER = "<!-- retell-batch-gate workflow=Agent%20tests job=retell -->"


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub(TOKEN) as running:
        yield running


def runner_env(tmp_path: Path, github: FakeGitHub, event: str = "pull_request", **extra: str) -> dict[str, str]:
    path = tmp_path / "event.json"
    path.write_text(json.dumps({"action": "synchronize", "number": PR, "pull_request": {"number": PR}}))
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": event,
        "GITHUB_EVENT_PATH": str(path),
        "GITHUB_API_URL": github.api_url,
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": github.repository,
        "GITHUB_RUN_ID": "987654321",
        "GITHUB_WORKFLOW": "Agent tests",
        "GITHUB_JOB": "retell",
        "INPUT_COMMENT-ON-PR": "true",
        "INPUT_GITHUB-TOKEN": TOKEN,
        "INPUT_TIMEOUT": "60",
    } | extra


def comment(env: dict[str, str], name: str, clock: FakeClock, started: float | None = None) -> str:
    """Comment on CASES[name] as the gate does after its report; returns the log."""
    stream = io.StringIO()
    workflow = Workflow(env, stream)
    workflow.mask(TOKEN)
    masked = stream.getvalue()
    comment_outcome(workflow, env, [], CASES[name], clock() if started is None else started, clock, clock.sleep)
    log = stream.getvalue().removeprefix(masked)
    assert TOKEN not in log
    return log


def annotations(log: str, level: str) -> list[str]:
    return [command.data for command in workflow_commands(log) if command.name == level]


def test_the_first_run_creates_the_comment_and_the_next_edits_it(
    tmp_path: Path, github: FakeGitHub, clock: FakeClock
) -> None:
    env = runner_env(tmp_path, github)
    log = comment(env, "failed-with-runs", clock)
    assert f"Posted the comment on pull request #{PR}." in log
    [body] = github.bodies(PR)
    assert body.startswith(MARKER + "\n")
    assert "❌ Retell batch test failed" in body
    assert "[Full results in the run](https://github.com/octo-org/agent/actions/runs/987654321)" in body
    log = comment(env, "passed", clock)
    assert f"Updated the comment on pull request #{PR}." in log
    [body] = github.bodies(PR)  # still one comment, now with the new verdict
    assert "✅ Retell batch test passed" in body
    assert github.methods() == ["GET", "POST", "GET", "GET", "PATCH"]  # after posting, a look for a twin


def test_the_comment_is_found_past_the_first_page(tmp_path: Path, github: FakeGitHub, clock: FakeClock) -> None:
    for index in range(130):
        github.add_comment(PR, f"review remark {index}")
    ours = github.add_comment(PR, MARKER + "\n\nold verdict")
    github.add_comment(PR, "> " + MARKER + "\n> quoted by a reviewer")
    for index in range(20):
        github.add_comment(PR, f"later remark {index}")
    comment(runner_env(tmp_path, github), "passed", clock)
    assert github.methods() == ["GET", "GET", "PATCH"]
    assert github.requests[-1].path.endswith(f"/issues/comments/{ours}")
    assert sum(body.startswith(MARKER) for body in github.bodies(PR)) == 1
    assert len(github.bodies(PR)) == 152


def test_another_job_or_workflow_gets_its_own_comment(tmp_path: Path, github: FakeGitHub, clock: FakeClock) -> None:
    comment(runner_env(tmp_path, github), "passed", clock)
    comment(runner_env(tmp_path, github, GITHUB_JOB="retell-eu"), "failed", clock)
    comment(runner_env(tmp_path, github, GITHUB_WORKFLOW="Nightly"), "failed", clock)
    assert len(github.bodies(PR)) == 3


def test_an_enterprise_server_api_root(tmp_path: Path, clock: FakeClock) -> None:
    with FakeGitHub(TOKEN, prefix="/api/v3") as github:
        env = runner_env(tmp_path, github, GITHUB_SERVER_URL="https://ghe.example.com")
        comment(env, "passed", clock)
        comment(env, "failed", clock)
        [body] = github.bodies(PR)
        assert "https://ghe.example.com/octo-org/agent/actions/runs/987654321" in body
        assert all(request.path.startswith("/api/v3/repos/") for request in github.requests)


@pytest.mark.parametrize("mode", ["read-only", "not-found"])
def test_a_refusal_is_a_warning_naming_the_permission(tmp_path: Path, clock: FakeClock, mode: str) -> None:
    with FakeGitHub(TOKEN, mode=mode) as github:
        log = comment(runner_env(tmp_path, github), "failed", clock)
    [warning] = annotations(log, "warning")
    assert "`permissions: pull-requests: write`" in warning
    assert "fork" in warning
    assert annotations(log, "error") == []


def test_a_wrong_token_is_a_warning_about_the_token(tmp_path: Path, github: FakeGitHub, clock: FakeClock) -> None:
    log = comment(runner_env(tmp_path, github, **{"INPUT_GITHUB-TOKEN": "ghs_revoked"}), "passed", clock)
    assert annotations(log, "warning") == [
        "The comment on the pull request could not be posted: GitHub refused the request: HTTP 401: Bad credentials. "
        "Check `github-token`."
    ]


@pytest.mark.parametrize("event", ["push", "schedule", "workflow_dispatch", "pull_request_review", ""])
def test_no_pull_request_is_a_notice_and_no_request(
    tmp_path: Path, github: FakeGitHub, clock: FakeClock, event: str
) -> None:
    log = comment(runner_env(tmp_path, github, event=event), "passed", clock)
    [notice] = annotations(log, "notice")
    assert "not a pull request" in notice
    assert github.requests == []


def test_pull_request_target_is_a_pull_request_too(tmp_path: Path, github: FakeGitHub, clock: FakeClock) -> None:
    comment(runner_env(tmp_path, github, event="pull_request_target"), "passed", clock)
    assert len(github.bodies(PR)) == 1


def test_nothing_happens_unless_asked(tmp_path: Path, github: FakeGitHub, clock: FakeClock) -> None:
    log = comment(runner_env(tmp_path, github, **{"INPUT_COMMENT-ON-PR": "false"}), "passed", clock)
    assert log == ""
    assert github.requests == []


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"INPUT_GITHUB-TOKEN": ""}, "`github-token` is empty"),
        ({"GITHUB_EVENT_PATH": "/nonexistent/event.json"}, "names no pull request"),
        ({"GITHUB_REPOSITORY": "not a repo"}, "GITHUB_REPOSITORY"),
        ({"GITHUB_API_URL": "http://api.github.com"}, "GITHUB_API_URL"),
    ],
)
def test_what_the_runner_left_out_is_a_warning_and_no_request(
    tmp_path: Path, github: FakeGitHub, clock: FakeClock, change: dict[str, str], says: str
) -> None:
    log = comment(runner_env(tmp_path, github, **change), "passed", clock)
    [warning] = annotations(log, "warning")
    assert says in warning
    assert github.requests == []


def test_a_create_that_may_have_arrived_is_found_not_posted_again(tmp_path: Path, clock: FakeClock) -> None:
    with FakeGitHub(TOKEN, mode="reset-after-create") as github:
        log = comment(runner_env(tmp_path, github), "failed", clock)
        assert github.methods().count("POST") == 1
        assert len(github.bodies(PR)) == 1
        assert annotations(log, "warning") == []
        comment(runner_env(tmp_path, github), "passed", clock)
        assert github.methods().count("POST") == 1
        assert len(github.bodies(PR)) == 1


def test_a_create_that_was_lost_is_a_warning_not_a_second_post(tmp_path: Path, clock: FakeClock) -> None:
    with FakeGitHub(TOKEN, mode="lost-create") as github:
        log = comment(runner_env(tmp_path, github), "failed", clock)
        assert github.methods() == ["GET", "POST", "GET"]
        assert github.bodies(PR) == []
    [warning] = annotations(log, "warning")
    assert "not posted again (never twice): the next run posts it." in warning


def test_the_final_edit_may_run_a_short_grace_past_the_timeout(
    tmp_path: Path, github: FakeGitHub, clock: FakeClock
) -> None:
    env = runner_env(tmp_path, github)  # timeout 60
    comment(env, "timed-out", clock, started=clock() - 60 - GRACE_SECONDS + 1)
    assert len(github.bodies(PR)) == 1  # inside the grace: reported
    log = comment(env, "timed-out", clock, started=clock() - 60 - GRACE_SECONDS - 1)
    assert github.methods() == ["GET", "POST", "GET"]  # past it: not one more request
    [warning] = annotations(log, "warning")
    assert "no time left" in warning


def test_a_github_that_never_answers_costs_no_more_than_the_grace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pr_comment, "GRACE_SECONDS", 1.0)
    with FakeGitHub(TOKEN, mode="hang") as github:
        env = runner_env(tmp_path, github)
        workflow = Workflow(env, io.StringIO())
        started = time.monotonic()
        comment_outcome(workflow, env, [], CASES["passed"], started)
        spent = time.monotonic() - started
    assert spent < 1.0 + 5.0  # generous: it catches a deadline that is ignored (60 s a try), not slowness


def test_a_bug_in_the_comment_code_is_a_warning(
    tmp_path: Path, github: FakeGitHub, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> str:
        raise KeyError("oops")

    monkeypatch.setattr(pr_comment, "render", broken)
    log = comment(runner_env(tmp_path, github), "passed", clock)
    [warning] = annotations(log, "warning")
    assert "unexpected KeyError" in warning
    assert "not affected" in warning


def test_the_running_comment_is_edited_by_the_final_one(tmp_path: Path, github: FakeGitHub, clock: FakeClock) -> None:
    env = runner_env(tmp_path, github)
    workflow = Workflow(env, io.StringIO())
    engine = "retell-llm.llm_1"
    comment_running(workflow, env, TOKEN, ["batch_a", "batch_b"], clock() + 5, clock, clock.sleep, engine=engine)
    [body] = github.bodies(PR)
    assert "⏳ Retell batch test running" in body
    assert "- `batch_a`\n- `batch_b`" in body
    comment_outcome(workflow, env, [], CASES["failed"], clock(), clock, clock.sleep, engine=engine)
    [body] = github.bodies(PR)
    assert "❌ Retell batch test failed" in body
    comment_outcome(workflow, env, [], CASES["passed"], clock(), clock, clock.sleep)  # no engine: another comment
    assert len(github.bodies(PR)) == 2


@pytest.mark.parametrize(
    ("server", "url"),
    [
        ("https://github.com", "https://github.com/o/r/actions/runs/5"),
        ("https://ghe.example.com/", "https://ghe.example.com/o/r/actions/runs/5"),
        ("https://x.test/a)[b](https://evil.test", ""),
        ("javascript:alert(1)", ""),
    ],
)
def test_the_run_link_is_made_only_from_safe_parts(server: str, url: str) -> None:
    env = {"GITHUB_SERVER_URL": server, "GITHUB_REPOSITORY": "o/r", "GITHUB_RUN_ID": "5"}
    assert run_url(env) == url


def test_a_twin_posted_a_moment_earlier_gets_the_verdict_and_ours_is_deleted(tmp_path: Path, clock: FakeClock) -> None:
    with FakeGitHub(TOKEN, mode="twin") as github:
        log = comment(runner_env(tmp_path, github), "failed", clock)
        assert github.methods() == ["GET", "POST", "GET", "PATCH", "DELETE"]
        [body] = github.bodies(PR)
        assert body.startswith(MARKER)
        assert "❌ Retell batch test failed" in body
        twin = github.comments[PR][0]["id"]
        assert github.requests[3].path.endswith(f"/issues/comments/{twin}")  # the earlier one keeps the verdict
        assert github.requests[4].path.endswith(f"/issues/comments/{twin + 1}")  # ours goes
    assert f"Updated the comment on pull request #{PR}." in log
    assert annotations(log, "warning") == []


RACING = ("failed", "passed")  # two runs of the same job, with different verdicts


def test_two_runs_that_post_at_once_leave_one_comment(tmp_path: Path, clock: FakeClock) -> None:
    # Both runs list the comments before either posts (the fake holds the listings until both arrive).
    logs: dict[str, str] = {}
    with FakeGitHub(TOKEN, mode="race") as github:
        env = runner_env(tmp_path, github)
        runs = [threading.Thread(target=lambda n=name: logs.update({n: comment(env, n, clock)})) for name in RACING]
        for run in runs:
            run.start()
        for run in runs:
            run.join(timeout=20)
        assert github.methods().count("POST") == 2
        ours = [body for body in github.bodies(PR) if body.startswith(MARKER)]
    assert len(ours) == 1
    moved = [name for name, log in logs.items() if f"Updated the comment on pull request #{PR}." in log]
    kept = [name for name, log in logs.items() if f"Posted the comment on pull request #{PR}." in log]
    assert len(moved) == len(kept) == 1
    verdict = {"failed": "❌ Retell batch test failed", "passed": "✅ Retell batch test passed"}
    assert verdict[moved[0]] in ours[0]  # the later post's verdict, in the earlier comment


def test_the_comment_is_redacted_like_every_other_write(tmp_path: Path, github: FakeGitHub, clock: FakeClock) -> None:
    import dataclasses

    key = "key_Quoted_9f8e7d"
    env = runner_env(tmp_path, github)
    workflow = Workflow(env, io.StringIO())
    workflow.mask(key)
    quoting = dataclasses.replace(CASES["passed"], reason=f"Retell said: key {key} is fine.")
    comment_outcome(workflow, env, [], quoting, clock(), clock, clock.sleep)
    (body,) = github.bodies(PR)
    assert "key" not in body.replace("\\", "").replace("key ", "")  # neither the key nor its escaped form
    assert "Retell said: key \\*\\*\\* is fine." in body
