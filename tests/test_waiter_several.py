"""Several batches in one polling loop, in fake time: each by its own adaptive schedule, never one after
the other; an outage shared; a lasting error, an unknown status and `fail-fast`'s stop naming the batch."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from retell_gate.errors import ApiError
from retell_gate.net.retry import RetriesExhausted
from retell_gate.retell.client import TRANSIENT_HINT
from retell_gate.retell.models import BatchTest
from retell_gate.wait.waiter import Progress, Waiter
from tests.conftest import FakeClock
from tests.factories import batch


class Batches:
    """Batches that finish at a steady pace: `finish[id]` seconds after the start, 10 test cases each.

    Reads fail (a transient failure, as after a read's tries) from `down[0]` to `down[1]` seconds.
    """

    def __init__(self, clock: FakeClock, finish: Mapping[str, float], down: tuple[float, float] = (0, 0)) -> None:
        self.clock = clock
        self.start = clock()
        self.finish = dict(finish)
        self.down = down
        self.status: dict[str, str] = {}
        self.reads: list[tuple[float, str, int | None]] = []  # (seconds after the start, batch, tries)

    def get_batch(self, batch_job_id: str, deadline: float, *, tries: int | None = None) -> BatchTest:
        elapsed = self.clock() - self.start
        self.reads.append((elapsed, batch_job_id, tries))
        if self.down[0] <= elapsed < self.down[1]:
            raise RetriesExhausted("Retell failed.", TRANSIENT_HINT, "HTTP 503: down")
        finish = self.finish[batch_job_id]
        if elapsed >= finish:
            return batch(batch_id=batch_job_id, passed=10, status=self.status.get(batch_job_id, "complete"))
        done = min(9, int(10 * elapsed / finish))
        return batch(batch_id=batch_job_id, status="in_progress", passed=done, total=10)

    def times(self, batch_job_id: str) -> list[float]:
        return [at for at, read, _ in self.reads if read == batch_job_id]


def waiter(clock: FakeClock, reader: Batches) -> tuple[Waiter, list[Progress], list[str], list[str]]:
    progress: list[Progress] = []
    warnings: list[str] = []
    notes: list[str] = []
    made = Waiter(reader, clock, clock.sleep, progress.append, warnings.append, lambda _at, text: notes.append(text))
    return made, progress, warnings, notes


def alone(batch_job_id: str, finish: float, deadline: float = 1800) -> list[float]:
    """When the waiter reads this batch when it waits for it alone."""
    clock = FakeClock()
    reader = Batches(clock, {batch_job_id: finish})
    waiter(clock, reader)[0].wait((batch_job_id,), 10, clock(), clock() + deadline)
    return reader.times(batch_job_id)


def test_each_batch_is_read_on_its_own_schedule_in_one_loop(clock: FakeClock) -> None:
    reader = Batches(clock, {"quick": 45, "slow": 300, "middle": 120})
    made, progress, _, _ = waiter(clock, reader)
    assert made.wait(("quick", "slow", "middle"), 10, clock(), clock() + 1800) == "complete"
    # Every batch is read at once, in the order given, then each when its own policy says.
    assert [read for _, read, _ in reader.reads[:3]] == ["quick", "slow", "middle"]
    for batch_job_id, finish in reader.finish.items():
        assert reader.times(batch_job_id) == alone(batch_job_id, finish), batch_job_id
    # Never one after the other: the slow batch is read while the others are still being read.
    assert reader.times("slow")[1] < reader.times("quick")[-1]
    # A complete batch is not read again, and the wait ends with the last one.
    assert clock() - reader.start == reader.times("slow")[-1] == max(at for at, _, _ in reader.reads)
    assert {p.batch.test_case_batch_job_id for p in progress if p.batch.state == "complete"} == set(reader.finish)
    assert set(made.readings) == {"quick", "slow", "middle"}


def test_the_loop_sleeps_until_the_next_batch_is_due(clock: FakeClock) -> None:
    reader = Batches(clock, {"a": 100, "b": 100})
    made, _, _, _ = waiter(clock, reader)
    made.wait(("a", "b"), 10, clock(), clock() + 1800)
    reads = [at for at, _, _ in reader.reads]
    # Each sleep ends at a read: no idle wake-ups, no busy loop.
    awake = [1000.0]
    for seconds in clock.sleeps:
        awake.append(awake[-1] + seconds)
    assert {at - reader.start for at in awake} <= set(reads)


def test_at_the_deadline_every_reading_is_kept(clock: FakeClock) -> None:
    reader = Batches(clock, {"done": 20, "stuck": 10_000})
    made, _, _, _ = waiter(clock, reader)
    started = clock()
    assert made.wait(("done", "stuck"), 10, started, started + 200) == "deadline"
    assert clock() == started + 200  # slept up to the deadline, not past it
    assert made.readings["done"].state == "complete"
    assert made.readings["stuck"].state == "in_progress"


def test_in_an_outage_each_batch_backs_off_and_every_batch_is_read_once_retell_answers(clock: FakeClock) -> None:
    reader = Batches(clock, {"a": 500, "b": 500}, down=(25, 200))
    made, _, _, notes = waiter(clock, reader)
    assert made.wait(("a", "b"), 10, clock(), clock() + 1800) == "complete"
    # Nothing finished at the first reads: the second comes after almost two intervals (polling.py).
    assert [(at, read) for at, read, _ in reader.reads[:4]] == [(0, "a"), (0, "b"), (19, "a"), (19, "b")]
    first = min(at for at, _, _ in reader.reads if at >= 25)  # when the policy next polled, after the outage began
    for batch_id in ("a", "b"):
        # As for one batch: the first failing read with every try, then one try a read, 10, 20, 40, 60 s apart.
        failing = [(at - first, tries) for at, read, tries in reader.reads if read == batch_id and 25 <= at < 200]
        assert failing == [(0, None), (10, 1), (30, 1), (70, 1), (130, 1)]
    assert notes[0].startswith(f"Retell started failing for batch a at 0m{first:02.0f}s: HTTP 503: down. The batch")
    assert notes[2] == "Retell answered again for batch a, after failing for 3m10s (5 failed reads)."
    assert len(notes) == 4  # each batch's outage starts and ends once
    recovered = [(at, read) for at, read, _ in reader.reads if at >= 200][:2]
    assert recovered == [(first + 190, "a"), (first + 190, "b")]  # the next pause, a minute, after the last


def test_an_outage_at_the_deadline_is_an_error_not_a_timeout(clock: FakeClock) -> None:
    reader = Batches(clock, {"a": 500, "b": 500}, down=(15, 10_000))
    made, _, _, _ = waiter(clock, reader)
    with pytest.raises(
        ApiError, match=r"^Retell had been failing for batch a since 0m\d\ds .* whether batch a finished"
    ) as caught:
        made.wait(("a", "b"), 10, clock(), clock() + 300)
    assert not isinstance(caught.value, RetriesExhausted)
    assert set(made.readings) == {"a", "b"}  # what was read before is kept for the report


class Refusing(Batches):
    def get_batch(self, batch_job_id: str, deadline: float, *, tries: int | None = None) -> BatchTest:
        if batch_job_id == "gone" and self.clock() - self.start > 0:
            raise ApiError("Retell refused the request: HTTP 404: not found.", "Check `batch-job-id`.")
        return super().get_batch(batch_job_id, deadline, tries=tries)


def test_a_lasting_error_on_one_batch_ends_the_wait_naming_it(clock: FakeClock) -> None:
    reader = Refusing(clock, {"fine": 100, "gone": 100})
    made, _, _, _ = waiter(clock, reader)
    with pytest.raises(ApiError) as caught:
        made.wait(("fine", "gone"), 10, clock(), clock() + 1800)
    assert caught.value.message == "Batch gone: Retell refused the request: HTTP 404: not found."
    assert caught.value.hint == "Check `batch-job-id`."


def test_an_unknown_status_names_its_batch_and_is_an_error_at_the_deadline(clock: FakeClock) -> None:
    reader = Batches(clock, {"fine": 20, "odd": 20})
    reader.status["odd"] = "archived"
    made, _, warnings, _ = waiter(clock, reader)
    with pytest.raises(ApiError, match=r"^Batch odd was still in a status this gate does not know \('archived'\)"):
        made.wait(("fine", "odd"), 10, clock(), clock() + 100)
    assert warnings == [
        "Retell reports a batch status this gate does not know for batch odd: 'archived'; still waiting."
    ]


def test_stop_ends_the_wait_after_the_reading_that_makes_it_true(clock: FakeClock) -> None:
    seen: list[dict[str, int]] = []

    def stop(readings: Mapping[str, BatchTest]) -> bool:
        seen.append({name: reading.pass_count for name, reading in readings.items()})
        return readings.get("b") is not None and readings["b"].pass_count >= 3

    reader = Batches(clock, {"a": 100, "b": 100})
    made, _, _, _ = waiter(clock, reader)
    assert made.wait(("a", "b"), 10, clock(), clock() + 1800, stop) == "stopped"
    assert seen[:2] == [{"a": 0}, {"a": 0, "b": 0}]  # asked after every reading, with every batch read so far
    assert len(seen) == len(reader.reads)
    assert reader.reads[-1][1] == "b"  # it stopped right after the reading that made it true
    assert made.readings["b"].pass_count >= 3
    assert all(earlier.get("b", 0) < 3 for earlier in seen[:-1])
    assert made.readings["a"].state == "in_progress"


class OneFailing(Batches):
    """Reading `a` always fails; the other batches answer."""

    def get_batch(self, batch_job_id: str, deadline: float, *, tries: int | None = None) -> BatchTest:
        if batch_job_id == "a":
            self.reads.append((self.clock() - self.start, batch_job_id, tries))
            raise RetriesExhausted("Retell failed.", TRANSIENT_HINT, "HTTP 503: down")
        return super().get_batch(batch_job_id, deadline, tries=tries)


def test_one_batch_failing_starves_none_and_is_named_when_time_runs_out(clock: FakeClock) -> None:
    reader = OneFailing(clock, {"a": 30, "b": 30})
    made, _, _, _ = waiter(clock, reader)
    with pytest.raises(ApiError, match=r"failing for batch a since .* the last failure: HTTP 503: down"):
        made.wait(("a", "b"), 10, clock(), clock() + 300)
    assert made.readings["b"].state == "complete"  # read through a's failures, and seen complete
    assert reader.times("b")[-1] < 60


def test_an_outage_that_ends_in_the_last_pause_still_gets_a_read_before_the_deadline(clock: FakeClock) -> None:
    # Down from 25 s to 172 s; the batch completed at 84 s; polling stops at 180 s. The pause after the
    # read at 169 s would run to 229 s: a last read comes before the deadline instead, and sees it complete.
    reader = Batches(clock, {"a": 84}, down=(25, 172))
    made, _, _, notes = waiter(clock, reader)
    assert made.wait(("a",), 10, clock(), clock() + 180) == "complete"
    assert reader.times("a")[-1] == 175  # FINAL_READ_LEAD before the deadline
    assert notes[-1].startswith("Retell answered again")


def test_a_batch_that_keeps_failing_costs_one_full_read_then_one_try_a_read(clock: FakeClock) -> None:
    reader = OneFailing(clock, {"a": 3000, "b": 1700})
    made, _, _, notes = waiter(clock, reader)
    with pytest.raises(ApiError, match="failing for batch a"):
        made.wait(("a", "b"), 10, clock(), clock() + 1800)
    reads_of_a = [tries for _, read, tries in reader.reads if read == "a"]
    assert reads_of_a.count(None) == 1  # every other read of it makes a single try
    assert len(reads_of_a) <= 1.25 * 180 + 1  # within the per-batch limit of a plain 10 s poll
    assert made.readings["b"].state == "complete"
    assert sum("started failing" in note for note in notes) == 1  # b's answers never end a's outage
