from __future__ import annotations

from decimal import Decimal

import pytest

from retell_gate.judge.counts import Counts
from retell_gate.judge.runs import count_runs
from retell_gate.judge.verdict import decide, pass_rate
from retell_gate.retell.listing import RunListing
from tests.factories import batch, config, make_run


def listing(passed: int, failed: int = 0, errored: int = 0, not_finished: int = 0, problem: str = "") -> RunListing:
    """A list of test runs with these outcomes."""
    statuses = ["pass"] * passed + ["fail"] * failed + ["error"] * errored + ["in_progress"] * not_finished
    return RunListing(tuple(make_run(i, status) for i, status in enumerate(statuses)), problem)


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
    assert decide(batch(passed=9, total=10), config()).warnings == (
        "Retell reports the batch complete, but 1 of 10 test cases is not counted as passed, failed or "
        "errored; the gate counts it as errored.",
    )


def test_the_reason_names_every_failed_threshold() -> None:
    verdict = decide(batch(passed=6, failed=3, errored=1), config(max_failures="1", min_pass_rate="90"))
    assert verdict.reason == (
        "The batch failed: 3 failed, more than the 1 allowed; 1 errored, more than the 0 allowed; "
        "the pass rate is 60.0%, below 90%."
    )


def test_passing_reasons() -> None:
    assert decide(batch(passed=10), config()).reason == "All 10 test cases passed."
    assert decide(batch(passed=1), config()).reason == "The 1 test case passed."
    assert decide(batch(passed=0, failed=1), config(max_failures="1")).reason == (
        "0 of 1 test case passed, within the thresholds."
    )
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


def check(counts: tuple[int, int, int], name: str, **inputs: str) -> tuple[str, bool]:
    passed, failed, errored = counts
    verdict = decide(batch(passed=passed, failed=failed, errored=errored), config(**inputs))
    found = next(check for check in verdict.checks if check.name == name)
    return found.actual, found.ok


@pytest.mark.parametrize(
    ("counts", "name", "inputs", "shown"),
    [
        ((189, 0, 10), "Errored", {"max_errors": "5%"}, ("10 (5.1%)", False)),  # 5.025%: over, never "5.0%"
        ((190, 0, 10), "Errored", {"max_errors": "5%"}, ("10 (5.0%)", True)),  # exactly 5%
        ((1901, 99, 0), "Failed", {"max_failures": "4.95%"}, ("99 (4.95%)", True)),  # the limit's decimals
        ((1900, 100, 0), "Failed", {"max_failures": "4.95%"}, ("100 (5.00%)", False)),
        ((1999, 1, 0), "Pass rate", {"max_failures": "1", "min_pass_rate": "99.95"}, ("99.95%", True)),  # not 99.9%
        ((1998, 2, 0), "Pass rate", {"max_failures": "2", "min_pass_rate": "99.95"}, ("99.90%", False)),
        ((2, 1, 0), "Pass rate", {"max_failures": "1", "min_pass_rate": "66.7"}, ("66.6%", False)),
        ((2, 1, 0), "Pass rate", {"max_failures": "1", "min_pass_rate": "66"}, ("66.6%", True)),
    ],
)
def test_a_share_is_rounded_toward_the_failing_side_so_it_agrees_with_its_mark(
    counts: tuple[int, int, int], name: str, inputs: dict[str, str], shown: tuple[str, bool]
) -> None:
    assert check(counts, name, **inputs) == shown


def test_the_reason_shows_a_share_as_its_check_does() -> None:
    verdict = decide(batch(passed=189, errored=10), config(max_errors="5%"))
    assert verdict.reason == "The batch failed: 10 errored (5.1%), more than the 5% allowed."


@pytest.mark.parametrize(
    ("batch_counts", "runs", "judged", "passes"),
    [
        ((10, 0, 0, 10), listing(10), Counts(10, 0, 0, 10), True),  # agree: no change
        ((10, 0, 0, 10), listing(8, 2), Counts(8, 2, 0, 10), False),  # runs show failures
        ((8, 2, 0, 10), listing(10), Counts(8, 2, 0, 10), False),  # batch shows failures
        ((10, 0, 0, 10), listing(9, 0, 0, 1), Counts(9, 0, 1, 10), False),  # an unfinished run is an error
        ((10, 0, 0, 10), listing(10, 0, 0, 2), Counts(10, 0, 2, 12), False),  # more runs than the total
        ((8, 2, 0, 10), listing(8, 0, 2), Counts(8, 2, 2, 12), False),  # sums beyond the total widen it
    ],
)
def test_a_full_list_that_disagrees_makes_the_verdict_more_pessimistic(
    batch_counts: tuple[int, int, int, int], runs: RunListing, judged: Counts, passes: bool
) -> None:
    passed, failed, errored, total = batch_counts
    verdict = decide(batch(passed=passed, failed=failed, errored=errored, total=total), config(), runs)
    assert verdict.counts == judged
    assert verdict.passed is passes
    listed = count_runs(runs.runs)
    agree = (listed.passed, listed.failed, listed.errored, listed.total) == batch_counts
    assert bool(verdict.warnings) is not agree


def test_the_disagreement_warning_names_both_sides() -> None:
    verdict = decide(batch(passed=10), config(), listing(8, 2))
    assert verdict.warnings == (
        "The test runs (8 passed, 2 failed, 0 errored of 10, 0 not finished) disagree with the batch's counts "
        "(10 passed, 0 failed, 0 errored of 10); the gate uses the more pessimistic numbers "
        "(8 passed, 2 failed, 0 errored of 10).",
    )


@pytest.mark.parametrize(
    ("batch_counts", "runs", "judged"),
    [
        ((10, 0, 0, 10), listing(0), Counts(10, 0, 0, 10)),  # nothing listed: the batch's counts
        ((10, 0, 0, 10), listing(8), Counts(10, 0, 0, 10)),  # the two missing are unknown, not errored
        ((10, 0, 0, 10), listing(7, 1), Counts(9, 1, 0, 10)),  # a listed failure is one at least
        ((10, 0, 0, 10), listing(6, 0, 1, 1), Counts(8, 0, 2, 10)),  # so is an error or an unfinished run
        ((5, 3, 2, 10), listing(7, 1), Counts(5, 3, 2, 10)),  # listed passes never make it better
        ((6, 2, 2, 10), listing(0, 4, 0, 0), Counts(4, 4, 2, 10)),  # more failures listed than counted
        ((0, 9, 0, 9), listing(0, 0, 5, 0, "cut"), Counts(0, 9, 5, 14)),  # contradictions widen the total
        ((10, 0, 0, 10), listing(10, 0, 0, 0, "cut"), Counts(10, 0, 0, 10)),  # a problem makes it incomplete
    ],
)
def test_an_incomplete_list_only_makes_the_batchs_counts_worse(
    batch_counts: tuple[int, int, int, int], runs: RunListing, judged: Counts
) -> None:
    passed, failed, errored, total = batch_counts
    verdict = decide(batch(passed=passed, failed=failed, errored=errored, total=total), config(), runs)
    assert verdict.counts == judged
    assert verdict.warnings[0].startswith("The list of test runs is incomplete: ")
    assert "disagree" not in verdict.warnings[0]


def test_the_incomplete_list_warning_is_about_the_list() -> None:
    assert decide(batch(passed=10), config(), listing(8)).warnings == (
        "The list of test runs is incomplete: Retell listed 8 of the batch's 10 test runs. "
        "The gate judges the batch's counts (10 passed, 0 failed, 0 errored of 10).",
    )
    assert decide(
        batch(passed=10), config(), listing(3, problem="listing the test runs stopped: HTTP 500.")
    ).warnings == (
        "The list of test runs is incomplete: listing the test runs stopped: HTTP 500. "
        "The gate judges the batch's counts (10 passed, 0 failed, 0 errored of 10).",
    )


def test_a_short_list_of_one_reads_as_one() -> None:
    (warning,) = decide(batch(passed=1), config(), listing(0)).warnings
    assert warning.startswith("The list of test runs is incomplete: Retell listed 0 of the batch's 1 test run. ")
