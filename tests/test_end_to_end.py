"""entrypoint.py run as the runner runs the container, against the simulator on loopback."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from retell_gate.simulator.server import Simulator
from tests.action_run import run_action, run_and_signal

KEY = "sim-key"  # the simulator's key: it must show up in no log line, output or file


def gate_inputs(simulator: Simulator, batch: str, **inputs: str) -> dict[str, str]:
    return {
        "api-key": KEY,
        "batch-job-id": batch,
        "base-url": simulator.url,
        "poll-interval": "0.05",
        "timeout": "30",
    } | {name.replace("_", "-"): value for name, value in inputs.items()}


def assert_key_nowhere(run) -> None:
    log_lines = [line for line in run.log.splitlines() if not line.startswith("::add-mask::")]
    assert not any(KEY in line for line in log_lines)
    for name, text in run.files.items():
        assert KEY not in text, name


def test_a_passing_batch_passes(tmp_path: Path, simulator: Simulator) -> None:
    run = run_action(tmp_path, gate_inputs(simulator, "passing"))
    assert run.exit_code == 0
    assert run.outputs == {
        "result": "passed",
        "reason": "All 10 test cases passed.",
        "status": "complete",
        "pass-count": "10",
        "fail-count": "0",
        "error-count": "0",
        "total-count": "10",
        "pass-rate": "100.0",
        "batch-job-id": "passing",
        "batch-job-ids": '["passing"]',
        "engine-id": "llm_demo_receptionist",  # as the batch reports it
        "engine-version": "3",
        "regression-count": "",  # the tests were not judged one by one: no baseline, nothing to count
        "fixed-count": "",
        "flaky-count": "",
        "baseline-batch-job-ids": "[]",
        "elapsed-seconds": run.outputs["elapsed-seconds"],
        "report-path": "",
        "junit-path": "",
    }
    assert run.outputs["elapsed-seconds"].isdigit()
    assert run.log.splitlines()[0] == f"::add-mask::{KEY}"
    assert run.annotations("notice") == ["All 10 test cases passed. 10 passed, 0 failed, 0 errored of 10."]
    assert run.summary.startswith("## ✅ Retell batch test passed\n")
    assert "| 10 | 0 | 0 | 10 | 100.0% |" in run.summary
    assert "in_progress: 3/10 finished" in run.log  # progress lines as the counts change
    assert_key_nowhere(run)


def test_a_failing_batch_fails_with_one_error_annotation(tmp_path: Path, simulator: Simulator) -> None:
    run = run_action(tmp_path, gate_inputs(simulator, "failing"))
    assert run.exit_code == 1
    assert run.outputs["result"] == "failed"
    assert (run.outputs["pass-count"], run.outputs["fail-count"], run.outputs["error-count"]) == ("7", "2", "1")
    assert run.outputs["pass-rate"] == "70.0"
    errors = [c for c in run.commands if c.name == "error"]
    assert [(c.properties["title"], c.data.splitlines()[0]) for c in errors] == [
        (
            "Retell batch test",
            "The batch failed: 2 failed, more than the 0 allowed; 1 errored, more than the 0 allowed.",
        ),
        ("Refuses to share another guest's booking", "fail: The agent did not confirm the date back to the caller."),
        ("Understands a caller with background noise", "fail: The agent did not confirm the date back to the caller."),
        ("Ends the call when asked", "error: The simulated call could not be completed: the model provider timed out."),
    ]
    assert run.summary.startswith("## ❌ Retell batch test failed\n")
    assert "| Failed | ≤ 0 | 2 | ❌ |" in run.summary
    assert_key_nowhere(run)


def test_thresholds_from_hyphenated_inputs_are_applied(tmp_path: Path, simulator: Simulator) -> None:
    run = run_action(
        tmp_path, gate_inputs(simulator, "failing", max_failures="20%", max_errors="1", min_pass_rate="70")
    )
    assert run.exit_code == 0, run.log
    assert run.outputs["result"] == "passed"


def test_flaky_answers_are_retried_to_a_verdict(tmp_path: Path, simulator: Simulator) -> None:
    run = run_action(tmp_path, gate_inputs(simulator, "flaky"))
    assert (run.exit_code, run.outputs["result"]) == (0, "passed")
    assert len([path for path, _ in simulator.requests if path.startswith("/get-batch-test/")]) == 7


def test_a_batch_that_never_finishes_times_out(tmp_path: Path, simulator: Simulator) -> None:
    run = run_action(tmp_path, gate_inputs(simulator, "stuck", timeout="1", poll_interval="0.2", max_failures="1"))
    assert run.exit_code == 4
    assert run.outputs["result"] == "timed-out"
    assert run.outputs["status"] == "in_progress"
    assert run.outputs["pass-count"] == "3"
    assert run.annotations("error")[0] == run.outputs["reason"]
    assert run.summary.startswith("## ⏱️ Retell batch test timed out\n")


def test_a_timeout_can_be_allowed_to_pass_with_a_warning(tmp_path: Path, simulator: Simulator) -> None:
    run = run_action(
        tmp_path,
        gate_inputs(simulator, "stuck", timeout="1", poll_interval="0.2", fail_on_timeout="false", max_failures="1"),
    )
    assert (run.exit_code, run.outputs["result"]) == (0, "timed-out")  # 1 failed of 1 allowed: it could still pass
    assert run.annotations("warning")[0] == run.outputs["reason"]
    assert run.annotations("error") == []


def test_a_batch_that_had_already_failed_at_the_timeout_fails_even_when_a_timeout_may_pass(
    tmp_path: Path, simulator: Simulator
) -> None:
    run = run_action(
        tmp_path, gate_inputs(simulator, "stuck", timeout="1", poll_interval="0.2", fail_on_timeout="false")
    )
    assert (run.exit_code, run.outputs["result"]) == (1, "failed")
    assert run.outputs["reason"] == (
        "The batch can no longer pass: 1 failed, more than the 0 allowed. `timeout` (1 s) ran out while it was still "
        "running, with 4 of 10 test cases finished; it keeps running in Retell."
    )
    assert "raise `timeout` to wait for the end" in run.summary


@pytest.mark.parametrize(
    ("batch", "inputs", "failure"),
    [
        # The runs listed at the end show a required test failed: no later run can turn it.
        ("stuck", {"required_tests": "Answers opening hours"}, 'required tests did not pass: "Answers opening hours"'),
        # It passed in the baseline and has failed now: a regression, whatever the rest does.
        ("stuck", {"baseline": "mismatch-base"}, '1 test regressed since the baseline ("Answers opening hours")'),
        # Read at 1 passed, listed a moment later with 2 failed: the worse of the two counts.
        ("stuck-lagging", {"max_failures": "1"}, "2 failed, more than the 1 allowed"),
        # Complete and empty beside a running batch: it can never hold a test case.
        ("empty-t stuck-passing", {}, "batch empty-t has no test cases"),
        # With `quarantine` (even matching nothing) the thresholds count tests: 2 have failed for good.
        ("stuck-lagging", {"quarantine": "Nothing*", "max_failures": "1"}, "2 tests failed for good"),
    ],
)
def test_what_the_runs_already_show_fails_a_timeout_that_could_otherwise_pass(
    tmp_path: Path, simulator: Simulator, batch: str, inputs: dict[str, str], failure: str
) -> None:
    inputs = {"max_failures": "5", **inputs}
    run = run_action(
        tmp_path, gate_inputs(simulator, batch, timeout="2", poll_interval="0.2", fail_on_timeout="false", **inputs)
    )
    assert (run.exit_code, run.outputs["result"]) == (1, "failed"), run.outputs["reason"]
    assert failure in run.outputs["reason"]
    assert "ran out while" in run.outputs["reason"]


def test_a_batch_never_read_when_the_timeout_runs_out_is_unknown_never_a_pass(
    tmp_path: Path, simulator: Simulator
) -> None:
    # Reading slow-stuck takes 2.5 s of the 3: the second batch is never read.
    inputs = gate_inputs(simulator, "slow-stuck never-read-1", timeout="3", fail_on_timeout="false", max_failures="5")
    run = run_action(tmp_path, inputs)
    assert (run.exit_code, run.outputs["result"]) == (3, "error")
    assert run.outputs["reason"].startswith("`timeout` (3 s) ran out before batch never-read-1 could be read")


@pytest.mark.parametrize(
    ("batch", "inputs", "exit_code", "result", "reason_part"),
    [
        ("passing", {"api-key": "wrong-key"}, 3, "error", "HTTP 401: API key is missing or invalid"),
        ("nosuchscenario", {}, 3, "error", "HTTP 404"),
        ("not-json", {}, 3, "error", "not JSON"),
        ("string-count", {}, 3, "error", "pass_count"),
        ("overcounted", {}, 3, "error", "exceeds total_count"),
        ("unknown-status", {"timeout": "1", "poll-interval": "0.2"}, 3, "error", "'cancelled'"),
        ("server-error", {"timeout": "1"}, 3, "error", "HTTP 500"),
        ("uncounted", {}, 1, "failed", "2 errored"),
        ("empty", {}, 1, "failed", "no test cases"),
        ("empty", {"allow-empty": "true"}, 0, "passed", "empty, which is allowed"),
    ],
)
def test_every_unexpected_answer_fails_closed(
    tmp_path: Path,
    simulator: Simulator,
    batch: str,
    inputs: dict[str, str],
    exit_code: int,
    result: str,
    reason_part: str,
) -> None:
    run = run_action(tmp_path, gate_inputs(simulator, batch) | inputs)
    assert (run.exit_code, run.outputs["result"]) == (exit_code, result), run.log
    assert reason_part in run.outputs["reason"]
    assert_key_nowhere(run)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("max-failures", "lots"),
        ("poll-interval", "0"),
        ("base-url", "http://example.com"),
        ("batch-job-id", "../admin"),
        ("allow-empty", "yes"),
        ("api-key", ""),
    ],
)
def test_bad_input_exits_2_before_any_request(tmp_path: Path, simulator: Simulator, name: str, value: str) -> None:
    run = run_action(tmp_path, gate_inputs(simulator, "passing") | {name: value})
    assert run.exit_code == 2
    assert run.outputs["result"] == "error"
    assert f"`{name}`" in run.outputs["reason"]
    assert run.outputs["pass-count"] == ""
    assert run.outputs["status"] == ""
    assert simulator.requests == []
    assert "Traceback" not in run.log
    assert "no request was made to Retell" in run.summary


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_cancel_during_a_poll_sleep_reports_cancelled(
    tmp_path: Path, simulator: Simulator, sig: signal.Signals, code: int
) -> None:
    inputs = gate_inputs(simulator, "stuck", poll_interval="30")
    # A second after the first request the batch has been read and the gate sleeps (30 s) until the next poll.
    run = run_and_signal(tmp_path, inputs, sig, when=lambda: len(simulator.requests) >= 1, settle=1.0)
    assert run.exit_code == code
    assert run.outputs["result"] == "cancelled"
    assert run.outputs["pass-count"] == "3"
    assert run.summary.startswith("## 🚫 Retell batch test gate was cancelled\n")
    assert run.seconds_after_signal < 10
    assert "Traceback" not in run.log


def test_cancel_during_a_retry_backoff_reports_cancelled(tmp_path: Path, simulator: Simulator) -> None:
    inputs = gate_inputs(simulator, "rate-limited")
    run = run_and_signal(tmp_path, inputs, signal.SIGTERM, when=lambda: len(simulator.requests) >= 1)
    assert (run.exit_code, run.outputs["result"]) == (143, "cancelled")
    assert run.outputs["pass-count"] == ""  # no batch was ever read
    assert_key_nowhere(run)


def test_the_outputs_file_holds_only_heredoc_blocks(tmp_path: Path, simulator: Simulator) -> None:
    run = run_action(tmp_path, gate_inputs(simulator, "passing"))
    text = run.files["set_output_1"]
    first_lines = text.splitlines()[::3]
    assert all("<<ghadelimiter_" in line for line in first_lines)
    assert len(first_lines) == 19


def test_a_pass_whose_outputs_cannot_be_written_is_not_green(tmp_path: Path, simulator: Simulator) -> None:
    run = run_action(tmp_path, gate_inputs(simulator, "passing"), {"GITHUB_OUTPUT": str(tmp_path / "no" / "such")})
    assert run.exit_code == 5
    reason, lost = run.annotations("error")  # the outcome, now an error, then what was lost
    assert reason.startswith("All 10 test cases passed. But the gate could not write its step outputs or job summary")
    assert lost == "Could not write the step outputs or job summary: No such file or directory."
    assert run.summary.startswith("## ⚠️")  # the summary, written after, does not say passed
    assert "Traceback" not in run.log


def test_help_works_outside_actions(tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.action_run import ENTRYPOINT

    result = subprocess.run([sys.executable, str(ENTRYPOINT), "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert "--max-failures N|N%" in result.stdout
    assert "RETELL_API_KEY" in result.stdout


def test_at_the_timeout_a_quarantined_failure_fails_nothing(tmp_path: Path, simulator: Simulator) -> None:
    # `stuck` has 1 failure so far, of "Answers opening hours": quarantined, it counts against nothing.
    inputs = gate_inputs(
        simulator,
        "stuck",
        timeout="1",
        poll_interval="0.2",
        quarantine="Answers opening hours",
        fail_on_timeout="false",
    )
    run = run_action(tmp_path, inputs)
    assert (run.exit_code, run.outputs["result"]) == (0, "timed-out")


def test_a_cancel_once_the_batch_is_complete_does_not_say_it_keeps_running(
    tmp_path: Path, simulator: Simulator
) -> None:
    # runs-broken is complete at its first read; its runs cannot be listed, so the gate retries, and is cancelled.
    inputs = gate_inputs(simulator, "runs-broken-cx")
    listing = lambda: any("list-test-runs" in path for path, _ in simulator.requests)  # noqa: E731
    run = run_and_signal(tmp_path, inputs, signal.SIGINT, when=listing)
    assert (run.exit_code, run.outputs["result"]) == (130, "cancelled")
    assert run.outputs["reason"] == "The gate was cancelled (SIGINT) after the batch completed, before it was judged."
    assert "Nothing runs in Retell" in run.summary
    assert "keeps running" not in run.summary


def test_a_timeout_counts_what_a_complete_batch_left_uncounted_as_errors(tmp_path: Path, simulator: Simulator) -> None:
    # `uncounted` is complete with 2 of 10 test cases counted as nothing: errors, as its verdict would say.
    inputs = gate_inputs(simulator, "uncounted-t stuck-passing-t", timeout="2", poll_interval="0.2", max_errors="2")
    run = run_action(tmp_path, inputs)
    assert (run.exit_code, run.outputs["result"]) == (4, "timed-out")
    assert run.outputs["error-count"] == "2"


def test_a_required_pattern_that_matches_no_test_is_what_to_check(tmp_path: Path, simulator: Simulator) -> None:
    # Every test passed; the pattern names "Books a table for two", but the test is "… tonight".
    run = run_action(tmp_path, gate_inputs(simulator, "passing-req", required_tests="Books a table for two"))
    assert (run.exit_code, run.outputs["result"]) == (1, "failed")
    assert "no test matches 'Books a table for two' (it did not run)" in run.outputs["reason"]
    assert "Check `required-tests`: each pattern must match the name or ID of a test that ran" in run.summary
    assert "to see which test cases failed" not in run.summary


def test_a_timeout_reason_counts_what_the_reports_count(tmp_path: Path, simulator: Simulator) -> None:
    # Read at 1 passed of 10; its runs, listed at the end, show 2 failed too: 3 finished, in every report.
    inputs = gate_inputs(simulator, "stuck-lagging", timeout="1", poll_interval="0.2", max_failures="5")
    run = run_action(tmp_path, inputs)
    assert (run.exit_code, run.outputs["result"]) == (4, "timed-out")
    assert run.outputs["reason"].endswith("3 of 10 test cases had finished.")
    assert (run.outputs["pass-count"], run.outputs["fail-count"]) == ("1", "2")


def test_a_regression_found_at_the_timeout_is_in_every_report(tmp_path: Path, simulator: Simulator) -> None:
    from junitparser import Failure, JUnitXml

    inputs = gate_inputs(
        simulator, "stuck-reg", baseline="mismatch-reg", timeout="3", poll_interval="0.2", max_failures="5"
    )
    run = run_action(tmp_path, inputs | {"fail-on-timeout": "false", "junit-path": "j.xml"})
    assert (run.exit_code, run.outputs["result"]) == (1, "failed")
    assert run.outputs["baseline-batch-job-ids"] == '["mismatch-reg"]'
    assert run.outputs["regression-count"] == ""  # more may regress before the batch ends: not a count yet
    assert "| Regressions | ≤ 0 | at least 1 | ❌ |" in run.summary
    suites = JUnitXml.fromfile(str(tmp_path / "workspace" / "j.xml"))
    failures = [
        case.result[0] for suite in suites for case in suite if case.result and isinstance(case.result[0], Failure)
    ]
    assert any(
        (f.message or "").startswith("Regressed: it passed in the baseline batch mismatch-reg") for f in failures
    )


def test_min_passes_over_one_waited_batch_still_fails_a_timeout_that_cannot_pass(
    tmp_path: Path, simulator: Simulator
) -> None:
    # One batch: each test runs once, so its failed run (`stuck`: 1 failed) is a failed test, min-passes or not.
    inputs = gate_inputs(simulator, "stuck-mp", timeout="2", poll_interval="0.2", fail_on_timeout="false")
    run = run_action(tmp_path, inputs | {"min-passes": "1"})
    assert (run.exit_code, run.outputs["result"]) == (1, "failed"), run.outputs["reason"]
