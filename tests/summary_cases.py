"""Outcomes whose summaries are kept as golden files in tests/golden/<name>.md."""

from __future__ import annotations

import dataclasses

from retell_gate.judge.outcome import Outcome
from retell_gate.judge.verdict import decide
from retell_gate.retell.listing import RunListing
from tests.factories import batch, config, make_run

HOSTILE = "<img src=x onerror=alert(1)> | ## ![x](http://evil) `code` *bold* @team www.evil.test &amp;\n# heading"


def _judged(name: str, inputs: dict[str, str], code: int, **counts: object) -> Outcome:
    judged = batch(**counts)  # type: ignore[arg-type]
    verdict = decide(judged, config(**inputs))
    result = "passed" if verdict.passed else "failed"
    return Outcome(
        result,
        verdict.reason,
        code,
        "batch_1",
        83.4,
        judged,
        verdict,
        "" if verdict.passed else "Open the batch in Retell's dashboard to read each failed test case.",
        verdict.warnings,
    )


CASES: dict[str, Outcome] = {
    "passed": _judged("passed", {}, 0, passed=12),
    "failed": _judged("failed", {"max_failures": "10%", "min_pass_rate": "90"}, 1, passed=30, failed=8, errored=2),
    "uncounted": _judged("uncounted", {"max_errors": "1"}, 1, passed=8, total=10),
    "empty": _judged("empty", {}, 1, passed=0, total=0),
    "timed-out": Outcome(
        "timed-out",
        "The batch was still running when the timeout (1800 s) ran out. 4 of 10 test cases had finished.",
        4,
        "batch_1",
        1800.2,
        batch(status="in_progress", passed=4, total=10),
        hint="Raise `timeout` if the batch needs longer, or check in Retell's dashboard whether it is stuck.",
    ),
    "input-error": Outcome(
        "error",
        "Input `max-failures` is 'lots': expected a whole number of test cases (e.g. 2).",
        2,
        "batch_1",
        0.01,
        hint="Fix the input named above in the workflow's `with:` block; no request was made to Retell.",
    ),
    "api-error": Outcome(
        "error",
        f"Retell refused the request: HTTP 404: {HOSTILE}",
        3,
        "batch_1",
        2.0,
        hint="Check `batch-job-id`, and that the `api-key` belongs to the workspace that ran the batch.",
    ),
    "cancelled": Outcome(
        "cancelled",
        "The gate was cancelled (SIGTERM) before the batch finished.",
        143,
        "batch_1",
        3725.0,
        batch(status="in_progress", passed=1, failed=1, total=10),
        hint="The workflow was cancelled or hit its time limit; the batch keeps running in Retell.",
    ),
    "hostile-engine": Outcome(
        "error",
        "Retell's answer for batch batch_1 is malformed.",
        3,
        "batch_1",
        1.0,
        batch(status=HOSTILE, response_engine={"type": HOSTILE, "conversation_flow_id": HOSTILE, "version": None}),
        warnings=(f"Retell reports a batch status this gate does not know: {HOSTILE!r}",),
    ),
    "conversation-flow": Outcome(
        "passed",
        "All 3 test cases passed.",
        0,
        "batch_cf",
        45.0,
        batch(
            passed=3,
            batch_id="batch_cf",
            response_engine={"type": "conversation-flow", "conversation_flow_id": "cf_123", "version": None},
        ),
    ),
}


def _runs(*specs: tuple[str, str, str | None]) -> RunListing:
    return RunListing(
        tuple(make_run(i, status, name, explanation) for i, (status, name, explanation) in enumerate(specs))
    )


MULTILINE = "The agent never confirmed the booking.\nExpected: it reads back date and time.\nActual: it hung up."
RUN_LISTING = _runs(
    ("pass", "Books a table for two", "The agent met every metric."),
    ("fail", "Moves a booking to Friday", MULTILINE),
    ("error", "Answers opening hours", "The simulated call could not be completed."),
    ("fail", "Cancels politely", "x" * 150),
    ("pass", "Ends the call when asked", None),
    ("fail", "Spells the code", None),
)
HOSTILE_LISTING = _runs(
    ("fail", "<img src=x onerror=alert(1)>", "</details></td></tr></table><script>alert(1)</script>\n| x | y |"),
    ("error", "| ## ![x](http://evil.test) [a](javascript:alert(1))", "::error::forged\n# Heading\n- item"),
    ("pass", "`code` *bold* @everyone www.evil.test $x$", "fine"),
    ("in_progress", "<details open>", None),
)


def _with_runs(name: str, listing: RunListing, inputs: dict[str, str], **counts: object) -> Outcome:
    base = _judged(name, inputs, 1, **counts)
    return dataclasses.replace(base, listing=listing, reports=(("report-path", "out/retell.json"),))


CASES |= {
    "failed-with-runs": _with_runs(
        "failed-with-runs", RUN_LISTING, {"max_failures": "1"}, passed=2, failed=3, errored=1
    ),
    "hostile-runs": _with_runs("hostile-runs", HOSTILE_LISTING, {}, passed=1, failed=1, errored=1, total=4),
    "runs-unavailable": dataclasses.replace(
        CASES["failed"], listing=RunListing((), "Retell refused the request: HTTP 500: <b>down</b>.")
    ),
    "runs-partial": dataclasses.replace(
        CASES["failed"],
        listing=RunListing(RUN_LISTING.runs[:3], "Retell's pagination of the test runs repeated itself"),
    ),
    "timed-out-with-runs": dataclasses.replace(
        CASES["timed-out"],
        listing=_runs(
            ("pass", "Done one", None),
            ("fail", "Broke one", "Wrong answer."),
            ("in_progress", "Still going", None),
            ("pending", "Not started", None),
        ),
    ),
}
