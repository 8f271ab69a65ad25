"""How a run ended: the result, its exit code and the step outputs (pure, no I/O)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..retell.listing import RunListing
from .runs import listing_problem
from .verdict import Counts, Verdict, pass_rate

if TYPE_CHECKING:
    from ..retell.models import BatchTest

from ..codes import Result


@dataclass(frozen=True)
class WriteProblem:
    """A report file that could not be written, and the part of its path at fault."""

    output: str
    """The input that names the file, e.g. `report-path`."""
    path: str
    """The path as given."""
    why: str
    """What is wrong, with `{}` where the part at fault goes, e.g. `{} is a file, not a folder`."""
    part: str = ""
    """The part of the path at fault, e.g. `out` or `retell/`."""

    def sentence(self, plain: Callable[[str], str], code: Callable[[str], str]) -> str:
        """One sentence; `plain` and `code` shape the path and its part for where it is shown."""
        return f"Could not write `{self.output}` ({plain(self.path)}): {self.why.format(code(self.part))}."


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
    """The advice that came with the error that ended the run (an API error's); what the reader
    is told to check is judge.hints.hint_for(outcome), computed from the whole outcome."""
    warnings: tuple[str, ...] = ()
    listing: RunListing | None = None
    """The batch's test runs; None when they were never asked for."""
    reports: tuple[tuple[str, str], ...] = ()
    """(output name, path) of each report file written, e.g. ("junit-path", "retell.xml")."""
    write_problems: tuple[WriteProblem, ...] = ()
    """The report files that could not be written."""

    @property
    def counts(self) -> Counts | None:
        if self.verdict is not None:
            return self.verdict.counts
        return Counts.of(self.batch) if self.batch is not None else None

    @property
    def listing_problem(self) -> str:
        """Why the list of test runs is incomplete (part of a sentence); empty when it is whole."""
        return listing_problem(self.listing, self.batch.total_count if self.batch is not None else None)


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
