"""Polling: read every batch until Retell reports them all complete, the deadline passes, or the caller
says stop (`fail-fast`).

One loop watches every batch, never one after the other: each keeps its own poll history and is
read when the adaptive policy (polling.py) says it is due, and the loop sleeps until the next batch
is due, never past the deadline. A complete batch is not read again.

A read that fails in a transient way is no news: the wait goes on through the outage (outage.py).
Each batch keeps its own: a batch whose reads fail is read at the outage's pace (one try a read,
growing pauses) while the others keep their own pace, so one batch that keeps failing costs its own
requests only, and holds up none of the others. When Retell is down for all, each batch backs off.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol

from ..errors import ApiError
from ..net.retry import RetriesExhausted
from .outage import OUTAGE_TRIES, Outage
from .polling import Poll, next_delay

if TYPE_CHECKING:
    from ..retell.models import BatchTest

PROGRESS_EVERY = 60.0  # seconds: a progress line at least this often, even when nothing changes
LAST_POLL_MARGIN = 0.5  # seconds: closer to the deadline than this, a request could not finish
FINAL_READ_LEAD = 5.0  # seconds: during an outage, the last read starts this long before the deadline

WaitEnd = Literal["complete", "deadline", "stopped"]
"""Every batch complete; the deadline came first; or `stop` said so."""


class BatchReader(Protocol):
    def get_batch(self, batch_job_id: str, deadline: float, *, tries: int | None = None) -> BatchTest: ...


@dataclass(frozen=True)
class Progress:
    elapsed: float
    batch: BatchTest


@dataclass
class _Watch:
    """One batch being waited for: when it is due, what its polls saw, whether it is complete."""

    batch_job_id: str
    due: float
    history: list[Poll] = field(default_factory=list)
    complete: bool = False
    reported: tuple[object, ...] | None = None
    reported_at: float = float("-inf")
    outage: Outage | None = None
    """Its reads failing since then (no news, not an answer); None while they succeed."""


class Waiter:
    """Polls batches; `readings` keeps each batch's last reading, for reporting on any path."""

    def __init__(
        self,
        reader: BatchReader,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        report: Callable[[Progress], None],
        warn: Callable[[str], None],
        note: Callable[[float, str], None],
    ) -> None:
        """`note(elapsed, text)` logs a line about the wait itself (an outage starting or ending)."""
        self._reader = reader
        self._clock = clock
        self._sleep = sleep
        self._report = report
        self._warn = warn
        self._note = note
        self.readings: dict[str, BatchTest] = {}
        self._several = False

    def wait(
        self,
        batch_job_ids: Sequence[str],
        poll_interval: float,
        started: float,
        deadline: float,
        stop: Callable[[Mapping[str, BatchTest]], bool] | None = None,
    ) -> WaitEnd:
        """Read the batches until each is complete, the deadline passes, or `stop(readings)` is true
        after a reading.

        Raises ApiError on a read that fails for good, and when Retell is still failing at the deadline.
        """
        if not batch_job_ids:
            raise ValueError("no batch to wait for")
        watches = [_Watch(batch_job_id, self._clock()) for batch_job_id in batch_job_ids]
        self._several = len(watches) > 1
        while True:
            watch = min((w for w in watches if not w.complete), key=lambda w: w.due)  # the first given wins a tie
            began = self._clock()
            try:
                batch = self._read(watch.batch_job_id, deadline, watch.outage)
            except RetriesExhausted as failure:
                watch.outage = self._failing(watch, failure, began, started)
                watch.due = self._clock() + watch.outage.next_delay(poll_interval)
                last_chance = deadline - FINAL_READ_LEAD
                if began < last_chance < watch.due:  # a recovery during the last pause would go unseen
                    watch.due = last_chance
            else:
                if watch.outage is not None:
                    self._note(self._clock() - started, watch.outage.recovered_note(self._clock()))
                    watch.outage = None
                self._seen(watch, batch, started, poll_interval)
                if all(w.complete for w in watches):
                    return "complete"
                if stop is not None and stop(self.readings):
                    return "stopped"
            next_at = min(w.due for w in watches if not w.complete)
            remaining = deadline - self._clock()
            if remaining <= LAST_POLL_MARGIN:
                return self._out_of_time(started, watches)
            if next_at > self._clock():
                self._sleep(min(next_at - self._clock(), remaining))
                if deadline - self._clock() <= LAST_POLL_MARGIN:
                    return self._out_of_time(started, watches)

    def _read(self, batch_job_id: str, deadline: float, outage: Outage | None) -> BatchTest:
        try:
            return self._reader.get_batch(batch_job_id, deadline, tries=OUTAGE_TRIES if outage is not None else None)
        except RetriesExhausted:
            raise
        except ApiError as error:  # a lasting failure ends the wait: say which batch it was about
            if not self._several:
                raise
            raise ApiError(f"Batch {batch_job_id}: {error.message}", error.hint) from None

    def _failing(self, watch: _Watch, failure: RetriesExhausted, began: float, started: float) -> Outage:
        """The batch's outage this failed read starts or continues; its start is logged once."""
        if watch.outage is not None:
            watch.outage.failed_again(failure)
            return watch.outage
        outage = Outage(began, failure, several=self._several, batch_job_id=watch.batch_job_id)
        self._note(self._clock() - started, outage.started_note(started))
        return outage

    def _seen(self, watch: _Watch, batch: BatchTest, started: float, poll_interval: float) -> None:
        """Keep the reading, say what changed, and schedule the batch's next read (if it is not complete)."""
        previous = self.readings.get(watch.batch_job_id)
        if batch.state == "unknown" and (previous is None or previous.status != batch.status):
            which = f" for batch {watch.batch_job_id}" if self._several else ""
            self._warn(
                f"Retell reports a batch status this gate does not know{which}: {batch.status!r}; still waiting."
            )
        if previous is not None and (went := _went_back(previous, batch)):
            which = f"batch {watch.batch_job_id}" if self._several else "the batch"
            raise ApiError(
                f"Retell's counts of {which} changed between two reads as a running batch's never do ({went}): its "
                "total is fixed once counted, and the other counts only grow. The gate cannot tell what it ran, and "
                "judges nothing.",
                "Open the batch in Retell's dashboard; if it looks right there, report this with the step's log.",
            )
        self.readings[watch.batch_job_id] = batch
        now = self._clock()
        key = (batch.status, batch.pass_count, batch.fail_count, batch.error_count, batch.total_count)
        if key != watch.reported or now - watch.reported_at >= PROGRESS_EVERY:
            self._report(Progress(now - started, batch))
            watch.reported, watch.reported_at = key, now
        if batch.state == "complete":
            watch.complete = True
            return
        watch.history.append(Poll(now, batch.finished_count, batch.total_count))
        watch.due = now + next_delay(watch.history, poll_interval)

    def _out_of_time(self, started: float, watches: Sequence[_Watch]) -> WaitEnd:
        # Fail closed: an outage that outlasts the wait, or a status we do not understand, is an API
        # problem, never a mere timeout, which `fail-on-timeout: false` would turn green.
        failing = [w.outage for w in watches if w.outage is not None and not w.complete]
        if failing:
            first = min(failing, key=lambda outage: outage.since)
            raise first.error(self._clock(), started, also=len(failing) - 1)
        for watch in watches:
            batch = self.readings.get(watch.batch_job_id)
            if not watch.complete and batch is not None and batch.state == "unknown":
                which = f"Batch {watch.batch_job_id} was" if self._several else "The batch was"
                raise ApiError(
                    f"{which} still in a status this gate does not know ({batch.status!r}) when `timeout` ran out.",
                    "Retell may have changed its API; check for a newer version of this action.",
                )
        return "deadline"


def _went_back(before: BatchTest, now: BatchTest) -> str:
    """What shrank between two readings of one batch (its total once counted, or a count), or ""."""
    if before.total_count and now.total_count != before.total_count:
        return f"{before.total_count} test cases, then {now.total_count}"
    for name, was, is_now in (
        ("passed", before.pass_count, now.pass_count),
        ("failed", before.fail_count, now.fail_count),
        ("errored", before.error_count, now.error_count),
    ):
        if is_now < was:
            return f"{was} {name}, then {is_now}"
    return ""
