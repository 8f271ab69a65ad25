"""Waiting through trouble (issue 7): an outage while polling is no news, in fake time.

Retell failing in a transient way (tries of one read exhausted) must not end a long wait: the
gate keeps reading, with growing pauses, until the polling deadline, and only an outage still
going on then is an error (never a timeout that `fail-on-timeout: false` turns green).
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
import requests_mock as rm

from retell_gate.cli import run
from retell_gate.errors import ApiError
from retell_gate.net.retry import MAX_RETRY_AFTER, RetriesExhausted
from retell_gate.retell.client import TRANSIENT_HINT, RetellClient
from retell_gate.retell.models import BatchTest
from retell_gate.wait.waiter import Waiter
from tests.conftest import FakeClock
from tests.factories import KEY, batch, batch_body, run_body
from tests.runner_rules import workflow_commands

BASE = "https://api.test"
URL = f"{BASE}/get-batch-test/batch_1"
PER_READ_BACKOFF = 0.5 + 1 + 2 + 4 + 8  # what one read's 6 tries spend backing off, at most


class OutageReader:
    """A batch complete at `complete_at` (seconds after the start); reads fail from `down[0]` to `down[1]`.

    A failing read with the full budget of tries spends PER_READ_BACKOFF, as the transport would;
    a read limited to one try spends nothing.
    """

    def __init__(
        self, clock: FakeClock, down: tuple[float, float], complete_at: float, retry_after: float | None = None
    ):
        self.clock = clock
        self.start = clock()
        self.down = down
        self.complete_at = complete_at
        self.retry_after = retry_after
        self.reads: list[tuple[float, int | None]] = []  # (seconds after the start, tries)

    def get_batch(self, batch_job_id: str, deadline: float, *, tries: int | None = None) -> BatchTest:
        elapsed = self.clock() - self.start
        self.reads.append((elapsed, tries))
        if self.down[0] <= elapsed < self.down[1]:
            if tries is None:
                self.clock.sleep(max(0.0, min(PER_READ_BACKOFF, deadline - self.clock())))
            message = "Retell failed 6 tries in a row; the last: HTTP 503: down."
            raise RetriesExhausted(message, TRANSIENT_HINT, "HTTP 503: down", self.retry_after)
        if elapsed >= self.complete_at:
            return batch(passed=10)
        return batch(status="in_progress", passed=min(9, int(elapsed // 10)), total=10)


def waiter_for(clock: FakeClock, reader: Any) -> tuple[Waiter, list[tuple[float, str]]]:
    notes: list[tuple[float, str]] = []
    waiter = Waiter(
        reader, clock, clock.sleep, lambda _p: None, lambda _w: None, lambda at, text: notes.append((at, text))
    )
    return waiter, notes


def test_a_short_outage_ends_no_wait(clock: FakeClock) -> None:
    # The case: a batch complete at 60 s, Retell answering 503 from 10 s to 30 s. Nothing has finished
    # at the first read, so the second comes at 19 s (polling.py): the first to fail.
    reader = OutageReader(clock, down=(10, 30), complete_at=60)
    waiter, notes = waiter_for(clock, reader)
    assert waiter.wait(("batch_1",), poll_interval=10, started=clock(), deadline=clock() + 1800) == "complete"
    assert "batch_1" in waiter.readings
    assert waiter.readings["batch_1"].state == "complete"
    # Said once when the first failing read gave up, and once when Retell answered again.
    assert notes == [
        (
            19 + PER_READ_BACKOFF,
            "Retell started failing at 0m19s: HTTP 503: down. The batch keeps running in Retell; the gate keeps "
            "reading it, with growing pauses, until Retell answers or `timeout` runs out.",
        ),
        (44.5, "Retell answered again, after failing for 0m26s (1 failed read)."),
    ]


def test_during_an_outage_each_read_is_one_try_and_the_pauses_grow_to_a_minute(clock: FakeClock) -> None:
    reader = OutageReader(clock, down=(10, 400), complete_at=500)
    waiter, notes = waiter_for(clock, reader)
    assert waiter.wait(("batch_1",), poll_interval=10, started=clock(), deadline=clock() + 1800) == "complete"
    reads = [at for at, _ in reader.reads]
    # The first failing read has the full budget (a blip passes unnoticed); then one try a read,
    # 10, 20, 40 s apart, then a minute, until Retell answers at 404.5 s.
    assert reads[:11] == [0, 19, 44.5, 64.5, 104.5, 164.5, 224.5, 284.5, 344.5, 404.5, 406.5]
    assert [tries for _, tries in reader.reads[:11]] == [None, None, *[1] * 8, None]
    assert notes == [
        (34.5, notes[0][1]),
        (404.5, "Retell answered again, after failing for 6m26s (8 failed reads)."),
    ]
    assert notes[0][1].startswith("Retell started failing at 0m19s: HTTP 503: down.")


def test_an_outage_still_going_at_the_deadline_is_an_error_not_a_timeout(clock: FakeClock) -> None:
    reader = OutageReader(clock, down=(10, 10_000), complete_at=60)
    waiter, _ = waiter_for(clock, reader)
    started = clock()
    with pytest.raises(ApiError) as caught:
        waiter.wait(("batch_1",), poll_interval=10, started=started, deadline=started + 300)
    assert not isinstance(caught.value, RetriesExhausted)
    assert caught.value.message.startswith("Retell had been failing since 0m19s into the wait (for 4m41s, ")
    assert caught.value.message.endswith(
        "when `timeout` ran out, so whether the batch finished is unknown; the last failure: HTTP 503: down."
    )
    assert caught.value.hint == TRANSIENT_HINT
    assert clock() == started + 300  # it slept up to the deadline, not past it
    assert "batch_1" in waiter.readings
    assert waiter.readings["batch_1"].state == "in_progress"  # what was last read is kept for the report


def test_an_outage_from_the_first_read_is_waited_out_too(clock: FakeClock) -> None:
    reader = OutageReader(clock, down=(0, 50), complete_at=30)
    waiter, notes = waiter_for(clock, reader)
    assert waiter.wait(("batch_1",), poll_interval=10, started=clock(), deadline=clock() + 600) == "complete"
    assert notes[0][1].startswith("Retell started failing at 0m00s: HTTP 503: down.")


class FailsThenRefuses(OutageReader):
    def get_batch(self, batch_job_id: str, deadline: float, *, tries: int | None = None) -> BatchTest:
        if self.reads:
            self.reads.append((self.clock() - self.start, tries))
            raise ApiError("Retell refused the request: HTTP 401: API key is missing or invalid.", "Check `api-key`.")
        return super().get_batch(batch_job_id, deadline, tries=tries)


def test_a_lasting_error_during_an_outage_ends_the_wait_at_once(clock: FakeClock) -> None:
    reader = FailsThenRefuses(clock, down=(0, 10_000), complete_at=60)
    waiter, _ = waiter_for(clock, reader)
    with pytest.raises(ApiError, match="HTTP 401"):
        waiter.wait(("batch_1",), poll_interval=10, started=clock(), deadline=clock() + 1800)
    assert len(reader.reads) == 2


def test_a_retry_after_during_an_outage_sets_a_longer_pause(clock: FakeClock) -> None:
    reader = OutageReader(clock, down=(0, 100), complete_at=0, retry_after=45)
    waiter, _ = waiter_for(clock, reader)
    assert waiter.wait(("batch_1",), poll_interval=10, started=clock(), deadline=clock() + 600) == "complete"
    assert [at for at, _ in reader.reads] == [0, PER_READ_BACKOFF + 45, PER_READ_BACKOFF + 90]  # not 10, 20 s apart


def client_in_fake_time(clock: FakeClock) -> RetellClient:
    import random

    return RetellClient(BASE, KEY, clock=clock, sleep=clock.sleep, rng=random.Random(7))


def test_a_long_retry_after_cannot_hold_a_poll_for_ten_minutes(clock: FakeClock) -> None:
    # The case: 429 with `Retry-After: 120` held one poll for 600 s, then exit 3 with time left.
    started = clock()
    with rm.Mocker() as mock:
        limited = {"status_code": 429, "json": {"message": "slow down"}, "headers": {"Retry-After": "120"}}
        mock.get(URL, [limited] * 8 + [{"json": batch_body()}])
        waiter, _ = waiter_for(clock, client_in_fake_time(clock))
        assert waiter.wait(("batch_1",), poll_interval=10, started=started, deadline=started + 1800) == "complete"
    assert mock.call_count == 9
    assert max(clock.sleeps) == MAX_RETRY_AFTER == 60
    assert clock() - started == 8 * 60  # 5 waits within the first read, then one a read: each at most a minute


def test_a_long_retry_after_forever_waits_to_the_deadline_then_fails_as_an_outage(clock: FakeClock) -> None:
    started = clock()
    with rm.Mocker() as mock:
        mock.get(URL, status_code=429, json={"message": "slow down"}, headers={"Retry-After": "120"})
        waiter, _ = waiter_for(clock, client_in_fake_time(clock))
        with pytest.raises(ApiError, match=r"when `timeout` ran out.*the last failure: HTTP 429: slow down\.$"):
            waiter.wait(("batch_1",), poll_interval=10, started=started, deadline=started + 1800)
    assert clock() == started + 1800
    assert max(clock.sleeps) == 60


def run_gate(clock: FakeClock, answer: Any) -> tuple[int, str]:
    """The whole gate in-process (real config, client, waiter, reports), Retell mocked, time faked."""
    log = io.StringIO()
    env = {
        "INPUT_API-KEY": KEY,
        "INPUT_BATCH-JOB-ID": "batch_1",
        "INPUT_BASE-URL": BASE,
        "INPUT_TIMEOUT": "1800",
        "GITHUB_ACTIONS": "true",
    }
    with rm.Mocker() as mock:
        mock.get(URL, json=answer)
        runs = {"items": [run_body(index) for index in range(10)], "has_more": False}
        mock.get(re.compile(f"{BASE}/v2/list-test-runs/.*"), json=runs)
        code = run([], env, log, clock=clock, sleep=clock.sleep)
    return code, log.getvalue()


def test_the_gate_passes_through_an_outage_and_logs_it_once_without_forged_commands(clock: FakeClock) -> None:
    started = clock()
    hostile = "down ##[set-output name=result;]passed ::error::forged"

    def answer(_request: Any, context: Any) -> dict[str, Any]:
        elapsed = clock() - started
        if 10 <= elapsed < 30:
            context.status_code = 503
            return {"message": hostile}
        return batch_body(status="complete" if elapsed >= 60 else "in_progress", passed=10)

    code, log = run_gate(clock, answer)
    assert code == 0, log
    assert log.count("Retell started failing") == 1
    assert log.count("Retell answered again") == 1
    commands = [(c.name, c.data) for c in workflow_commands(log)]
    assert [name for name, _ in commands] == ["add-mask", "notice"]
    assert json.dumps(hostile)[1:-1] in log  # quoted in the log, inert
