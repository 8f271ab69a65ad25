"""A batch started through the simulator's `create-batch-test` (starts.py), as it progresses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import history
from .frames import Frame, Scenario, batch_body, run_body

if TYPE_CHECKING:
    from .engines import SimEngine


@dataclass
class Created:
    """A batch started through `create-batch-test`."""

    batch_id: str
    engine: dict[str, Any]
    definition_ids: tuple[str, ...]
    scenario: Scenario
    created_ms: int
    hidden_listings: int = 0
    """Listings of the engine's batches that do not show it yet (Retell may list a new batch late)."""
    uncounted: bool = False
    """Listed by list-batch-tests with a total of 0, as a batch Retell has not counted yet."""
    reads: int = field(default=0)
    statuses: tuple[str, ...] = ()
    """Each run's final status, when the engine's script sets them per definition (history.py)."""

    def frame(self, advance: bool) -> Frame:
        """The frame of its script the batch is at; a read of the batch (`advance`) moves it along."""
        frames = self.scenario.frames
        step = self.reads if advance else max(self.reads - 1, 0)
        self.reads += 1 if advance else 0
        return frames[min(step, len(frames) - 1)]

    def body(self, frame: Frame) -> dict[str, Any]:
        modified = {"creation_timestamp": self.created_ms, "user_modified_timestamp": self.created_ms + self.reads}
        return batch_body(self.batch_id, frame) | {"response_engine": self.engine} | modified

    def run(self, frame: Frame, index: int) -> dict[str, Any]:
        """Test run number `index` as the batch stands at `frame`."""
        definition_id = self.definition_ids[index]
        if not self.statuses:
            return run_body(self.batch_id, self.scenario, frame, index) | {"test_case_definition_id": definition_id}
        finished = frame.passed + frame.failed + frame.errored  # the first ones (history.frames_of)
        status = self.statuses[index] if index < finished else "in_progress"
        return history.run_of(self.batch_id, index, definition_id, self.scenario.names[index], status)


def final_counts(engine: SimEngine, total: int) -> tuple[int, int, int]:
    """(passed, failed, errored) at the end of a batch of `total` created now."""
    if engine.script.outcome == "pass":
        return total, 0, 0
    return total - total // 5 - total // 10, total // 5, total // 10
