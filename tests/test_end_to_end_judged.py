"""Issue 9 through entrypoint.py against the simulator over HTTP: a baseline, required and quarantined
tests, repeats. The simulator's history (simulator/history.py) has, for `llm_history` at version 3
against its version-2 baseline: Books regressed, Moves fixed, Cancels still failing, Spells flaky,
Refuses new and the old menu dropped.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import jsonschema
from junitparser import Failure, JUnitXml

from retell_gate.retell.client import RetellClient
from retell_gate.retell.engines import Engine
from retell_gate.retell.starting import create_batch_test
from retell_gate.simulator.server import Simulator
from tests.action_run import ActionRun, run_action
from tests.test_end_to_end import assert_key_nowhere
from tests.test_end_to_end_start import posts, start_inputs

SCHEMA = json.loads((Path(__file__).parent.parent / "docs" / "report.schema.json").read_text())
BOOKS = "Books a table for two"
GROUP = ["tcb_llm_history_v2-r2", "tcb_llm_history_v2-r1"]


def history(simulator: Simulator, **inputs: str) -> dict[str, str]:
    return start_inputs(simulator, llm_id="llm_history", version="3", **inputs)


def gate(tmp_path: Path, inputs: dict[str, str]) -> ActionRun:
    run = run_action(tmp_path, inputs)
    assert_key_nowhere(run)
    return run


def test_swapping_one_failure_for_another_is_blocked_though_max_failures_would_pass_it(
    tmp_path: Path, simulator: Simulator
) -> None:
    with Simulator(api_key="sim-key") as fresh:  # its own: the flaky test passes in the first batch of each
        without = gate(tmp_path / "a", history(fresh, max_failures="2"))
    assert without.exit_code == 0, without.log  # 2 failures now, as many as the baseline's 2 known ones allow
    run = gate(tmp_path / "b", history(simulator, max_failures="2", baseline="latest"))
    assert run.exit_code == 1, run.log
    assert run.outputs["result"] == "failed"
    assert run.outputs["reason"] == (
        f'The batch failed: 1 test regressed since the baseline ("{BOOKS}"), more than the 0 allowed.'
    )
    assert run.outputs["fail-count"] == "2"
    assert (run.outputs["regression-count"], run.outputs["fixed-count"]) == ("1", "2")  # Moves, and Spells passed once
    assert json.loads(run.outputs["baseline-batch-job-ids"]) == GROUP
    summary = run.summary
    assert summary.index("### ❌ Regressions (1)") < summary.index("### Fixed (2)") < summary.index("### Test cases")
    assert "| Books a table for two | ✅ passed | ❌ failed | The agent did not confirm" in summary
    assert "### Still failing (1)\n\n- Cancels a booking politely: ❌ failed → ❌ failed" in summary
    assert "### New (1)" in summary
    assert "### Dropped (1)\n\n- Reads out the old menu: ✅ passed → ➖ not run" in summary
    baseline_row = "| Baseline | `tcb_llm_history_v2-r2`, `tcb_llm_history_v2-r1` (retell-llm llm\\_history version 2"
    assert baseline_row in summary
    assert "| Regressions | ≤ 0 | 1 | ❌ |" in summary


def test_max_regressions_allows_that_many(tmp_path: Path, simulator: Simulator) -> None:
    run = gate(tmp_path, history(simulator, max_failures="2", baseline="latest", max_regressions="1"))
    assert run.exit_code == 0, run.log
    assert run.outputs["regression-count"] == "1"


def test_quarantined_failures_never_fail_the_step(tmp_path: Path, simulator: Simulator) -> None:
    inputs = history(simulator, baseline="latest", quarantine=f"{BOOKS}\ntcd_history_003")  # by name and by ID
    run = gate(tmp_path, inputs | {"junit-path": "j.xml"})
    assert run.exit_code == 0, run.log
    assert run.outputs["reason"] == "All 5 tests (quarantined ones left out) passed."
    assert (run.outputs["fail-count"], run.outputs["total-count"], run.outputs["regression-count"]) == ("0", "5", "0")
    assert "<details><summary>🧪 2 quarantined (counted against nothing)</summary>" in run.summary
    assert f"- {BOOKS}: ✅ passed → ❌ failed" in run.summary
    assert "Counted per test: each test case definition once, quarantined tests left out." in run.summary
    # Every report tells the same story: no error annotation, and the JUnit file is not red.
    assert run.annotations("error") == []
    junit = (tmp_path / "workspace" / "j.xml").read_text()
    assert 'failures="0" errors="0"' in junit
    assert 'message="quarantined, counted against nothing: fail' in junit


def test_a_quarantined_test_that_passed_says_it_may_leave_quarantine(tmp_path: Path, simulator: Simulator) -> None:
    run = gate(tmp_path, history(simulator, quarantine="Greets*", max_failures="2"))
    assert run.exit_code == 0, run.log
    assert "- Greets the caller: ✅ passed (passed: it may be ready to leave quarantine)" in run.summary


def test_a_required_test_that_fails_fails_the_step_whatever_the_thresholds(
    tmp_path: Path, simulator: Simulator
) -> None:
    run = gate(tmp_path, history(simulator, max_failures="5", required_tests="Cancels*\nGreets*"))
    assert run.exit_code == 1, run.log
    failed = '"Cancels a booking politely" failed'
    assert run.outputs["reason"] == f"The batch failed: required tests did not pass: {failed}."
    assert "| Required tests | all pass | 1 of 2 passed | ❌ |" in run.summary
    assert run.outputs["regression-count"] == ""  # no baseline was asked for


def test_a_required_test_that_did_not_run_fails_the_step(tmp_path: Path, simulator: Simulator) -> None:
    run = gate(tmp_path, history(simulator, max_failures="5", required_tests="Transfers*"))
    assert run.exit_code == 1, run.log
    assert "no test matches 'Transfers*' (it did not run)" in run.outputs["reason"]


def test_latest_walks_the_versions_down_to_one_with_a_complete_batch(tmp_path: Path, simulator: Simulator) -> None:
    inputs = start_inputs(simulator, conversation_flow_id="conversation_flow_sparse", version="3", baseline="latest")
    run = gate(tmp_path, inputs | {"max-failures": "2"})
    assert json.loads(run.outputs["baseline-batch-job-ids"]) == ["tcb_conversation_flow_sparse_v0"]
    listed = [p for _, p in simulator.calls if p.startswith("/v2/list-batch-tests") and "pagination" not in p]
    assert [path.split("version=")[1].split("&")[0] for path in listed] == ["2", "1", "0"]
    assert run.exit_code == 1  # Books passed at version 0
    assert f'("{BOOKS}")' in run.outputs["reason"]


def test_baseline_version_names_the_version_to_compare_with(tmp_path: Path, simulator: Simulator) -> None:
    run = gate(tmp_path, history(simulator, baseline="latest", baseline_version="1", max_failures="2"))
    assert json.loads(run.outputs["baseline-batch-job-ids"]) == ["tcb_llm_history_v1"]
    # Moves passed at version 1 already: Books regressed, nothing fixed.
    assert (run.outputs["regression-count"], run.outputs["fixed-count"]) == ("1", "0")


def test_explicit_baseline_batches_are_compared_with(tmp_path: Path, simulator: Simulator) -> None:
    run = gate(tmp_path, history(simulator, baseline="tcb_llm_history_v2-old", max_failures="2"))
    assert run.exit_code == 0, run.log  # Books failed in that baseline too: still failing, not regressed
    assert (run.outputs["regression-count"], run.outputs["fixed-count"]) == ("0", "1")  # Moves


def test_an_unknown_baseline_id_is_an_error_before_anything_starts(tmp_path: Path, simulator: Simulator) -> None:
    run = gate(tmp_path, history(simulator, baseline="tcb_typo"))
    assert run.exit_code == 3, run.log
    assert run.outputs["result"] == "error"
    assert "Retell does not know" in run.outputs["reason"]
    assert posts(simulator) == []


def test_no_history_warns_and_judges_on_the_absolute_thresholds(tmp_path: Path, simulator: Simulator) -> None:
    run = gate(tmp_path, start_inputs(simulator, llm_id="llm_demo", version="2", baseline="latest"))
    assert run.exit_code == 0, run.log
    assert run.outputs["result"] == "passed"
    first_section = run.summary.split("\n\n")[2]
    assert first_section.startswith("> [!WARNING]\n> No baseline to compare with: Retell lists no complete batch")
    assert "The verdict stands on the other thresholds." in first_section
    assert any("No baseline to compare with" in warning for warning in run.annotations("warning"))
    assert (run.outputs["regression-count"], run.outputs["baseline-batch-job-ids"]) == ("", "[]")


def test_a_listing_that_fails_warns_too(tmp_path: Path, simulator: Simulator) -> None:
    inputs = start_inputs(simulator, llm_id="llm_unlisted", version="2", baseline="latest") | {"timeout": "4"}
    run = gate(tmp_path, inputs)
    assert run.exit_code == 0, run.log
    warned = run.annotations("warning")
    said = "No baseline to compare with: Listing the batches of retell-llm llm_unlisted"
    assert any(warning.startswith(said) for warning in warned)


def test_baseline_required_makes_no_baseline_an_error(tmp_path: Path, simulator: Simulator) -> None:
    for engine in ("llm_demo", "llm_unlisted"):
        inputs = start_inputs(simulator, llm_id=engine, version="2", baseline="latest", baseline_required="true")
        run = gate(tmp_path / engine, inputs | {"timeout": "4"})
        assert run.exit_code == 3, run.log
        assert run.outputs["reason"].startswith("No baseline to compare with:")
        assert run.outputs["status"] == "complete"
        assert "keeps running" not in run.outputs["reason"]  # it is complete: nothing runs on


def test_repeats_list_a_flaky_test_and_min_passes_decides(tmp_path: Path, simulator: Simulator) -> None:
    run = gate(tmp_path / "all", history(simulator, repeats="2", max_failures="2"))
    assert len(json.loads(run.outputs["batch-job-ids"])) == 2
    assert posts(simulator) == ["/create-batch-test"] * 2
    assert run.exit_code == 1, run.log  # Spells passed once of twice: a third failed test
    assert (run.outputs["flaky-count"], run.outputs["fail-count"], run.outputs["total-count"]) == ("1", "3", "7")
    assert "### Flaky (1)\n\n- Spells out the confirmation code: ❌ failed (1 of 2 passed, 2 needed;" in run.summary
    assert "judged by its 2 runs (it passes with at least 2 passes)" in run.summary
    assert "Plan: 7 test cases, each run 2 times, in 2 batches against retell-llm llm_history version 3" in run.log
    once = gate(tmp_path / "one", history(simulator, repeats="2", min_passes="1", max_failures="2"))
    assert once.exit_code == 0, once.log
    assert once.outputs["reason"] == "5 of 7 tests passed, each judged by its 2 runs, within the thresholds."


def test_the_json_report_is_version_2_and_junit_says_what_regressed(tmp_path: Path, simulator: Simulator) -> None:
    inputs = history(simulator, baseline="latest", max_failures="2", report_path="r.json", junit_path="j.xml")
    run = gate(tmp_path, inputs)
    report = json.loads((tmp_path / "workspace" / "r.json").read_text())
    jsonschema.validate(report, SCHEMA)
    assert report["schema_version"] == 2
    assessment = report["assessment"]
    assert assessment["baseline"] == {
        "batch_job_ids": GROUP,
        "engine": "retell-llm llm_history version 2",
        "found_by_latest": True,
    }
    changes = {entry["name"]: entry["change"] for entry in assessment["comparison"]}
    assert changes[BOOKS] == "regressed"
    assert changes["Reads out the old menu"] == "dropped"
    junit = JUnitXml.fromfile(str(tmp_path / "workspace" / "j.xml"))
    (books,) = [case for suite in junit for case in suite if case.name == BOOKS]
    (failure,) = [result for result in books.result if isinstance(result, Failure)]
    assert failure.message.startswith(f"Regressed: it passed in the baseline batches {', '.join(GROUP)}. The agent")
    (cancels,) = [case for suite in junit for case in suite if case.name == "Cancels a booking politely"]
    assert "Regressed" not in cancels.result[0].message
    assert run.exit_code == 1


def test_without_the_new_inputs_the_json_report_stays_version_1(tmp_path: Path, simulator: Simulator) -> None:
    run = gate(tmp_path, history(simulator, max_failures="2", report_path="r.json"))
    report = json.loads((tmp_path / "workspace" / "r.json").read_text())
    assert report["schema_version"] == 1
    assert "assessment" not in report
    assert run.outputs["flaky-count"] == ""


def test_wait_mode_searches_the_baseline_of_the_engine_the_batch_reports(tmp_path: Path, simulator: Simulator) -> None:
    client = RetellClient(simulator.url, "sim-key", sleep=lambda _seconds: None)
    ids = tuple(f"tcd_history_{index:03d}" for index in range(7))
    engine = Engine("retell-llm", "llm_history", 3)
    batch_id = create_batch_test(client, ids, engine, time.monotonic() + 20).batch.test_case_batch_job_id
    inputs = start_inputs(simulator, batch_job_id=batch_id, baseline="latest", max_failures="2")
    run = gate(tmp_path, inputs)
    assert run.exit_code == 1, run.log
    assert json.loads(run.outputs["baseline-batch-job-ids"]) == GROUP


def test_judging_inputs_that_cannot_work_are_input_errors_before_any_request(
    tmp_path: Path, simulator: Simulator
) -> None:
    cases = {
        "repeats": ({"repeats": "11"}, "'11'"),
        "min-passes": ({"repeats": "2", "min-passes": "3"}, "from 1 to `repeats` (2)"),
        "quarantine": ({"required-tests": "Books*", "quarantine": "Books*"}, "both required and quarantined"),
        "baseline-version": ({"baseline-version": "2"}, "only with `baseline: latest`"),
        "max-regressions": ({"max-regressions": "-1", "baseline": "latest"}, "'-1'"),
    }
    for name, (given, said) in cases.items():
        run = gate(tmp_path / name, history(simulator) | given)
        assert run.exit_code == 2, (name, run.log)
        assert f"`{name}`" in run.outputs["reason"] or "required-tests" in run.outputs["reason"]
        assert said in run.outputs["reason"], run.outputs["reason"]
    waiting = start_inputs(simulator, batch_job_id="passing", repeats="2")
    run = gate(tmp_path / "wait", waiting)
    assert (run.exit_code, run.outputs["reason"][:20]) == (2, "Input `repeats` is '")
    own = gate(tmp_path / "own", start_inputs(simulator, batch_job_id="passing", baseline="passing"))
    assert own.exit_code == 2
    assert "cannot be its own baseline" in own.outputs["reason"]
    assert simulator.calls == []


def test_failures_an_incomplete_list_of_runs_lacks_make_the_regressions_unknown_never_zero(
    tmp_path: Path, simulator: Simulator
) -> None:
    # runs-broken: the batch counts 2 failed and 1 errored, and its runs cannot be listed at all.
    inputs = start_inputs(
        simulator, batch_job_id="runs-broken-rg", baseline="tcb_llm_history_v1", max_failures="5", max_errors="5"
    )
    run = gate(tmp_path, inputs)
    assert (run.exit_code, run.outputs["result"]) == (1, "failed")
    assert run.outputs["regression-count"] == ""  # unknown, not a reassuring 0
    assert "regressions cannot be counted: 3 failed or errored test case(s) are missing" in run.outputs["reason"]
    assert "| Regressions | ≤ 0 | unknown | ❌ |" in run.summary


def test_an_incomplete_list_that_lacks_only_passes_still_counts_the_regressions(
    tmp_path: Path, simulator: Simulator
) -> None:
    # listed-short: 10 passed, only 8 runs listed; nothing failing can hide in the 2 missing.
    inputs = start_inputs(simulator, batch_job_id="listed-short-rg", baseline="tcb_llm_history_v1")
    run = gate(tmp_path, inputs)
    assert run.outputs["regression-count"] != ""
    assert "unknown" not in run.summary


def test_runs_that_count_against_nothing_are_marked_so_in_the_summary_comment_and_junit(
    tmp_path: Path, simulator: Simulator
) -> None:
    # Books and Cancels quarantined; Spells (flaky) passes 1 of its 2 runs, which min-passes 1 allows.
    inputs = history(simulator, quarantine="Books*\nCancels*", repeats="2", min_passes="1", junit_path="j.xml")
    run = gate(tmp_path, inputs)
    assert (run.exit_code, run.outputs["result"]) == (0, "passed"), run.outputs["reason"]
    assert run.summary.count("| ❌ fail (quarantined) |") == 4
    assert "| `tcb_sim_0002` | Spells out the confirmation code | ❌ fail (allowed: the test passed 1 of 2) |" in (
        run.summary
    )
    suites = list(JUnitXml.fromfile(str(tmp_path / "workspace" / "j.xml")))
    assert sum(suite.failures + suite.errors for suite in suites) == 0  # never red beside a green gate
    skipped = [case for suite in suites for case in suite if case.result and case.result[0]._tag == "skipped"]
    assert any("allowed by `min-passes`" in (case.result[0].message or "") for case in skipped)
    spells = [case for suite in suites for case in suite if case.name == "Spells out the confirmation code"]
    assert sorted(bool(case.result) for case in spells) == [False, True]  # its passing run stays a plain pass


def test_a_test_both_required_and_quarantined_is_refused_before_anything_is_started(
    tmp_path: Path, simulator: Simulator
) -> None:
    run = gate(tmp_path, history(simulator, required_tests="Books*", quarantine="*table*"))
    assert (run.exit_code, run.outputs["result"]) == (2, "error")
    assert run.outputs["reason"].startswith("A test cannot be both required and quarantined")
    assert posts(simulator) == []
    assert "started nothing" in run.summary
    assert "keeps running" not in run.outputs["reason"]


def test_a_baseline_of_another_engine_is_warned_of(tmp_path: Path, simulator: Simulator) -> None:
    # `passing` runs against llm_demo_receptionist; the baseline batch against llm_history.
    run = gate(tmp_path, start_inputs(simulator, batch_job_id="passing-be", baseline="tcb_llm_history_v1"))
    warnings = run.annotations("warning")
    assert any(
        "The baseline ran against retell-llm llm_history, not retell-llm llm_demo_receptionist" in w for w in warnings
    )


def test_a_quarantine_that_would_leave_nothing_counted_starts_nothing(tmp_path: Path, simulator: Simulator) -> None:
    run = gate(tmp_path, history(simulator, quarantine="*"))
    assert (run.exit_code, run.outputs["result"]) == (2, "error")
    assert "Input `quarantine` matches every one of the 7 test(s) selected" in run.outputs["reason"]
    assert not [path for method, path in simulator.calls if method == "POST"]
    allowed = gate(tmp_path / "allowed", history(simulator, quarantine="*", allow_empty="true"))
    assert (allowed.exit_code, allowed.outputs["result"]) == (0, "passed"), allowed.outputs["reason"]


def test_a_baseline_at_the_version_tested_or_newer_is_warned_of(tmp_path: Path, simulator: Simulator) -> None:
    inputs = start_inputs(simulator, llm_id="llm_history", version="2", baseline="tcb_llm_history_v2-r1")
    run = gate(tmp_path, inputs | {"max-failures": "5"})
    assert any("The baseline ran version 2, the version tested" in w for w in run.annotations("warning"))
    earlier = gate(tmp_path / "earlier", history(simulator, baseline="tcb_llm_history_v2-r1", max_failures="5"))
    assert not any("The baseline ran version" in w for w in earlier.annotations("warning"))


def test_latest_takes_each_test_from_the_newest_batch_of_the_baseline_version_that_ran_it(
    tmp_path: Path, simulator: Simulator
) -> None:
    # At version 2 a smoke run (Greets only) came after the full run: Books and Cancels passed in the full one.
    inputs = start_inputs(simulator, llm_id="llm_smoke", version="3", baseline="latest", max_failures="5")
    run = gate(tmp_path, inputs)
    assert (run.exit_code, run.outputs["result"]) == (1, "failed"), run.outputs["reason"]
    assert run.outputs["regression-count"] == "2"
    assert json.loads(run.outputs["baseline-batch-job-ids"]) == ["tcb_llm_smoke_v2-smoke", "tcb_llm_smoke_v2-full"]
