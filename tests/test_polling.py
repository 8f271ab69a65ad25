"""The polling policy (retell_gate/wait/polling.py): its guarantees case by case, then on simulated batches."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench import policy as simulated
from retell_gate.wait.polling import Poll, next_delay


def polls(*seen: tuple[float, int, int]) -> list[Poll]:
    return [Poll(at, finished, total) for at, finished, total in seen]


def every(seconds: float, count: int, finished: int, total: int) -> list[Poll]:
    """`count` polls `seconds` apart that all saw `finished` of `total`."""
    return [Poll(i * seconds, finished, total) for i in range(count)]


def test_a_batch_just_started_is_read_again_after_almost_two_intervals() -> None:
    # Nothing can be learnt from the first seconds: the first pace is read on more finished test cases.
    assert next_delay(polls((0, 0, 100)), poll_interval=10) == pytest.approx(19)
    assert next_delay(polls((0, 0, 100)), poll_interval=5) == pytest.approx(9.5)
    assert next_delay(polls((0, 0, 100)), poll_interval=30) == pytest.approx(30)  # never past 19 s + 1 interval


def test_idle_back_off_grows_by_a_fifth_and_is_bounded() -> None:
    assert next_delay(polls((0, 0, 100), (10, 0, 100)), poll_interval=10) == pytest.approx(12)
    assert next_delay(polls((0, 0, 100), (10, 0, 100), (22, 0, 100)), poll_interval=10) == pytest.approx(14.4)
    for count in (4, 10, 100):  # however long nothing finishes: at most 1.5 × poll-interval
        assert next_delay(every(15, count, 0, 100), poll_interval=10) == pytest.approx(15)


def test_an_empty_batch_is_not_near_its_end() -> None:
    assert next_delay(polls((0, 0, 0), (10, 0, 0)), poll_interval=10) == pytest.approx(12)


def test_far_from_the_end_it_waits_long() -> None:
    # 10 of 100 in 100 s: the other 90 take minutes, so waiting the longest allowed risks nothing.
    history = [*every(30, 3, 0, 100), Poll(100, 10, 100)]
    assert next_delay(history, poll_interval=10) == 30


def test_a_batch_near_its_end_is_polled_at_the_floor_when_requests_were_saved() -> None:
    # Ten minutes at one poll every 30 s saved 40 requests against a plain 10 s poll: the last test case,
    # due any second at the recent pace, is watched every 2 s.
    history = [*[Poll(i * 30, 38 * i // 20, 40) for i in range(20)], Poll(600, 39, 40)]
    assert next_delay(history, poll_interval=10) == 2.0


def test_a_short_batch_near_its_end_is_read_again_within_seconds() -> None:
    # 16 of 20 done in 10 s: the last 4 are due within a few seconds at this pace, not a whole interval.
    delay = next_delay(polls((0, 0, 20), (10, 16, 20)), poll_interval=10)
    assert 2.0 <= delay <= 4.0


def test_a_batch_far_from_its_end_is_read_less_often_than_a_plain_poll() -> None:
    # 5 of 20 in 19 s: the other 15 take about a minute, so the gate waits more than two intervals.
    assert next_delay(polls((0, 0, 20), (19, 5, 20)), poll_interval=10) > 20


def test_an_overdue_last_test_case_thins_the_polls_out_once_the_savings_are_spent() -> None:
    prefix = [*[Poll(i * 30, 39 * i // 20, 40) for i in range(20)], Poll(600, 39, 40)]
    fresh = next_delay(prefix, poll_interval=10)
    spent = next_delay([*prefix, *(Poll(600 + 2 * i, 39, 40) for i in range(1, 60))], poll_interval=10)
    assert fresh == 2.0
    assert spent > 4 * fresh
    # Polled at a plain poll's rate all along, nothing saved: an overdue last one is read less often than that.
    plain_rate = [Poll(i * 10, min(39, i * 39 // 30), 40) for i in range(61)]
    assert next_delay(plain_rate, poll_interval=10) > 10


def test_all_counted_but_not_complete_is_polled_soon_then_less() -> None:
    history = polls((0, 0, 10), (30, 5, 10), (60, 9, 10), (62, 10, 10))
    assert next_delay(history, poll_interval=10) == pytest.approx(2.0)
    later = [*history, *(Poll(62 + 5 * i, 10, 10) for i in range(1, 10))]
    assert next_delay(later, poll_interval=10) > 2.0


def test_waiting_on_a_batch_already_under_way_needs_a_pace_first() -> None:
    # In wait mode the batch may have run for long before the first poll: 39 done says nothing about pace.
    delay = next_delay(polls((0, 39, 40)), poll_interval=10)
    assert 2.0 <= delay <= 10


def test_a_user_asking_for_faster_polls_gets_them() -> None:
    assert next_delay(polls((0, 0, 10), (1, 9, 10)), poll_interval=0.5) == pytest.approx(0.5)
    assert next_delay(polls((0, 0, 10)), poll_interval=0.5) <= 1.0


history_strategy = st.lists(st.tuples(st.floats(0.01, 60), st.integers(0, 3)), min_size=1, max_size=60).map(
    lambda steps: [
        Poll(sum(gap for gap, _ in steps[: i + 1]), min(sum(done for _, done in steps[: i + 1]), 40), 40)
        for i in range(len(steps))
    ]
)


@settings(max_examples=300, deadline=None)
@given(history_strategy, st.sampled_from([0.2, 1.0, 5.0, 10.0, 30.0]))
def test_every_wait_is_between_the_floor_and_three_poll_intervals(history: list[Poll], poll_interval: float) -> None:
    delay = next_delay(history, poll_interval)
    assert delay >= min(2.0, poll_interval)
    # Only the request budget may hold a poll back longer: never more than 1.25 × a plain poll, plus one.
    budget = history[0].at + poll_interval * math.ceil((len(history) + 1) / 1.25 - 2)
    assert delay <= max(3 * poll_interval, budget - history[-1].at) + 1e-9


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=40), st.floats(15, 1800))
def test_no_batch_costs_more_than_a_quarter_more_than_a_plain_poll_plus_one(
    fractions: list[float], duration: float
) -> None:
    finishes = sorted(duration * f / max(max(fractions), 1e-9) for f in fractions)
    if finishes[-1] <= 0:
        return
    gate, baseline = simulated.adaptive(finishes), simulated.plain(finishes)
    assert gate.requests <= 1.25 * baseline.requests + 1


@pytest.fixture(scope="module")
def simulated_sets() -> dict[str, list[simulated.Result]]:
    return simulated.all_sets()


def test_simulated_batches_meet_the_request_target_on_every_shape(
    simulated_sets: dict[str, list[simulated.Result]],
) -> None:
    # bench/policy.py: 3-40 test cases over 15 s to 30 min, seven ways of finishing, thousands of batches.
    for name, results in simulated_sets.items():
        for shape, group in simulated.groups(results).items():
            assert group.over_budget == 0, (name, shape, group.worst.label)
            assert group.requests <= group.baseline_requests, (name, shape)


def test_the_simulators_batches_are_noticed_within_two_seconds_on_average(
    simulated_sets: dict[str, list[simulated.Result]],
) -> None:
    # The target, on the batches whose test cases finish at random (the issue's own 20 tests within
    # 17-51 s among them); the grids hold shapes whose end nothing announces, where no policy within the
    # per-batch budget can (docs/performance.md), so there the gate must only beat the plain poll.
    for name, results in simulated_sets.items():
        whole = simulated.groups(results)["all"]
        assert whole.mean_lag < whole.baseline_mean_lag, name
        if name.startswith("timed"):
            assert whole.mean_lag <= simulated.LAG_LIMIT, name
        else:
            uniform = simulated.groups(results)["uniform"]
            assert uniform.mean_lag < 0.5 * uniform.baseline_mean_lag, name


def test_a_slow_poll_interval_keeps_the_request_target() -> None:
    # Tuned at 10 s; at 60 s a plain poll makes so few requests that the first waits matter most.
    results = simulated.run(simulated.TUNED, interval=60.0)
    whole = simulated.groups(results)["all"]
    assert whole.over_budget == 0, whole.worst.label
    assert whole.requests <= whole.baseline_requests
    assert whole.mean_lag < whole.baseline_mean_lag
