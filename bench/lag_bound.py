"""How soon any polling policy could notice the end of a batch of a few test cases, within the per-batch limit.

    python3 bench/lag_bound.py     # prints the table; `python3 dev.py bench` puts it in docs/performance.md

A bound, not a policy. The batches are the issue's: test cases finishing at random (uniformly) within a
span drawn log-uniformly from 15 s to 30 min. The bound is for a gate given more than the real one has:
it is told, at once and for free, when every test case but the last finished. All that is left to it is
to poll for the last one, and the best it can do is found exactly, by dynamic programming over every
poll schedule that keeps the issue's limit: if the batch completes just after poll n - 1, poll n must
still be within 1.25 × a plain 10 s poll's requests, plus one. The real gate must also poll to see the
earlier test cases finish, so its mean lag can only be higher than this one.

Given the second-to-last finish at s, the last one finishes at T with density proportional to
max(T, 15)^-N - 1800^-N on [s, 1800] (a uniform finish for each of N test cases within the span S, S
log-uniform: the integral over S of S^-1 × S^-N). Poll times lie on a 0.5 s grid, gaps up to 80 s:
a finer grid or longer gaps change the bound by less than 0.01 s.
"""

from __future__ import annotations

import math
import random
import statistics
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import NamedTuple

import numpy as np

if __name__ == "__main__":
    sys.path[:0] = [str(Path(__file__).resolve().parent.parent / "src"), str(Path(__file__).resolve().parent.parent)]

from bench.policy import BANDS, LAG_LIMIT, POLL_INTERVAL, RATIO_LIMIT, RATIO_SLACK, adaptive, plain

SHORTEST, LONGEST = float(BANDS[0][0]), float(BANDS[-1][1])  # the range of durations (15 s-30 min)
STEP, LONGEST_GAP = 0.5, 80.0  # the grid of poll times, and the longest gap considered
COUNTS = (3, 4, 5, 6)
S_POINTS = 16  # second-to-last finishes at which the bound is solved; in between it is interpolated
BATCHES = 2000  # sampled batches per count, for the mean over the range


class Grid(NamedTuple):
    times: np.ndarray  # seconds
    mass: np.ndarray  # P(T <= t)
    moment: np.ndarray  # E[T; T <= t]


def end_distribution(count: int, second_last: float, longest: float = LONGEST, step: float = STEP) -> Grid:
    """Poll times from `second_last` to `longest`, with P(T <= t) and E[T; T <= t] at each (trapezoids)."""
    times = np.arange(second_last, longest + step / 2, step)
    density = np.maximum(times, SHORTEST) ** -count - longest**-count
    mass = np.concatenate(([0.0], np.cumsum((density[1:] + density[:-1]) * step / 2)))
    moment = np.concatenate(([0.0], np.cumsum((density[1:] * times[1:] + density[:-1] * times[:-1]) * step / 2)))
    return Grid(times, mass / mass[-1], moment / mass[-1])


def allowed_next(times: np.ndarray) -> np.ndarray:
    """The highest number the next poll may have after a poll at each time: were the batch to complete just
    after it, the next poll (the one to see it) must keep n <= 1.25 × (floor(t / 10) + 2) + 1."""
    return np.floor(RATIO_LIMIT * (np.floor(times / POLL_INTERVAL) + 2) + RATIO_SLACK)


def expected_lag(grid: Grid, before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """E[lag; the end lies between polls at grid points `before` and `after`]: the end is seen at `after`."""
    within = grid.mass[after] - grid.mass[before]
    return grid.times[after] * within - (grid.moment[after] - grid.moment[before])


def bound_after(count: int, second_last: float, longest: float = LONGEST, step: float = STEP) -> float:
    """The least expected lag in noticing the last of `count` test cases, the others done by `second_last`."""
    grid = end_distribution(count, second_last, longest, step)
    size = len(grid.times)
    allowed = allowed_next(grid.times)
    # cost[i]: the least expected lag still to come (unnormalised) after poll number n at times[i]; the last
    # grid point is the latest end, so nothing remains after a poll there.
    cost = np.full(size, np.inf)
    cost[-1] = 0.0
    for number in range(int(allowed[-1]) + 1, 0, -1):
        previous = np.full(size, np.inf)
        previous[-1] = 0.0
        may_poll = allowed >= number + 1
        for gap in range(1, min(int(LONGEST_GAP / step), size - 1) + 1):
            here, there = np.arange(size - gap), np.arange(gap, size)
            candidate = np.where(may_poll[: size - gap], expected_lag(grid, here, there) + cost[there], np.inf)
            previous[: size - gap] = np.minimum(previous[: size - gap], candidate)
        cost = previous
    return float(cost[0])  # poll 1 (at 0 s) counts as made at s: no poll is worth making before it


def _batches(count: int, number: int) -> list[list[float]]:
    rng = random.Random(f"lag-bound-{count}")  # noqa: S311 - a reproducible sample
    batches = []
    for _ in range(number):
        span = math.exp(rng.uniform(math.log(SHORTEST), math.log(LONGEST)))
        batches.append(sorted(rng.uniform(0, span) for _ in range(count)))
    return batches


def row(count: int, points: int = S_POINTS, batches: int = BATCHES) -> dict[str, float]:
    """For one test count: the bound, the gate and the plain poll, on the same sampled batches."""
    sample = _batches(count, batches)
    solved = np.geomspace(1.0, LONGEST - 10, points)
    bounds = [bound_after(count, s) for s in solved]
    second_last = np.array([max(b[-2], 1.0) for b in sample])
    return {
        "count": count,
        # Between the solved points, linear in log(s).
        "bound": float(np.mean(np.interp(np.log(second_last), np.log(solved), bounds))),
        "gate": statistics.mean(adaptive(b).lag for b in sample),
        "plain": statistics.mean(plain(b).lag for b in sample),
    }


def table(counts: Sequence[int] = COUNTS) -> list[dict[str, float]]:
    """Every count's row, solved side by side (a minute or two)."""
    with ProcessPoolExecutor() as pool:
        return list(pool.map(row, counts))


def main() -> int:
    print(f"{'tests':>5}  {'bound (s)':>9}  {'gate (s)':>8}  {'plain 10 s poll (s)':>19}  within {LAG_LIMIT:g} s")
    for found in table():
        reachable = "possible" if found["bound"] <= LAG_LIMIT else "out of reach"
        print(
            f"{found['count']:5.0f}  {found['bound']:9.2f}  {found['gate']:8.2f}  {found['plain']:19.2f}  {reachable}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
