"""When to poll next (pure): soon when the batch is nearly done, rarely while it is far from it.

A fixed interval makes the gate notice completion half an interval late on average, and spends
most of its requests while nothing can be decided. Instead:

- near the end (at most 2 test cases, or 5 %, left; or all finished but the batch not yet marked
  complete), poll every MIN_INTERVAL seconds, backing off by 5 % per unchanged poll to at most
  NEAR_END_MAX, so a slow last test case costs fewer requests;
- while test cases are finishing, poll after a third of the time the recent pace predicts
  for the rest, between MIN_INTERVAL and 3 × `poll-interval`;
- while nothing changes, start at `poll-interval` and back off by half each time, up to
  3 × `poll-interval`.

Never more often than every MIN_INTERVAL seconds (or `poll-interval`, if the user set it lower),
and the caller never sleeps past its deadline. `bench/` measures the policy against a fixed poll; the
constants were chosen by simulating that benchmark's batches (docs/performance.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

MIN_INTERVAL = 2.0
NEAR_END_MAX = 3.0
NEAR_END_COUNT = 2
NEAR_END_SHARE = 0.05
NEAR_END_GROWTH = 1.05
IDLE_GROWTH = 1.5
CEILING_FACTOR = 3.0
ETA_DIVISOR = 3.0
PACE_WINDOW = 120.0  # seconds of history that set the recent pace


@dataclass(frozen=True)
class Poll:
    """What one poll saw: when (monotonic seconds), and how many test cases had finished of how many."""

    at: float
    finished: int
    total: int


def next_delay(history: Sequence[Poll], poll_interval: float) -> float:
    """Seconds to wait after the last poll in `history` (oldest first) before the next one."""
    floor = min(MIN_INTERVAL, poll_interval)
    ceiling = max(poll_interval * CEILING_FACTOR, floor)
    last = history[-1]
    unchanged = _unchanged_polls(history)
    if _near_end(last):
        return min(floor * NEAR_END_GROWTH**unchanged, max(NEAR_END_MAX, floor))
    pace = _recent_pace(history)
    if pace is None:
        previous = last.at - history[-2].at if len(history) > 1 else poll_interval / IDLE_GROWTH
        return min(max(poll_interval, previous * IDLE_GROWTH), ceiling)
    eta = (last.total - last.finished) / pace
    return min(max(eta / ETA_DIVISOR, floor), ceiling)


def _near_end(poll: Poll) -> bool:
    if poll.total <= 0 or poll.finished <= 0:
        return False  # not started: nothing to be near the end of
    remaining = poll.total - poll.finished
    return remaining <= max(NEAR_END_COUNT, math.ceil(NEAR_END_SHARE * poll.total))


def _unchanged_polls(history: Sequence[Poll]) -> int:
    """How many polls before the last one saw the same number finished."""
    count = 0
    for poll in reversed(history[:-1]):
        if poll.finished != history[-1].finished:
            break
        count += 1
    return count


def _recent_pace(history: Sequence[Poll]) -> float | None:
    """Test cases finished per second over the last PACE_WINDOW seconds; None without progress."""
    last = history[-1]
    recent = [poll for poll in history[:-1] if last.at - poll.at <= PACE_WINDOW]
    start = recent[0] if recent else (history[-2] if len(history) > 1 else None)
    if start is None or last.finished <= start.finished or last.at <= start.at:
        return None
    return (last.finished - start.finished) / (last.at - start.at)
