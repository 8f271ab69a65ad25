from __future__ import annotations

from collections.abc import Iterator

import pytest

from retell_gate.simulator.server import Simulator


class FakeClock:
    """A monotonic clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def simulator() -> Iterator[Simulator]:
    with Simulator(api_key="sim-key") as running:
        yield running
