"""bench/lag_bound.py: the least mean lag any policy can reach. Checked against a plain re-derivation by
recursion on a small case, by following the policy it finds on sampled batches, and against the gate; and
bench/lag_tables.py, which runs that policy on every way of finishing."""

from __future__ import annotations

import functools
import math
import random
import statistics

import numpy as np
import pytest

from bench import lag_bound, lag_tables, policy
from bench.lag_bound import Grid, Spread


def _by_recursion(spread: Spread, grid: Grid, price: float) -> float:
    """The same optimum, straight from the model: a posterior over the spans at each poll, the binomial for
    how many finish before the next, and every next poll time tried (no moments, no arrays)."""
    times = [i * grid.step for i in range(round(spread.longest / grid.step) + 1)]
    many = round((spread.longest - spread.shortest) / grid.span_step)
    spans = [spread.shortest + grid.span_step * (i + 0.5) for i in range(many)]

    @functools.cache
    def best(at: int, finished: int, number: int) -> float:
        t, left = times[at], spread.count - finished
        if number + 1 > math.floor(1.25 * (math.floor(t / 10) + 2) + 1):
            return math.inf
        likely = {s: s**-spread.count * (s - t) ** left for s in spans if s > t}
        norm = sum(likely.values())
        options = []
        for to in range(at + 1, min(len(times), at + round(grid.longest_gap / grid.step) + 1)):
            cost = price
            for span, weight in likely.items():
                share = min(1.0, (times[to] - t) / (span - t))
                cost += weight / norm * ((span - t) / (left + 1) * share ** (left + 1) + max(0.0, times[to] - span))
                for more in range(left):
                    chance = math.comb(left, more) * share**more * (1 - share) ** (left - more)
                    if chance > 0:
                        cost += weight / norm * chance * best(to, finished + more, number + 1)
            options.append(cost)
        return min(options)

    return best(0, 0, 1) + price  # the first poll, at the start, counts too


@pytest.mark.parametrize(("count", "price"), [(2, 0.0), (2, 0.5), (3, 0.2)])
def test_the_programme_finds_the_optimum_a_plain_recursion_finds(count: int, price: float) -> None:
    # Within 6 s the limit allows 3 polls (so it binds), on a grid small enough to recurse over.
    spread, grid = Spread(count, 3.0, 6.0), Grid(1.0, 0.5, 6.0)
    assert lag_bound.solve(spread, price, grid).value == pytest.approx(_by_recursion(spread, grid, price))


@pytest.mark.parametrize(("count", "price"), [(3, 0.0), (5, 0.5)])
def test_the_policy_found_reaches_what_the_programme_says_within_the_limit(count: int, price: float) -> None:
    spread = Spread(count, 15.0, 60.0)
    solution = lag_bound.solve(spread, price, lag_bound.SHORT_GRID)
    rng = random.Random(f"follow-{count}")
    lags, requests = [], []
    for _ in range(4000):
        span = rng.uniform(spread.shortest, spread.longest)
        finishes = sorted(rng.uniform(0, span) for _ in range(count))
        lag, made = lag_bound.follow(solution, finishes)
        assert made <= 1.25 * policy.plain(finishes).requests + 1
        lags.append(lag)
        requests.append(made)
    error = 3 * statistics.stdev(lags) / math.sqrt(len(lags))
    assert statistics.mean(lags) == pytest.approx(solution.lag, abs=error + 0.02)
    assert statistics.mean(requests) == pytest.approx(solution.requests, abs=0.05)


def test_a_plain_polls_requests_are_counted_as_the_simulation_counts_them() -> None:
    spread = Spread(4, 15.0, 200.0)
    rng = random.Random("plain")
    made = [
        policy.plain(sorted(rng.uniform(0, s) for _ in range(4))).requests
        for s in (rng.uniform(15, 200) for _ in range(20000))
    ]
    assert lag_bound.plain_requests(spread) == pytest.approx(statistics.mean(made), abs=0.05)


def test_neither_the_gate_nor_a_plain_poll_beats_the_bound() -> None:
    # A bound the gate beat while keeping the requests would be wrong; so would one above the plain poll.
    found = lag_tables.row("4", (Spread(4, 15.0, 60.0),), lag_bound.SHORT_GRID)
    assert found["requests"] <= 1
    assert found["plain"] > found["gate"] >= found["bound"] > 1


def test_the_bound_at_a_price_is_below_every_policy_that_keeps_the_total() -> None:
    # Weak duality, the reason a price gives a bound: the plain poll keeps the total, so at every price
    # its lag is at least the priced optimum less the price times its requests.
    spread = Spread(3, 15.0, 60.0)
    plain = np.mean(
        [
            policy.plain(sorted(random.Random(i).uniform(0, s) for _ in range(3))).lag
            for i, s in enumerate(np.linspace(15, 60, 2001))
        ]
    )
    for price in (0.0, 0.5, 2.0):
        solution = lag_bound.solve(spread, price, lag_bound.SHORT_GRID)
        assert plain >= solution.value - price * lag_bound.plain_requests(spread)


def test_the_best_policy_run_on_every_way_of_finishing_is_the_one_that_reaches_the_bound() -> None:
    # The "uniform" row must be the bound's own batches, watched by the policy that reaches it; the other
    # ways are the same policy on batches it was not made for, still within the per-batch limit.
    spread = Spread(4, 15.0, 60.0)
    least = lag_bound.least_lag([spread], lag_bound.SHORT_GRID)
    rows = {r["way"]: r for r in lag_tables.every_way(least.policies[0], spread, lag_bound.SHORT_GRID)}
    assert set(rows) == set(policy.DISTRIBUTIONS)
    assert rows["uniform"]["best"] == pytest.approx(least.lag, abs=0.15)
    assert rows["uniform"]["best_requests"] <= 1.02
    assert rows["uniform"]["best"] < rows["uniform"]["gate"] < rows["uniform"]["plain"]
    assert all(r["best_requests"] <= 1.25 + 1 / 3 for r in rows.values())  # a plain poll makes 3 at least
