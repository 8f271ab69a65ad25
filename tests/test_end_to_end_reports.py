"""Reports that agree with the verdict, end to end: JUnit never green beside a red gate, numbers
that agree with their marks, a hint for what is really there, and report files that could not be
written named where the reviewer looks."""

from __future__ import annotations

from pathlib import Path

from junitparser import Error, Failure, JUnitXml, Skipped

from retell_gate.simulator.server import Simulator
from tests.action_run import run_action
from tests.test_end_to_end import gate_inputs

VERDICT_CASE = "Retell batch test gate"


def junit_suite(tmp_path: Path) -> JUnitXml:
    return next(iter(JUnitXml.fromfile(str(tmp_path / "workspace" / "j.xml"))))


def shape(suite: JUnitXml) -> tuple[int, int, int, int]:
    return (suite.tests, suite.failures, suite.errors, suite.skipped)


def verdict_case_result(suite: JUnitXml) -> object:
    (case,) = [case for case in suite if case.name == VERDICT_CASE]
    return case.result[0] if case.result else None


def test_unfinished_runs_of_a_complete_batch_are_junit_errors(tmp_path: Path, simulator: Simulator) -> None:
    run = run_action(tmp_path, gate_inputs(simulator, "uncounted", junit_path="j.xml"))
    assert (run.exit_code, run.outputs["error-count"]) == (1, "2")
    suite = junit_suite(tmp_path)
    assert shape(suite) == (10, 0, 2, 0)
    errors = [case.result[0] for case in suite if case.result]
    assert all(isinstance(error, Error) for error in errors)
    assert errors[0].message == "not finished (status in_progress), though the batch is complete"


def test_a_timed_out_gate_adds_a_red_verdict_case_to_its_skipped_runs(tmp_path: Path, simulator: Simulator) -> None:
    inputs = gate_inputs(simulator, "stuck-passing", timeout="1", poll_interval="0.2", junit_path="j.xml")
    run = run_action(tmp_path, inputs)
    assert (run.exit_code, run.outputs["result"]) == (4, "timed-out")
    suite = junit_suite(tmp_path)
    assert shape(suite) == (11, 0, 1, 9)
    verdict = verdict_case_result(suite)
    assert isinstance(verdict, Error)
    assert verdict.message == run.outputs["reason"]


def test_a_timeout_allowed_to_pass_leaves_junit_without_a_red_case(tmp_path: Path, simulator: Simulator) -> None:
    inputs = gate_inputs(simulator, "stuck-passing", timeout="1", poll_interval="0.2", junit_path="j.xml")
    run = run_action(tmp_path, inputs | {"fail-on-timeout": "false"})
    assert (run.exit_code, run.outputs["result"]) == (0, "timed-out")
    assert shape(junit_suite(tmp_path)) == (10, 0, 0, 9)


def test_failures_only_in_the_counts_add_a_failed_verdict_case(tmp_path: Path, simulator: Simulator) -> None:
    run = run_action(tmp_path, gate_inputs(simulator, "hidden-failures", junit_path="j.xml"))
    assert (run.exit_code, run.outputs["fail-count"]) == (1, "2")
    suite = junit_suite(tmp_path)
    assert shape(suite) == (11, 1, 0, 0)
    verdict = verdict_case_result(suite)
    assert isinstance(verdict, Failure)
    assert verdict.message == run.outputs["reason"]


def test_a_passing_batch_has_one_junit_case_per_run(tmp_path: Path, simulator: Simulator) -> None:
    run_action(tmp_path, gate_inputs(simulator, "passing", junit_path="j.xml"))
    suite = junit_suite(tmp_path)
    assert shape(suite) == (10, 0, 0, 0)
    assert VERDICT_CASE not in [case.name for case in suite]
    assert not any(isinstance(result, Skipped) for case in suite for result in case.result)


def test_a_share_just_over_its_limit_never_looks_within_it(tmp_path: Path, simulator: Simulator) -> None:
    run = run_action(tmp_path, gate_inputs(simulator, "share-edge", max_errors="5%"))
    assert run.exit_code == 1
    assert "| Errored | ≤ 5% | 10 (5.1%) | ❌ |" in run.summary
    assert "10 errored (5.1%), more than the 5% allowed" in run.outputs["reason"]


def test_a_pass_rate_just_at_its_minimum_never_looks_below_it(tmp_path: Path, simulator: Simulator) -> None:
    run = run_action(tmp_path, gate_inputs(simulator, "rate-edge", max_failures="1", min_pass_rate="99.95"))
    assert run.exit_code == 0, run.outputs["reason"]
    assert "| Pass rate | ≥ 99.95% | 99.95% | ✅ |" in run.summary


def test_one_test_case_is_one_test_case(tmp_path: Path, simulator: Simulator) -> None:
    run = run_action(tmp_path, gate_inputs(simulator, "single"))
    assert run.outputs["reason"] == "The 1 test case passed."
    assert "1 test cases" not in run.summary + run.log


def test_the_hint_never_points_at_a_table_that_is_not_there(tmp_path: Path, simulator: Simulator) -> None:
    for batch in ("runs-broken", "uncounted", "hidden-failures"):
        run = run_action(tmp_path / batch, gate_inputs(simulator, batch, timeout="3"))
        assert run.exit_code == 1
        hint = run.summary.split("### What to check\n\n", 1)[1]
        assert "table above" not in hint, batch
        assert "Retell's dashboard" in hint
    run = run_action(tmp_path / "failing", gate_inputs(simulator, "failing"))
    assert "Read each failed test case's explanation above" in run.summary


def test_a_report_that_cannot_be_written_is_annotated_and_summarised(tmp_path: Path, simulator: Simulator) -> None:
    (tmp_path / "workspace").mkdir()
    (tmp_path / "workspace" / "out").write_text("a file, not a folder")
    run = run_action(tmp_path, gate_inputs(simulator, "many-failures", report_path="out/r.json", junit_path="j.xml"))
    assert run.exit_code == 1
    problem = "Could not write `report-path` (out/r.json): `out` is a file, not a folder."
    shown = run.annotations("error")[:10]  # the runner drops the rest
    assert problem in shown
    assert "Could not write `report-path` (out/r.json): `out` is a file, not a folder." in run.summary
    assert (run.outputs["report-path"], run.outputs["junit-path"]) == ("", "j.xml")


def test_a_summary_that_cannot_be_written_keeps_an_annotation_slot(tmp_path: Path, simulator: Simulator) -> None:
    broken = {"GITHUB_STEP_SUMMARY": str(tmp_path / "no" / "such")}
    run = run_action(tmp_path, gate_inputs(simulator, "many-failures"), broken)
    assert run.exit_code == 1
    shown = run.annotations("error")[:10]
    assert "Could not write the step outputs or job summary: No such file or directory." in shown
