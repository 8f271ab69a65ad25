"""The entry point: mask the secrets, run the gate (gate.py), report the outcome, exit with its code.

Every error of a run ends here or in gate.py (the report writers and the comment catch only their own I/O
failures, to report them). Whatever happens (bad input, an API failure, a timeout, a cancel, a bug), the
outputs, the job summary and the report files are written, and the exit code is documented.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import NoReturn, TextIO

from . import __version__, codes
from .errors import Cancelled
from .gate import Gate
from .inputs.raw import SECRET_ENV, env_name
from .judge.hints import BUG_HINT
from .runner.github import Workflow
from .runner.signals import CancelOnSignal


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
    if list(argv) == ["--version"]:  # alone, the gate's own version; with other flags, the version to test
        stream.write(f"retell-gate {__version__}\n")
        return codes.EXIT_PASSED
    started = clock()
    workflow = Workflow(env, stream)
    for name, variable in SECRET_ENV.items():  # the API key and the GitHub token, before anything else
        workflow.mask(env.get(env_name(name), "").strip() or env.get(variable, "").strip())
    gate = Gate(workflow, clock, sleep, started)
    gate.on_started = partial(_comment_running, workflow, env, argv, clock, sleep, gate)
    signals = CancelOnSignal()
    with signals:
        try:
            signals.raise_early()
            result = gate.run(env, argv)
        except Cancelled as cancel:
            result = gate.cancelled(cancel.signal_number)
        signals.hold()  # a second signal must not cut the report short
        try:
            from .runner.publish import report  # loaded when needed: it is not on the way to the first request

            result = report(workflow, result, gate.report_files)
            code = result.exit_code
        except Exception as error:  # the last line of defence: never a traceback, never a green check
            workflow.annotate("error", f"The gate failed to report its result ({type(error).__name__}). {BUG_HINT}")
            code = codes.EXIT_INTERNAL
            why = f"The gate failed to report its result ({type(error).__name__}); it was: {result.result}."
            result = dataclasses.replace(result, result="error", exit_code=code, reason=why, hint=BUG_HINT)
        with contextlib.suppress(Exception):  # the pull-request comment never changes the exit code
            from .runner.pr_comment import comment_outcome

            comment_outcome(workflow, env, argv, result, started, clock, sleep, gate.engine_key)
        return code


def _comment_running(
    workflow: Workflow,
    env: Mapping[str, str],
    argv: Sequence[str],
    clock: Callable[[], float],
    sleep: Callable[[float], None],
    gate: Gate,
    batch_ids: Sequence[str],
    what: str,
) -> None:
    """Start mode, with `comment-on-pr`: the comment says the batches are running, with their IDs."""
    from .runner.pr_comment import GRACE_SECONDS, comment_running, wanted

    asked = wanted(env, argv)
    if asked is not None:
        deadline = clock() + GRACE_SECONDS
        comment_running(workflow, env, asked[0], batch_ids, deadline, clock, sleep, gate.engine_key, what)
