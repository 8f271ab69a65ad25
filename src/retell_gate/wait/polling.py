"""When to poll next (pure): seldom while the batch cannot be done yet, often where its end is likely.

A plain poll every `poll-interval` notices completion half an interval late on average. This policy
spends about as many requests, but where the end may come:

- Nothing seen finishing yet: if none had finished at the first poll, the first wait is almost two
  intervals (the batch has only just begun, and a pace measured on more finished test cases foretells
  the end better); then `poll-interval`, 20 % longer each time, up to 1.5 × `poll-interval`.
- Test cases finishing: the rest are modelled as finishing at random within a span set by the pace
  seen so far (and by the recent pace, which notices a batch that speeds up), doubted more when that
  pace was measured on few test cases, and never shorter than the quiet spell since the last change.
  The gate then waits as long as the delay in noticing the end that waiting risks stays within a
  risk it can afford: the requests saved so far against a plain poll, plus a plain poll's share of
  the time the rest should take, are spread where the end is most likely (spacing grows with the
  square root of 1 / the end's likelihood, which minimises the delay for a number of requests). A
  quiet spell earns less of that budget, once the pace rests on enough test cases to make it news.
- All counted but the batch not yet marked complete: soon, then less often.
- Every wait lies between MIN_INTERVAL (or a fifth of `poll-interval`, if longer; or `poll-interval`, if
  lower) and 3 × `poll-interval`.
- A hard budget: on any batch at most 1.25 × the requests of a plain poll at `poll-interval`, plus one.
  The next poll waits until that holds even if the batch completes just after the last one.

The caller never sleeps past its deadline. The constants were tuned by simulating thousands of batch
shapes against a plain 10 s poll and checked on shapes, seeds and intervals not used for tuning
(bench/policy.py; the results are in docs/performance.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

MIN_INTERVAL = 2.0
FLOOR_SHARE = 0.2  # nor more often than every fifth of poll-interval: a slow poll asked for few requests
CEILING_FACTOR = 3.0  # never wait longer than this × poll-interval
FIRST_WAIT_FACTOR, FIRST_WAIT_MAX = 1.9, 19.0  # the first wait: 1.9 × poll-interval, at most 19 s past one
IDLE_GROWTH = 1.2
IDLE_MAX_FACTOR = 1.5
PACE_SPREAD = 1.0  # how much a pace measured on n test cases is doubted: a log-variance of this / n ...
PACE_SPREAD_FLOOR = 0.15  # ... plus this squared, however many were measured
DOUBT_POINTS = 10  # how many spans, per pace, stand for that doubt
SPAN_EXTRA = 0.5  # the rest spans (left + this) gaps at the pace: the last test case ends a gap after the others
QUIET_SHARE = 0.6  # a quiet spell earns this much less budget than time with test cases finishing ...
QUIET_TRUSTED_ON = 12  # ... once the pace rests on this many test cases; on fewer, a long quiet is only expected
SPEND = 1.6  # the requests the gate may spend on the rest, × what it has saved plus a plain poll's share
MAX_RISK_SHARE = 0.05  # however many requests are left, a wait may risk at most this × poll-interval of delay
MIN_SPEND = 0.5
PLAIN_AHEAD = 1.0  # a plain poll has made about elapsed / interval + 1 requests
PACE_WINDOW = 120.0  # seconds of history that set the recent pace
BUDGET_RATIO, BUDGET_SLACK = 1.25, 1  # at most 1.25 × a plain poll's requests, plus one, on any batch

_DOUBT = [NormalDist().inv_cdf((i + 0.5) / DOUBT_POINTS) for i in range(DOUBT_POINTS)]


@dataclass(frozen=True)
class Poll:
    """What one poll saw: when (monotonic seconds), and how many test cases had finished of how many."""

    at: float
    finished: int
    total: int


def next_delay(history: Sequence[Poll], poll_interval: float) -> float:
    """Seconds to wait after the last poll in `history` (oldest first) before the next one."""
    floor = min(poll_interval, max(MIN_INTERVAL, FLOOR_SHARE * poll_interval))
    ceiling = max(poll_interval * CEILING_FACTOR, floor)
    last = history[-1]
    pace = _overall_pace(history)
    if last.total > 0 and last.finished >= last.total:
        wanted = max(floor, 0.5 * _since_change(history))  # counted but not marked complete: soon, then less
    elif pace is None:
        wanted = _idle_delay(history, poll_interval, floor)
    else:
        wanted = _paced_delay(history, poll_interval, pace, floor, ceiling)
    return max(min(max(wanted, floor), ceiling), _budget_wait(history, poll_interval))


def _idle_delay(history: Sequence[Poll], poll_interval: float, floor: float) -> float:
    """No pace to go by: in wait mode the batch may have started long before the first poll."""
    if len(history) == 1 and history[0].finished == 0:
        return min(FIRST_WAIT_FACTOR * poll_interval, max(poll_interval, FIRST_WAIT_MAX))
    if len(history) == 1:
        return poll_interval  # already under way (wait mode): its end may be near
    previous = history[-1].at - history[-2].at
    return min(max(poll_interval, previous * IDLE_GROWTH), max(poll_interval * IDLE_MAX_FACTOR, floor))


def _paced_delay(history: Sequence[Poll], poll_interval: float, pace: float, floor: float, ceiling: float) -> float:
    last = history[-1]
    left = last.total - last.finished
    quiet = _since_change(history)
    measured_on = last.finished - history[0].finished  # the test cases the pace rests on
    spans = _rest_spans(history, pace, left, measured_on, max(quiet, floor))
    risk = _affordable_risk(history, poll_interval, spans, left, measured_on, quiet)
    return _longest_wait(spans, left, risk, floor, ceiling)


def _rest_spans(history: Sequence[Poll], pace: float, left: int, measured_on: int, shortest: float) -> list[float]:
    """Equally likely lengths of the span within which the `left` rest finish, one per pace and degree of doubt;
    none shorter than `shortest` (the rest take at least as long again as the quiet so far)."""
    spread = math.sqrt(PACE_SPREAD / max(1, measured_on) + PACE_SPREAD_FLOOR**2)
    paces = (pace, _recent_pace(history) or pace)
    return [max((left + SPAN_EXTRA) / p * math.exp(spread * z), shortest) for p in paces for z in _DOUBT]


def _affordable_risk(
    history: Sequence[Poll], poll_interval: float, spans: Sequence[float], left: int, measured_on: int, quiet: float
) -> float:
    """The expected delay a wait may risk, so that the requests the gate may still spend last to the end.

    Polls spaced sqrt(2 × risk / hazard) apart minimise the delay for their number; for an end at the
    last of `left` random times within `span`, they number sqrt(span / (2 × risk)) × c(left), so the
    risk follows from the requests to spend. A quiet spell earns less budget: a test case overdue for
    long is as likely to keep the gate waiting as to end, and a plain poll spends nothing extra there.
    But only as far as the pace can be trusted: with 3 test cases, the last often ends long after the
    others, and that wait is where the budget is needed most.
    """
    span = sum(spans) / len(spans)
    trust = min(1.0, measured_on / QUIET_TRUSTED_ON)
    earned = history[-1].at - history[0].at - QUIET_SHARE * trust * quiet
    saved = earned / poll_interval + PLAIN_AHEAD - len(history)
    plain_rest = span * left / (left + 1) / poll_interval
    to_spend = max(SPEND * (saved + plain_rest), MIN_SPEND)
    return min(span * _spacing_constant(left) ** 2 / (2 * to_spend**2), MAX_RISK_SHARE * poll_interval)


def _spacing_constant(left: int) -> float:
    """The integral of sqrt(survival × density) for the last of `left` uniform times on [0, 1]:
    B((left + 1) / (2 left), 3/2) / sqrt(left)."""
    a = (left + 1) / (2 * left)
    return math.exp(math.lgamma(a) + math.lgamma(1.5) - math.lgamma(a + 1.5)) / math.sqrt(left)


def _expected_lag(wait: float, spans: Sequence[float], left: int) -> float:
    """E[max(0, wait - end)] over the spans, the end being the last of `left` uniform times within a span."""
    total = 0.0
    for span in spans:
        if wait <= span:
            total += wait * (wait / span) ** left / (left + 1)
        else:
            total += span / (left + 1) + wait - span
    return total / len(spans)


def _longest_wait(spans: Sequence[float], left: int, risk: float, low: float, high: float) -> float:
    """The longest wait in [low, high] whose expected lag stays within `risk` (it grows with the wait)."""
    if _expected_lag(high, spans, left) <= risk:
        return high
    if _expected_lag(low, spans, left) > risk:
        return low
    for _ in range(14):  # bisection on a log scale: a few per cent of precision is plenty
        middle = math.sqrt(low * high)
        if _expected_lag(middle, spans, left) <= risk:
            low = middle
        else:
            high = middle
    return low


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


def _overall_pace(history: Sequence[Poll]) -> float | None:
    """Test cases finished per second since the first poll; None until one has been seen to finish."""
    return _rate(history[0], history[-1])


def _recent_pace(history: Sequence[Poll]) -> float | None:
    """Test cases finished per second over the last PACE_WINDOW seconds, from the poll before the first change
    in that window (a batch that starts late, or speeds up, shows it here first)."""
    last = history[-1]
    recent = [poll for poll in history[:-1] if last.at - poll.at <= PACE_WINDOW]
    while len(recent) > 1 and recent[1].finished == recent[0].finished:
        del recent[0]
    return _rate(recent[0], last) if recent else None


def _rate(start: Poll, end: Poll) -> float | None:
    """Test cases finished per second from `start` to `end`; None if none finished between them."""
    if end.finished > start.finished and end.at > start.at:
        return (end.finished - start.finished) / (end.at - start.at)
    return None
