"""Test runs grouped by test case definition and judged per definition, for repeats (pure, no I/O).

A definition run several times (`repeats`, or several batches waited for together) passes when it
passed at least `min_passes` times; by default every one of its runs must pass. A run Retell left
unfinished in a complete batch is not a pass: it counts as errored, as the batch's uncounted test
cases do (verdict.judged_counts). A definition is **flaky** when its repeats hold both a pass and a
non-pass, whether or not it met `min_passes`.

No pydantic here: a run is anything with a definition ID, a name and an outcome (RunLike), so the
real retell.models.TestRun fits, and so do the tests' small fakes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, Protocol

from ..retell.statuses import RunOutcome
from .counts import Counts

DefinitionStatus = Literal["passed", "failed", "errored"]


class RunLike(Protocol):
    """What judging needs of one test run (retell.models.TestRun has it)."""

    @property
    def test_case_definition_id(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def outcome(self) -> RunOutcome: ...


@dataclass(frozen=True)
class DefinitionResult:
    """One test case definition's runs on one side (the batches tested, or the baseline), judged."""

    definition_id: str
    name: str
    passed: int
    failed: int
    errored: int
    not_finished: int
    min_passes: int
    """The passes it needed: the `min-passes` asked for, or every one of its runs."""

    @property
    def runs(self) -> int:
        return self.passed + self.failed + self.errored + self.not_finished

    @property
    def ok(self) -> bool:
        return self.passed >= self.min_passes

    @property
    def flaky(self) -> bool:
        """Both passed and did not pass (failed, errored or never finished) among its repeats."""
        return self.passed > 0 and self.passed < self.runs

    @property
    def status(self) -> DefinitionStatus:
        """Passed when it met `min_passes`; otherwise failed if any repeat failed, else errored.

        A real failure is the more telling of the two, so it names a mixed definition; repeats that
        only errored or never finished make it errored (an unfinished run is never a pass).
        """
        if self.ok:
            return "passed"
        return "failed" if self.failed else "errored"


def judge_definitions(
    runs: Iterable[RunLike], min_passes: int | None = None, *, capped: bool = False
) -> tuple[DefinitionResult, ...]:
    """Each definition's runs counted and judged, ordered by name (case-insensitive), then ID.

    `min_passes` None asks every run of a definition to pass. To count a repeat that never ran
    against a definition (a batch that lost it), pass the number of repeats started instead.
    `capped` lowers `min_passes` to a definition's number of runs: for a baseline, which may have
    been run fewer times than the batches tested, never for those (fail closed).
    """
    if min_passes is not None and min_passes < 1:
        raise ValueError(f"min_passes must be at least 1, not {min_passes}")
    grouped: dict[str, list[RunLike]] = {}
    for run in runs:
        grouped.setdefault(run.test_case_definition_id, []).append(run)
    results = [_judged(definition_id, group, min_passes, capped) for definition_id, group in grouped.items()]
    return tuple(sorted(results, key=lambda result: (result.name.casefold(), result.definition_id)))


def _judged(definition_id: str, runs: list[RunLike], min_passes: int | None, capped: bool) -> DefinitionResult:
    outcomes = [run.outcome for run in runs]
    needed = len(runs) if min_passes is None or (capped and min_passes > len(runs)) else min_passes
    return DefinitionResult(
        definition_id=definition_id,
        name=_name(definition_id, runs),
        passed=outcomes.count("pass"),
        failed=outcomes.count("fail"),
        errored=outcomes.count("error"),
        # Anything but pass, fail or error: statuses.py makes every other status "not-finished".
        not_finished=len(outcomes) - outcomes.count("pass") - outcomes.count("fail") - outcomes.count("error"),
        min_passes=needed,
    )


def _name(definition_id: str, runs: list[RunLike]) -> str:
    """The first real name among the runs; TestRun.name falls back to the ID when a snapshot has none."""
    return next((run.name for run in runs if run.name and run.name != definition_id), definition_id)


def definition_counts(results: Iterable[DefinitionResult]) -> Counts:
    """Counts with one test case per definition, as the thresholds and the pass rate take them with repeats."""
    statuses = [result.status for result in results]
    return Counts(
        passed=statuses.count("passed"),
        failed=statuses.count("failed"),
        errored=statuses.count("errored"),
        total=len(statuses),
    )
