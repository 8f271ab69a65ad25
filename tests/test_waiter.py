from __future__ import annotations

import pytest

from retell_gate.errors import ApiError
from retell_gate.retell.models import BatchTest
from retell_gate.wait.polling import Poll, next_delay
from retell_gate.wait.waiter import Progress, Waiter
from tests.conftest import FakeClock
from tests.factories import batch


class ScriptedReader:
    """Answers each poll with the next batch of a script; the last one repeats."""

    def __init__(self, clock: FakeClock, script: list[BatchTest]) -> None:
        self.clock = clock
        self.script = script
        self.polled_at: list[float] = []

    def get_batch(self, batch_job_id: str, deadline: float, *, tries: int | None = None) -> BatchTest:
        self.polled_at.append(self.clock())
        return self.script[min(len(self.polled_at) - 1, len(self.script) - 1)]


def make(clock: FakeClock, script: list[BatchTest]) -> tuple[Waiter, ScriptedReader, list[Progress], list[str]]:
    reader = ScriptedReader(clock, script)
    reports: list[Progress] = []
    warnings: list[str] = []
    waiter = Waiter(reader, clock, clock.sleep, reports.append, warnings.append, lambda _at, _text: None)
    return waiter, reader, reports, warnings


def running(done: int) -> BatchTest:
    return batch(status="in_progress", passed=done, total=10)


def policy_times(seen: list[int], poll_interval: float) -> list[float]:
    """When the polling policy polls a batch of 10 whose successive polls see `seen` finished (from 0 s)."""
    history: list[Poll] = []
    times = [0.0]
    for finished in seen[:-1]:
        history.append(Poll(times[-1], finished, 10))
        times.append(times[-1] + next_delay(history, poll_interval))
    return times


def test_polls_by_the_policy_until_complete(clock: FakeClock) -> None:
    waiter, reader, _, _ = make(clock, [running(0), running(4), batch(passed=10)])
    assert waiter.wait(("batch_1",), poll_interval=10, started=clock(), deadline=clock() + 100) == "complete"
    # It sleeps what the policy asks: 10 s while nothing is known, then whatever 4 done in 10 s suggests.
    assert [t - 1000 for t in reader.polled_at] == pytest.approx(policy_times([0, 4, 10], 10))
    assert "batch_1" in waiter.readings
    assert waiter.readings["batch_1"].state == "complete"


def test_times_out_at_the_deadline_keeping_the_last_batch(clock: FakeClock) -> None:
    waiter, reader, _, _ = make(clock, [running(3)])
    assert waiter.wait(("batch_1",), poll_interval=10, started=clock(), deadline=clock() + 40) == "deadline"
    expected = [t for t in policy_times([3] * 10, 10) if t < 40]  # backing off while nothing changes
    assert len(expected) < 10
    assert [t - 1000 for t in reader.polled_at] == pytest.approx(expected)
    assert clock() == 1040  # it slept only up to the deadline
    assert waiter.readings["batch_1"] == running(3)


def test_progress_is_reported_on_change_and_at_least_once_a_minute(clock: FakeClock) -> None:
    script = [running(0)] * 6 + [running(5), running(5), batch(passed=10)]
    waiter, reader, reports, _ = make(clock, script)
    waiter.wait(("batch_1",), poll_interval=10, started=clock(), deadline=clock() + 1000)
    polled = [t - 1000 for t in reader.polled_at]
    assert polled == pytest.approx(policy_times([0] * 6 + [5, 5, 10], 10))
    reported = [(p.elapsed, p.batch.pass_count) for p in reports]
    # The first poll, a line at least once a minute while idle, then each change.
    a_minute_on = next(t for t in polled if t >= 60)
    assert a_minute_on < polled[6]
    assert reported == [(0, 0), (a_minute_on, 0), (polled[6], 5), (polled[8], 10)]


def test_an_unknown_status_is_never_complete_and_warns_once(clock: FakeClock) -> None:
    odd = batch(status="archived", passed=10)
    waiter, reader, _, warnings = make(clock, [odd, odd, batch(passed=10)])
    assert waiter.wait(("batch_1",), poll_interval=1, started=clock(), deadline=clock() + 100) == "complete"
    assert len(reader.polled_at) == 3
    assert warnings == ["Retell reports a batch status this gate does not know: 'archived'; still waiting."]


def test_an_unknown_status_at_the_deadline_is_an_error_not_a_timeout(clock: FakeClock) -> None:
    waiter, _, _, _ = make(clock, [batch(status="failed_to_start", passed=10)])
    with pytest.raises(ApiError, match="status this gate does not know"):
        waiter.wait(("batch_1",), poll_interval=5, started=clock(), deadline=clock() + 12)


@pytest.mark.parametrize(
    ("first", "then", "said"),
    [
        (batch(status="in_progress", passed=5, total=10), batch(passed=5, total=5), "10 test cases, then 5"),
        (
            batch(status="in_progress", passed=2, failed=3, total=10),
            batch(status="in_progress", passed=5, total=10),
            "3 failed, then 0",
        ),
        (
            batch(status="in_progress", passed=6, total=10),
            batch(status="in_progress", passed=4, total=10),
            "6 passed, then 4",
        ),
    ],
)
def test_counts_that_go_back_between_reads_are_an_error_never_judged(
    clock: FakeClock, first: BatchTest, then: BatchTest, said: str
) -> None:
    waiter, _, _, _ = make(clock, [first, then])
    with pytest.raises(ApiError, match=f"changed between two reads as a running batch's never do \\({said}\\)"):
        waiter.wait(("batch_1",), 10, clock(), clock() + 600)


def test_a_total_counted_only_after_the_first_read_is_no_change(clock: FakeClock) -> None:
    waiter, _, _, _ = make(clock, [batch(status="in_progress", passed=0, total=0), batch(passed=10, total=10)])
    assert waiter.wait(("batch_1",), 10, clock(), clock() + 600) == "complete"
