"""What one run of the gate knows so far, and the Outcome it makes of that on any way out.

The gate (gate.py) fills the record as it goes: the batches started or given, each batch's last
reading, the runs listed, the plan and the baseline. An error, a timeout or a cancel can come at any
moment, so every ending is made here, from whatever the record holds by then.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import codes
from .judge import endings

if TYPE_CHECKING:
    from .baseline_step import BaselineStep
    from .judge.assess import Assessment
    from .judge.batches import GatedBatch
    from .judge.early import Listed
    from .judge.outcome import Outcome
    from .judge.verdict import Verdict
    from .launch import Starter, StartPlan
    from .retell.listing import RunListing
    from .retell.models import BatchTest
    from .wait.waiter import Waiter


@dataclass
class RunRecord:
    """What is known so far of one run, each part None (or empty) until the run gets that far."""

    clock: Callable[[], float]
    started: float
    batch_job_ids: tuple[str, ...] = ()
    """Every batch gated, in order: reported on every path, read or not."""
    engine_key: str = ""
    """Start mode: which engine the inputs name (`agent-id=agent_1`); empty in wait mode."""
    starter: Starter | None = None
    plan: StartPlan | None = None
    waiter: Waiter | None = None
    dry_readings: dict[str, BatchTest] = field(default_factory=dict)
    listings: dict[str, RunListing] = field(default_factory=dict)
    baseline: BaselineStep | None = None
    assessment: Assessment | None = None

    def starting(self) -> endings.Starting:
        """How far starting got, for a cancel's wording."""
        if self.starter is None:
            return "waiting"
        if self.starter.sending:
            return "sending"
        return "started" if self.starter.started else "none started"

    def readings(self) -> list[tuple[str, BatchTest | None]]:
        """Each batch's ID and last reading (None: never read), in the order given."""
        return self.in_order(self.waiter.readings if self.waiter else self.dry_readings)

    def in_order(self, readings: Mapping[str, BatchTest]) -> list[tuple[str, BatchTest | None]]:
        return [(batch_job_id, readings.get(batch_job_id)) for batch_job_id in self.batch_job_ids]

    def all_complete(self) -> bool:
        readings = self.readings()
        return bool(readings) and all(batch is not None and batch.state == "complete" for _, batch in readings)

    def listed(self) -> Listed:
        """What the timeout knows beyond the readings, for judge.early: the runs listed, the baseline's runs
        (when read: a named one), and in start mode how many runs each test gets."""
        from .judge.early import Listed

        baseline_runs = self.baseline.runs.runs if self.baseline is not None and self.baseline.runs else None
        # Each test runs `repeats` times in start mode; once in a single batch waited for (as far as the gate
        # can tell: several batches may hold the same test).
        runs_each = self.plan.repeats if self.plan is not None else (1 if len(self.batch_job_ids) == 1 else None)
        return Listed(self.listings, baseline_runs, runs_each)

    def unfinished(self, when: str) -> str:
        """Which batches were still running `when`, and how far they had got, counted as the reports count."""
        from .judge.batches import unfinished_sentence
        from .judge.counts import counts_so_far

        gated = self.gated()
        so_far = [counts_so_far(each.batch, each.listing) for each in gated if each.batch is not None]
        return unfinished_sentence(gated, when, (sum(c.finished for c in so_far), sum(c.total for c in so_far)))

    def gated(self) -> tuple[GatedBatch, ...]:
        """Every batch with what is known of it: its last reading and its test runs, if they were read."""
        from .judge.batches import GatedBatch

        return tuple(
            GatedBatch(batch_job_id, batch, self.listings.get(batch_job_id)) for batch_job_id, batch in self.readings()
        )

    def ended(
        self,
        result: codes.Result,
        reason: str,
        code: int,
        hint: str = "",
        verdict: Verdict | None = None,
        planned: tuple[str, ...] = (),
    ) -> Outcome:
        """The run's Outcome; an ending that leaves batches running in Retell says which."""
        from .judge.outcome import Outcome

        started = self.starter.started_ids if self.starter is not None else ()
        readings = self.waiter.readings if self.waiter else {}
        running = [one for one in started if one not in readings or readings[one].state != "complete"]
        if result in ("error", "cancelled", "timed-out"):
            reason += endings.still_running(running)
        if self.engine_key:
            hint = endings.start_mode_hint(hint, started)
        judged = verdict is not None
        return Outcome(
            result=result,
            reason=reason,
            exit_code=code,
            batches=self.gated(),
            elapsed=self.clock() - self.started,
            verdict=verdict,
            hint=hint,
            warnings=verdict.warnings if verdict else (),
            started=started,
            planned=planned,
            assessment=self.assessment if judged else None,
            baseline=self.baseline.used if self.baseline is not None and judged else None,
            repeats=self.plan.repeats if self.plan is not None else 1,
            start_mode=bool(self.engine_key),
            planned_engine=self._planned_engine(),
            unanswered_create=self.starter is not None and self.starter.sending,
        )

    def _planned_engine(self) -> tuple[str, int | None] | None:
        """The engine start mode tests: as planned, pinned to the version the first batch started runs when the
        plan left it to Retell (the latest), for the outputs of a run that never read a batch."""
        if self.plan is None:
            return None
        engine = self.plan.engine
        first = self.starter.started[0].batch.response_engine if self.starter and self.starter.started else None
        if engine.version is None and first is not None and engine.runs_as(first):
            from .retell.engines import whole_version

            return engine.engine_id, whole_version(first.version)
        return engine.engine_id, engine.version
