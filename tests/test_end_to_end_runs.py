"""Per-test results end to end: the summary rows, annotations, the report files, hostile names."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from junitparser import JUnitXml

from retell_gate.simulator.server import Simulator
from tests.action_run import RUNNER_TOKEN, run_action
from tests.test_end_to_end import KEY, assert_key_nowhere, gate_inputs

SCHEMA = json.loads((Path(__file__).parent.parent / "docs" / "report.schema.json").read_text())


def test_failing_tests_are_named_in_the_summary_and_the_report_files(tmp_path: Path, simulator: Simulator) -> None:
    inputs = gate_inputs(simulator, "failing", report_path="reports/retell.json", junit_path="reports/junit.xml")
    run = run_action(tmp_path, inputs)
    assert run.exit_code == 1
    assert (run.outputs["report-path"], run.outputs["junit-path"]) == ("reports/retell.json", "reports/junit.xml")
    assert "| Refuses to share another guest's booking | ❌ fail | <details><summary>The agent did not confirm" in (
        run.summary
    )
    assert "| Ends the call when asked | ⚠️ error | The simulated call could not be completed" in run.summary
    assert "<details><summary>✅ 7 test cases passed</summary>" in run.summary
    report = json.loads((tmp_path / "workspace" / "reports" / "retell.json").read_text())
    jsonschema.validate(report, SCHEMA)
    assert [r["outcome"] for r in report["test_runs"]].count("fail") == int(run.outputs["fail-count"])
    suite = next(iter(JUnitXml.fromfile(str(tmp_path / "workspace" / "reports" / "junit.xml"))))
    assert (suite.tests, suite.failures, suite.errors) == (10, 2, 1)
    assert_key_nowhere(run)


def test_report_files_are_written_on_a_timeout_with_what_exists(tmp_path: Path, simulator: Simulator) -> None:
    inputs = gate_inputs(
        simulator, "stuck", timeout="2", poll_interval="0.2", report_path="r.json", junit_path="j.xml", max_failures="1"
    )
    run = run_action(tmp_path, inputs)
    assert (run.exit_code, run.outputs["result"]) == (4, "timed-out")
    report = json.loads((tmp_path / "workspace" / "r.json").read_text())
    assert [r["outcome"] for r in report["test_runs"]].count("not-finished") == 6
    suite = next(iter(JUnitXml.fromfile(str(tmp_path / "workspace" / "j.xml"))))
    assert (suite.tests, suite.failures, suite.skipped) == (10, 1, 6)
    assert "<details><summary>⏳ 6 test cases not finished</summary>" in run.summary


def test_hostile_test_names_cannot_forge_commands_or_outputs(tmp_path: Path, simulator: Simulator) -> None:
    run = run_action(tmp_path, gate_inputs(simulator, "hostile", junit_path="j.xml", report_path="r.json"))
    assert (run.exit_code, run.outputs["result"]) == (1, "failed")
    assert {c.name for c in run.commands} == {"add-mask", "error"}
    assert [c.data for c in run.commands if c.name == "add-mask"] == [KEY, RUNNER_TOKEN]  # no forged mask
    titles = [c.properties.get("title") for c in run.commands if c.name == "error"][1:]
    assert "::error::forged annotation" in titles
    assert "##[set-output name=result;]passed" in titles
    assert "line one\nline two\r\n::warning::three" in titles  # one annotation, its title unescaped whole
    assert "::stop-commands::" in run.log  # the names in the log are fenced
    assert "##[set-output name=result;]passed" in run.log
    JUnitXml.fromfile(str(tmp_path / "workspace" / "j.xml"))  # parses
    assert run.summary.count("| ❌ fail |") == 6
    assert run.summary.count("| ⚠️ error |") == 4
    assert "| lone surrogate ? here | ❌ fail |" in run.summary
    assert "<img" not in run.summary
    assert "<script" not in run.summary


def test_when_runs_cannot_be_listed_the_verdict_stands_on_the_counts(tmp_path: Path, simulator: Simulator) -> None:
    run = run_action(tmp_path, gate_inputs(simulator, "runs-broken", timeout="3"))
    assert (run.exit_code, run.outputs["result"]) == (1, "failed")
    (warning,) = run.annotations("warning")
    assert warning.startswith("The list of test runs is incomplete: The timeout ran out while retrying Retell")
    assert warning.endswith(
        "HTTP 500: Simulated HTTP 500. The gate judges the batch's counts (7 passed, 2 failed, 1 errored of 10)."
    )
    assert "The individual test results are unavailable (see the warning above)." in run.summary


def test_runs_that_show_failures_the_counts_hide_fail_the_gate(tmp_path: Path, simulator: Simulator) -> None:
    run = run_action(tmp_path, gate_inputs(simulator, "mismatch"))
    assert (run.exit_code, run.outputs["result"]) == (1, "failed")
    assert (run.outputs["pass-count"], run.outputs["fail-count"]) == ("8", "2")
    assert any("disagree with the batch's counts" in w for w in run.annotations("warning"))


def test_an_endless_pagination_is_cut_and_reported(tmp_path: Path, simulator: Simulator) -> None:
    run = run_action(tmp_path, gate_inputs(simulator, "endless-pages"))
    assert (run.exit_code, run.outputs["result"]) == (0, "passed")
    assert "The list of test runs is incomplete: Retell's pagination of the test runs repeated itself." in run.summary
    assert len([p for p, _ in simulator.requests if p.startswith("/v2/list-test-runs/")]) == 2


def test_many_failures_stay_within_the_runners_annotation_limit(tmp_path: Path, simulator: Simulator) -> None:
    run = run_action(tmp_path, gate_inputs(simulator, "many-failures"))
    errors = run.annotations("error")
    assert len(errors) == 9  # the tenth is kept for the gate's own problems
    assert errors[-1] == "18 more failed or errored test cases: see the job summary."


def test_a_report_path_that_cannot_be_written_fails_the_step(tmp_path: Path, simulator: Simulator) -> None:
    (tmp_path / "workspace").mkdir()
    (tmp_path / "workspace" / "taken").write_text("a file, not a folder")
    run = run_action(tmp_path, gate_inputs(simulator, "passing", report_path="taken/r.json"))
    assert run.exit_code == 5
    assert run.outputs["result"] == "error"  # a pass that cannot be reported whole is not shown as one
    assert run.outputs["report-path"] == ""
    assert any(e.startswith("Could not write `report-path` (taken/r.json)") for e in run.annotations("error"))


def read_reports(tmp_path: Path) -> tuple[dict, JUnitXml]:
    workspace = tmp_path / "workspace"
    report = json.loads((workspace / "r.json").read_text())
    jsonschema.validate(report, SCHEMA)
    suite = next(iter(JUnitXml.fromfile(str(workspace / "j.xml"))))
    return report, suite


def junit_properties(suite: JUnitXml) -> dict[str, str]:
    return {prop.name: prop.value for prop in suite.properties()}


def test_an_empty_listing_of_a_passing_batch_is_incomplete_not_failing(tmp_path: Path, simulator: Simulator) -> None:
    run = run_action(tmp_path, gate_inputs(simulator, "listed-none", report_path="r.json", junit_path="j.xml"))
    assert (run.exit_code, run.outputs["result"]) == (0, "passed"), run.log
    assert (run.outputs["pass-count"], run.outputs["error-count"]) == ("10", "0")
    why = "Retell listed 0 of the batch's 10 test runs"
    assert run.annotations("warning") == [
        f"The list of test runs is incomplete: {why}. "
        "The gate judges the batch's counts (10 passed, 0 failed, 0 errored of 10)."
    ]
    assert "The individual test results are unavailable (see the warning above)." in run.summary
    report, suite = read_reports(tmp_path)
    assert report["test_runs_problem"] == why
    assert junit_properties(suite)["test_runs_problem"] == why
    assert (suite.tests, suite.failures, suite.errors) == (1, 0, 0)


def test_a_short_listing_of_a_passing_batch_is_incomplete_not_failing(tmp_path: Path, simulator: Simulator) -> None:
    run = run_action(tmp_path, gate_inputs(simulator, "listed-short", report_path="r.json", junit_path="j.xml"))
    assert (run.exit_code, run.outputs["result"]) == (0, "passed"), run.log
    assert (run.outputs["pass-count"], run.outputs["error-count"]) == ("10", "0")
    why = "Retell listed 8 of the batch's 10 test runs"
    assert run.annotations("warning")[0].startswith(f"The list of test runs is incomplete: {why}.")
    assert not any("disagree" in warning for warning in run.annotations("warning"))
    assert f"The list of test runs is incomplete: {why}." in run.summary
    assert "<details><summary>✅ 8 test cases passed</summary>" in run.summary
    report, suite = read_reports(tmp_path)
    assert report["test_runs_problem"] == why
    assert junit_properties(suite)["test_runs_problem"] == why
    assert (suite.tests, suite.failures, suite.errors) == (8, 0, 0)


def test_a_failure_in_a_short_listing_makes_the_counts_worse(tmp_path: Path, simulator: Simulator) -> None:
    run = run_action(tmp_path, gate_inputs(simulator, "listed-short-failing"))
    assert (run.exit_code, run.outputs["result"]) == (1, "failed"), run.log
    counts = (run.outputs["pass-count"], run.outputs["fail-count"], run.outputs["error-count"])
    assert counts == ("9", "1", "0")
    assert run.annotations("warning") == [
        "The list of test runs is incomplete: Retell listed 8 of the batch's 10 test runs. The gate judges the "
        "batch's counts (10 passed, 0 failed, 0 errored of 10), made worse by the runs listed: "
        "9 passed, 1 failed, 0 errored of 10."
    ]
