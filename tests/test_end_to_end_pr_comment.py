"""The pull-request comment through the real entrypoint, against the Retell simulator and a fake GitHub."""

from __future__ import annotations

import json
import re
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from retell_gate.simulator.server import Simulator
from tests.action_run import RUNNER_TOKEN, ActionRun, run_action, run_and_signal, runner_env
from tests.fake_github import FakeGitHub
from tests.test_end_to_end import KEY, assert_key_nowhere, gate_inputs
from tests.test_summary import MENTION, rendered_html

PR = 17
COMMENT_TAGS = {"h3", "p", "table", "thead", "tbody", "tr", "th", "td", "code", "strong", "ul", "li", "a"}


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub(RUNNER_TOKEN) as running:  # the token the runner makes of `${{ github.token }}`
        yield running


def pr_env(tmp_path: Path, github: FakeGitHub, event: str = "pull_request") -> dict[str, str]:
    """What the runner sets for a job run by a pull request."""
    path = tmp_path / "event.json"
    path.write_text(json.dumps({"action": "opened", "number": PR, "pull_request": {"number": PR, "draft": False}}))
    return {
        "GITHUB_EVENT_NAME": event,
        "GITHUB_EVENT_PATH": str(path),
        "GITHUB_API_URL": github.api_url,
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": github.repository,
        "GITHUB_RUN_ID": "4242",
        "GITHUB_WORKFLOW": "Agent tests",
        "GITHUB_JOB": "retell",
    }


def run(tmp_path: Path, simulator: Simulator, github: FakeGitHub, batch: str, **inputs: str) -> ActionRun:
    tmp_path.mkdir(exist_ok=True)
    return run_action(tmp_path, gate_inputs(simulator, batch, comment_on_pr="true", **inputs), pr_env(tmp_path, github))


def assert_token_nowhere(tmp_path: Path, run: ActionRun) -> None:
    assert [c.data for c in run.commands if c.name == "add-mask"] == [KEY, RUNNER_TOKEN]
    assert not any(RUNNER_TOKEN in line for line in run.log.splitlines() if not line.startswith("::add-mask::"))
    for name, text in run.files.items():
        assert RUNNER_TOKEN not in text, name
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert RUNNER_TOKEN.encode() not in path.read_bytes(), path


def test_one_comment_created_then_edited_in_place_with_the_exit_codes_unchanged(
    tmp_path: Path, simulator: Simulator, github: FakeGitHub
) -> None:
    for index in range(150):
        github.add_comment(PR, f"review remark {index}")
    first = run(tmp_path / "1", simulator, github, "failing-pr", report_path="r.json")
    assert (first.exit_code, first.outputs["result"]) == (1, "failed")
    assert f"Posted the comment on pull request #{PR}." in first.log
    second = run(tmp_path / "2", simulator, github, "passing-pr")
    assert (second.exit_code, second.outputs["result"]) == (0, "passed")
    assert f"Updated the comment on pull request #{PR}." in second.log
    ours = [body for body in github.bodies(PR) if body.startswith("<!-- retell-batch-gate ")]
    assert len(ours) == 1
    assert len(github.bodies(PR)) == 151
    assert "### ✅ Retell batch test passed" in ours[0]
    assert "| 10 | 0 | 0 | 10 | 100.0% |" in ours[0]
    assert "[Full results in the run](https://github.com/octo-org/agent/actions/runs/4242)" in ours[0]
    # Each run looked through both pages; the first created (and looked again, for a twin), the second edited.
    assert github.methods() == ["GET", "GET", "POST", "GET", "GET", "GET", "GET", "PATCH"]
    assert {request.headers["Authorization"] for request in github.requests} == {f"Bearer {RUNNER_TOKEN}"}
    for index, each in enumerate((first, second), 1):
        assert_token_nowhere(tmp_path / str(index), each)
        assert_key_nowhere(each)


def test_a_read_only_token_is_a_warning_and_a_pass_stays_green(tmp_path: Path, simulator: Simulator) -> None:
    with FakeGitHub(RUNNER_TOKEN, mode="read-only") as github:
        passed = run(tmp_path / "1", simulator, github, "passing-ro")
        failed = run(tmp_path / "2", simulator, github, "failing-ro")
    assert (passed.exit_code, passed.outputs["result"]) == (0, "passed")
    assert (failed.exit_code, failed.outputs["result"]) == (1, "failed")
    for each in (passed, failed):
        [warning] = [w for w in each.annotations("warning") if "pull request" in w]
        assert "HTTP 403: Resource not accessible by integration" in warning
        assert "`permissions: pull-requests: write`" in warning


def test_hostile_test_names_neither_ping_nor_inject(tmp_path: Path, simulator: Simulator, github: FakeGitHub) -> None:
    result = run(tmp_path, simulator, github, "hostile")
    assert result.exit_code == 1
    [body] = github.bodies(PR)
    assert "@\u200deveryone" in body  # the name is there, inert
    html = rendered_html(body)
    assert not MENTION.search(body)
    assert not MENTION.search(html)
    assert set(re.findall(r"<([a-z0-9]+)", html)) <= COMMENT_TAGS
    assert html.count("<li>") == 10  # one line for each failed or errored test, whatever its name holds
    assert re.findall(r'<a href="([^"]*)"', html) == ["https://github.com/octo-org/agent/actions/runs/4242"]


def test_a_timed_out_run_still_reports(tmp_path: Path, simulator: Simulator, github: FakeGitHub) -> None:
    result = run(tmp_path, simulator, github, "stuck", timeout="1", poll_interval="0.2", max_failures="1")
    assert (result.exit_code, result.outputs["result"]) == (4, "timed-out")
    [body] = github.bodies(PR)
    assert "### ⏱️ Retell batch test timed out" in body


def test_bad_input_still_updates_the_comment_without_asking_retell(
    tmp_path: Path, simulator: Simulator, github: FakeGitHub
) -> None:
    result = run(tmp_path, simulator, github, "passing", max_failures="lots")
    assert (result.exit_code, result.outputs["result"]) == (2, "error")
    assert simulator.requests == []
    [body] = github.bodies(PR)
    assert "### ⚠️ Retell batch test gate could not decide" in body
    assert "Input \\`max-failures\\` is 'lots'" in body  # escaped like all text in the comment


def test_a_cancelled_run_still_reports(tmp_path: Path, simulator: Simulator, github: FakeGitHub) -> None:
    inputs = gate_inputs(simulator, "stuck", poll_interval="30", comment_on_pr="true")
    result = run_and_signal(
        tmp_path, inputs, signal.SIGTERM, lambda: len(simulator.requests) >= 1, 0.5, pr_env(tmp_path, github)
    )
    assert (result.exit_code, result.outputs["result"]) == (143, "cancelled")
    [body] = github.bodies(PR)
    assert "### 🚫 Retell batch test gate was cancelled" in body


def test_a_push_is_a_notice_and_no_request(tmp_path: Path, simulator: Simulator, github: FakeGitHub) -> None:
    inputs = gate_inputs(simulator, "passing", comment_on_pr="true")
    result = run_action(tmp_path, inputs, pr_env(tmp_path, github, event="push"))
    assert result.exit_code == 0
    assert any("not a pull request" in notice for notice in result.annotations("notice"))
    assert github.requests == []


def test_start_mode_posts_running_then_edits_the_same_comment_with_the_verdict(
    tmp_path: Path, simulator: Simulator, github: FakeGitHub
) -> None:
    inputs = {
        "api-key": KEY,
        "llm-id": "llm_failing",
        "base-url": simulator.url,
        "poll-interval": "0.05",
        "timeout": "30",
        "comment-on-pr": "true",
    }
    first = run_action(tmp_path, inputs, pr_env(tmp_path, github))
    assert first.exit_code == 1
    started = json.loads(first.outputs["batch-job-ids"])
    assert github.methods() == ["GET", "POST", "GET", "GET", "PATCH"]  # running, then the verdict in the same comment
    running = json.loads(github.requests[1].body)["body"]
    assert "### ⏳ Retell batch test running" in running
    assert f"`{started[0]}`" in running
    ours = [body for body in github.bodies(PR) if body.startswith("<!-- retell-batch-gate ")]
    assert len(ours) == 1
    assert "### ❌ Retell batch test failed" in ours[0]
    # Another engine in the same job keeps a comment of its own.
    again = run_action(tmp_path / "other", inputs | {"llm-id": "llm_demo"}, pr_env(tmp_path, github))
    assert again.exit_code == 0
    assert len([body for body in github.bodies(PR) if body.startswith("<!-- retell-batch-gate ")]) == 2
    assert_token_nowhere(tmp_path, first)


def test_a_key_retell_quotes_back_is_in_no_summary_comment_output_or_log(tmp_path: Path, github: FakeGitHub) -> None:
    # Retell's keys start with `key_`: escaped for markdown (`key\_…`) it no longer matches the key itself,
    # so it must be cut out before any escaping: as the answer arrives.
    key = "key_Live_4f2a_secret"
    with Simulator(api_key=key) as retell:
        inputs = gate_inputs(retell, "echo-key", comment_on_pr="true", api_key=key, report_path="r.json")
        echoed = run_action(tmp_path, inputs, pr_env(tmp_path, github))
    assert (echoed.exit_code, echoed.outputs["result"]) == (3, "error")
    assert "API key *** is not valid here" in echoed.outputs["reason"]
    (comment,) = github.bodies(PR)
    report = (tmp_path / "workspace" / "r.json").read_text()
    written = [comment, report, *echoed.files.values()]
    written += [line for line in echoed.log.splitlines() if "add-mask" not in line]
    assert not [text for text in written if key in text.replace("\\", "")]  # nor any escaped form
    assert "API key \\*\\*\\* is not valid here" in echoed.summary


def test_the_comment_tells_the_final_story_when_a_pass_cannot_write_its_report(
    tmp_path: Path, simulator: Simulator, github: FakeGitHub
) -> None:
    (tmp_path / "workspace").mkdir(parents=True)
    (tmp_path / "workspace" / "out").write_text("not a folder")
    result = run(tmp_path, simulator, github, "passing-rc", report_path="out/r.json")
    assert (result.exit_code, result.outputs["result"]) == (5, "error")
    (body,) = github.bodies(PR)
    assert "### ✅ Retell batch test passed" not in body
    assert "could not write its report files" in body


def test_the_comment_marks_the_runs_that_count_against_nothing(
    tmp_path: Path, simulator: Simulator, github: FakeGitHub
) -> None:
    from tests.test_end_to_end_judged import history

    inputs = history(simulator, quarantine="Books*\nCancels*", repeats="2", min_passes="1", comment_on_pr="true")
    result = run_action(tmp_path, inputs, pr_env(tmp_path, github))
    assert result.exit_code == 0
    (body,) = github.bodies(PR)
    failing = [line for line in body.splitlines() if line.startswith("- ❌")]
    assert len(failing) == 5
    assert sum("(quarantined, counted against nothing)" in line for line in failing) == 4
    assert sum("(allowed: the test passed 1 of 2, counted against nothing)" in line for line in failing) == 1


def test_bad_input_in_start_mode_edits_that_engines_comment_so_no_old_verdict_stays(
    tmp_path: Path, simulator: Simulator, github: FakeGitHub
) -> None:
    from tests.test_end_to_end_start import start_inputs

    first = start_inputs(simulator, llm_id="llm_demo", comment_on_pr="true")
    (tmp_path / "1").mkdir()
    assert run_action(tmp_path / "1", first, pr_env(tmp_path / "1", github)).exit_code == 0
    second = start_inputs(simulator, llm_id="llm_demo", comment_on_pr="true", max_failures="lots")
    (tmp_path / "2").mkdir()
    bad = run_action(tmp_path / "2", second, pr_env(tmp_path / "2", github))
    assert (bad.exit_code, bad.outputs["result"]) == (2, "error")
    (body,) = github.bodies(PR)  # the same comment, edited: the pass it held is gone
    assert "engine=llm%2Did%3Dllm_demo" in body.splitlines()[0]
    assert "### ✅" not in body
    assert "Input \\`max-failures\\` is 'lots'" in body  # the error names the input


def test_a_crash_while_reporting_is_an_error_in_the_comment_and_the_exit_code(
    tmp_path: Path, simulator: Simulator, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last line of defence in cli.run: a bug in reporting never leaves a green comment or exit 0."""
    import io

    from retell_gate import cli
    from retell_gate.runner import publish

    def broken_report(*_: object) -> None:
        raise RuntimeError("a bug in reporting")

    monkeypatch.setattr(publish, "report", broken_report)
    (tmp_path / "workspace").mkdir()
    inputs = gate_inputs(simulator, "passing-crash", comment_on_pr="true")
    env = runner_env(tmp_path, inputs) | pr_env(tmp_path, github)
    log = io.StringIO()
    assert cli.run([], env, log) == 5
    (body,) = github.bodies(PR)
    assert "passed" not in body.splitlines()[0]
    assert "The gate failed to report its result (RuntimeError); it was: passed." in body
    errors = [line for line in log.getvalue().splitlines() if line.startswith("::error")]
    assert errors
    assert all("The gate failed to report its result (RuntimeError)" in line for line in errors), errors
