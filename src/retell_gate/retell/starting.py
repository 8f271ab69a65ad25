"""Starting one batch test (`POST /create-batch-test`), never twice.

Retell documents no idempotency key, so a create that may have arrived is never sent again: the
transport retries only failures that prove the request never arrived (no connection made, DNS,
429). After any other failure (a timeout after sending, a reset, a 5xx, 408 or 409, or a success
whose body cannot be read), recovery.py looks the batch up in Retell's list and adopts it when
exactly one fits; otherwise StartUncertain is raised and the caller must start nothing more.

How the caller starts a selection split by plan/selection.py `split_batches`:

    started: list[Started] = []
    for chunk in split_batches(definition_ids):
        started.append(create_batch_test(client, chunk, engine, deadline,
                                         already_started=[s.batch_id for s in started]))

An exception ends the loop (nothing more is started). Whatever it is, the batches already in
`started`, and a StartUncertain's `batch_ids`, keep running in Retell: report their IDs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import ApiError
from ..net.retry import RetriesExhausted
from ..net.transport import MaybeArrived, ResponseTooLarge
from .calls import refusal, validate
from .client import MAX_BODY_BYTES, SCHEMA_HINT
from .ids import RETELL_ID
from .recovery import NOT_FOUND_HINT, StartUncertain, find_started_batch, sized_as_asked

if TYPE_CHECKING:
    from .client import RetellClient
    from .engines import Engine
    from .models import BatchTest

__all__ = ["MAX_DEFINITIONS", "StartUncertain", "Started", "create_batch_test"]

MAX_DEFINITIONS = 200  # Retell's documented limit per batch (its specification allows 1000)
DEFINITIONS_OR_VERSION = (
    "Check `version` (it must exist for this engine) and `test-case-definition-ids` (each must be a definition of "
    "this engine, at most 200 a batch)."
)
CREATE_HINTS = {
    400: DEFINITIONS_OR_VERSION,
    402: (
        "Starting a batch test is billed: check the plan, credit and payment method of the Retell workspace "
        "that owns the `api-key` (Retell's dashboard, Billing). Retell started no batch for this request."
    ),
    404: "Check `test-case-definition-ids` and the engine's ID, and that the `api-key` belongs to their workspace.",
    422: DEFINITIONS_OR_VERSION,
}
NEVER_ARRIVED_HINT = (
    "Retell, or the network between the runner and Retell, kept failing before the create could arrive (each try "
    "was refused, could not connect, or was answered 429): check https://status.retellai.com, the rate of requests "
    "on this `api-key`, and that `base-url` can be reached from the runner."
)


@dataclass(frozen=True)
class Started:
    """A batch this run started (or found again after an ambiguous failure), and what it was asked to run."""

    batch: BatchTest
    definition_ids: tuple[str, ...]
    recovered: str = ""
    """Empty when Retell answered the create; otherwise what went wrong before the batch was found (warn)."""

    @property
    def batch_id(self) -> str:
        return self.batch.test_case_batch_job_id


def create_batch_test(
    client: RetellClient,
    definition_ids: Sequence[str],
    engine: Engine,
    deadline: float,
    *,
    already_started: Collection[str] = (),
    wall_clock: Callable[[], float] = time.time,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Started:
    """Start one batch of 1 to 200 distinct definitions against `engine`; send the request at most once.

    `already_started`: IDs of batches this run has started, never taken for this one. `wall_clock`
    (seconds since the epoch) dates the request for the lookup; `clock` and `sleep` pace it.
    Raises ApiError when Retell refuses (402 with a billing hint; nothing was started), and
    StartUncertain (an ApiError) when a batch may be running that the gate cannot identify.
    """
    ids = tuple(definition_ids)
    if not 1 <= len(ids) <= MAX_DEFINITIONS or len(set(ids)) != len(ids):
        raise ValueError(f"a batch takes 1 to {MAX_DEFINITIONS} distinct definitions, not {len(ids)}")
    body = {"test_case_definition_ids": list(ids), "response_engine": engine.response_engine()}
    sent_at = wall_clock()  # before sending: the batch cannot be older than this (give or take clock skew)

    def recover(reason: str) -> Started:
        batch = find_started_batch(
            client,
            engine,
            ids,
            sent_at,
            deadline,
            reason=reason,
            already_started=already_started,
            clock=clock,
            sleep=sleep,
        )
        return Started(batch, ids, f"{reason} The gate found the batch it started, {batch.test_case_batch_job_id}.")

    what = f"a new batch of {len(ids)} test cases for {engine.label()}"
    try:
        answer = client.send("POST", "/create-batch-test", deadline, MAX_BODY_BYTES, body, resend_if_unsure=False)
    except (MaybeArrived, ResponseTooLarge) as unsure:
        return recover(unsure.message)
    except RetriesExhausted as never_arrived:  # a create is tried again only when it provably never arrived
        message = f"Starting {what} failed: {never_arrived.message} Retell started no batch for it."
        raise ApiError(message, NEVER_ARRIVED_HINT) from None
    if not 200 <= answer.status < 300:
        raise refusal(answer, what, CREATE_HINTS)  # Retell said no: nothing was created
    try:
        from .models import BatchTest

        batch = validate(BatchTest, answer.json(f"Retell's answer for {what}", SCHEMA_HINT), what)
    except ApiError as unreadable:  # Retell took the request, so a batch may exist: look, never resend
        return recover(unreadable.message)
    _check_created(batch, engine, ids, already_started)
    return Started(batch, ids)


def _check_created(batch: BatchTest, engine: Engine, ids: tuple[str, ...], already_started: Collection[str]) -> None:
    """A created batch must run what was asked; otherwise it is reported (it runs on) and nothing is judged."""
    batch_id = batch.test_case_batch_job_id
    if not RETELL_ID.fullmatch(batch_id):  # never logged, output or requested: it could carry anything
        raise StartUncertain(
            f"Retell answered the create with a batch ID that is not a Retell ID ({len(batch_id)} characters, "
            "not only letters, digits, _ and -); a batch may be running that the gate cannot name or judge.",
            NOT_FOUND_HINT,
        )
    problem = ""
    if batch_id in already_started:  # the same batch twice would hide the tests the second create was for
        problem = f"Retell answered this create with batch {batch_id}, which an earlier create of this run started"
    elif not engine.runs_as(batch.response_engine):
        problem = f"Retell started batch {batch_id} against another engine than {engine.label()}"
    elif not sized_as_asked(batch.total_count, len(ids)):
        problem = f"Retell started batch {batch_id} with {batch.total_count} test cases, not the {len(ids)} asked for"
    if problem:
        hint = "The batch keeps running in Retell; check it in Retell's dashboard. " + SCHEMA_HINT
        raise StartUncertain(f"{problem}; the gate will not judge it.", hint, (batch_id,), started=batch)
