"""bench/lag_bound.py: the least lag any policy could reach within the per-batch limit, checked against every
schedule on a small case, and against the real policy on sampled batches."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from bench import lag_bound


def _best_schedule_by_enumeration(count: int, second_last: float, longest: float, step: float) -> float:
    """Every set of poll times on the grid, kept if each poll respects the limit; the least expected lag."""
    grid = lag_bound.end_distribution(count, second_last, longest, step)
    allowed = lag_bound.allowed_next(grid.times)
    last = len(grid.times) - 1
    best = np.inf
    for size in range(len(grid.times)):
        for chosen in itertools.combinations(range(1, last), size):
            polls = (0, *chosen, last)  # poll 1 at s, the final one at the latest end
            numbers = range(1, len(polls))
            if all(allowed[polls[n - 1]] >= n + 1 for n in numbers):
                pairs = np.array(polls[:-1]), np.array(polls[1:])
                best = min(best, float(lag_bound.expected_lag(grid, *pairs).sum()))
    return best


@pytest.mark.parametrize(("count", "second_last"), [(3, 2.0), (3, 9.0), (5, 4.0)])
def test_the_bound_is_the_best_of_every_schedule_on_a_small_case(count: int, second_last: float) -> None:
    # 2-3 s apart over up to 30 s: few enough schedules to try them all, and the limit binds on some.
    step = 2.5
    found = lag_bound.bound_after(count, second_last, longest=second_last + 30, step=step)
    assert found == pytest.approx(_best_schedule_by_enumeration(count, second_last, second_last + 30, step))


def test_the_gate_is_never_better_than_the_bound() -> None:
    # A bound that the real policy beat on average would be wrong (or the policy would break the limit).
    found = lag_bound.row(4, points=6, batches=300)
    assert found["gate"] >= found["bound"] > 0
    assert found["plain"] > found["gate"]
