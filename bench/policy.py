"""The polling policy against a plain 10 s poll, simulated: pure, fast and reproducible (no real waiting).

    python3 bench/policy_report.py     # prints the tables; `python3 dev.py bench` puts them in docs/performance.md

A batch is a list of finish times, one per test case, counted from the gate's first request. The real
`next_delay` is run against it the way the gate runs it (a poll at 0 s, then one after each delay the
policy asks for, until a poll sees every test case finished), and so is a plain poll at 0, 10, 20, … s.
Requests are polls of get-batch-test (listing the runs afterwards is the same for both); lag is the time
from the last test case finishing to the poll that sees it.

The constants in retell_gate/wait/polling.py were tuned on TUNED. HELD_OUT checks them on seeds, test
counts and three ways of finishing never used for tuning; TIMED replays the simulator's own `timed-`
batches (what `bench/run.py` measures over HTTP), also with fresh seeds.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from retell_gate.simulator.timed import Timed
from retell_gate.wait.polling import Poll, next_delay

Policy = Callable[[Sequence[Poll], float], float]

POLL_INTERVAL = 10.0  # the gate's default, and the plain poll it is compared with
RATIO_LIMIT, RATIO_SLACK = 1.25, 1  # the target: at most 1.25 × the plain poll's requests, plus one, on any batch
LAG_LIMIT = 2.0  # the target for the mean detection lag, seconds
OTHER_INTERVALS = (5.0, 20.0, 30.0, 60.0)  # `poll-interval` values the constants were not tuned at
SHORT = 60.0  # seconds: batches up to this long are reported apart
# A batch lasts a duration drawn log-uniformly within its band, so that batches do not all end on a multiple
# of 10 s, where the plain poll would see the end at once.
BANDS: tuple[tuple[int, int], ...] = ((15, 20), (20, 30), (30, 45), (45, 60), (60, 90), (90, 120), (120, 180))
BANDS += ((180, 300), (300, 600), (600, 1200), (1200, 1800))

# How the test cases of a batch finish, as fractions of its duration (scaled so the last one ends it).
DISTRIBUTIONS: dict[str, Callable[[random.Random, int], list[float]]] = {
    "uniform": lambda rng, n: [rng.random() for _ in range(n)],
    "front-loaded": lambda rng, n: [rng.random() ** 3 for _ in range(n)],  # most finish early
    "straggler": lambda rng, n: [rng.uniform(0, 0.3) for _ in range(n - 1)] + [1.0],  # one runs 3 × longer
    "together": lambda rng, n: [rng.uniform(0.95, 1) for _ in range(n)],  # nothing, then all at once
    # Never used for tuning:
    "back-loaded": lambda rng, n: [rng.random() ** (1 / 3) for _ in range(n)],  # most finish late
    "waves": lambda rng, n: _waves(rng, n),
    "late-start": lambda rng, n: [rng.uniform(0.5, 1) for _ in range(n)],  # every call takes a while
}


def _waves(rng: random.Random, count: int) -> list[float]:
    rounds = rng.randint(2, 4)  # a concurrency limit: the test cases run in a few rounds
    return [(rng.randrange(rounds) + rng.uniform(0.8, 1)) / rounds for _ in range(count)]


@dataclass(frozen=True)
class Shape:
    """One simulated batch: how its test cases finish, how many, within which band of durations, which seed."""

    distribution: str
    count: int
    band: tuple[int, int]
    seed: int

    def finishes(self) -> list[float]:
        rng = random.Random(f"{self.distribution}-{self.count}-{self.band}-{self.seed}")  # noqa: S311
        duration = math.exp(rng.uniform(math.log(self.band[0]), math.log(self.band[1])))
        raw = DISTRIBUTIONS[self.distribution](rng, self.count)
        return sorted(duration * value / max(raw) for value in raw)

    def __str__(self) -> str:
        return f"{self.distribution}, {self.count} tests, {self.band[0]}–{self.band[1]} s, seed {self.seed}"


def grid(distributions: Sequence[str], counts: Sequence[int], seeds: Sequence[int]) -> list[Shape]:
    return [Shape(d, c, b, s) for d in distributions for c in counts for b in BANDS for s in seeds]


TUNED = grid(("uniform", "front-loaded", "straggler", "together"), (3, 4, 6, 10, 20, 40), range(8))
HELD_OUT = grid(tuple(DISTRIBUTIONS), (3, 5, 8, 15, 30, 40), range(1000, 1008))
# The simulator's `timed-<seed>-<count>-<seconds>` batches: (name, batches, test counts, spans in seconds, seed).
# 2,000 of each: a mean lag over a few hundred batches moves by 0.1-0.2 s from one sample to the next.
TIMED = (
    ("short: 3–40 tests within 15–60 s", 2000, (3, 40), (15, 60), 2026),
    ("the issue's: 20 tests within 17–51 s", 2000, (20, 20), (17, 51), 2027),
    ("bench/run.py's: 5–40 tests within 60–240 s", 2000, (5, 40), (60, 240), 2028),
    ("the issue's range: 3–40 tests within 15 s–30 min", 2000, (3, 40), (15, 1800), 2029),
)
COUNT_BANDS = ((3, 5), (6, 10), (11, 20), (21, 40))  # test counts, for the lag by count of the simulator's batches


@dataclass(frozen=True)
class Watch:
    """How one watcher fared on one batch."""

    requests: int
    lag: float


def adaptive(finishes: Sequence[float], policy: Policy = next_delay, interval: float = POLL_INTERVAL) -> Watch:
    total, end = len(finishes), finishes[-1]
    history: list[Poll] = []
    now = 0.0
    while now < end:
        history.append(Poll(now, sum(1 for f in finishes if f <= now), total))
        now += policy(history, interval)
    return Watch(len(history) + 1, now - end)


def plain(finishes: Sequence[float], interval: float = POLL_INTERVAL) -> Watch:
    polls = math.ceil(finishes[-1] / interval)  # after the one at 0 s
    return Watch(polls + 1, polls * interval - finishes[-1])


@dataclass(frozen=True)
class Result:
    label: str  # the shape, or the simulator's batch ID
    distribution: str
    duration: float
    gate: Watch
    baseline: Watch

    @property
    def budget(self) -> float:
        """The most requests the target allows on this batch."""
        return RATIO_LIMIT * self.baseline.requests + RATIO_SLACK


def run(shapes: Sequence[Shape], policy: Policy = next_delay, interval: float = POLL_INTERVAL) -> list[Result]:
    results = []
    for shape in shapes:
        finishes = shape.finishes()
        gate, baseline = adaptive(finishes, policy, interval), plain(finishes, interval)
        results.append(Result(str(shape), shape.distribution, finishes[-1], gate, baseline))
    return results


def timed_batches(count: int, tests: tuple[int, int], spans: tuple[int, int], seed: int) -> list[str]:
    rng = random.Random(seed)  # noqa: S311 - a reproducible benchmark, not a secret
    return [f"timed-{rng.randint(1, 10**6)}-{rng.randint(*tests)}-{rng.randint(*spans)}" for _ in range(count)]


def run_timed(batch_ids: Sequence[str], policy: Policy = next_delay) -> list[Result]:
    results = []
    for batch_id in batch_ids:
        schedule = Timed.parse(batch_id)
        assert schedule is not None
        finishes = schedule.finishes
        results.append(Result(batch_id, "timed", finishes[-1], adaptive(finishes, policy), plain(finishes)))
    return results


@dataclass(frozen=True)
class Summary:
    batches: int
    requests: int
    baseline_requests: int
    mean_lag: float
    worst_lag: float
    baseline_mean_lag: float
    worst: Result  # the batch closest to (or furthest over) its budget
    over_budget: int

    @property
    def ratio(self) -> float:
        return self.requests / self.baseline_requests

    @property
    def requests_met(self) -> bool:
        return self.requests <= self.baseline_requests and self.over_budget == 0


def summarize(results: Sequence[Result]) -> Summary:
    lags = [r.gate.lag for r in results]
    return Summary(
        batches=len(results),
        requests=sum(r.gate.requests for r in results),
        baseline_requests=sum(r.baseline.requests for r in results),
        mean_lag=statistics.mean(lags),
        worst_lag=max(lags),
        baseline_mean_lag=statistics.mean(r.baseline.lag for r in results),
        worst=max(results, key=lambda r: (r.gate.requests / r.budget, r.gate.requests / r.baseline.requests)),
        over_budget=sum(1 for r in results if r.gate.requests > r.budget),
    )


def by_count(results: Sequence[Result]) -> dict[str, Summary]:
    """The simulator's batches by how many test cases they hold (read from the batch ID)."""
    found: dict[str, list[Result]] = {}
    for low, high in COUNT_BANDS:
        found[f"{low}–{high} tests"] = [r for r in results if low <= _test_count(r.label) <= high]
    return {name: summarize(group) for name, group in found.items() if group}


def _test_count(batch_id: str) -> int:
    schedule = Timed.parse(batch_id)
    assert schedule is not None
    return len(schedule.finishes)


def by_shape_and_length(results: Sequence[Result]) -> dict[str, Summary]:
    """A grid's batches by way of finishing and, within it, short and longer ones."""
    found: dict[str, list[Result]] = {}
    for result in results:
        length = f"≤ {SHORT:.0f} s" if result.duration <= SHORT else f"> {SHORT:.0f} s"
        found.setdefault(f"{result.distribution}, {length}", []).append(result)
    return {name: summarize(group) for name, group in sorted(found.items())}


def groups(results: Sequence[Result]) -> dict[str, Summary]:
    """All batches, then by way of finishing, then short and longer ones."""
    found: dict[str, list[Result]] = {"all": list(results)}
    for result in results:
        found.setdefault(result.distribution, []).append(result)
    for result in results:
        found.setdefault(f"≤ {SHORT:.0f} s" if result.duration <= SHORT else f"> {SHORT:.0f} s", []).append(result)
    found.pop("timed", None)
    return {name: summarize(group) for name, group in found.items()}


def all_sets(policy: Policy = next_delay) -> dict[str, list[Result]]:
    """Every simulated set, by name: the tuning grid, the held-out grid and the simulator's timed batches."""
    sets = {"tuning grid": run(TUNED, policy), "held-out grid": run(HELD_OUT, policy)}
    for name, count, tests, spans, seed in TIMED:
        sets[f"timed, {name}"] = run_timed(timed_batches(count, tests, spans, seed), policy)
    return sets


def other_intervals(policy: Policy = next_delay) -> dict[float, list[Result]]:
    """Both grids at poll intervals other than the 10 s the constants were tuned at, each against a plain poll
    at that interval."""
    return {interval: run(TUNED + HELD_OUT, policy, interval) for interval in OTHER_INTERVALS}
