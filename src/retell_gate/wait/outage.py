"""An outage while polling: Retell failing in a transient way is "no news", not an answer.

A read that ends in RetriesExhausted (connection errors, timeouts, 408/409/429/5xx that outlasted
one request's retries) says nothing about the batch, which keeps running in Retell. Over a
30-minute wait such a blip is normal (issue 7), so the waiter keeps reading, with pauses that grow
from `poll-interval` to OUTAGE_MAX_DELAY (or longer when a `Retry-After`, itself capped at 60 s,
asks for it), until the polling deadline. Only if Retell is still failing then is the wait an
error (exit 3): the batch's result is unknown, which must never read as a mere timeout that
`fail-on-timeout: false` would turn green.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ApiError
from ..net.retry import RetriesExhausted

OUTAGE_MAX_DELAY = 60.0  # seconds: a recovery is noticed within a minute, at one request a minute
# During an outage each read makes a single try. With the full budget (6 tries over about 15 s)
# every read would be a burst of requests against a failing service, and the per-request backoff,
# not the pauses below, would set the pace. With one try, the pauses set it, a `Retry-After`
# becomes the next pause, and a recovery is noticed at the next read. The first failing read still
# has the full budget, so a blip of a few seconds passes unnoticed, as it did before.
OUTAGE_TRIES = 1
MAX_DOUBLINGS = 30  # 2**30 × any `poll-interval` is far past the cap; a larger power would overflow


def stamp(seconds: float) -> str:
    """Elapsed time as the log shows it: 0m05s, 12m30s, 95m00s."""
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}m{rest:02}s"


@dataclass
class Outage:
    """Retell failing since `since` (clock seconds, when the first failing read began)."""

    since: float
    last: RetriesExhausted
    reads: int = 1
    several: bool = False
    """Whether the wait is for several batches, for the notes' wording."""
    batch_job_id: str = ""
    """The batch whose reads fail (named when there are several)."""

    def failed_again(self, failure: RetriesExhausted) -> None:
        self.last = failure
        self.reads += 1

    def next_delay(self, poll_interval: float) -> float:
        """Seconds until the next read: doubling from `poll-interval` to a minute (or `poll-interval`, if
        longer), or what `Retry-After` asked for, if that is longer."""
        cap = max(OUTAGE_MAX_DELAY, poll_interval)
        backoff = min(poll_interval * 2.0 ** min(self.reads - 1, MAX_DOUBLINGS), cap)
        return max(backoff, self.last.retry_after or 0.0)

    @property
    def _for(self) -> str:
        """` for batch X` when there are several, so each note names its batch; empty otherwise."""
        return f" for batch {self.batch_job_id}" if self.several and self.batch_job_id else ""

    def started_note(self, started: float) -> str:
        return (
            f"Retell started failing{self._for} at {stamp(self.since - started)}: {self.last.last}. The batch keeps "
            "running in Retell; the gate keeps reading it, with growing pauses, until Retell answers or `timeout` runs "
            "out."
        )

    @property
    def failed_reads(self) -> str:
        return f"{self.reads} failed read{'s' if self.reads != 1 else ''}"

    def recovered_note(self, now: float) -> str:
        return f"Retell answered again{self._for}, after failing for {stamp(now - self.since)} ({self.failed_reads})."

    def error(self, now: float, started: float, also: int = 0) -> ApiError:
        """The wait's end while Retell is still failing: an API error, never a timeout. `also`: how many other
        batches' reads were failing too."""
        which = f"batch {self.batch_job_id}" if self.several and self.batch_job_id else "the batch"
        reason = (
            f"Retell had been failing{self._for} since {stamp(self.since - started)} into the wait "
            f"(for {stamp(now - self.since)}, {self.failed_reads}) when `timeout` ran out, so whether {which} "
            f"finished is unknown; the last failure: {self.last.last}."
        )
        if also:
            others = f"{also} other batch{'es' if also > 1 else ''}"
            reason += f" Reading {others} was failing too: whether {'they' if also > 1 else 'it'} finished is unknown."
        return ApiError(reason, self.last.hint)
