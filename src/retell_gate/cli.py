"""The entry point: read the inputs, run the gate, report the outcome, exit with its code.

This is the only place errors are caught. Whatever happens (bad input, an API failure, a timeout,
a cancel, a bug), the outputs and the job summary are written and the exit code is documented.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from types import FrameType
from typing import NoReturn, TextIO

from . import outcome as codes
from .config import API_KEY_ENV, Config, env_name, load_config, raw_values
from .errors import ApiError, Cancelled, InputError
from .github import Workflow
from .models import BatchTest
from .outcome import Outcome, outputs
from .summary import render
from .verdict import Verdict, decide
from .waiter import Progress, Waiter

ANNOTATION_TITLE = "Retell batch test"
BUG_HINT = "This is a bug in the gate; please report it with the log of this step."
INPUT_HINT = "Fix the input named above in the workflow's `with:` block; no request was made to Retell."


def main() -> NoReturn:
    sys.exit(run(sys.argv[1:], os.environ, sys.stdout))


def run(
    argv: Sequence[str],
    env: Mapping[str, str],
    stream: TextIO,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Run the gate once and return its exit code."""
    started = clock()
    workflow = Workflow(env, stream)
    workflow.mask(env.get(env_name("api-key"), "").strip() or env.get(API_KEY_ENV, "").strip())
    gate = Gate(workflow, clock, sleep, started)
    signals = _CancelOnSignal()
    with signals:
        try:
            result = gate.run(env, argv)
        except Cancelled as cancel:
            result = gate.cancelled(cancel.signal_number)
        signals.hold()  # a second signal must not cut the report short
        return report(workflow, result)


class Gate:
    """One run: keeps what is known so far, so that every way out can report it."""

    def __init__(self, workflow: Workflow, clock: Callable[[], float], sleep: Callable[[float], None], started: float):
        self._workflow = workflow
        self._clock = clock
        self._sleep = sleep
        self._started = started
        self._batch_job_id = ""
        self._waiter: Waiter | None = None

    @property
    def last_batch(self) -> BatchTest | None:
        return self._waiter.last if self._waiter else None

    def run(self, env: Mapping[str, str], argv: Sequence[str]) -> Outcome:
        with contextlib.suppress(InputError):  # load_config below reports it
            self._batch_job_id = raw_values(env, argv)["batch-job-id"]
        try:
            config = load_config(env, argv)
            return self._wait_and_decide(config)
        except InputError as error:
            return self._ended("error", error.message, codes.EXIT_INPUT, INPUT_HINT)
        except ApiError as error:
            return self._ended("error", error.message, codes.EXIT_API, error.hint)
        except Exception as error:  # the one catch-all: a bug must still end in a report, not a traceback
            return self._ended(
                "error", f"The gate stopped on an unexpected {type(error).__name__}.", codes.EXIT_INTERNAL, BUG_HINT
            )

    def cancelled(self, signal_number: int) -> Outcome:
        name = signal.Signals(signal_number).name
        reason = f"The gate was cancelled ({name}) before the batch finished."
        hint = "The workflow was cancelled or hit its time limit; the batch keeps running in Retell."
        return self._ended("cancelled", reason, codes.EXIT_SIGNAL_BASE + signal_number, hint)

    def _wait_and_decide(self, config: Config) -> Outcome:
        from .client import RetellClient  # imported here so bad input is reported without loading requests

        client = RetellClient(config.base_url, config.api_key.get_secret_value(), self._clock, self._sleep)
        self._waiter = Waiter(client, self._clock, self._sleep, self._progress, self._warn)
        deadline = self._started + config.timeout
        if not self._waiter.wait(config.batch_job_id, config.poll_interval, self._started, deadline):
            return self._timed_out(config)
        batch = self._waiter.last
        if batch is None:
            raise AssertionError("a complete batch was read")
        verdict = decide(batch, config)
        if verdict.passed:
            return self._ended("passed", verdict.reason, codes.EXIT_PASSED, "", verdict)
        hint = "Open the batch in Retell's dashboard to read each failed test case."
        return self._ended("failed", verdict.reason, codes.EXIT_FAILED, hint, verdict)

    def _timed_out(self, config: Config) -> Outcome:
        batch = self.last_batch
        done = f" {batch.finished_count} of {batch.total_count} test cases had finished." if batch else ""
        reason = f"The batch was still running when the timeout ({config.timeout:g} s) ran out.{done}"
        hint = "Raise `timeout` if the batch needs longer, or check in Retell's dashboard whether it is stuck."
        code = codes.EXIT_TIMEOUT if config.fail_on_timeout else codes.EXIT_PASSED
        return self._ended("timed-out", reason, code, hint)

    def _ended(
        self, result: codes.Result, reason: str, code: int, hint: str, verdict: Verdict | None = None
    ) -> Outcome:
        return Outcome(
            result=result,
            reason=reason,
            exit_code=code,
            batch_job_id=self._batch_job_id,
            elapsed=self._clock() - self._started,
            batch=self.last_batch,
            verdict=verdict,
            hint=hint,
            warnings=verdict.warnings if verdict else (),
        )

    def _progress(self, progress: Progress) -> None:
        batch = progress.batch
        minutes, seconds = divmod(round(progress.elapsed), 60)
        self._workflow.log(
            f"[{minutes:>3}m{seconds:02}s] {batch.state}: {batch.finished_count}/{batch.total_count} finished, "
            f"{batch.pass_count} passed, {batch.fail_count} failed, {batch.error_count} errored"
        )

    def _warn(self, message: str) -> None:
        self._workflow.annotate("warning", message, title=ANNOTATION_TITLE)


def report(workflow: Workflow, result: Outcome) -> int:
    """Annotations, outputs and summary, written on every path; returns the exit code to use."""
    for warning in result.warnings:
        workflow.annotate("warning", warning, title=ANNOTATION_TITLE)
    workflow.annotate(_annotation_level(result), _annotation_text(result), title=ANNOTATION_TITLE)
    try:
        workflow.set_outputs(outputs(result))
        workflow.append_summary(render(result))
    except OSError as error:
        # Fail closed: a pass whose outputs or summary are lost must not show as a green check.
        workflow.annotate("error", f"Could not write the step outputs or job summary: {error.strerror}.")
        return result.exit_code or codes.EXIT_INTERNAL
    return result.exit_code


def _annotation_level(result: Outcome) -> str:
    if result.result == "passed":
        return "notice"
    return "warning" if result.exit_code == 0 else "error"


def _annotation_text(result: Outcome) -> str:
    counts = result.counts
    if result.result != "passed" or counts is None:
        return result.reason
    return (
        f"{result.reason} Passed {counts.passed}, failed {counts.failed}, errored {counts.errored} of {counts.total}."
    )


class _CancelOnSignal:
    """SIGTERM (the runner's cancel) and SIGINT raise Cancelled once; later signals wait for the report."""

    def __init__(self) -> None:
        self._holding = False
        self._previous: dict[int, object] = {}

    def __enter__(self) -> _CancelOnSignal:
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
