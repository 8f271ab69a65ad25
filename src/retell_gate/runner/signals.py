"""Cancellation: the runner stops a cancelled or timed-out step with SIGTERM (SIGINT from a terminal).

The gate runs as the container's PID 1, which ignores SIGTERM unless it installs a handler.
"""

from __future__ import annotations

import signal
from types import FrameType

from ..errors import Cancelled


class CancelOnSignal:
    """SIGTERM (the runner's cancel) and SIGINT raise Cancelled once; later signals wait for the report."""

    def __init__(self) -> None:
        self._holding = False
        self._previous: dict[int, object] = {}

    def __enter__(self) -> CancelOnSignal:
        for number in (signal.SIGTERM, signal.SIGINT):
            self._previous[number] = signal.signal(number, self._handle)
        return self

    def __exit__(self, *_: object) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)  # type: ignore[arg-type]

    def hold(self) -> None:
        self._holding = True

    def _handle(self, number: int, _frame: FrameType | None) -> None:
        if not self._holding:
            self._holding = True
            raise Cancelled(number)
