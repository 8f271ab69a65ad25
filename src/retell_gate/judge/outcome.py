"""How a run ended: the result, its exit code and the step outputs (pure, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..retell.listing import RunListing
from .verdict import Counts, Verdict, pass_rate

if TYPE_CHECKING:
    from ..retell.models import BatchTest

from ..codes import Result


@dataclass(frozen=True)
class Outcome:
    result: Result
    reason: str
    exit_code: int
    batch_job_id: str
    elapsed: float
    batch: BatchTest | None = None
    verdict: Verdict | None = None
    hint: str = ""
    warnings: tuple[str, ...] = ()
    listing: RunListing | None = None
    """The batch's test runs; None when they were never asked for."""
    reports: tuple[tuple[str, str], ...] = ()
    """(output name, path) of each report file written, e.g. ("junit-path", "retell.xml")."""

    @property
    def counts(self) -> Counts | None:
        if self.verdict is not None:
            return self.verdict.counts
        return Counts.of(self.batch) if self.batch is not None else None


def outputs(outcome: Outcome) -> dict[str, str]:
    """Every step output, as text; counts are empty when no batch was ever read."""
    counts = outcome.counts
    rate = pass_rate(counts) if counts is not None else None
    return {
        "result": outcome.result,
        "reason": outcome.reason,
        "status": outcome.batch.status if outcome.batch is not None else "",
        "pass-count": str(counts.passed) if counts else "",
        "fail-count": str(counts.failed) if counts else "",
        "error-count": str(counts.errored) if counts else "",
        "total-count": str(counts.total) if counts else "",
        "pass-rate": str(rate) if rate is not None else "",
        "batch-job-id": outcome.batch_job_id,
        "elapsed-seconds": str(round(outcome.elapsed)),
        "report-path": dict(outcome.reports).get("report-path", ""),
        "junit-path": dict(outcome.reports).get("junit-path", ""),
    }
