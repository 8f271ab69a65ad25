"""Finding the batch a create may have started, after a failure that leaves it open (see starting.py).

A batch fits when Retell lists it for the engine (`GET /v2/list-batch-tests`, type, ID and version
when pinned), it reports that engine, its `total_count` is the number of definitions asked for (or 0,
not counted yet, as a create's own answer may be), it
is not one this run started already, and it was created since the request was sent. Then, if
Retell lists its test runs, their definitions must be the ones asked for: a run of another
definition rules the batch out; a listing that is not whole yet proves nothing either way.
Exactly one fit is adopted. None, or several, raise StartUncertain naming them: the caller stops
and starts nothing more.

Decisions where the issue is silent:
- Clock skew: "since the request was sent" is measured on the runner's wall clock, Retell's
  `creation_timestamp` on Retell's. Runners keep NTP time (off by well under a second), so the
  window opens CLOCK_SKEW_SECONDS (60 s) before the send. A wider window cannot make the gate
  adopt the wrong thing: a batch it lets in has the same engine, version and size (and, when
  listed, definitions) as the one asked for; two such batches are an error, never a guess.
- Retell may list a new batch a moment after creating it: when nothing fits, the list is read
  again (LOOKS times in all, LOOK_PAUSE_SECONDS apart).
- The lookup may run up to LOOKUP_MIN_SECONDS past the caller's deadline: a create that hung can
  use up the whole deadline, and knowing which billed batch runs is worth a few seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ..errors import ApiError
from .catalog import list_batch_tests
from .ids import RETELL_ID

if TYPE_CHECKING:
    from .client import RetellClient
    from .engines import Engine
    from .models import BatchTest

CLOCK_SKEW_SECONDS = 60.0
LOOKS = 3
LOOK_PAUSE_SECONDS = 2.0
LOOKUP_MIN_SECONDS = 30.0
MAX_CHECKED = 5  # candidates whose test runs are listed to compare definitions; more are all reported

NOT_FOUND_HINT = (
    "Look at the engine's batch tests in Retell's dashboard before running this job again: a batch may have "
    "started anyway, and each run of a job that starts batches starts (and bills) another. To judge a batch "
    "you find there, run the gate with `batch-job-id` set to its ID."
)
AMBIGUOUS_HINT = (
    "Check these batches in Retell's dashboard; to judge one, run the gate with `batch-job-id` set to its ID."
)


class StartUncertain(ApiError):
    """A batch may be running in Retell that the gate will not judge; `batch_ids` are the ones it knows of.

    `started`: the batch this create certainly started (Retell answered with it) though it is not the one
    asked for; None when the gate cannot tell (the candidates of an ambiguous failure are not known to be its)."""

    def __init__(
        self, message: str, hint: str, batch_ids: tuple[str, ...] = (), started: BatchTest | None = None
    ) -> None:
        super().__init__(message, hint)
        self.batch_ids = batch_ids
        self.started = started


def sized_as_asked(total_count: int, asked: int) -> bool:
    """A new batch holds the test cases asked for, or 0 while Retell has not counted them yet (launch.py checks
    the final total, and the test runs): the rule for a create's own answer and for a batch found after an
    ambiguous one."""
    return total_count in (0, asked)


def find_started_batch(
    client: RetellClient,
    engine: Engine,
    definition_ids: tuple[str, ...],
    sent_at: float,
    deadline: float,
    *,
    reason: str,
    already_started: Collection[str],
    clock: Callable[[], float],
    sleep: Callable[[float], None],
) -> BatchTest:
    """The one batch that fits (see the module docstring); raises StartUncertain otherwise.

    `sent_at`: the wall clock (seconds since the epoch) just before the create was sent. `reason`:
    what went wrong with the create, said first in the error.
    """
    since_ms = int((sent_at - CLOCK_SKEW_SECONDS) * 1000)
    lookup_deadline = max(deadline, clock() + LOOKUP_MIN_SECONDS)
    fits: list[BatchTest] = []
    for look in range(1, LOOKS + 1):
        try:
            batches = list_batch_tests(client, engine, lookup_deadline)
        except ApiError as error:
            raise StartUncertain(f"{reason} Looking for the batch failed: {error.message}", NOT_FOUND_HINT) from None
        fits = [
            batch
            for batch in batches
            if RETELL_ID.fullmatch(batch.test_case_batch_job_id)  # one it could not name is no fit
            and batch.test_case_batch_job_id not in already_started
            and engine.runs_as(batch.response_engine)
            and sized_as_asked(batch.total_count, len(definition_ids))
            and batch.creation_timestamp >= since_ms
        ]
        if fits or look == LOOKS or clock() + LOOK_PAUSE_SECONDS >= lookup_deadline:
            break
        sleep(LOOK_PAUSE_SECONDS)
    if len(fits) <= MAX_CHECKED:
        fits = [batch for batch in fits if not _ruled_out(client, batch, definition_ids, lookup_deadline)]
    if len(fits) == 1:
        return fits[0]
    searched = f"{engine.label()} with {len(definition_ids)} test cases, created since {_when(since_ms)}"
    if not fits:
        message = f"{reason} Retell lists no batch of {searched}; nothing more was started."
        raise StartUncertain(message, NOT_FOUND_HINT)
    named = ", ".join(f"{batch.test_case_batch_job_id} (created {_when(batch.creation_timestamp)})" for batch in fits)
    message = (
        f"{reason} Retell lists {len(fits)} batches of {searched} that could be it: {named}. The gate cannot "
        "tell which one it started, so it judges none and starts nothing more."
    )
    raise StartUncertain(message, AMBIGUOUS_HINT, tuple(batch.test_case_batch_job_id for batch in fits))


def _ruled_out(client: RetellClient, batch: BatchTest, definition_ids: tuple[str, ...], deadline: float) -> bool:
    """Whether the batch's test runs show it ran other definitions than the ones asked for."""
    try:
        listing = client.list_test_runs(batch.test_case_batch_job_id, deadline)
    except ApiError:
        return False  # not listed yet, or not at all: the other checks stand
    other, lacking = listing.against(definition_ids, batch.total_count)
    return bool(other or lacking)


def _when(milliseconds: int) -> str:
    return datetime.fromtimestamp(milliseconds / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
