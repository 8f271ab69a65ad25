"""The gate's exceptions; each maps to one documented exit code in cli.py."""

from __future__ import annotations


class GateError(Exception):
    """A failure the gate reports to the user in plain words (never as a traceback)."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class InputError(GateError):
    """An input has a value the gate cannot accept; raised before any request is made (but for a test selection
    that matches nothing, plan/selection.py)."""


class ApiError(GateError):
    """Retell answered with an error, an unexpected or malformed answer, or not at all."""


class Cancelled(BaseException):
    """The runner asked the gate to stop (SIGTERM on cancel or timeout, SIGINT from a terminal).

    A BaseException, like KeyboardInterrupt, so that no `except Exception` swallows it.
    """

    def __init__(self, signal_number: int) -> None:
        super().__init__(f"signal {signal_number}")
        self.signal_number = signal_number
