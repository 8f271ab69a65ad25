"""The least mean detection lag any polling policy can reach on batches of a few test cases, found exactly.

    python3 bench/lag_tables.py    # prints the tables; `python3 dev.py bench` puts them in docs/performance.md

A bound, not a policy. The batches are the simulator's timed ones: N test cases finish independently and
uniformly at random within a span S, drawn uniformly from a range of durations, and the first poll is at the
batch's start (start mode). The policy sought is told that range, which the real gate is not, and sees what
the gate sees: at each poll, how many test cases have finished.

Why it can be solved exactly: after polls at t_1 < … < t_n that saw k_1 ≤ … ≤ k_n finished, the batch not
yet complete, the likelihood of S is proportional to S^-N (S - t_n)^(N - k_n) for S > t_n. The earlier
counts add only a factor that does not depend on S. So all any policy can know is the last poll's time and
count, and how many polls it has made (which the limit counts): a small state, over which dynamic
programming on a grid of poll times finds the best policy.

Two constraints, the issue's:
- The per-batch limit, as the gate's hard cap: were the batch to complete just after poll n at t, poll n + 1
  must keep n + 1 ≤ 1.25 × (floor(t / 10) + 2) + 1.
- No more requests than a plain 10 s poll in total. The programme minimises E[lag] + price × E[requests].
  For any price, that minimum less price × a plain poll's mean requests is a lower bound on the mean lag of
  every policy that keeps the total (weak duality); the price is found by bisection where the requests match.

`tests/test_lag_bound.py` follows the policy found on sampled batches and checks that it reaches the lag and
requests the programme says, within the limit on every batch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from bench.policy import POLL_INTERVAL, RATIO_LIMIT, RATIO_SLACK

UNREACHABLE = 1e12  # the value of a state from which no poll the limit allows is left
BISECTIONS = 6


@dataclass(frozen=True)
class Spread:
    """Batches of `count` test cases finishing at random within a span drawn uniformly from `shortest` to `longest`."""

    count: int
    shortest: float
    longest: float


@dataclass(frozen=True)
class Grid:
    """Poll times lie `step` apart, at most `longest_gap` apart; spans `span_step` apart stand for the range."""

    step: float
    span_step: float
    longest_gap: float


# Halving the steps lowers the short batches' bounds by under 0.01 s, the whole range's by under 0.03 s
# (a policy on a grid can only do worse than one free to poll at any time, so these are that close).
SHORT_GRID, WHOLE_GRID = Grid(0.5, 0.5, 60.0), Grid(1.0, 5.0, 120.0)


class Moves(NamedTuple):
    """From a poll at grid point a with k finished, to the next poll d + 1 steps later (at grid point `to`)."""

    lag: np.ndarray  # [a, d]: E[lag; the batch completes before the next poll]
    going_on: np.ndarray  # [a, d, j]: P(k + j finished at the next poll, and not complete)
    to: np.ndarray  # [a, d]


@dataclass(frozen=True)
class Solution:
    price: float
    value: float  # E[lag + price × requests]
    lag: float
    requests: float
    times: np.ndarray
    choices: np.ndarray  # [number of the poll just made, a, k]: grid point of the next poll (-1: none)


def allowed_next(times: np.ndarray) -> np.ndarray:
    """The highest number the next poll may have after a poll at each time: were the batch to complete just
    after it, the next poll (the one to see it) must keep n <= 1.25 × (floor(t / 10) + 2) + 1."""
    return np.floor(RATIO_LIMIT * (np.floor(times / POLL_INTERVAL) + 2) + RATIO_SLACK)


def moves(spread: Spread, grid: Grid) -> tuple[np.ndarray, list[Moves]]:
    """The poll times, and for each count finished the outcome of every next poll (lag and new counts)."""
    times = np.arange(0.0, spread.longest + grid.step, grid.step)
    spans = np.arange(spread.shortest + grid.span_step / 2, spread.longest, grid.span_step)
    scale = spread.longest  # powers of spans in units of the longest stay within floating point
    tau, x = times / scale, spans / scale
    ahead = np.clip(x[None, :] - tau[:, None], 0.0, None)  # [a, S]: S - t_a where S > t_a
    weight = np.where(ahead > 0, x[None, :] ** -spread.count, 0.0)
    # moment[e][a] = sum over S > t_a of S^-N (S - t_a)^e: every transition is a ratio of these.
    moment = np.stack([(weight * ahead**e).sum(axis=1) for e in range(spread.count + 1)])
    below = np.searchsorted(x, tau, side="right")  # spans ending by each poll time
    here = np.arange(len(times))[:, None]
    to = here + np.arange(1, min(len(times) - 1, round(grid.longest_gap / grid.step)) + 1)[None, :]
    inside = to < len(times)
    to = np.minimum(to, len(times) - 1)
    gap = tau[to] - tau[here]
    found = []
    for finished in range(spread.count):
        left = spread.count - finished
        norm = np.where(moment[left] > 0, moment[left], 1.0)[:, None]
        possible = inside & (moment[left] > 0)[:, None]
        lag = _lag_on_completion(weight * ahead**left, ahead, x, left, below[to], tau[to], gap, moment[0][to])
        going_on = np.stack([math.comb(left, j) * gap**j * moment[left - j][to] / norm for j in range(left)], axis=2)
        lag = np.where(possible, lag / norm * scale, np.inf)
        found.append(Moves(lag, np.where(possible[..., None], going_on, 0.0), to))
    return times, found


def _lag_on_completion(
    likely: np.ndarray,
    ahead: np.ndarray,
    x: np.ndarray,
    left: int,
    below: np.ndarray,
    then: np.ndarray,
    gap: np.ndarray,
    beyond: np.ndarray,
) -> np.ndarray:
    """Unnormalised E[next poll - end; the end before it], from a poll at t_a with `left` test cases running.

    A span S ending by the next poll (at `then`) leaves the last finish (S - t_a) × left / (left + 1) after
    t_a on average. A longer one has all `left` finish within the `gap` with probability (gap / (S - t_a))^left,
    the last gap × left / (left + 1) after t_a on average. Cumulative sums over spans give every next poll."""
    rows = np.arange(likely.shape[0])[:, None]
    total, ends = (_running_sum(values) for values in (likely, likely * (ahead / (left + 1) - x)))
    within = then * total[rows, below] + ends[rows, below]
    result: np.ndarray = within + gap ** (left + 1) / (left + 1) * beyond
    return result


def _running_sum(values: np.ndarray) -> np.ndarray:
    """[a, i]: the sum of the first i values of row a."""
    return np.concatenate([np.zeros((values.shape[0], 1)), np.cumsum(values, axis=1)], axis=1)


def solve(spread: Spread, price: float, grid: Grid) -> Solution:
    """The policy that minimises E[lag] + price × E[requests] within the per-batch limit, by backward induction
    over the number of polls made (the limit depends on it)."""
    times, found = moves(spread, grid)
    allowed = allowed_next(times)
    levels = int(allowed.max()) + 1
    size, count = len(times), spread.count
    value, requests, lag = (np.zeros((size, count + 1)) for _ in range(3))
    value[:, :count] = UNREACHABLE  # past the last level, no poll is allowed
    choices = np.full((levels + 1, size, count), -1)
    for number in range(levels, 0, -1):
        step = [_best_next(found[k], value, requests, lag, k, count, price) for k in range(count)]
        value, requests, lag = (np.zeros((size, count + 1)) for _ in range(3))
        may = allowed >= number + 1
        for k, (best, cost, more, late) in enumerate(step):
            reachable = may & (cost < UNREACHABLE / 2)
            value[:, k] = np.where(reachable, cost, UNREACHABLE)
            requests[:, k], lag[:, k] = np.where(reachable, more, 0.0), np.where(reachable, late, 0.0)
            choices[number, :, k] = np.where(reachable, found[k].to[np.arange(size), best], -1)
    return Solution(price, value[0, 0] + price, lag[0, 0], requests[0, 0] + 1, times, choices)


def _best_next(
    moved: Moves, value: np.ndarray, requests: np.ndarray, lag: np.ndarray, finished: int, count: int, price: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For every grid point: the best next poll, and its expected cost, requests and lag from there on."""
    later = range(finished, count)  # the counts the next poll may see, the batch still running
    cost = moved.lag + price + _expect(moved, value, later)
    best = np.argmin(cost, axis=1)
    rows = np.arange(len(best))
    more = 1 + _expect(moved, requests, later)[rows, best]
    late = moved.lag[rows, best] + _expect(moved, lag, later)[rows, best]
    return best, cost[rows, best], more, late


def _expect(moved: Moves, table: np.ndarray, later: range) -> np.ndarray:
    expected: np.ndarray = sum(moved.going_on[:, :, j] * table[moved.to, k] for j, k in enumerate(later))
    return expected


def plain_requests(spread: Spread) -> float:
    """A plain 10 s poll's mean requests: one at 0 s, and one for every 10 s the batch is still running."""
    spans = np.linspace(spread.shortest, spread.longest, 4001)
    polls = np.arange(1, int(spread.longest / POLL_INTERVAL) + 1) * POLL_INTERVAL
    running = 1 - np.minimum(polls[:, None] / spans[None, :], 1.0) ** spread.count
    return float(2 + running.sum(axis=0).mean())


class Least(NamedTuple):
    lag: float  # no policy keeping both constraints does better on these batches, to within the grid
    policies: list[Solution]  # one per spread, at the lowest price tried whose requests keep the total


def least_lag(spreads: Sequence[Spread], grid: Grid) -> Least:
    """The least mean lag over equally many batches of each spread, at no more requests than a plain poll in
    total, and the policies that come within the grid's step of it."""
    budget = float(np.mean([plain_requests(s) for s in spreads]))
    solved: dict[float, list[Solution]] = {}

    def spent(price: float) -> float:
        if price not in solved:
            solved[price] = [solve(spread, price, grid) for spread in spreads]
        return float(np.mean([s.requests for s in solved[price]]))

    low, high = 0.0, 0.25
    if spent(low) > budget:  # the limit alone allows more than a plain poll's requests: find the price
        while spent(high) > budget:
            low, high = high, 2 * high
        for _ in range(BISECTIONS):
            middle = (low + high) / 2
            low, high = (middle, high) if spent(middle) > budget else (low, middle)
    else:
        high = low
    bound = max(float(np.mean([s.value for s in found])) - price * budget for price, found in solved.items())
    return Least(bound, solved[high])


def follow(solution: Solution, finishes: Sequence[float]) -> tuple[float, int]:
    """Poll where `solution` says on one batch (its test cases finishing at `finishes`, the last within the
    grid's spans): the lag and the requests."""
    at, finished, number = 0, 0, 1
    while True:
        to = int(solution.choices[number, at, finished])
        if to <= at:
            raise ValueError(f"no poll allowed after {solution.times[at]} s with {finished} finished")
        number += 1
        finished = sum(1 for f in finishes if f <= solution.times[to])
        if finished == len(finishes):
            return float(solution.times[to] - finishes[-1]), number
        at = to
