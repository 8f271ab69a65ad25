"""Tests whose verdict is already final while their batches still run, read from the runs listed so far.

A failed or errored run never turns into a pass. So once a test has failed more of its runs than its
`min-passes` can spare (with no `min-passes`, any one: every run must pass), it has failed for good:
if it is a required test, `required-tests` has failed; if it passed in the baseline, it has regressed,
and more regressions than `max-regressions` allows have failed that check. When the thresholds count
tests (with `repeats` or `quarantine`), more tests failed for good than a `max-failures` count allows
fail it too (a share waits for the end: the total it is of may yet fall back to the batches' counts).
Nothing else is decided here: a test not listed yet, or still running, may pass. Quarantined tests
count against nothing.

With `min-passes`, how many runs a test gets must be known: `repeats` in start mode (`runs_each`); in
wait mode two batches may hold the same test, so only the "every run passes" rule is used. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..inputs.judging import counted_per_test
from .compare import compare
from .definitions import DefinitionResult, judge_definitions
from .selection import REQUIRED_INPUT, matching
from .verdict import Check
from .wording import first_few, quoted

if TYPE_CHECKING:
    from ..inputs.config import Config
    from ..retell.models import TestRun


@dataclass(frozen=True)
class Final:
    """The checks no later run can turn (each failing), and the tests found regressed for good."""

    checks: tuple[Check, ...] = ()
    regressed: frozenset[str] = frozenset()


def final_failures(
    runs: Sequence[TestRun], config: Config, baseline_runs: Sequence[TestRun] | None, runs_each: int | None
) -> Final:
    """The failing `required-tests`, `max-regressions` and (per test) `max-failures` checks no later run can turn."""
    if config.min_passes is not None and runs_each is None:
        return Final()
    current = judge_definitions(runs)
    lost = [
        result
        for result in current
        if _lost(result, config.min_passes, runs_each)
        and not matching(config.quarantine, result.definition_id, result.name)
    ]
    checks = _failed_tests(lost, config)
    required = [r for r in lost if matching(config.required_tests, r.definition_id, r.name)]
    if required:
        named = first_few([f"{quoted(r.name)} {r.status}" for r in required])
        failure = f"required tests did not pass: {named}"
        checks.append(Check("Required tests", REQUIRED_INPUT, "all pass", f"{len(required)} failed", False, failure))
    regressed_ids: frozenset[str] = frozenset()
    if baseline_runs is not None:
        before = judge_definitions(baseline_runs, config.min_passes, capped=True)
        lost_ids = {result.definition_id for result in lost}
        # Paired as the final comparison pairs them (compare.py: by ID, else by a name unique to both sides).
        regressed = [e.current for e in compare(current, before).regressed if e.definition_id in lost_ids and e.current]
        regressed_ids = frozenset(result.definition_id for result in regressed)
        limit = config.max_regressions or 0
        if len(regressed) > limit:
            noun = "test" if len(regressed) == 1 else "tests"
            names = first_few([quoted(r.name) for r in regressed])
            failure = f"{len(regressed)} {noun} regressed since the baseline ({names}), more than the {limit} allowed"
            actual = f"at least {len(regressed)}"  # more may regress before the batches end
            checks.append(Check("Regressions", "max-regressions", f"≤ {limit}", actual, False, failure))
    return Final(tuple(checks), regressed_ids)


def _failed_tests(lost: Sequence[DefinitionResult], config: Config) -> list[Check]:
    """`max-failures` as a count, when the thresholds count tests: a test with a failed run ends failed (the
    batches' counts, should the verdict fall back to them, count at least as many failures)."""
    limit = config.max_failures
    failed = [result for result in lost if result.failed]
    if not counted_per_test(config) or limit.percent or not limit.exceeded_by(len(failed), 0):
        return []
    noun = "test" if len(failed) == 1 else "tests"
    names = first_few([quoted(result.name) for result in failed])
    failure = f"{len(failed)} {noun} failed for good ({names}), more than the {limit} allowed"
    return [Check("Failed", "max-failures", f"≤ {limit}", f"at least {len(failed)}", False, failure)]


def _lost(result: DefinitionResult, min_passes: int | None, runs_each: int | None) -> bool:
    """Whether the test's failed and errored runs already leave fewer than its `min-passes` possible."""
    failing = result.failed + result.errored
    if min_passes is None:
        return failing > 0
    return runs_each is not None and failing > runs_each - min_passes
