"""The statuses Retell reports, and what the gate makes of them (no pydantic: on the start-up path).

A batch is `in_progress` or `complete`; a test run `pass`, `fail` or `error` once finished. Anything
else (`pending`, or a status Retell adds later) means "not finished", never done.
"""

from __future__ import annotations

from typing import Literal

BatchState = Literal["in_progress", "complete", "unknown"]
KNOWN_STATES: dict[str, BatchState] = {"in_progress": "in_progress", "complete": "complete"}

RunOutcome = Literal["fail", "error", "not-finished", "pass"]
FINISHED: dict[str, RunOutcome] = {"pass": "pass", "fail": "fail", "error": "error"}
