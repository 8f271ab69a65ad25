"""`fail-fast`: whether batches still running can pass at all, whatever their unfinished test cases do.

Counts only grow: a failed or errored test case never turns into a pass, and a batch's
`total_count` is the number of test cases it was started with. So once the failures seen are more
than `max-failures` allows of the final total (a `N%` limit is of `total_count`, known from the
first reading), or the errors more than `max-errors`, or the pass rate would stay below
`min-pass-rate` even if every unfinished test case passed, no later reading can pass, and neither
can the final verdict (the list of runs and uncounted test cases only make counts worse).

Anything short of that could still pass, so the wait goes on: no false reds. A batch read complete
and empty fails the "Test cases" check (`allow-empty`) already. A batch not read yet has an unknown
total: nothing is decided before every batch has been read once.

At the timeout the runs listed so far are known too: they make the counts worse where they show more
failures than the batch counted when last read, and final.py finds required tests and regressions
that have failed for good. With `quarantine` or `repeats` the counts decide nothing (a failure may be
quarantined, or a repeat allowed), but those per-test checks still apply. Pure, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from ..inputs.config import Config
from ..inputs.judging import decided_on_counts
from .counts import Counts, counts_so_far
from .final import Final, final_failures
from .runs import how_many
from .verdict import Check, Verdict, empty_check, limit_check, percent, places_for

if TYPE_CHECKING:
    from ..retell.listing import RunListing
    from ..retell.models import BatchTest, TestRun


FAIL_FAST = "`fail-fast` stopped the wait"


@dataclass(frozen=True)
class Listed:
    """What the timeout knows beyond the readings: the runs listed, the baseline's runs (None: no baseline
    read yet) and how many runs each test gets (start mode's `repeats`; None in wait mode)."""

    listings: Mapping[str, RunListing]
    baseline_runs: Sequence[TestRun] | None = None
    runs_each: int | None = None


def early_verdict(
    readings: Sequence[tuple[str, BatchTest | None]],
    config: Config,
    stopped: str = FAIL_FAST,
    listed: Listed | None = None,
) -> Verdict | None:
    """A failing Verdict when the batches, as last read, can no longer pass; None while they still can.

    `readings` holds each batch's ID and its last reading (None: not read yet), in order; `stopped` says
    what ended the wait (`fail-fast`, or the timeout), for the reason; `listed`, what the timeout knows more.
    """
    if not readings or any(batch is None for _, batch in readings):
        return None
    listings = listed.listings if listed is not None else {}
    by_batch = {
        batch_job_id: counts_so_far(batch, listings.get(batch_job_id)) for batch_job_id, batch in readings if batch
    }
    counts = Counts.combined(by_batch.values())
    empty = [
        batch_job_id
        for batch_job_id, batch in readings
        if batch and batch.state == "complete" and not batch.total_count
    ]
    # A batch read running with a total of 0 has not been counted yet: the shares and rates have no total.
    counted = all(batch.state == "complete" or batch.total_count > 0 for _, batch in readings if batch)
    checks = [
        *(_checks(counts, config) if _counts_decide(config, len(readings)) and counted else ()),
        *_empty(counts, config, empty, len(readings) > 1),
    ]
    found = Final()
    if listed is not None:
        runs = [run for listing in listed.listings.values() for run in listing.runs]
        found = final_failures(runs, config, listed.baseline_runs, listed.runs_each)
        checks += found.checks
    failures = [check.failure for check in checks if not check.ok]
    if not failures:
        return None
    running = sum(1 for _, batch in readings if batch is not None and batch.state != "complete")
    reason = _reason(failures, counts, running, len(readings), stopped, counted)
    return Verdict(False, reason, counts, tuple(checks), (), by_batch, regressed_early=found.regressed)


def _counts_decide(config: Config, batches: int) -> bool:
    """Whether the batches' counts can show the verdict failed: as decided_on_counts says, and also with
    `min-passes` alone over one batch, where every test runs once and a failed run is a failed test."""
    alone = batches == 1 and config.repeats == 1 and not config.quarantine
    return decided_on_counts(config) or alone


def _empty(counts: Counts, config: Config, empty: Sequence[str], several: bool) -> list[Check]:
    """The "Test cases" check, once a batch is read complete and empty: more readings cannot fill it."""
    return [empty_check(counts, config, empty, several)] if empty else []


def _checks(counts: Counts, config: Config) -> tuple[Check, ...]:
    """Each threshold, `ok` while it can still be met."""
    checks = [
        limit_check("Failed", "max-failures", counts.failed, counts.total, config.max_failures),
        limit_check("Errored", "max-errors", counts.errored, counts.total, config.max_errors),
    ]
    if config.min_pass_rate is not None:
        checks.append(_best_pass_rate(counts, config.min_pass_rate))
    return tuple(checks)


def _best_pass_rate(counts: Counts, rate: Decimal) -> Check:
    """The pass rate if every test case not failed or errored yet passes: the most it can reach."""
    best = counts.total - counts.failed - counts.errored
    ok = counts.total == 0 or best * 100 >= rate * counts.total
    shown = f"at most {percent(best, counts.total, places_for(rate), up=False)}%" if counts.total else "n/a"
    return Check("Pass rate", "min-pass-rate", f"≥ {rate}%", shown, ok, f"the pass rate can be {shown}, below {rate}%")


def _reason(
    failures: Sequence[str], counts: Counts, running: int, batches: int, stopped: str, counted: bool = True
) -> str:
    of = f"of {how_many(counts.total)}" if counted else "test case(s), of a total Retell had not counted yet,"
    finished = f"with {counts.finished} {of} finished"
    if batches == 1:
        return (
            f"The batch can no longer pass: {'; '.join(failures)}. {stopped} while it was "
            f"still running, {finished}; it keeps running in Retell."
        )
    were = "was" if running == 1 else "were"
    return (
        f"The batches can no longer pass: {'; '.join(failures)}. {stopped} while {running} of "
        f"{batches} batches {were} still running, {finished}; {'it keeps' if running == 1 else 'they keep'} "
        "running in Retell."
    )
