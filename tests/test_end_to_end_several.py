"""Several batches, end to end: entrypoint.py as the runner runs it, against the simulator over HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from junitparser import Failure, JUnitXml, Skipped

from retell_gate.simulator.server import Simulator
from tests.action_run import run_action
from tests.test_end_to_end import assert_key_nowhere, gate_inputs

SCHEMA = json.loads((Path(__file__).parent.parent / "docs" / "report.schema.json").read_text())


def reads(simulator: Simulator) -> list[str]:
    """The batch of each `get-batch-test` request, in the order the simulator got them."""
    prefix = "/get-batch-test/"
    return [path.removeprefix(prefix) for path, _ in simulator.requests if path.startswith(prefix)]


def interleaved(order: list[str], first: str, second: str) -> bool:
    """Whether reads of `second` fall between reads of `first` and the other way round: not one batch fully
    before the other."""
    of_first = [i for i, batch in enumerate(order) if batch == first]
    of_second = [i for i, batch in enumerate(order) if batch == second]
    return of_first[0] < of_second[0] < of_first[-1] and of_second[0] < of_first[1] < of_second[-1]


def test_two_batches_are_waited_for_in_one_loop(tmp_path: Path, simulator: Simulator) -> None:
    a, b = "timed-1-10-2-pair", "timed-2-10-3-pair"
    run = run_action(tmp_path, gate_inputs(simulator, f"{a}, {b}"))
    assert (run.exit_code, run.outputs["result"]) == (0, "passed"), run.log
    assert run.outputs["reason"] == "All 20 test cases of the 2 batches passed."
    order = reads(simulator)
    assert order[:2] == [a, b]  # both at once, in the order given
    assert interleaved(order, a, b), order
    # Each batch is read until it is complete, then no more; both are listed afterwards.
    assert len(order) < 60
    listed = [path for path, _ in simulator.requests if path.startswith("/v2/list-test-runs/")]
    assert [path.split("?")[0].rsplit("/", 1)[1] for path in listed] == [a, b]
    assert json.loads(run.outputs["batch-job-ids"]) == [a, b]
    assert run.outputs["batch-job-id"] == a
    assert (run.outputs["status"], run.outputs["total-count"], run.outputs["pass-count"]) == ("complete", "20", "20")
    assert f"] {a}: in_progress: " in run.log  # progress lines name the batch
    assert_key_nowhere(run)


def test_three_batches_with_rows_a_total_and_every_report(tmp_path: Path, simulator: Simulator) -> None:
    batches = ["slow-trio", "passing-trio", "counts-19-0-1-trio"]
    inputs = gate_inputs(
        simulator, "\n".join(batches), max_errors="2", max_failures="1", report_path="r.json", junit_path="j.xml"
    )
    run = run_action(tmp_path, inputs)
    assert (run.exit_code, run.outputs["result"]) == (0, "passed"), run.log
    assert run.outputs["reason"] == "67 of 70 test cases of the 3 batches passed, within the thresholds."
    order = reads(simulator)
    assert order[:3] == batches
    assert interleaved(order, "slow-trio", "passing-trio")
    assert order.count("slow-trio") == 13  # its 13 frames, each read once: by its own schedule, not theirs
    # The summary: one row per batch and a total row, in the order given.
    assert "| Batch | Status | Passed | Failed | Errored | Total | Pass rate |" in run.summary
    assert "| `slow-trio` | complete | 38 | 1 | 1 | 40 | 95.0% |" in run.summary
    assert "| `passing-trio` | complete | 10 | 0 | 0 | 10 | 100.0% |" in run.summary
    assert "| `counts-19-0-1-trio` | complete | 19 | 0 | 1 | 20 | 95.0% |" in run.summary
    assert "| Total | complete | 67 | 1 | 2 | 70 | 95.7% |" in run.summary
    assert "| `slow-trio` | " in run.summary.split("### Failed and errored test cases")[1]  # each test names its batch
    # JSON: every batch, valid against the published schema.
    report = json.loads((tmp_path / "workspace" / "r.json").read_text())
    jsonschema.validate(report, SCHEMA)
    assert [entry["batch_job_id"] for entry in report["batches"]] == batches
    assert [entry["test_run_count"] for entry in report["batches"]] == [40, 10, 20]
    assert report["verdict"]["counts"] == {"passed": 67, "failed": 1, "errored": 2, "total": 70}
    # JUnit: a suite per batch under a <testsuites> root.
    suites = list(JUnitXml.fromfile(str(tmp_path / "workspace" / "j.xml")))
    assert [(suite.name, suite.tests, suite.failures, suite.errors) for suite in suites] == [
        ("Retell batch slow-trio", 40, 1, 1),
        ("Retell batch passing-trio", 10, 0, 0),
        ("Retell batch counts-19-0-1-trio", 20, 0, 1),
    ]


def test_thresholds_apply_to_the_totals(tmp_path: Path, simulator: Simulator) -> None:
    # 2 failures in one batch and 1 in the other, each within `max-failures: 2`; together 3.
    run = run_action(tmp_path / "count", gate_inputs(simulator, "counts-8-2-0-t1 counts-9-1-0-t1", max_failures="2"))
    assert (run.exit_code, run.outputs["result"]) == (1, "failed")
    assert run.outputs["reason"] == "The batches failed: 3 failed, more than the 2 allowed."
    assert (run.outputs["fail-count"], run.outputs["total-count"]) == ("3", "20")
    assert "| Failed | ≤ 2 | 3 | ❌ |" in run.summary
    errors = [c for c in run.commands if c.name == "error" and c.properties.get("title") != "Retell batch test"]
    assert {c.data.split(":")[0] for c in errors} == {"fail (batch counts-8-2-0-t1)", "fail (batch counts-9-1-0-t1)"}
    # A share is of the combined total: 3 failed of 20 is 15%, of 20 + 40 it is 5%.
    run = run_action(tmp_path / "share", gate_inputs(simulator, "counts-17-3-0-t2,counts-40-0-0-t2", max_failures="5%"))
    assert (run.exit_code, run.outputs["result"]) == (0, "passed"), run.log
    assert "| Failed | ≤ 5% | 3 (5.0%) | ✅ |" in run.summary
    run = run_action(tmp_path / "alone", gate_inputs(simulator, "counts-17-3-0-t3", max_failures="5%"))
    assert (run.exit_code, run.outputs["result"]) == (1, "failed")


def test_a_timeout_with_several_batches_says_which_were_still_running(tmp_path: Path, simulator: Simulator) -> None:
    inputs = gate_inputs(
        simulator, "passing-late stuck-late", timeout="2", poll_interval="0.1", junit_path="j.xml", max_failures="1"
    )
    run = run_action(tmp_path, inputs)
    assert (run.exit_code, run.outputs["result"]) == (4, "timed-out")
    assert run.outputs["reason"] == (
        "1 of 2 batches was still running when the timeout (2 s) ran out. 14 of 20 test cases had finished."
    )
    assert run.outputs["status"] == "in_progress"
    assert "| `stuck-late` | in\\_progress | 3 | 1 | 0 | 10 | 30.0% |" in run.summary
    assert "| `passing-late` | complete | 10 | 0 | 0 | 10 | 100.0% |" in run.summary
    suites = list(JUnitXml.fromfile(str(tmp_path / "workspace" / "j.xml")))
    assert [(suite.tests, suite.failures, suite.skipped) for suite in suites] == [(10, 0, 0), (10, 1, 6)]


def test_an_outage_during_a_multi_batch_wait_is_waited_through(tmp_path: Path, simulator: Simulator) -> None:
    # Both batches answer 503 (Retry-After: 0) from 1 s to 2 s after their first read.
    batches = "timed-3-10-3-outage-1-2-o1, timed-4-10-3-outage-1-2-o1"
    run = run_action(tmp_path, gate_inputs(simulator, batches))
    assert (run.exit_code, run.outputs["result"]) == (0, "passed"), run.log
    assert run.log.count("Retell started failing for batch") == 2  # each batch backs off on its own
    assert run.log.count("Retell answered again for batch") == 2
    assert "The batch keeps running in Retell; the gate keeps reading it" in run.log


def test_an_outage_still_going_at_the_deadline_is_an_error(tmp_path: Path, simulator: Simulator) -> None:
    batches = "timed-3-10-30-outage-1-99-o2, timed-4-10-30-outage-1-99-o2"
    run = run_action(tmp_path, gate_inputs(simulator, batches, timeout="3", fail_on_timeout="false"))
    assert (run.exit_code, run.outputs["result"]) == (3, "error")
    assert "whether batch timed-3-10-30-outage-1-99-o2 finished is unknown" in run.outputs["reason"]
    assert "Reading 1 other batch was failing too" in run.outputs["reason"]
    assert "| Batches | 2 |" in run.summary


def test_fail_fast_stops_as_soon_as_the_batch_can_no_longer_pass(tmp_path: Path, simulator: Simulator) -> None:
    inputs = gate_inputs(simulator, "fails-early-ff", max_failures="2", fail_fast="true", junit_path="j.xml")
    run = run_action(tmp_path, inputs)
    assert (run.exit_code, run.outputs["result"]) == (1, "failed")
    assert reads(simulator) == ["fails-early-ff"] * 2  # the second read showed 3 failures of 20
    assert run.outputs["reason"] == (
        "The batch can no longer pass: 3 failed, more than the 2 allowed. `fail-fast` stopped the wait while it was "
        "still running, with 4 of 20 test cases finished; it keeps running in Retell."
    )
    assert run.outputs["status"] == "in_progress"
    assert run.summary.startswith("## ❌ Retell batch test failed\n")
    assert "| Failed | ≤ 2 | 3 | ❌ |" in run.summary
    assert "### Failed and errored test cases" in run.summary  # the runs, as far as they are
    assert "⏳ 16 test cases not finished" in run.summary
    (suite,) = list(JUnitXml.fromfile(str(tmp_path / "workspace" / "j.xml")))
    kinds = [type(case.result[0]) if case.result else None for case in suite]
    assert (kinds.count(Failure), kinds.count(Skipped), kinds.count(None)) == (3, 16, 1)


def test_fail_fast_never_stops_while_a_pass_is_still_possible(tmp_path: Path, simulator: Simulator) -> None:
    # 3 failures of 20 seen early, and 17 of 20 passed at the end: within `max-failures: 3` and 85%.
    inputs = gate_inputs(simulator, "fails-early-ok", max_failures="3", min_pass_rate="85", fail_fast="true")
    run = run_action(tmp_path, inputs)
    assert (run.exit_code, run.outputs["result"]) == (0, "passed"), run.log
    assert reads(simulator) == ["fails-early-ok"] * 18  # every frame, to complete


def test_fail_fast_on_the_best_pass_rate_and_across_batches(tmp_path: Path, simulator: Simulator) -> None:
    # At most 17 of 20 can pass (85%), below 86%: a stop at the second read.
    inputs = gate_inputs(simulator, "fails-early-rate", max_failures="5", min_pass_rate="86", fail_fast="true")
    run = run_action(tmp_path / "rate", inputs)
    assert (run.exit_code, run.outputs["result"]) == (1, "failed")
    assert "the pass rate can be at most 85.0%, below 86%" in run.outputs["reason"]
    assert reads(simulator).count("fails-early-rate") == 2
    # Two batches: 3 failures in one and 0 so far in the other, against 5% of their 30 test cases.
    inputs = gate_inputs(simulator, "fails-early-two passing-two", max_failures="5%", fail_fast="true")
    run = run_action(tmp_path / "two", inputs)
    assert (run.exit_code, run.outputs["result"]) == (1, "failed")
    assert run.outputs["reason"].startswith(
        "The batches can no longer pass: 3 failed (10.0%), more than the 5% allowed."
    )
    assert "while 2 of 2 batches were still running" in run.outputs["reason"]
    assert "they keep running in Retell" in run.outputs["reason"]
    assert reads(simulator).count("fails-early-two") == 2


def test_a_batch_that_cannot_be_read_is_named(tmp_path: Path, simulator: Simulator) -> None:
    run = run_action(tmp_path, gate_inputs(simulator, "passing-named nosuchscenario"))
    assert (run.exit_code, run.outputs["result"]) == (3, "error")
    assert run.outputs["reason"].startswith("Batch nosuchscenario: Retell refused the request: HTTP 404")
    assert json.loads(run.outputs["batch-job-ids"]) == ["passing-named", "nosuchscenario"]


def test_bad_lists_of_batch_ids_are_input_errors_before_any_request(tmp_path: Path, simulator: Simulator) -> None:
    run = run_action(tmp_path / "repeat", gate_inputs(simulator, "passing, passing"))
    assert (run.exit_code, run.outputs["result"]) == (2, "error")
    assert "lists passing more than once" in run.outputs["reason"]
    run = run_action(tmp_path / "empty", gate_inputs(simulator, ""))
    assert (run.exit_code, run.outputs["result"]) == (2, "error")
    assert "`batch-job-id`" in run.outputs["reason"]
    assert simulator.requests == []


def test_batches_of_two_engines_name_each_engine_and_version_in_the_outputs(
    tmp_path: Path, simulator: Simulator
) -> None:
    run = run_action(tmp_path, gate_inputs(simulator, "passing,flow-latest,passing-2"))
    assert run.exit_code == 0, run.log
    assert run.outputs["engine-id"] == "llm_demo_receptionist,conversation_flow_x"  # each once, in order
    assert run.outputs["engine-version"] == "3,latest"  # flow-latest reports none: Retell ran the latest
