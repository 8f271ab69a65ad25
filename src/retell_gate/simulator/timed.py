"""Batches whose test cases finish at random times, for the benchmarks and the outage tests."""

from __future__ import annotations

import random
from dataclasses import dataclass

from .frames import Frame


@dataclass(frozen=True)
class Timed:
    """A batch whose test cases finish at random times: `timed-<seed>-<count>-<seconds>[-<anything>]`.

    Its clock starts at the first request for it; `seed` fixes when each test case finishes
    (uniformly within `seconds`), so two batch IDs with the same numbers finish alike. With
    `-down-<from>-<to>` after the numbers, reading the batch answers 503 from `from` seconds until
    `to` seconds (an outage in wall-clock time, however often the gate asks). `-outage-<from>-<to>`
    is the same outage with `Retry-After: 0`, so one read's tries run out at once: the gate waits
    through it as an outage within seconds (for quick tests).
    """

    finishes: tuple[float, ...]
    down: tuple[float, float] = (0.0, 0.0)
    retry_now: bool = False

    @classmethod
    def parse(cls, batch_id: str) -> Timed | None:
        parts = batch_id.split("-")
        if len(parts) < 4 or parts[0] != "timed" or not all(p.isdigit() for p in parts[1:4]):
            return None
        seed, count, seconds = (int(p) for p in parts[1:4])
        rng = random.Random(seed)  # noqa: S311 - a reproducible schedule, not a secret
        finishes = tuple(sorted(rng.uniform(0, seconds) for _ in range(max(count, 1))))
        if len(parts) >= 7 and parts[4] in ("down", "outage") and parts[5].isdigit() and parts[6].isdigit():
            return cls(finishes, (float(parts[5]), float(parts[6])), retry_now=parts[4] == "outage")
        return cls(finishes)

    @property
    def duration(self) -> float:
        return self.finishes[-1]

    def frame(self, elapsed: float) -> Frame:
        if self.down[0] <= elapsed < self.down[1]:
            return Frame(http_status=503, retry_after="0" if self.retry_now else None)
        done = sum(1 for finish in self.finishes if finish <= elapsed)
        status = "complete" if done == len(self.finishes) else "in_progress"
        return Frame(status, done, 0, 0, len(self.finishes))
