"""Which annotations a run leaves: never more than the runner shows, and never a forged one."""

from __future__ import annotations

import dataclasses
from collections import Counter

from retell_gate.report.annotations import MAX_PER_LEVEL, plan
from retell_gate.retell.listing import RunListing
from tests.factories import make_run
from tests.summary_cases import CASES


def failing_outcome(failures: int, passed_gate: bool = False) -> object:
    runs = tuple(make_run(i, "fail", f"Test {i:02d}", f"Reason {i}\nmore") for i in range(failures))
    base = CASES["passed"] if passed_gate else CASES["failed"]
    return dataclasses.replace(base, listing=RunListing(runs))


def test_one_annotation_per_failing_test_after_the_verdict() -> None:
    planned = plan(failing_outcome(3))
    assert [(a.level, a.title, a.message) for a in planned] == [
        ("error", "Retell batch test", CASES["failed"].reason),
        ("error", "Test 00", "fail: Reason 0\nmore"),
        ("error", "Test 01", "fail: Reason 1\nmore"),
        ("error", "Test 02", "fail: Reason 2\nmore"),
    ]


def test_many_failures_fill_the_runners_ten_slots_and_say_how_many_more() -> None:
    planned = plan(failing_outcome(25))
    assert Counter(a.level for a in planned) == {"error": MAX_PER_LEVEL}
    assert planned[-1].message == "17 more failed or errored test cases: see the job summary."
    assert [a.title for a in planned[1:-1]] == [f"Test {i:02d}" for i in range(8)]


def test_exactly_as_many_failures_as_slots_needs_no_more_line() -> None:
    planned = plan(failing_outcome(9))
    assert len(planned) == 10
    assert all("more failed" not in a.message for a in planned)


def test_failures_within_the_thresholds_are_warnings() -> None:
    planned = plan(failing_outcome(2, passed_gate=True))
    assert [a.level for a in planned] == ["notice", "warning", "warning"]


def test_warnings_take_their_slots_first() -> None:
    outcome = dataclasses.replace(failing_outcome(20, passed_gate=True), warnings=("w1", "w2"))
    planned = plan(outcome)
    assert Counter(a.level for a in planned)["warning"] == MAX_PER_LEVEL
    assert [a.message for a in planned[:2]] == ["w1", "w2"]


def test_long_names_and_explanations_are_shortened() -> None:
    runs = (make_run(1, "error", "n" * 500, "e" * 5000),)
    planned = plan(dataclasses.replace(CASES["failed"], listing=RunListing(runs)))
    assert len(planned[-1].title) == 200
    assert planned[-1].title.endswith("…")
    assert len(planned[-1].message) == 1000
