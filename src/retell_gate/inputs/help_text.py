"""What `retell-gate --help` says: a line per input (what its value means), then the exit codes."""

from __future__ import annotations

from .. import codes

# Per input, what a value means (argparse formats these with %, hence %%). Secrets have no flag, so no line.
HELP: dict[str, str] = {
    "batch-job-id": "wait mode: the test_case_batch_job_id to wait for; several, separated by commas, spaces or "
    "newlines, are waited for together and judged on their totals",
    "agent-id": "start mode: start batches for this agent's engine (exactly one of the four mode flags)",
    "llm-id": "start mode: start batches for this Retell LLM",
    "conversation-flow-id": "start mode: start batches for this Conversation Flow",
    "version": "start mode: the version to test; empty: the agent's current one",
    "test-case-definition-ids": "start mode: the definitions to run, by ID; empty: every one of the engine",
    "test-names": "start mode: glob patterns on definition names, one per line, that narrow the selection",
    "dry-run": "resolve the engine and the selection (or check the batch IDs), print them and stop; alone, the "
    "flag means true",
    "max-failures": "most failed test cases allowed: N is a count of test cases, N%% a share of the total",
    "max-errors": "most errored test cases allowed, as N or N%%",
    "min-pass-rate": "lowest pass rate allowed, in percent from 0 to 100; empty: off",
    "allow-empty": "whether a complete batch with no test cases may pass; alone, the flag means true",
    "baseline": "compare with a baseline: batch IDs, or `latest` (the engine's newest complete batch below the "
    "version tested); empty: off",
    "baseline-version": "with `baseline: latest`, the version whose newest complete batch is the baseline",
    "baseline-required": "whether finding no baseline is an error (exit 3) rather than a warning; alone, the flag "
    "means true",
    "max-regressions": "most tests allowed to pass in the baseline and fail now; empty: 0 when a baseline is set",
    "required-tests": "glob patterns on test names or IDs, one per line: tests that must pass whatever the thresholds",
    "quarantine": "glob patterns on test names or IDs, one per line: tests whose results count against nothing",
    "repeats": "start mode: run each test this many times (1 to 10) and judge it per definition",
    "min-passes": "passes a repeated test needs, from 1 to `repeats`; empty: all of them",
    "poll-interval": "seconds between polls while nothing is known (the gate adapts from there)",
    "timeout": "seconds to wait in all",
    "fail-on-timeout": "whether running out of time fails (exit 4); alone, the flag means true",
    "fail-fast": "stop waiting, failed (exit 1), as soon as the batches can no longer pass; alone, the flag means true",
    "base-url": "the API root (plain http:// only to a loopback address)",
    "report-path": "write a JSON report to this file, inside the workspace (GITHUB_WORKSPACE, else the current folder)",
    "junit-path": "write a JUnit XML report to this file, inside the workspace",
    "comment-on-pr": "keep one comment with the result on the pull request (token from GITHUB_TOKEN); "
    "alone, the flag means true",
}
EPILOG = f"""\
Limits: N is a count of test cases (--max-failures 2 allows two failed test cases); N% is a share
of the total, taken exactly (--max-failures 10% allows 1 failure in 11 test cases, not 1.1).

Exit codes:
  {codes.EXIT_PASSED}    passed (also timed out, if it could still pass, with --fail-on-timeout false)
  {codes.EXIT_FAILED}    failed a threshold (also when it can no longer pass as time runs out), or no test cases
  {codes.EXIT_INPUT}    invalid input: before any request, or a selection that cannot run (in wait mode, once complete)
  {codes.EXIT_API}    Retell API error: bad key, unknown batch, malformed answer, retries exhausted
  {codes.EXIT_TIMEOUT}    timed out while the batch was still running
  {codes.EXIT_INTERNAL}    a pass whose reports, outputs or summary could not be written, or a bug
  {codes.EXIT_SIGNAL_BASE + 2}  cancelled by SIGINT (Ctrl-C; also the runner's cancel)
  {codes.EXIT_SIGNAL_BASE + 15}  cancelled by SIGTERM
"""
