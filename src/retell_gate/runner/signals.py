"""Cancellation: the runner stops a cancelled or timed-out step with SIGTERM (SIGINT from a terminal).

The gate runs as the container's PID 1, which ignores SIGTERM unless it installs a handler. The entry
point calls `remember_early` before importing anything else, so a signal during start-up is kept and
turned into a reported cancel as soon as the gate can report one, never lost (SIGTERM) or a traceback
(SIGINT's KeyboardInterrupt).
"""

from __future__ import annotations

import signal
from types import FrameType

from ..errors import Cancelled

_EARLY: list[int] = []


def remember_early() -> None:
    """Keep any SIGTERM or SIGINT that comes before CancelOnSignal is entered (start-up imports take ~0.1 s)."""
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda received, _frame: _EARLY.append(received))


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

    def raise_early(self) -> None:
        """Raise Cancelled for a signal remember_early kept; call it first thing inside the handled block."""
        if _EARLY and not self._holding:
            self._holding = True
            raise Cancelled(_EARLY.pop(0))

    def hold(self) -> None:
        self._holding = True

    def _handle(self, number: int, _frame: FrameType | None) -> None:
        if not self._holding:
            self._holding = True
            raise Cancelled(number)
