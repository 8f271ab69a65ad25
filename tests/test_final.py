"""Tests that have failed for good while their batches still run: what the timeout may judge early (pure).

A "yes" must be certain, since it turns a timeout (which `fail-on-timeout: false` lets pass) into a failure.
"""

from __future__ import annotations

from typing import Any

import pytest

from retell_gate.judge.final import final_failures
from retell_gate.retell.models import TestRun as Run
from tests.factories import config, run_body


def run(index: int, status: str, name: str, definition: str | None = None) -> Run:
    extra: dict[str, Any] = {"test_case_definition_id": definition} if definition else {}
    return Run.model_validate(run_body(index, status, name, **extra))


NOW = [
    run(1, "pass", "Greets"),
    run(2, "fail", "Books a table"),
    run(3, "error", "Cancels"),
    run(4, "in_progress", "Refunds"),
]
BEFORE = [
    run(1, "pass", "Greets"),
    run(2, "pass", "Books a table"),
    run(3, "fail", "Cancels"),
    run(4, "pass", "Refunds"),
]


@pytest.mark.parametrize(
    ("inputs", "baseline", "failing"),
    [
        ({}, None, []),  # no required test, no baseline: the counts' business, not this one's
        ({"required_tests": "Greets"}, None, []),  # it passed
        ({"required_tests": "Refunds"}, None, []),  # still running: it may pass
        ({"required_tests": "Books*"}, None, ['required tests did not pass: "Books a table" failed']),
        ({"required_tests": "Cancels"}, None, ['required tests did not pass: "Cancels" errored']),
        (
            {"required_tests": "Books*", "quarantine": "Cancels", "max_failures": "5"},
            None,
            ['required tests did not pass: "Books a table" failed'],
        ),
        # Regressions: passed before, failed now (Cancels failed before too; Refunds is still running).
        (
            {"baseline": "batch_0"},
            BEFORE,
            ['1 test regressed since the baseline ("Books a table"), more than the 0 allowed'],
        ),
        ({"baseline": "batch_0", "max_regressions": "1"}, BEFORE, []),
        ({"baseline": "batch_0", "quarantine": "Books*"}, BEFORE, []),  # quarantined: counts against nothing
    ],
)
def test_only_a_failure_no_later_run_can_turn_fails_early(
    inputs: dict[str, str], baseline: list[Run] | None, failing: list[str]
) -> None:
    checks = final_failures(NOW, config(**inputs), baseline, runs_each=None).checks
    assert [check.failure for check in checks] == failing
    assert not any(check.ok for check in checks)


def repeats(*statuses: str) -> list[Run]:
    return [run(index, status, "Books a table", "tcd_book") for index, status in enumerate(statuses)]


@pytest.mark.parametrize(
    ("statuses", "min_passes", "lost"),
    [
        (("fail", "in_progress", "in_progress"), "2", False),  # two passes are still possible
        (("fail", "error", "in_progress"), "2", True),  # at most one can pass now
        (("fail", "fail", "pass"), "1", False),
        (("fail", "in_progress", "in_progress"), "", True),  # no `min-passes`: every repeat must pass
    ],
)
def test_with_repeats_a_test_is_lost_only_when_min_passes_is_out_of_reach(
    statuses: tuple[str, ...], min_passes: str, lost: bool
) -> None:
    inputs = {
        "batch_job_id": "",
        "llm_id": "llm_1",
        "repeats": "3",
        "min_passes": min_passes,
        "required_tests": "Books*",
    }
    checks = final_failures(repeats(*statuses), config(**inputs), None, runs_each=3).checks
    assert bool(checks) is lost


def test_in_wait_mode_min_passes_decides_nothing_early() -> None:
    # Two batches may hold the same test: how many runs it gets is unknown, so a failure proves nothing.
    checks = final_failures(repeats("fail", "fail"), config(min_passes="1", required_tests="Books*"), None, None).checks
    assert checks == ()


@pytest.mark.parametrize(
    ("inputs", "failing"),
    [
        # Thresholds count tests once `quarantine` is set, even one that matches nothing: a count limit is final.
        ({"quarantine": "Nothing*"}, ['1 test failed for good ("Books a table"), more than the 0 allowed']),
        ({"quarantine": "Books*"}, []),  # the failed one is quarantined; Cancels only errored so far
        ({"quarantine": "Nothing*", "max_failures": "1"}, []),
        ({"quarantine": "Nothing*", "max_failures": "10%"}, []),  # a share waits for its total
        ({}, []),  # without quarantine or repeats the batches' counts decide (early.py), not this
    ],
)
def test_when_thresholds_count_tests_too_many_failed_for_good_fail_max_failures(
    inputs: dict[str, str], failing: list[str]
) -> None:
    checks = final_failures(NOW, config(**inputs), None, runs_each=None).checks
    assert [check.failure for check in checks] == failing
