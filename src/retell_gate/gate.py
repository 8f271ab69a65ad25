"""One run of the gate: start the batches (start mode) or take their IDs (wait mode), wait for
them in one loop, list their test runs and judge them together.

Gate fills a RunRecord (record.py) with what is known so far (the batches started, each batch's last
reading, the runs listed), so that every way out, an error, a timeout or a cancel included, reports all of it.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from . import codes
from .errors import ApiError, InputError
from .inputs.config import Config, load_config, report_files
from .inputs.raw import raw_values
from .inputs.target import WAIT_INPUT, StartFor, split_ids, start_key
from .judge import endings
from .record import RunRecord
from .retell.listing import RunListing
from .runner.github import Workflow
from .wait.outage import stamp
from .wait.waiter import LAST_POLL_MARGIN, Progress, Waiter

if TYPE_CHECKING:
    from .baseline_step import BaselineStep
    from .judge.outcome import Outcome
    from .judge.verdict import Verdict
    from .launch import StartPlan
    from .retell.client import RetellClient
    from .retell.models import BatchTest

# Polling stops this share of `timeout` early (at most LISTING_RESERVE_MAX seconds), so that the
# test runs can still be listed within `timeout` when the batch is slow.
LISTING_RESERVE_SHARE = 0.1
LISTING_RESERVE_MAX = 30.0


class Gate:
    """One run: the steps in order, each adding to the record every way out reports from."""

    def __init__(self, workflow: Workflow, clock: Callable[[], float], sleep: Callable[[float], None], started: float):
        self._workflow = workflow
        self._clock = clock
        self._sleep = sleep
        self._started = started
        self._record = RunRecord(clock, started)
        self.report_files: dict[str, str] = {}
        self.on_started: Callable[[Sequence[str], str], None] | None = None
        """Called once the batches are started, with their IDs and what they test (the PR comment)."""

    @property
    def engine_key(self) -> str:
        """Start mode: which engine the inputs name (`agent-id=agent_1`), so each keeps its own PR comment."""
        return self._record.engine_key

    def run(self, env: Mapping[str, str], argv: Sequence[str]) -> Outcome:
        with contextlib.suppress(InputError):  # load_config below reports it
            values = raw_values(env, argv)
            self._record.engine_key = start_key(values)
            self._record.batch_job_ids = tuple(split_ids(values[WAIT_INPUT]))
            self.report_files = report_files(values)  # so that an input error is reported in them too
        try:
            config = load_config(env, argv)
            self.report_files = {"report-path": config.report_path, "junit-path": config.junit_path}
            if isinstance(config.target, StartFor):
                return self._start_and_decide(config, config.target)
            if config.dry_run:
                return self._check_batches(config)
            return self._wait_and_decide(config, config.batch_job_ids)
        except InputError as error:
            return self._record.ended("error", error.message, codes.EXIT_INPUT, error.hint)
        except ApiError as error:
            return self._record.ended("error", error.message, codes.EXIT_API, error.hint)
        except Exception as error:  # the one catch-all: a bug must still end in a report, not a traceback
            reason = f"The gate stopped on an unexpected {type(error).__name__}."
            return self._record.ended("error", reason, codes.EXIT_INTERNAL)

    def cancelled(self, signal_number: int) -> Outcome:
        name = signal.Signals(signal_number).name
        record = self._record
        several = len(record.batch_job_ids) > 1
        reason, hint = endings.cancelled(name, several, record.starting(), record.all_complete())
        return record.ended("cancelled", reason, codes.EXIT_SIGNAL_BASE + signal_number, hint)

    def _client(self, config: Config) -> RetellClient:
        from .retell.client import RetellClient  # imported here so bad input is reported without loading requests

        return RetellClient(config.base_url, config.api_key.reveal(), self._clock, self._sleep)

    def _start_and_decide(self, config: Config, target: StartFor) -> Outcome:
        """Start mode: plan (nothing started yet), start the batches one after the other, then wait."""
        from .launch import Starter

        client = self._client(config)
        record = self._record
        record.batch_job_ids = ()
        starter = record.starter = Starter(client, self._started + config.timeout, self._clock, self._sleep, self._warn)
        plan = record.plan = starter.plan(
            target, config.repeats, config.required_tests, config.quarantine, config.allow_empty
        )
        self._workflow.log_untrusted(f"Plan: {plan.describe()}.")  # it names the agent, as Retell does
        if config.dry_run:
            return self._dry_run(plan)
        self._baseline_step(config, client).read_named()  # a typo in `baseline` stops the run before it starts
        try:
            starter.start(plan)
        finally:  # whatever stops the starting (an error, a cancel), what was started is reported
            record.batch_job_ids = starter.started_ids
        started = record.batch_job_ids
        self._workflow.log_untrusted(f"Started {len(started)} batch(es): {', '.join(started)}.")
        if self.on_started is not None:
            self.on_started(started, plan.engine.label())
        return self._wait_and_decide(config, started, client)

    def _dry_run(self, plan: StartPlan) -> Outcome:
        names = tuple(definition.name for definition in plan.definitions)
        reason = f"Dry run: the gate would start {plan.describe()}; nothing was started.{plan.unchecked()}"
        return self._record.ended("dry-run", reason, codes.EXIT_PASSED, planned=names)

    def _check_batches(self, config: Config) -> Outcome:
        """Wait mode's dry run: the key and each batch ID are accepted (each batch read once)."""
        client = self._client(config)
        deadline = self._started + config.timeout
        self._record.batch_job_ids = config.batch_job_ids
        readings = {
            batch_job_id: self._read_once(client, batch_job_id, deadline) for batch_job_id in config.batch_job_ids
        }
        self._record.dry_readings = readings
        count = len(readings)
        which = "the batch ID" if count == 1 else f"each of the {count} batch IDs"
        reason = f"Dry run: Retell accepts the API key and {which}; nothing was waited for."
        return self._record.ended("dry-run", reason, codes.EXIT_PASSED)

    def _read_once(self, client: RetellClient, batch_job_id: str, deadline: float) -> BatchTest:
        try:
            return client.get_batch(batch_job_id, deadline)
        except ApiError as error:  # with several, say which batch, as the wait does
            from .judge.batches import named

            raise ApiError(
                named(batch_job_id, error.message, len(self._record.batch_job_ids) > 1), error.hint
            ) from None

    def _wait_and_decide(
        self, config: Config, batch_job_ids: Sequence[str], client: RetellClient | None = None
    ) -> Outcome:
        """Wait for the batches in one loop, list their test runs, and judge them together."""
        self._record.batch_job_ids = tuple(batch_job_ids)
        client = client or self._client(config)
        waiter = self._record.waiter = Waiter(client, self._clock, self._sleep, self._progress, self._warn, self._note)
        deadline = self._started + config.timeout
        self._baseline_step(config, client).read_named()
        polling_deadline = deadline - min(LISTING_RESERVE_MAX, config.timeout * LISTING_RESERVE_SHARE)
        if polling_deadline - self._clock() <= LAST_POLL_MARGIN:  # e.g. a create that hung for the whole timeout
            took = stamp(self._clock() - self._started) if self._record.starter is not None else ""
            unread = endings.never_read(config.timeout, batch_job_ids, every=True, starting_took=took)
            raise ApiError(unread, endings.NO_TIME_HINT)
        stop = self._cannot_pass(config) if config.fail_fast else None
        ended = waiter.wait(self._record.batch_job_ids, config.poll_interval, self._started, polling_deadline, stop)
        self._record.listings = {
            batch_job_id: self._list_runs(client, batch_job_id, deadline) for batch_job_id in batch_job_ids
        }
        starter = self._record.starter
        if starter is not None and (mismatch := starter.not_as_asked(waiter.readings, self._record.listings)):
            raise ApiError(mismatch, endings.NOT_AS_ASKED_HINT)
        if ended == "deadline":
            return self._timed_out(config)
        if ended == "stopped":
            return self._stopped_early(config)
        verdict = self._decide(config)
        if verdict.passed:
            return self._record.ended("passed", verdict.reason, codes.EXIT_PASSED, verdict=verdict)
        return self._record.ended("failed", verdict.reason, codes.EXIT_FAILED, verdict=verdict)

    def _baseline_step(self, config: Config, client: RetellClient) -> BaselineStep:
        from .baseline_step import BaselineStep

        if self._record.baseline is None:
            self._record.baseline = BaselineStep(client, config, self._started + config.timeout)
        return self._record.baseline

    def _decide(self, config: Config) -> Verdict:
        """Judge the complete batches: on their counts, or test by test (baseline_step.judge)."""
        from .judge.verdict import decide_batches

        record = self._record
        if not config.per_definition or record.baseline is None:
            return decide_batches(record.gated(), config)
        planned = record.plan.engine if record.plan is not None else None
        verdict, record.assessment = record.baseline.judge(record.gated(), planned, record.batch_job_ids)
        return verdict

    def _cannot_pass(self, config: Config) -> Callable[[Mapping[str, BatchTest]], bool]:
        """`fail-fast`: whether the batches as last read can no longer pass."""
        from .judge.early import early_verdict

        return lambda readings: early_verdict(self._record.in_order(readings), config) is not None

    def _stopped_early(self, config: Config) -> Outcome:
        from .judge.early import early_verdict

        verdict = early_verdict(self._record.readings(), config)
        if verdict is None:
            raise AssertionError("fail-fast stopped on batches that could still pass")
        return self._record.ended("failed", verdict.reason, codes.EXIT_FAILED, verdict=verdict)

    def _list_runs(self, client: RetellClient, batch_job_id: str, deadline: float) -> RunListing:
        try:
            return client.list_test_runs(batch_job_id, deadline)
        except ApiError as error:
            return RunListing((), error.message)

    def _timed_out(self, config: Config) -> Outcome:
        """Fail closed: a batch never read is unknown (exit 3), and one that can no longer pass has failed, even
        with `fail-on-timeout: false`; only batches that could still pass end as a timeout."""
        from .judge.early import early_verdict

        never = [batch_job_id for batch_job_id, batch in self._record.readings() if batch is None]
        if never:
            raise ApiError(endings.never_read(config.timeout, never, every=False), endings.NO_TIME_HINT)
        ran_out = f"`timeout` ({config.timeout:g} s) ran out"
        failing = early_verdict(self._record.readings(), config, stopped=ran_out, listed=self._record.listed())
        if failing is not None:
            hint = endings.TIMED_OUT_FAILING_HINT
            return self._record.ended("failed", failing.reason, codes.EXIT_FAILED, hint, verdict=failing)

        reason = self._record.unfinished(f"when the timeout ({config.timeout:g} s) ran out")
        code = codes.EXIT_TIMEOUT if config.fail_on_timeout else codes.EXIT_PASSED
        return self._record.ended("timed-out", reason, code)

    def _progress(self, progress: Progress) -> None:
        batch = progress.batch
        which = f"{batch.test_case_batch_job_id}: " if len(self._record.batch_job_ids) > 1 else ""
        finished = f"{batch.finished_count}/{batch.total_count} finished"
        log = self._workflow.log_untrusted if which else self._workflow.log  # the ID is as Retell read it
        log(
            f"[{stamp(progress.elapsed):>7}] {which}{batch.state}: {finished}, "
            f"{batch.pass_count} passed, {batch.fail_count} failed, {batch.error_count} errored"
        )

    def _note(self, elapsed: float, text: str) -> None:
        # An outage note quotes Retell's error message: logged with workflow commands paused.
        self._workflow.log_untrusted(f"[{stamp(elapsed):>7}] {text}")

    def _warn(self, message: str) -> None:
        self._workflow.annotate("warning", message, title=codes.ANNOTATION_TITLE)
