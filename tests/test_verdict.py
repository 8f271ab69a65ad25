from __future__ import annotations

from decimal import Decimal

import pytest

from retell_gate.judge.runs import RunCounts
from retell_gate.judge.verdict import Counts, decide, pass_rate
from tests.factories import batch, config

# (passed, failed, errored, total, inputs) -> passes?
TABLE = [
    ((10, 0, 0, 10), {}, True),
    ((9, 1, 0, 10), {}, False),
    ((9, 0, 1, 10), {}, False),
    ((9, 1, 0, 10), {"max_failures": "1"}, True),
    ((8, 2, 0, 10), {"max_failures": "1"}, False),
    ((9, 0, 1, 10), {"max_failures": "5"}, False),
    ((9, 0, 1, 10), {"max_errors": "1"}, True),
    ((18, 2, 0, 20), {"max_failures": "10%"}, True),
    ((17, 3, 0, 20), {"max_failures": "10%"}, False),
    ((39, 0, 1, 40), {"max_errors": "2.5%"}, True),
    ((38, 0, 2, 40), {"max_errors": "2.5%"}, False),
    ((19, 1, 0, 20), {"max_failures": "5", "min_pass_rate": "95"}, True),
    ((18, 2, 0, 20), {"max_failures": "5", "min_pass_rate": "95"}, False),
    ((2, 1, 0, 3), {"max_failures": "1", "min_pass_rate": "66.7"}, False),  # 66.66…% is below 66.7%
    ((2, 1, 0, 3), {"max_failures": "1", "min_pass_rate": "66.6"}, True),
    ((0, 0, 0, 0), {}, False),
    ((0, 0, 0, 0), {"allow_empty": "true"}, True),
    ((0, 0, 0, 0), {"allow_empty": "true", "min_pass_rate": "90"}, True),
    ((8, 0, 0, 10), {}, False),  # two uncounted test cases count as errors
    ((8, 0, 0, 10), {"max_errors": "2"}, True),
    ((8, 0, 0, 10), {"max_errors": "1"}, False),
    ((0, 10, 0, 10), {"max_failures": "100%"}, True),
    ((0, 10, 0, 10), {"max_failures": "100%", "min_pass_rate": "1"}, False),
]


@pytest.mark.parametrize(("counts", "inputs", "passes"), TABLE)
def test_verdict_table(counts: tuple[int, int, int, int], inputs: dict[str, str], passes: bool) -> None:
    passed, failed, errored, total = counts
    verdict = decide(batch(passed=passed, failed=failed, errored=errored, total=total), config(**inputs))
    assert verdict.passed is passes
    assert all(check.ok for check in verdict.checks) is passes


def test_uncounted_test_cases_are_errors_with_a_warning() -> None:
    verdict = decide(batch(passed=8, total=10), config(max_errors="5"))
    assert verdict.counts == Counts(passed=8, failed=0, errored=2, total=10)
    assert verdict.warnings == (
        "Retell reports the batch complete, but 2 of 10 test cases are not counted as passed, failed or "
        "errored; the gate counts them as errored.",
    )


def test_the_reason_names_every_failed_threshold() -> None:
    verdict = decide(batch(passed=6, failed=3, errored=1), config(max_failures="1", min_pass_rate="90"))
    assert verdict.reason == (
        "The batch failed: 3 failed, more than the 1 allowed; 1 errored, more than the 0 allowed; "
        "the pass rate is 60.0%, below 90%."
    )


def test_passing_reasons() -> None:
    assert decide(batch(passed=10), config()).reason == "All 10 test cases passed."
    assert decide(batch(passed=9, failed=1), config(max_failures="1")).reason == (
        "9 of 10 test cases passed, within the thresholds."
    )
    assert decide(batch(passed=0, total=0), config(allow_empty="true")).reason == (
        "The batch is empty, which is allowed."
    )


def test_empty_batch_reason_says_how_to_allow_it() -> None:
    verdict = decide(batch(passed=0, total=0), config())
    assert verdict.reason == ("The batch failed: the batch has no test cases (set `allow-empty: true` to accept that).")


@pytest.mark.parametrize(
    ("passed", "total", "shown"),
    [(10, 10, "100.0"), (1999, 2000, "99.9"), (2, 3, "66.6"), (0, 5, "0.0"), (1, 8, "12.5")],
)
def test_pass_rate_rounds_down_so_100_means_all_passed(passed: int, total: int, shown: str) -> None:
    assert pass_rate(Counts(passed, total - passed, 0, total)) == Decimal(shown)
    assert str(pass_rate(Counts(passed, total - passed, 0, total))) == shown


def test_pass_rate_of_an_empty_batch_is_none() -> None:
    assert pass_rate(Counts(0, 0, 0, 0)) is None


def test_percentage_limits_show_the_actual_share() -> None:
    checks = decide(batch(passed=17, failed=3), config(max_failures="10%")).checks
    failed = next(check for check in checks if check.name == "Failed")
    assert (failed.limit, failed.actual, failed.ok) == ("≤ 10%", "3 (15.0%)", False)


@pytest.mark.parametrize(
    ("batch_counts", "runs", "judged", "passes"),
    [
        ((10, 0, 0, 10), RunCounts(10, 0, 0, 0), Counts(10, 0, 0, 10), True),  # agree: no change
        ((10, 0, 0, 10), RunCounts(8, 2, 0, 0), Counts(8, 2, 0, 10), False),  # runs show failures
        ((8, 2, 0, 10), RunCounts(10, 0, 0, 0), Counts(8, 2, 0, 10), False),  # batch shows failures
        ((10, 0, 0, 10), RunCounts(9, 0, 0, 1), Counts(9, 0, 1, 10), False),  # an unfinished run is an error
        ((10, 0, 0, 10), RunCounts(10, 0, 0, 2), Counts(10, 0, 2, 12), False),  # more runs than the total
        ((8, 2, 0, 10), RunCounts(8, 0, 2, 0), Counts(8, 2, 2, 12), False),  # sums beyond the total widen it
    ],
)
def test_runs_that_disagree_make_the_verdict_more_pessimistic(
    batch_counts: tuple[int, int, int, int], runs: RunCounts, judged: Counts, passes: bool
) -> None:
    passed, failed, errored, total = batch_counts
    verdict = decide(batch(passed=passed, failed=failed, errored=errored, total=total), config(), runs)
    assert verdict.counts == judged
    assert verdict.passed is passes
    agree = (runs.passed, runs.failed, runs.errored, runs.total) == batch_counts
    assert bool(verdict.warnings) is not agree


def test_the_disagreement_warning_names_both_sides() -> None:
    verdict = decide(batch(passed=10), config(), RunCounts(8, 2, 0, 0))
    assert verdict.warnings == (
        "The test runs (8 passed, 2 failed, 0 errored of 10, 0 not finished) disagree with the batch's counts "
        "(10 passed, 0 failed, 0 errored of 10); the gate uses the more pessimistic numbers "
        "(8 passed, 2 failed, 0 errored of 10).",
    )
