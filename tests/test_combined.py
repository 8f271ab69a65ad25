"""Judging test by test when the list of runs tested now is incomplete (judge/combined.py): no test is
called regressed or dropped on missing data, a required test not listed fails, and the thresholds
fall back to the batch's counts."""

from __future__ import annotations

from retell_gate.judge.assess import Assessment
from retell_gate.judge.combined import decide_per_definition
from retell_gate.judge.verdict import Verdict
from retell_gate.retell.listing import RunListing
from retell_gate.retell.models import TestRun as Run
from tests.factories import batch, config, make_run, one

BASELINE = tuple(make_run(index, "pass", f"Test {index}") for index in range(4))


def judged(listing: RunListing, **inputs: str) -> tuple[Verdict, Assessment]:
    gated = one(read=batch(passed=2, failed=2, total=4), listing=listing)
    return decide_per_definition(gated, config(baseline="base_1", **inputs), BASELINE)


def test_a_test_missing_from_an_incomplete_list_is_neither_dropped_nor_regressed() -> None:
    listed = RunListing((make_run(0, "pass", "Test 0"), make_run(1, "fail", "Test 1")), "the listing stopped")
    verdict, assessment = judged(listed, max_failures="2")
    assert assessment.comparison is not None
    assert [entry.name for entry in assessment.comparison.regressed] == ["Test 1"]  # listed as failed: evidence
    assert assessment.comparison.dropped == ()
    assert any("2 baseline test(s) not listed now are compared with nothing" in w for w in verdict.warnings)
    assert verdict.reason.endswith('1 test regressed since the baseline ("Test 1"), more than the 0 allowed.')


def test_a_required_test_missing_from_an_incomplete_list_fails_closed() -> None:
    listed = RunListing((make_run(0, "pass", "Test 0"),), "the listing stopped")
    verdict, _ = judged(listed, max_failures="2", required_tests="Test 3")
    assert not verdict.passed
    assert verdict.reason == (
        "The batch failed: regressions cannot be counted: 2 failed or errored test case(s) are missing from the "
        'incomplete list of test runs, and any could be one; required tests did not pass: "Test 3" did not run.'
    )
    assert any("a required test it lacks is taken as not run" in warning for warning in verdict.warnings)


def test_with_an_incomplete_list_the_thresholds_stand_on_the_batch_counts() -> None:
    listed = RunListing((make_run(0, "pass", "Test 0"), make_run(1, "fail", "Test 1")), "the listing stopped")
    verdict, assessment = judged(listed, quarantine="Test 1", max_regressions="5")
    assert assessment.counts.failed == 0  # per test, the quarantined failure is left out...
    assert not verdict.per_definition  # ...but the batch says 2 failed, and some runs are unknown
    assert (verdict.counts.failed, verdict.passed) == (2, False)


def test_with_a_whole_list_quarantined_failures_count_against_nothing() -> None:
    runs = (make_run(0, "pass", "Test 0"), make_run(1, "fail", "Test 1"), make_run(2, "pass", "Test 2"))
    gated = one(read=batch(passed=2, failed=1, total=3), listing=RunListing(runs))
    verdict, _ = decide_per_definition(gated, config(quarantine="Test 1"), None)
    assert verdict.per_definition
    assert (verdict.passed, verdict.counts.failed, verdict.counts.total) == (True, 0, 2)


def test_a_quarantine_that_leaves_no_test_counted_fails_unless_empty_is_allowed() -> None:
    runs = (make_run(0, "fail", "Test 0"), make_run(1, "fail", "Test 1"))
    gated = one(read=batch(passed=0, failed=2, total=2), listing=RunListing(runs))
    verdict, _ = decide_per_definition(gated, config(quarantine="*"), None)
    assert not verdict.passed  # a gate where nothing counts would pass anything
    assert verdict.reason == (
        "The batch failed: no test counts once quarantined tests are left out (set `allow-empty: true` to accept that)."
    )
    (shown,) = [check for check in verdict.checks if check.name == "Test cases"]
    assert (shown.limit, shown.actual, shown.ok) == ("at least 1", "0 (all quarantined)", False)
    allowed, _ = decide_per_definition(gated, config(quarantine="*", allow_empty="true"), None)
    assert allowed.passed
    assert allowed.reason == "No test counts once quarantined tests are left out, which is allowed."


def test_one_failure_missing_from_an_incomplete_list_is_enough_to_make_regressions_unknown() -> None:
    # Batch: 3 passed, 1 failed of 4; listed: 3 passes. The one failure not listed could be a regression.
    listed = RunListing(tuple(make_run(index, "pass", f"Test {index}") for index in range(3)), "the listing stopped")
    gated = one(read=batch(passed=3, failed=1, total=4), listing=listed)
    verdict, assessment = decide_per_definition(gated, config(baseline="base_1", max_failures="1"), BASELINE)
    assert not verdict.passed
    assert assessment.unseen_failures == 1
    assert "regressions cannot be counted: 1 failed or errored test case(s) are missing" in verdict.reason


def test_a_repeat_retell_lost_counts_against_its_test() -> None:
    """`repeats: 3`, whole lists, but one batch ran without the test: 2 passes of 3 started is not every one."""
    from retell_gate.judge.batches import GatedBatch

    def repeat(batch_id: str, *runs: Run) -> GatedBatch:
        return GatedBatch(batch_id, batch(batch_id=batch_id, passed=len(runs), total=len(runs)), RunListing(runs))

    gated = (
        repeat("b1", make_run(0, "pass", "Test 0"), make_run(1, "pass", "Test 1")),
        repeat("b2", make_run(0, "pass", "Test 0"), make_run(1, "pass", "Test 1")),
        repeat("b3", make_run(1, "pass", "Test 1")),  # Test 0 lost
    )
    inputs = config(batch_job_id="", llm_id="llm_1", repeats="3", required_tests="Test 0")
    verdict, assessment = decide_per_definition(gated, inputs, None)
    assert not verdict.passed
    (lost,) = [d for d in assessment.definitions if d.name == "Test 0"]
    assert (lost.passed, lost.min_passes) == (2, 3)


def test_a_failing_test_a_partly_listed_baseline_lacks_makes_regressions_unknown() -> None:
    listed = RunListing((make_run(0, "pass", "Test 0"), make_run(9, "fail", "Test 9")))
    gated = one(read=batch(passed=1, failed=1, total=2), listing=listed)
    partial = BASELINE[:2]  # Test 9 is not in it: it may have passed there, in the runs not listed
    inputs = config(baseline="base_1", max_failures="1")
    verdict, assessment = decide_per_definition(gated, inputs, partial, (), baseline_unlisted_passes=2)
    assert not verdict.passed
    assert "1 failing test(s) are missing from the baseline's incomplete list of test runs" in verdict.reason
    assert assessment.unseen_failures == 1  # so the `regression-count` output is empty, never a reassuring 0
    whole, _ = decide_per_definition(gated, inputs, partial, (), baseline_unlisted_passes=0)
    assert whole.passed  # every pass of the baseline is listed: Test 9 is new, or failed there; no regression


def test_a_partly_listed_baseline_hides_nothing_when_every_test_it_lacks_passes() -> None:
    listed = RunListing((make_run(0, "pass", "Test 0"), make_run(9, "pass", "Test 9")))
    gated = one(read=batch(passed=2, total=2), listing=listed)
    verdict, _ = decide_per_definition(gated, config(baseline="base_1"), BASELINE[:2], (), baseline_unlisted_passes=2)
    assert verdict.passed


def test_min_passes_over_batches_that_hold_the_same_test_counts_tests() -> None:
    """Wait mode, two batches of Beta: passed in one, failed in the other; `min-passes: 1` lets it pass."""
    from retell_gate.judge.batches import GatedBatch

    def of(batch_id: str, status: str) -> GatedBatch:
        read = batch(batch_id=batch_id, passed=int(status == "pass"), failed=int(status == "fail"), total=1)
        return GatedBatch(batch_id, read, RunListing((make_run(1, status, "Beta"),)))

    verdict, assessment = decide_per_definition((of("r1", "pass"), of("r2", "fail")), config(min_passes="1"), None)
    assert verdict.passed, verdict.reason
    assert verdict.per_definition
    assert [d.ok for d in assessment.definitions] == [True]
