"""`fail-fast`'s question, table-driven: can batches still running pass at all? (pure)

Counts only grow, so "no" must be certain (no false reds), and anything short of certain is "yes".
"""

from __future__ import annotations

import pytest

from retell_gate.judge.batches import GatedBatch
from retell_gate.judge.counts import Counts
from retell_gate.judge.early import early_verdict
from retell_gate.judge.verdict import decide_batches
from retell_gate.retell.models import BatchTest
from tests.factories import batch, config


def running(passed: int = 0, failed: int = 0, errored: int = 0, total: int = 10) -> BatchTest:
    return batch(status="in_progress", passed=passed, failed=failed, errored=errored, total=total)


def done(passed: int = 0, failed: int = 0, errored: int = 0, total: int | None = None) -> BatchTest:
    return batch(passed=passed, failed=failed, errored=errored, total=total)


# (readings, inputs) -> can no longer pass?
TABLE: list[tuple[list[BatchTest | None], dict[str, str], bool]] = [
    # max-failures as a count: past it is final, at it is not.
    ([running(failed=1)], {}, True),
    ([running(failed=2)], {"max_failures": "2"}, False),
    ([running(failed=3)], {"max_failures": "2"}, True),
    ([running(passed=9)], {}, False),
    # max-errors the same.
    ([running(errored=1)], {}, True),
    ([running(errored=1)], {"max_errors": "1"}, False),
    # A share is of the final total, known from total_count: 1 of 20 is 5%, 2 of 20 is 10%.
    ([running(failed=1, total=20)], {"max_failures": "5%"}, False),
    ([running(failed=2, total=20)], {"max_failures": "5%"}, True),
    ([running(failed=2, total=20)], {"max_failures": "10%"}, False),
    # 10% of 11 allows 1.1: one failure is within it, two are not.
    ([running(failed=1, total=11)], {"max_failures": "10%"}, False),
    ([running(failed=2, total=11)], {"max_failures": "10%"}, True),
    # The pass rate: stop only when even every unfinished test case passing falls short.
    ([running(passed=0, failed=1, total=20)], {"max_failures": "5", "min_pass_rate": "95"}, False),  # 95% reachable
    ([running(passed=0, failed=2, total=20)], {"max_failures": "5", "min_pass_rate": "95"}, True),  # 90% at most
    ([running(passed=1, errored=1, total=3)], {"max_errors": "1", "min_pass_rate": "66.6"}, False),  # 66.66…%
    ([running(passed=1, errored=1, total=3)], {"max_errors": "1", "min_pass_rate": "66.7"}, True),
    ([running(passed=0, total=10)], {"min_pass_rate": "100"}, False),  # nothing finished: all can still pass
    # Nothing finished and nothing failed: never a stop, whatever the limits.
    ([running(total=0)], {}, False),  # a running batch's total of 0 may be "not counted yet"
    ([done(total=0), running(passed=3)], {"allow_empty": "false"}, True),  # complete and empty: final
    ([done(total=0), running(passed=3)], {"allow_empty": "true"}, False),
    ([running()], {"max_failures": "0%", "max_errors": "0", "min_pass_rate": "100"}, False),
    # Several batches: the limits apply to the totals.
    ([running(failed=2), running(failed=1)], {"max_failures": "2"}, True),
    ([running(failed=2), running(failed=0)], {"max_failures": "2"}, False),
    ([running(failed=1, total=20), running(failed=1, total=20)], {"max_failures": "5%"}, False),  # 2 of 40
    ([running(failed=2, total=20), running(failed=1, total=20)], {"max_failures": "5%"}, True),  # 3 of 40
    ([running(failed=2, total=20), running(total=40)], {"max_failures": "5%"}, False),  # 2 of 60, alone 10%
    ([done(passed=9, failed=1), running(failed=1)], {"max_failures": "1"}, True),  # a complete one counts too
    # A complete batch's uncounted test cases are errors already.
    ([done(passed=8, total=10), running()], {"max_errors": "1"}, True),
    ([done(passed=8, total=10), running()], {"max_errors": "2"}, False),
    # A batch not read yet: its total is unknown, nothing is decided.
    ([running(failed=5), None], {}, False),
    ([None], {}, False),
]


@pytest.mark.parametrize(("readings", "inputs", "stops"), TABLE)
def test_stops_only_when_the_verdict_can_no_longer_be_a_pass(
    readings: list[BatchTest | None], inputs: dict[str, str], stops: bool
) -> None:
    named = [(f"b{i}", reading) for i, reading in enumerate(readings)]
    verdict = early_verdict(named, config(**inputs))
    assert (verdict is not None) is stops
    if verdict is not None:
        assert verdict.passed is False
        assert not all(check.ok for check in verdict.checks)


@pytest.mark.parametrize(("readings", "inputs", "stops"), [row for row in TABLE if None not in row[0]])
def test_a_stop_is_never_contradicted_by_any_way_the_batches_could_end(
    readings: list[BatchTest | None], inputs: dict[str, str], stops: bool
) -> None:
    """The best ending (every unfinished test case passes) passes exactly when no stop was called."""
    best = []
    for i, reading in enumerate(readings):
        assert reading is not None
        left = reading.total_count - reading.finished_count if reading.state != "complete" else 0
        final = batch(
            passed=reading.pass_count + left,
            failed=reading.fail_count,
            errored=reading.error_count,
            total=reading.total_count,
        )
        best.append(GatedBatch(f"b{i}", final))
    verdict = decide_batches(best, config(**({"allow_empty": "true"} | inputs)))
    assert verdict.passed is not stops


def test_the_early_verdict_says_the_batch_was_still_running_and_what_had_finished() -> None:
    verdict = early_verdict([("b1", running(passed=4, failed=2, total=10))], config(max_failures="1"))
    assert verdict is not None
    assert verdict.reason == (
        "The batch can no longer pass: 2 failed, more than the 1 allowed. `fail-fast` stopped the wait while it "
        "was still running, with 6 of 10 test cases finished; it keeps running in Retell."
    )
    assert verdict.counts == Counts(passed=4, failed=2, errored=0, total=10)
    assert [(check.name, check.actual, check.ok) for check in verdict.checks] == [
        ("Failed", "2", False),
        ("Errored", "0", True),
    ]


def test_with_several_it_says_how_many_were_still_running_and_shows_the_best_pass_rate() -> None:
    readings = [("b1", done(passed=10)), ("b2", running(passed=2, failed=3, total=10))]
    verdict = early_verdict(readings, config(max_failures="5", min_pass_rate="90"))
    assert verdict is not None
    assert verdict.reason == (
        "The batches can no longer pass: the pass rate can be at most 85.0%, below 90%. `fail-fast` stopped the "
        "wait while 1 of 2 batches was still running, with 15 of 20 test cases finished; it keeps running in Retell."
    )
    assert dict(verdict.by_batch) == {"b1": Counts(10, 0, 0, 10), "b2": Counts(2, 3, 0, 10)}
    assert verdict.checks[-1].actual == "at most 85.0%"


def test_a_running_batch_not_counted_yet_decides_no_share_at_the_timeout() -> None:
    """Read running with a total of 0 (Retell has not counted it): 1 listed failure of an unknown total."""
    from retell_gate.judge.early import Listed
    from retell_gate.retell.listing import RunListing
    from tests.factories import make_run

    listing = RunListing((make_run(0, "fail"), *(make_run(i, "in_progress") for i in range(1, 10))))
    listed = Listed({"b1": listing})
    uncounted = running(total=0)
    assert early_verdict([("b1", uncounted)], config(max_failures="10%"), listed=listed) is None
    assert early_verdict([("b1", uncounted)], config(min_pass_rate="90"), listed=listed) is None
    failing = early_verdict([("b1", uncounted)], config(required_tests="Test"), listed=listed)
    assert failing is not None  # what a listed run shows stands, whatever the total
    assert "with 1 test case(s), of a total Retell had not counted yet, finished" in failing.reason
