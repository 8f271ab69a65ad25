"""Outcomes whose summaries are kept as golden files in tests/golden/<name>.md."""

from __future__ import annotations

import dataclasses

from retell_gate.judge.batches import GatedBatch, unfinished_sentence
from retell_gate.judge.early import early_verdict
from retell_gate.judge.outcome import Outcome, WriteProblem
from retell_gate.judge.verdict import decide, decide_batches
from retell_gate.retell.listing import RunListing
from tests.factories import batch, config, make_run, one, with_listing

HOSTILE = "<img src=x onerror=alert(1)> | ## ![x](http://evil) `code` *bold* @team www.evil.test &amp;\n# heading"


# Each outcome is built as the gate builds it: the verdict from decide() with the runs listed, and
# no hint of its own (the summary computes it), except an API error's, which comes with the error.
def _judged(inputs: dict[str, str], listing: RunListing | None = None, **counts: object) -> Outcome:
    judged = batch(**counts)  # type: ignore[arg-type]
    verdict = decide(judged, config(**inputs), listing)
    result = "passed" if verdict.passed else "failed"
    code = 0 if verdict.passed else 1
    return Outcome(result, verdict.reason, code, one(read=judged, listing=listing), 83.4, verdict, "", verdict.warnings)


CASES: dict[str, Outcome] = {
    "passed": _judged({}, passed=12),
    "passed-one": _judged({}, passed=1),
    "failed": _judged({"max_failures": "10%", "min_pass_rate": "90"}, passed=30, failed=8, errored=2),
    "shares-at-the-edge": _judged(
        {"max_failures": "1", "max_errors": "5%", "min_pass_rate": "94.97"}, passed=189, errored=10, total=199
    ),
    "uncounted": _judged({"max_errors": "1"}, passed=8, total=10),
    "empty": _judged({}, passed=0, total=0),
    "timed-out": Outcome(
        "timed-out",
        "The batch was still running when the timeout (1800 s) ran out. 4 of 10 test cases had finished.",
        4,
        one(read=batch(status="in_progress", passed=4, total=10)),
        1800.2,
    ),
    "input-error": Outcome(
        "error",
        "Input `max-failures` is 'lots': expected a whole number of test cases (e.g. 2).",
        2,
        one(),
        0.01,
    ),
    "api-error": Outcome(
        "error",
        f"Retell refused the request: HTTP 404: {HOSTILE}",
        3,
        one(),
        2.0,
        hint="Check `batch-job-id`, and that the `api-key` belongs to the workspace that ran the batch.",
    ),
    "cancelled": Outcome(
        "cancelled",
        "The gate was cancelled (SIGTERM) before the batch finished.",
        143,
        one(read=batch(status="in_progress", passed=1, failed=1, total=10)),
        3725.0,
    ),
    "hostile-engine": Outcome(
        "error",
        "Retell's answer for batch batch_1 is malformed.",
        3,
        one(read=batch(status=HOSTILE, response_engine={"type": HOSTILE, "conversation_flow_id": HOSTILE})),
        1.0,
        warnings=(f"Retell reports a batch status this gate does not know: {HOSTILE!r}",),
    ),
    "conversation-flow": Outcome(
        "passed",
        "All 3 test cases passed.",
        0,
        one(
            "batch_cf",
            batch(
                passed=3,
                batch_id="batch_cf",
                response_engine={"type": "conversation-flow", "conversation_flow_id": "cf_123", "version": None},
            ),
        ),
        45.0,
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


def _with_runs(listing: RunListing, inputs: dict[str, str], **counts: object) -> Outcome:
    return dataclasses.replace(_judged(inputs, listing, **counts), reports=(("report-path", "out/retell.json"),))


FAILED_INPUTS = {"max_failures": "10%", "min_pass_rate": "90"}
FAILED_COUNTS = {"passed": 30, "failed": 8, "errored": 2}
UNAVAILABLE = RunListing((), "Retell refused the request: HTTP 500: <b>down</b>.")
TIMED_OUT_RUNS = _runs(
    ("pass", "Done one", None),
    ("fail", "Broke one", "Wrong answer."),
    ("in_progress", "Still going", None),
    ("pending", "Not started", None),
)

CASES |= {
    "failed-with-runs": _with_runs(RUN_LISTING, {"max_failures": "1"}, passed=2, failed=3, errored=1),
    "hostile-runs": _with_runs(HOSTILE_LISTING, {}, passed=1, failed=1, errored=1, total=4),
    "runs-unavailable": _judged(FAILED_INPUTS, UNAVAILABLE, **FAILED_COUNTS),
    "runs-partial": _judged(
        FAILED_INPUTS,
        RunListing(RUN_LISTING.runs[:3], "Retell's pagination of the test runs repeated itself"),
        **FAILED_COUNTS,
    ),
    "runs-short": _judged({}, _runs(("pass", "Listed one", None), ("pass", "Listed two", None)), passed=10),
    "uncounted-with-runs": _judged(
        {},
        _runs(*[("pass", f"Passed {i}", None) for i in range(8)], ("in_progress", "Never ended", None)),
        passed=8,
        total=9,
    ),
    "timed-out-with-runs": with_listing(CASES["timed-out"], TIMED_OUT_RUNS),
    "timed-out-unlisted": with_listing(CASES["timed-out"], UNAVAILABLE),
    "report-not-written": dataclasses.replace(
        _with_runs(RUN_LISTING, {"max_failures": "1"}, passed=2, failed=3, errored=1),
        reports=(("junit-path", "retell/junit.xml"),),
        write_problems=(WriteProblem("report-path", "out/retell.json", "{} is a file, not a folder", "out"),),
    ),
}


# Several batches, judged together as the gate judges them.
def _several(inputs: dict[str, str], *batches: GatedBatch) -> Outcome:
    verdict = decide_batches(batches, config(**inputs))
    result, code = ("passed", 0) if verdict.passed else ("failed", 1)
    return Outcome(result, verdict.reason, code, batches, 125.0, verdict, "", verdict.warnings)


def _gated(batch_id: str, listing: RunListing | None, **counts: object) -> GatedBatch:
    return GatedBatch(batch_id, batch(batch_id=batch_id, **counts), listing)  # type: ignore[arg-type]


def _timed_out(*batches: GatedBatch) -> Outcome:
    reason = unfinished_sentence(batches, "when the timeout (600 s) ran out")
    return Outcome("timed-out", reason, 4, batches, 600.0)


OTHER_ENGINE = {"type": "conversation-flow", "conversation_flow_id": "cf_support", "version": 7}
CASES |= {
    # 2 failures in one batch and 1 in another: each within `max-failures: 2`, the total is not.
    "several-failed": _several(
        {"max_failures": "2", "max_errors": "5%"},
        _gated(
            "batch_booking",
            _runs(("fail", "Moves a booking", "Wrong day."), ("fail", "Cancels", None), ("pass", "Books", None)),
            passed=1,
            failed=2,
        ),
        _gated(
            "batch_support",
            _runs(("fail", "Moves a booking", "Never asked."), ("pass", "Greets", None)),
            passed=1,
            failed=1,
        ),
        _gated(
            "batch_flow",
            RunListing((), "Retell refused the request: HTTP 500: down."),
            passed=20,
            response_engine=OTHER_ENGINE,
        ),
    ),
    # Time ran out with one batch complete, one running and one never read.
    "several-timed-out": _timed_out(
        _gated("batch_a", _runs(("pass", "Done", None)), passed=10),
        _gated(
            "batch_b",
            _runs(("in_progress", "Going", None), ("fail", "Broke", "No.")),
            status="in_progress",
            passed=1,
            failed=1,
            total=20,
        ),
        GatedBatch("batch_c"),
    ),
}


def _failed_fast(listing: RunListing) -> Outcome:
    """`fail-fast` stopped the wait: 3 failures of 6 against `max-failures: 2`, 2 test cases still running."""
    running = batch(status="in_progress", passed=1, failed=3, total=6)
    verdict = early_verdict([("batch_1", running)], config(max_failures="2", min_pass_rate="50"))
    assert verdict is not None
    return Outcome("failed", verdict.reason, 1, one(read=running, listing=listing), 42.0, verdict)


CASES |= {
    "failed-fast": _failed_fast(
        _runs(
            ("fail", "Moves a booking", "Wrong day."),
            ("fail", "Cancels", "Never asked."),
            ("fail", "Spells the code", None),
            ("pass", "Books", None),
            ("in_progress", "Transfers", None),
            ("pending", "Ends the call", None),
        )
    ),
    "failed-fast-unlisted": _failed_fast(UNAVAILABLE),
}


def _against_baseline(baseline_runs: RunListing, listing: RunListing, inputs: dict[str, str]) -> Outcome:
    """Judged test by test against a named baseline (base_1), as the gate does with `baseline`."""
    from retell_gate.judge.combined import decide_per_definition
    from retell_gate.judge.outcome import BaselineUsed

    judged = batch(passed=3, failed=3, total=6)
    renamed = {"Refuses <script> | tables": "tcd_new"}  # not in the baseline
    runs = tuple(
        run.model_copy(update={"test_case_definition_id": renamed[run.name]}) if run.name in renamed else run
        for run in listing.runs
    )
    gated = one(read=judged, listing=RunListing(runs))
    verdict, assessment = decide_per_definition(gated, config(**inputs), baseline_runs.runs)
    used = BaselineUsed(("base_1",), "retell-llm llm_abc version 1", found=False)
    result, code = ("passed", 0) if verdict.passed else ("failed", 1)
    return Outcome(
        result, verdict.reason, code, gated, 61.0, verdict, "", verdict.warnings, assessment=assessment, baseline=used
    )


CASES |= {
    "regressions": _against_baseline(
        _runs(
            ("pass", "Books a table for two", None),
            ("fail", "Moves a booking to Friday", "Wrong day."),
            ("fail", "Cancels politely", "Never asked."),
            ("pass", "Old menu (removed)", None),  # tcd_3 here: dropped since
            ("fail", "Spells the code", "Spelled it wrong."),
            ("pass", "Ends the call when asked", None),
        ),
        _runs(
            ("fail", "Books a table for two", MULTILINE),
            ("pass", "Moves a booking to Friday", None),
            ("fail", "Cancels politely", "Still never asks."),
            ("pass", "Refuses <script> | tables", None),  # a definition the baseline did not have
            ("fail", "Spells the code", "Spelled it wrong again."),
            ("pass", "Ends the call when asked", None),
        ),
        {"baseline": "base_1", "max_failures": "3", "quarantine": "Spells*"},
    ),
}
