"""What to check next, computed from the outcome, so that it names only what the reader has in
front of them (pure, no I/O). Never "re-run the job": with the usual workflow that starts, and
bills, a second batch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import codes

if TYPE_CHECKING:
    from .outcome import Outcome

BUG_HINT = "This is a bug in the gate; please report it with the log of this step."
INPUT_HINT = "Fix the input named above in the workflow's `with:` block; no request was made to Retell."
API_HINT = "Check the inputs and Retell's answer described above; if it looks like an outage, see Retell's status page."
TIMEOUT_HINT = "Raise `timeout` if the batch needs longer, or check in Retell's dashboard whether it is stuck."
CANCEL_HINT = "The workflow was cancelled or hit its time limit; the batch keeps running in Retell."
TABLE_HINT = "Read each failed test case's explanation above, or open the batch in Retell's dashboard."
UNFINISHED_HINT = (
    "The test cases that never finished are listed above; open the batch in Retell's dashboard to see why."
)
DASHBOARD_HINT = "Open the batch in Retell's dashboard to see which test cases failed or did not finish, and why."
EMPTY_HINT = (
    "Check the test case definitions the batch was started with, or set `allow-empty: true` "
    "if an empty batch is expected."
)
STOPPED_HINT = (
    "`fail-fast` stopped the wait before the batch was complete, and it keeps running in Retell: open it in "
    "Retell's dashboard to see which test cases failed, and the final results."
)
REQUIRED_HINT = (
    "Check `required-tests`: each pattern must match the name or ID of a test that ran (a pattern that matches "
    "none fails the check), and every test it matches must pass."
)
ERROR_HINTS = {codes.EXIT_INPUT: INPUT_HINT, codes.EXIT_API: API_HINT}


def hint_for(outcome: Outcome) -> str:
    """The "What to check" advice for this outcome; empty when there is nothing to check."""
    if outcome.result in ("passed", "dry-run"):
        return ""
    if outcome.result == "failed":
        return outcome.hint or _failed(outcome)
    if outcome.result == "timed-out":
        return TIMEOUT_HINT
    if outcome.result == "cancelled":
        return outcome.hint or CANCEL_HINT
    return outcome.hint or ERROR_HINTS.get(outcome.exit_code, BUG_HINT)


def _failed(outcome: Outcome) -> str:
    counts = outcome.counts
    if counts is not None and counts.total == 0:
        return EMPTY_HINT
    if outcome.failing:
        return TABLE_HINT  # the summary's table of failed and errored test cases is there
    if not all(gated.complete for gated in outcome.batches):  # `fail-fast` stopped a running batch
        return STOPPED_HINT
    if any(run.outcome == "not-finished" for _, run in outcome.runs):
        return UNFINISHED_HINT
    failed = {check.input for check in outcome.verdict.checks if not check.ok} if outcome.verdict else set()
    if failed == {"required-tests"}:  # every test passed, but a required pattern matched none of them
        return REQUIRED_HINT
    return DASHBOARD_HINT
