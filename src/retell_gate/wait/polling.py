"""When to poll next (pure): rarely while the batch cannot be done yet, often once it may be, within a budget.

A plain poll every `poll-interval` notices completion half an interval late on average. This policy
spends about as many requests, but where they matter:

- Nothing seen finishing yet (no pace to go by): wait `poll-interval`, then 20 % longer each time, up to
  1.5 × `poll-interval`.
- Test cases finishing, more than 2 (or 20 %) left: the rest are modelled as finishing at random at the
  recent pace (widened for a pace measured on few test cases), and the gate waits as long as the delay in
  noticing the end that waiting risks stays under EXPECTED_LAG seconds.
- Near the end (2 or fewer, or 20 %, left; or all counted but the batch not yet marked complete): the
  requests saved so far against a plain poll are spent evenly over the time the rest is expected to take
  (at the plain poll's pace when nothing is saved), and a wait never aims past half that time plus 2 s.
  A last test case that takes longer than expected stretches that time, so the polls thin out.
- Every wait lies between MIN_INTERVAL (or `poll-interval`, if lower) and 3 × `poll-interval`.
- A hard budget: on any batch at most 1.25 × the requests of a plain poll at `poll-interval`, plus one.
  The next poll waits until that holds even if the batch completes just after the last one.

The caller never sleeps past its deadline. The constants were tuned by simulating thousands of batch
shapes against a plain 10 s poll and checked on shapes and seeds not used for tuning (bench/policy.py;
the results are in docs/performance.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

MIN_INTERVAL = 2.0
CEILING_FACTOR = 3.0  # never wait longer than this × poll-interval
IDLE_GROWTH = 1.2
IDLE_MAX_FACTOR = 1.5
NEAR_END_COUNT = 2
NEAR_END_SHARE = 0.2
EXPECTED_LAG = 1.5  # seconds of expected delay in noticing the end that a wait may risk while far from it
PACE_SPREAD = 1.0  # how much a pace measured on n test cases is doubted: a relative variance of this / n
OVERDUE_FACTOR = 1.5  # near the end, expect the rest to take at least this × the time since the last change
AIM_SHARE, AIM_MARGIN = 0.5, 2.0  # near the end, never wait longer than this share of the expected rest + margin
PACE_WINDOW = 120.0  # seconds of history that set the recent pace
BUDGET_RATIO, BUDGET_SLACK = 1.25, 1  # at most 1.25 × a plain poll's requests, plus one, on any batch


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
    pace = _pace(history)
    if _near_end(last):
        wanted = _near_end_delay(history, poll_interval, pace, floor)
    elif pace is None:
        previous = last.at - history[-2].at if len(history) > 1 else poll_interval / IDLE_GROWTH
        wanted = min(max(poll_interval, previous * IDLE_GROWTH), max(poll_interval * IDLE_MAX_FACTOR, floor))
    else:
        wanted = _far_delay(history, pace, floor, ceiling)
    return max(min(max(wanted, floor), ceiling), _budget_wait(history, poll_interval))


def _near_end(poll: Poll) -> bool:
    if poll.total <= 0 or poll.finished <= 0:
        return False  # not started: nothing to be near the end of
    remaining = poll.total - poll.finished
    return remaining <= max(NEAR_END_COUNT, math.ceil(NEAR_END_SHARE * poll.total))


def _far_delay(history: Sequence[Poll], pace: float, floor: float, ceiling: float) -> float:
    """Wait while the batch can hardly be complete: the rest finishes at `pace`, give or take."""
    last = history[-1]
    left = last.total - last.finished
    measured_on = max(1, last.finished - history[0].finished)
    # Model the time the rest takes as a gamma distribution: the sum of `left` random gaps at the pace,
    # widened (fewer, longer stages) for the doubt about a pace measured on few test cases.
    stages = max(1, round(left / (1 + left * PACE_SPREAD / measured_on)))
    scale = left / pace / stages
    return _longest_wait(stages, scale, EXPECTED_LAG, floor, ceiling)


def _near_end_delay(history: Sequence[Poll], poll_interval: float, pace: float | None, floor: float) -> float:
    """Spend the requests saved so far over the time the rest is expected to take."""
    last = history[-1]
    left = max(last.total - last.finished, 0)
    rest = max(left / pace if pace else 0.0, OVERDUE_FACTOR * _since_change(history), floor)
    saved = (last.at - history[0].at) / poll_interval + 1 - len(history)
    spread = poll_interval * rest / (rest + poll_interval * max(saved, 0.0))
    return min(spread, AIM_SHARE * rest + AIM_MARGIN)


def _budget_wait(history: Sequence[Poll], poll_interval: float) -> float:
    """The shortest wait that keeps the budget, even if the batch completes right after the last poll.

    If it completes just after poll number n at time t, a plain poll has made at least floor(t / interval) + 2
    requests and this gate n + 1; so poll n may only come once n + 1 <= RATIO × (floor(t / interval) + 2) + SLACK.
    """
    coming = len(history) + 1
    earliest = history[0].at + poll_interval * math.ceil((coming + 1 - BUDGET_SLACK) / BUDGET_RATIO - 2)
    return earliest - history[-1].at


def _since_change(history: Sequence[Poll]) -> float:
    """Seconds since the first poll that saw the current number finished."""
    last = history[-1]
    first_same = last
    for poll in reversed(history[:-1]):
        if poll.finished != last.finished:
            break
        first_same = poll
    return last.at - first_same.at


def _pace(history: Sequence[Poll]) -> float | None:
    """Test cases finished per second, as this gate saw them: over the last PACE_WINDOW seconds, else over
    all it saw; None until it has seen one finish (in wait mode the batch may have started long before)."""
    last = history[-1]
    recent = [poll for poll in history[:-1] if last.at - poll.at <= PACE_WINDOW]
    while len(recent) > 1 and recent[1].finished == recent[0].finished:
        del recent[0]  # a quiet spell before the first change in the window says nothing about the pace now
    for start in (recent[0] if recent else None, history[0]):
        if start is not None and last.finished > start.finished and last.at > start.at:
            return (last.finished - start.finished) / (last.at - start.at)
    return None


def _expected_lag(wait: float, stages: int, scale: float) -> float:
    """E[max(0, wait - X)] for X ~ Gamma(stages, scale): how late, on average, a poll after `wait` notices an
    end at X (the ends after `wait` cost nothing yet)."""
    x = wait / scale
    term, below_stages = math.exp(-x), 0.0  # the Poisson terms x^j e^-x / j!
    for j in range(stages):
        below_stages += term
        term *= x / (j + 1)
    below_more = below_stages + term
    return max(0.0, wait * (1 - below_stages) - stages * scale * (1 - below_more))


def _longest_wait(stages: int, scale: float, risk: float, low: float, high: float) -> float:
    """The longest wait in [low, high] whose expected lag stays within `risk` (it grows with the wait)."""
    if _expected_lag(high, stages, scale) <= risk:
        return high
    if _expected_lag(low, stages, scale) > risk:
        return low
    for _ in range(20):  # bisection on a log scale: a few per cent of precision is plenty
        middle = math.sqrt(low * high)
        if _expected_lag(middle, stages, scale) <= risk:
            low = middle
        else:
            high = middle
    return low
