"""Test runs as the gate counts and orders them (the models themselves are in retell/models.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..retell.statuses import RunOutcome

if TYPE_CHECKING:
    from ..retell.listing import RunListing
    from ..retell.models import TestRun


FAILING = frozenset({"fail", "error"})
# Failures and errors first, then what never finished, then passes.
ORDER: dict[RunOutcome, int] = {"fail": 0, "error": 1, "not-finished": 2, "pass": 3}


@dataclass(frozen=True)
class RunCounts:
    passed: int
    failed: int
    errored: int
    not_finished: int

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.errored + self.not_finished


def count_runs(runs: tuple[TestRun, ...]) -> RunCounts:
    tally = Counter(run.outcome for run in runs)
    return RunCounts(tally["pass"], tally["fail"], tally["error"], tally["not-finished"])


def report_key(run: TestRun) -> tuple[int, str]:
    """Where a run goes in a report: failures, errors, unfinished, passes; by name within each."""
    return (ORDER[run.outcome], run.name.casefold())


def in_report_order(runs: Sequence[TestRun]) -> list[TestRun]:
    """The runs in report order (stable, so ties keep Retell's order)."""
    return sorted(runs, key=report_key)


def listing_problem(listing: RunListing | None, total: int | None) -> str:
    """Why the list of test runs is incomplete, as part of a sentence; empty when it is whole.

    A list that ended cleanly but holds fewer runs than the batch's `total_count` is incomplete
    too: the runs it lacks are unknown, not failed.
    """
    if listing is None:
        return ""
    if listing.problem:
        return listing.problem.rstrip(".")
    if total is not None and len(listing.runs) < total:
        runs = "test run" if total == 1 else "test runs"
        return f"Retell listed {len(listing.runs)} of the batch's {total} {runs}"
    return ""


def how_many(count: int) -> str:
    """`1 test case`, `2 test cases` (not named test_*: pytest would collect it where imported)."""
    return f"{count} test case" if count == 1 else f"{count} test cases"
