"""Which annotations a run leaves: never more than the runner shows, and never a forged one."""

from __future__ import annotations

import dataclasses
from collections import Counter

from retell_gate.judge.outcome import WriteProblem
from retell_gate.report.annotations import MAX_PER_LEVEL, plan
from retell_gate.retell.listing import RunListing
from tests.factories import make_run, with_listing
from tests.summary_cases import CASES


def failing_outcome(failures: int, passed_gate: bool = False) -> object:
    runs = tuple(make_run(i, "fail", f"Test {i:02d}", f"Reason {i}\nmore") for i in range(failures))
    base = CASES["passed"] if passed_gate else CASES["failed"]
    return with_listing(base, RunListing(runs))


def test_one_annotation_per_failing_test_after_the_verdict() -> None:
    planned = plan(failing_outcome(3))
    assert [(a.level, a.title, a.message) for a in planned] == [
        ("error", "Retell batch test", CASES["failed"].reason),
        ("error", "Test 00", "fail: Reason 0\nmore"),
        ("error", "Test 01", "fail: Reason 1\nmore"),
        ("error", "Test 02", "fail: Reason 2\nmore"),
    ]


def test_many_failures_fill_the_runners_slots_but_one_and_say_how_many_more() -> None:
    planned = plan(failing_outcome(25))
    assert Counter(a.level for a in planned) == {"error": MAX_PER_LEVEL - 1}  # one kept for the gate's problems
    assert planned[-1].message == "18 more failed or errored test cases: see the job summary."
    assert [a.title for a in planned[1:-1]] == [f"Test {i:02d}" for i in range(7)]


def test_exactly_as_many_failures_as_slots_needs_no_more_line() -> None:
    planned = plan(failing_outcome(8))
    assert len(planned) == MAX_PER_LEVEL - 1
    assert all("more failed" not in a.message for a in planned)


def test_one_failure_past_the_slots_makes_two_more() -> None:
    planned = plan(failing_outcome(9))
    assert planned[-1].message == "2 more failed or errored test cases: see the job summary."


def test_a_report_not_written_takes_a_slot_before_the_test_cases() -> None:
    problem = WriteProblem("report-path", "out/r.json", "{} is a file, not a folder", "out")
    planned = plan(dataclasses.replace(failing_outcome(25), write_problems=(problem,)))
    assert Counter(a.level for a in planned) == {"error": MAX_PER_LEVEL - 1}
    assert planned[1].message == "Could not write `report-path` (out/r.json): `out` is a file, not a folder."
    assert planned[-1].message == "19 more failed or errored test cases: see the job summary."


def test_a_report_not_written_is_an_error_beside_a_passing_verdict() -> None:
    problem = WriteProblem("junit-path", "j.xml", "permission denied on {}", "j.xml")
    planned = plan(dataclasses.replace(failing_outcome(12, passed_gate=True), write_problems=(problem,)))
    assert [a.message for a in planned if a.level == "error"] == [
        "Could not write `junit-path` (j.xml): permission denied on `j.xml`."
    ]
    assert Counter(a.level for a in planned)["warning"] == MAX_PER_LEVEL  # warnings need no reserve


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
    planned = plan(with_listing(CASES["failed"], RunListing(runs)))
    assert len(planned[-1].title) == 200
    assert planned[-1].title.endswith("…")
    assert len(planned[-1].message) == 1000
