"""Polling: read the batch until Retell reports it complete or the deadline passes.

A read that fails in a transient way is no news: the wait goes on through the outage (outage.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from ..errors import ApiError
from ..net.retry import RetriesExhausted
from .outage import OUTAGE_TRIES, Outage
from .polling import Poll, next_delay

if TYPE_CHECKING:
    from ..retell.models import BatchTest

PROGRESS_EVERY = 60.0  # seconds: a progress line at least this often, even when nothing changes
LAST_POLL_MARGIN = 0.5  # seconds: closer to the deadline than this, a request could not finish


class BatchReader(Protocol):
    def get_batch(self, batch_job_id: str, deadline: float, *, tries: int | None = None) -> BatchTest: ...


@dataclass(frozen=True)
class Progress:
    elapsed: float
    batch: BatchTest


class Waiter:
    """Polls one batch; `last` keeps the batch last read, for reporting on any path."""

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
        self.last: BatchTest | None = None
        self._last_reported: tuple[object, ...] | None = None
        self._last_report_at = float("-inf")

    def wait(self, batch_job_id: str, poll_interval: float, started: float, deadline: float) -> bool:
        """True once the batch is complete; False when the deadline passed first.

        Raises ApiError on a read that fails for good, and when Retell is still failing at the deadline.
        """
        history: list[Poll] = []
        outage: Outage | None = None
        while True:
            began = self._clock()
            try:
                batch = self._reader.get_batch(
                    batch_job_id, deadline, tries=OUTAGE_TRIES if outage is not None else None
                )
            except RetriesExhausted as failure:
                outage = self._failing(outage, failure, began, started)
                delay = outage.next_delay(poll_interval)
            else:
                if outage is not None:
                    self._note(self._clock() - started, outage.recovered_note(self._clock()))
                    outage = None
                self._seen(batch, started)
                if batch.state == "complete":
                    return True
                history.append(Poll(self._clock(), batch.finished_count, batch.total_count))
                delay = next_delay(history, poll_interval)
            remaining = deadline - self._clock()
            if remaining <= LAST_POLL_MARGIN:
                return self._out_of_time(outage, started)
            self._sleep(min(delay, remaining))
            if deadline - self._clock() <= LAST_POLL_MARGIN:
                return self._out_of_time(outage, started)

    def _failing(self, outage: Outage | None, failure: RetriesExhausted, began: float, started: float) -> Outage:
        """The outage this failed read starts or continues; its start is logged once."""
        if outage is not None:
            outage.failed_again(failure)
            return outage
        outage = Outage(began, failure)
        self._note(self._clock() - started, outage.started_note(started))
        return outage

    def _seen(self, batch: BatchTest, started: float) -> None:
        if batch.state == "unknown" and (self.last is None or self.last.status != batch.status):
            self._warn(f"Retell reports a batch status this gate does not know: {batch.status!r}; still waiting.")
        self.last = batch
        now = self._clock()
        key = (batch.status, batch.pass_count, batch.fail_count, batch.error_count, batch.total_count)
        if key != self._last_reported or now - self._last_report_at >= PROGRESS_EVERY:
            self._report(Progress(now - started, batch))
            self._last_reported = key
            self._last_report_at = now

    def _out_of_time(self, outage: Outage | None, started: float) -> bool:
        # Fail closed: an outage that outlasts the wait, or a status we do not understand, is an API
        # problem, never a mere timeout, which `fail-on-timeout: false` would turn green.
        if outage is not None:
            raise outage.error(self._clock(), started)
        batch = self.last
        if batch is not None and batch.state == "unknown":
            raise ApiError(
                f"The batch was still in a status this gate does not know ({batch.status!r}) when `timeout` ran out.",
                "Retell may have changed its API; check for a newer version of this action.",
            )
        return False
