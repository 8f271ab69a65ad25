"""A batch's counts as the gate judges them (pure, no I/O): Retell's counts, made worse where the list of
its test runs shows worse, with test cases a complete batch left uncounted taken as errors.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .runs import RunCounts, count_runs, how_many, listing_problem

if TYPE_CHECKING:
    from ..retell.listing import RunListing
    from ..retell.models import BatchTest


@dataclass(frozen=True)
class Counts:
    """Test case counts as the gate judges them."""

    passed: int
    failed: int
    errored: int
    total: int

    @classmethod
    def of(cls, batch: BatchTest) -> Counts:
        return cls(batch.pass_count, batch.fail_count, batch.error_count, batch.total_count)

    @classmethod
    def combined(cls, counts: Iterable[Counts]) -> Counts:
        """Several batches' counts added up."""
        listed = list(counts)
        return cls(
            passed=sum(c.passed for c in listed),
            failed=sum(c.failed for c in listed),
            errored=sum(c.errored for c in listed),
            total=sum(c.total for c in listed),
        )

    @property
    def finished(self) -> int:
        return self.passed + self.failed + self.errored

    def __str__(self) -> str:
        return f"{self.passed} passed, {self.failed} failed, {self.errored} errored of {self.total}"


def with_listing(counts: Counts, listing: RunListing | None) -> tuple[Counts, tuple[str, ...]]:
    """The batch's counts as the list of its test runs lets the gate judge them."""
    if listing is None:
        return counts, ()
    runs = count_runs(listing.runs)
    why = listing_problem(listing, counts.total)
    return at_least(counts, runs, why) if why else reconciled(counts, runs)


def reconciled(counts: Counts, runs: RunCounts) -> tuple[Counts, tuple[str, ...]]:
    """The batch's counts, or, where the full list of runs disagrees, the worse of the two."""
    listed = Counts(runs.passed, runs.failed, runs.errored, runs.total)
    if listed == counts:
        return counts, ()
    passed, failed = min(counts.passed, listed.passed), max(counts.failed, listed.failed)
    errored = max(counts.errored, listed.errored)
    worse = Counts(passed, failed, errored, max(counts.total, listed.total, passed + failed + errored))
    warning = (
        f"The test runs ({listed}, {runs.not_finished} not finished) disagree with the batch's counts ({counts}); "
        f"the gate uses the more pessimistic numbers ({worse})."
    )
    return worse, (warning,)


def at_least(counts: Counts, runs: RunCounts, why: str) -> tuple[Counts, tuple[str, ...]]:
    """The batch's counts, made worse only by worse statuses among the runs of an incomplete list.

    The runs missing from the list are unknown, not failed; but a run listed as failed, errored or
    unfinished (in a complete batch: an error) is one at least.
    """
    failed = max(counts.failed, runs.failed)
    errored = max(counts.errored, runs.errored + runs.not_finished)
    passed = max(0, min(counts.passed, counts.total - failed - errored))
    worse = Counts(passed, failed, errored, max(counts.total, passed + failed + errored))
    judged = f"The gate judges the batch's counts ({counts})"
    if worse != counts:
        judged += f", made worse by the runs listed: {worse}"
    return worse, (f"The list of test runs is incomplete: {why}. {judged}.",)


def judged_counts(counts: Counts) -> tuple[Counts, tuple[str, ...]]:
    """Counts of a complete batch, with test cases Retell left uncounted taken as errors."""
    uncounted = counts.total - counts.finished
    if uncounted <= 0:
        return counts, ()
    are, them = ("is", "it") if uncounted == 1 else ("are", "them")
    warning = (
        f"Retell reports the batch complete, but {uncounted} of {how_many(counts.total)} {are} not counted "
        f"as passed, failed or errored; the gate counts {them} as errored."
    )
    return Counts(counts.passed, counts.failed, counts.errored + uncounted, counts.total), (warning,)


def judge_batch(batch: BatchTest, listing: RunListing | None) -> tuple[Counts, tuple[str, ...]]:
    """One complete batch's counts as the gate judges them, with the warnings that says why."""
    counts, mismatch = with_listing(Counts.of(batch), listing)
    counts, uncounted = judged_counts(counts)
    return counts, mismatch + uncounted


def counts_so_far(batch: BatchTest, listing: RunListing | None) -> Counts:
    """A batch's counts as far as they are known: a complete one as the verdict judges it; a running one, made
    worse where the runs listed since it was read show more failures or errors (its counts may lag them)."""
    if batch.state == "complete":
        return judge_batch(batch, listing)[0]
    counts = Counts.of(batch)
    if listing is None:
        return counts
    runs = count_runs(listing.runs)
    return Counts(counts.passed, max(counts.failed, runs.failed), max(counts.errored, runs.errored), counts.total)
