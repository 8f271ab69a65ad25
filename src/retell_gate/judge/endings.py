"""Why a run ended without a verdict, in words (pure): a cancel, no time left to read, batches left running.

Each says only what is known: whether a batch was started, may have been, or was not; a batch a run
started keeps running (and billing) in Retell whatever the gate does, so every such ending names it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from .hints import CANCEL_HINT

Starting = Literal["waiting", "sending", "none started", "started"]
"""Where start mode stood: `waiting` for wait mode (nothing to start), `sending` a create unanswered."""

NONE_STARTED_HINT = "The workflow was cancelled or hit its time limit before any batch was started; none runs."
TIMED_OUT_FAILING_HINT = (
    "`timeout` ran out before the batch was complete, but it had already failed the thresholds; it keeps running "
    "in Retell: open it in Retell's dashboard for the final results, and raise `timeout` to wait for the end."
)
NO_TIME_HINT = (
    "Raise `timeout` so that it covers starting the batches and waiting for them. A batch keeps running in Retell "
    "whatever the gate does: to judge one later, run only this gate with `batch-job-id` set to its ID."
)
NOT_AS_ASKED_HINT = (
    "Open the batch in Retell's dashboard to see what it ran. The gate judges only batches that run the test cases "
    "it asked for; another job starting a batch of the same engine at the same moment is one way to get this."
)


def cancelled(signal_name: str, several: bool, starting: Starting, all_complete: bool = False) -> tuple[str, str]:
    """The reason and the hint of a cancel; `all_complete`: every batch was read complete (being judged)."""
    if starting == "sending":
        from ..retell.recovery import NOT_FOUND_HINT

        reason = (
            f"The gate was cancelled ({signal_name}) while Retell was being asked to start a batch: it may have "
            "started one, though it had not answered."
        )
        return reason, NOT_FOUND_HINT
    if starting == "none started":
        return f"The gate was cancelled ({signal_name}) before it started a batch.", NONE_STARTED_HINT
    what = "the batches" if several else "the batch"
    if all_complete:
        done, them, ids = ("they were", "them", "their IDs") if several else ("it was", "it", "its ID")
        reason = f"The gate was cancelled ({signal_name}) after {what} completed, before {done} judged."
        return reason, f"Nothing runs in Retell: to judge {them}, run only this gate with `batch-job-id` set to {ids}."
    hint = CANCEL_HINT.replace("the batch keeps", "the batches keep") if several else CANCEL_HINT
    return f"The gate was cancelled ({signal_name}) before {what} finished.", hint


def never_read(timeout: float, unread: Sequence[str], every: bool, starting_took: str = "") -> str:
    """Batches never read when `timeout` ran out: unknown, never a timeout that `fail-on-timeout` could pass, and
    no outage either. `every`: none was read (named as "the batch"); `starting_took`: start mode's time to start."""
    several = len(unread) > 1
    if every:
        which = "the batches" if several else "the batch"
    else:
        which = f"batches {', '.join(unread)}" if several else f"batch {unread[0]}"
    taken = f" (starting took {starting_took})" if starting_took else ""
    unknown = "they pass" if several else "it passes"
    return f"`timeout` ({timeout:g} s) ran out before {which} could be read{taken}: whether {unknown} is unknown."


def start_mode_hint(hint: str, started: Sequence[str]) -> str:
    """An API error's hint as start mode must say it: "run the gate with the same `batch-job-id`" (the client's
    JUDGE_LATER) speaks to wait mode, where the user gave the ID."""
    from ..retell.client import JUDGE_LATER

    if JUDGE_LATER not in hint:
        return hint
    if not started:
        later = "No batch was started."
    else:
        later = (
            "The batches this run started keep running in Retell: to judge them later, run only this gate with "
            "`batch-job-id` set to their IDs (the `batch-job-ids` output); a job that starts batches starts (and "
            "bills) more."
        )
    return hint.replace(JUDGE_LATER, later)


def still_running(started: Sequence[str]) -> str:
    """Said whenever a run that started batches ends without judging them: they run on, billed."""
    if not started:
        return ""
    if len(started) == 1:
        return f" The batch this run started, {started[0]}, keeps running in Retell."
    return f" The {len(started)} batches this run started keep running in Retell: {', '.join(started)}."
