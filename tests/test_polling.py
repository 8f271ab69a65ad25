"""The polling policy, case by case (see retell_gate/polling.py for the reasoning)."""

from __future__ import annotations

import pytest

from retell_gate.wait.polling import Poll, next_delay


def polls(*seen: tuple[float, int, int]) -> list[Poll]:
    return [Poll(at, finished, total) for at, finished, total in seen]


@pytest.mark.parametrize(
    ("history", "delay"),
    [
        # Nothing known yet: the user's poll-interval.
        (polls((0, 0, 100)), 10.0),
        # Nothing changing: back off by half each time, up to 3 × poll-interval.
        (polls((0, 0, 100), (10, 0, 100)), 15.0),
        (polls((0, 0, 100), (10, 0, 100), (25, 0, 100)), 22.5),
        (polls((0, 0, 100), (10, 0, 100), (25, 0, 100), (47.5, 0, 100)), 30.0),
        (polls((0, 0, 100), (10, 0, 100), (25, 0, 100), (47.5, 0, 100), (77.5, 0, 100)), 30.0),
        # Progress: a third of the predicted rest. 10 done in 20 s, 90 left: 180 s, a third is 60, capped at 30.
        (polls((0, 0, 100), (20, 10, 100)), 30.0),
        # 40 done in 20 s, 10 left of 50: 5 s predicted, a third of it is below the 2 s floor.
        (polls((0, 0, 50), (20, 40, 50)), 2.0),
        # 20 done in 20 s, 30 left: 30 s predicted, so 10 s.
        (polls((0, 0, 50), (20, 20, 50)), 10.0),
        # The pace is the recent one: 60 s ago nothing moved, in the last 60 s 30 finished.
        (polls((0, 0, 100), (100, 0, 100), (160, 30, 100)), 30.0),
        # 60 finished in the last 30 s (2 a second), 40 left: 20 s predicted, a third of it.
        (polls((0, 0, 100), (100, 0, 100), (130, 60, 100)), 40 / 2 / 3),
        # Near the end (2 or fewer left, or 5 %): every 2 s, backing off 5 % per unchanged poll, at most 3 s.
        (polls((0, 0, 10), (20, 8, 10)), 2.0),
        # 3 left is not near the end yet: 7 done in 20 s, 3 left predicts 8.6 s, and a third of it is 2.9 s.
        (polls((0, 0, 10), (20, 7, 10)), 3 / (7 / 20) / 3),
        (polls((0, 0, 10), (40, 7, 10)), 3 / (7 / 40) / 3),
        (polls((0, 0, 10), (20, 9, 10), (22, 9, 10), (24, 9, 10)), 2.0 * 1.05**2),
        (polls(*[(i * 2.0, 9, 10) for i in range(40)]), 3.0),
        (polls((0, 0, 200), (20, 190, 200)), 2.0),  # 10 left of 200 is 5 %
        # All counted but the batch not complete yet: near the end.
        (polls((0, 0, 10), (20, 10, 10)), 2.0),
        # An empty total is not "near the end": nothing has started.
        (polls((0, 0, 0), (10, 0, 0)), 15.0),
    ],
)
def test_next_delay(history: list[Poll], delay: float) -> None:
    assert next_delay(history, poll_interval=10) == pytest.approx(delay)


def test_a_user_asking_for_faster_polls_gets_them() -> None:
    assert next_delay(polls((0, 0, 10), (1, 9, 10)), poll_interval=0.5) == 0.5
    assert next_delay(polls((0, 0, 10)), poll_interval=0.5) == 0.5


def test_never_more_often_than_every_two_seconds_at_the_defaults() -> None:
    import itertools

    for finished, total, gap in itertools.product(range(0, 12), (10, 11, 50), (0.5, 2, 30)):
        history = polls((0, 0, total), (gap, min(finished, total), total))
        assert next_delay(history, poll_interval=10) >= 2.0
