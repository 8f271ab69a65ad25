"""How a run ended: the result, its exit code and the step outputs (pure, no I/O)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from ..codes import Result
from .batches import GatedBatch
from .counts import Counts, counts_so_far
from .runs import FAILING, report_key
from .verdict import Verdict

if TYPE_CHECKING:
    from ..retell.models import TestRun
    from .assess import Assessment
    from .definitions import DefinitionResult


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
class BaselineUsed:
    """The baseline the tests were compared with."""

    batch_ids: tuple[str, ...]
    engine: str
    """`retell-llm llm_1 version 2`, as the first baseline batch reports it (escape it: it is Retell's)."""
    found: bool
    """Found by `baseline: latest`, rather than named."""


@dataclass(frozen=True)
class Outcome:
    result: Result
    reason: str
    exit_code: int
    batches: tuple[GatedBatch, ...]
    """Every batch gated, in the order given (or started); empty when none was named."""
    elapsed: float
    verdict: Verdict | None = None
    hint: str = ""
    """The advice that came with the error that ended the run (an API error's); what the reader
    is told to check is judge.hints.hint_for(outcome), computed from the whole outcome."""
    warnings: tuple[str, ...] = ()
    reports: tuple[tuple[str, str], ...] = ()
    """(output name, path) of each report file written, e.g. ("junit-path", "retell.xml")."""
    write_problems: tuple[WriteProblem, ...] = ()
    """The report files that could not be written."""
    started: tuple[str, ...] = ()
    """Start mode: the batches this run started (they keep running in Retell whatever the gate does)."""
    planned: tuple[str, ...] = ()
    """A start-mode dry run: the names of the test case definitions that would run."""
    assessment: Assessment | None = None
    """The tests judged one by one (Config.per_definition, batches complete); None otherwise."""
    baseline: BaselineUsed | None = None
    """The baseline compared with; None when none was asked for or found."""
    repeats: int = 1
    start_mode: bool = False
    """The inputs named an agent or engine: the batches were this run's to start (none, if `started` is empty)."""
    planned_engine: tuple[str, int | None] | None = None
    """Start mode: the engine's ID and version (None: the latest) the plan named, before any batch is read."""
    unanswered_create: bool = False
    """Start mode: the run ended not knowing whether its last create started a batch (a cancel while it was
    unanswered, or no batch found after an ambiguous failure)."""

    @cached_property  # asked once per test run by the reports: computed once
    def regressed_ids(self) -> frozenset[str]:
        """The definitions that regressed since the baseline (before the batches completed: those found so far)."""
        comparison = self.assessment.comparison if self.assessment is not None else None
        if comparison is not None:
            return frozenset(entry.definition_id for entry in comparison.regressed)
        return self.verdict.regressed_early if self.verdict is not None else frozenset()

    @cached_property  # asked once per test run by the reports: computed once
    def allowed(self) -> dict[str, DefinitionResult]:
        """Tests judged one by one that passed as a whole (`min-passes`) though some repeat did not: those
        repeats count against nothing, so no report shows them red beside a green test."""
        if self.verdict is None or not self.verdict.per_definition or self.assessment is None:
            return {}
        return {d.definition_id: d for d in self.assessment.definitions if d.ok and d.passed < d.runs}

    def set_apart(self, definition_id: str) -> str:
        """Why a run of this test counts against nothing, for the reports that list it: empty when it counts."""
        if definition_id in self.quarantined_ids:
            return "quarantined"
        if (judged := self.allowed.get(definition_id)) is not None:
            return f"allowed: the test passed {judged.passed} of {judged.runs}"
        return ""

    @cached_property  # asked once per test run by the reports: computed once
    def quarantined_ids(self) -> frozenset[str]:
        """The definitions in quarantine: their results count against nothing, so no report shows them red."""
        quarantined = self.assessment.quarantined if self.assessment is not None else ()
        return frozenset(entry.definition_id for entry in quarantined)

    @property
    def several(self) -> bool:
        """More than one batch: reports name the batch of each row, warning and test case."""
        return len(self.batches) > 1

    @property
    def no_batch(self) -> str:
        """What the reports say in place of a batch ID when there is none."""
        if self.unanswered_create:
            return "unknown: one may have started"
        return "none started" if self.start_mode else "(not given)"

    @property
    def batch_job_id(self) -> str:
        """The one batch's ID, or the first of several (the `batch-job-id` output); empty when none."""
        return self.batches[0].batch_job_id if self.batches else ""

    @property
    def counts(self) -> Counts | None:
        """The counts judged, or, without a verdict, the batches read added up; None when none was read."""
        if self.verdict is not None:
            return self.verdict.counts
        read = [counts_so_far(gated.batch, gated.listing) for gated in self.batches if gated.batch is not None]
        return Counts.combined(read) if read else None

    def counts_of(self, gated: GatedBatch) -> Counts | None:
        """One batch's counts, as judged when there is a verdict; None when it was never read."""
        if self.verdict is not None and gated.batch_job_id in self.verdict.by_batch:
            return self.verdict.by_batch[gated.batch_job_id]
        return counts_so_far(gated.batch, gated.listing) if gated.batch is not None else None

    @property
    def listed(self) -> bool:
        """Whether the test runs of any batch were asked for."""
        return any(gated.listing is not None for gated in self.batches)

    @property
    def runs(self) -> list[tuple[GatedBatch, TestRun]]:
        """Every test run listed, with its batch, in report order (a tie keeps the batches' order)."""
        pairs = [(gated, run) for gated in self.batches if gated.listing for run in gated.listing.runs]
        return sorted(pairs, key=lambda pair: report_key(pair[1]))

    @property
    def failing(self) -> list[tuple[GatedBatch, TestRun]]:
        """The failed and errored test runs, with their batches, in report order."""
        return [(gated, run) for gated, run in self.runs if run.outcome in FAILING]

    @property
    def listing_problems(self) -> list[tuple[GatedBatch, str]]:
        """Each batch whose list of test runs is incomplete, and why (part of a sentence)."""
        return [(gated, gated.listing_problem) for gated in self.batches if gated.listing_problem]
