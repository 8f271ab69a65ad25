"""The batches one run gates, each with what was last read of it and the list of its test runs.

One batch or several: `batch-job-id` may name several, and start mode may start several. They are
waited for in one loop and judged together, so every report holds each of them (pure, no I/O).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .runs import how_many, listing_problem

if TYPE_CHECKING:
    from ..retell.listing import RunListing
    from ..retell.models import BatchTest


@dataclass(frozen=True)
class GatedBatch:
    """One batch the gate waited for (or started)."""

    batch_job_id: str
    batch: BatchTest | None = None
    """As Retell last reported it; None when it was never read (e.g. cancelled right after starting)."""
    listing: RunListing | None = None
    """Its test runs; None when they were never asked for."""

    @property
    def complete(self) -> bool:
        return self.batch is not None and self.batch.state == "complete"

    @property
    def listing_problem(self) -> str:
        """Why the list of its test runs is incomplete (part of a sentence); empty when it is whole."""
        return listing_problem(self.listing, self.batch.total_count if self.batch is not None else None)


def named(batch_job_id: str, text: str, several: bool) -> str:
    """A sentence about one batch, saying which when there are several."""
    return f"Batch {batch_job_id}: {text}" if several else text


def status_of(batches: Sequence[GatedBatch]) -> str:
    """The `status` output: one batch's status as Retell last reported it; for several, `complete`
    only when every one is, else the first status that is not; empty when it cannot be told."""
    read = [gated.batch for gated in batches if gated.batch is not None]
    if len(read) == len(batches) and all(batch.state == "complete" for batch in read):
        return read[0].status if read else ""
    return next((batch.status for batch in read if batch.state != "complete"), "")


def unfinished_sentence(batches: Sequence[GatedBatch], when: str, so_far: tuple[int, int] | None = None) -> str:
    """Which batches were still running `when` (e.g. "when the timeout (60 s) ran out"), and how far
    they had got: "The batch was still running when …. 4 of 10 test cases had finished.". `so_far`: (finished,
    total) of the read batches as the reports count them (verdict.counts_so_far), when that differs."""
    read = [gated.batch for gated in batches if gated.batch is not None]
    if len(batches) == 1:
        running = "The batch was still running"
    else:
        left = sum(1 for gated in batches if not gated.complete)
        running = f"{left} of {len(batches)} batches {'was' if left == 1 else 'were'} still running"
    if not read:
        return f"{running} {when}."
    finished, total = so_far or (sum(b.finished_count for b in read), sum(b.total_count for b in read))
    among = "" if len(read) == len(batches) else " in the batches read"
    return f"{running} {when}. {finished} of {how_many(total)}{among} had finished."
