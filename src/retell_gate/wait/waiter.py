"""Polling: read the batch until Retell reports it complete or the deadline passes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from ..errors import ApiError
from .polling import Poll, next_delay

if TYPE_CHECKING:
    from ..retell.models import BatchTest

PROGRESS_EVERY = 60.0  # seconds: a progress line at least this often, even when nothing changes
LAST_POLL_MARGIN = 0.5  # seconds: closer to the deadline than this, a request could not finish


class BatchReader(Protocol):
    def get_batch(self, batch_job_id: str, deadline: float) -> BatchTest: ...


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
    ) -> None:
        self._reader = reader
        self._clock = clock
        self._sleep = sleep
        self._report = report
        self._warn = warn
        self.last: BatchTest | None = None
        self._last_reported: tuple[object, ...] | None = None
        self._last_report_at = float("-inf")

    def wait(self, batch_job_id: str, poll_interval: float, started: float, deadline: float) -> bool:
        """True once the batch is complete; False when the deadline passed first."""
        history: list[Poll] = []
        while True:
            batch = self._reader.get_batch(batch_job_id, deadline)
            self._seen(batch, started)
            if batch.state == "complete":
                return True
            history.append(Poll(self._clock(), batch.finished_count, batch.total_count))
            remaining = deadline - self._clock()
            if remaining <= LAST_POLL_MARGIN:
                return self._out_of_time(batch)
            self._sleep(min(next_delay(history, poll_interval), remaining))
            if deadline - self._clock() <= LAST_POLL_MARGIN:
                return self._out_of_time(batch)

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

    @staticmethod
    def _out_of_time(batch: BatchTest) -> bool:
        # Fail closed: a status we do not understand is an API problem, never a mere timeout,
        # which `fail-on-timeout: false` would turn green.
        if batch.state == "unknown":
            raise ApiError(
                f"The batch was still in a status this gate does not know ({batch.status!r}) when `timeout` ran out.",
                "Retell may have changed its API; check for a newer version of this action.",
            )
        return False
