"""Test runs: one test case definition's result inside a batch, as `/v2/list-test-runs` lists them.

Only what the gate shows is read; the transcript snapshot is untyped in Retell's specification and
is not parsed at all. Statuses other than pass, fail and error (`pending`, `in_progress`, anything
new) mean "not finished".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, StrictBool, StrictStr

RunOutcome = Literal["fail", "error", "not-finished", "pass"]
FINISHED: dict[str, RunOutcome] = {"pass": "pass", "fail": "fail", "error": "error"}
# Failures and errors first, then what never finished, then passes.
ORDER: dict[RunOutcome, int] = {"fail": 0, "error": 1, "not-finished": 2, "pass": 3}


class DefinitionSnapshot(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    name: StrictStr | None = None


class TestRun(BaseModel):
    """One test case job."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    test_case_job_id: StrictStr
    status: StrictStr
    """`pass`, `fail` or `error` when finished; `pending`, `in_progress` or unknown otherwise."""
    test_case_definition_id: StrictStr
    test_case_definition_snapshot: DefinitionSnapshot | None = None
    result_explanation: StrictStr | None = None

    @property
    def outcome(self) -> RunOutcome:
        return FINISHED.get(self.status, "not-finished")

    @property
    def name(self) -> str:
        snapshot = self.test_case_definition_snapshot
        return snapshot.name if snapshot and snapshot.name else self.test_case_definition_id

    @property
    def explanation(self) -> str:
        return self.result_explanation or ""


class RunPage(BaseModel):
    """One page of `/v2/list-test-runs`."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    items: list[TestRun]
    has_more: StrictBool = False
    pagination_key: StrictStr | None = None


@dataclass(frozen=True)
class RunListing:
    """The runs read, and why the list may be incomplete (empty when it is whole)."""

    runs: tuple[TestRun, ...]
    problem: str = ""


@dataclass(frozen=True)
class RunCounts:
    passed: int
    failed: int
    errored: int
    not_finished: int

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.errored + self.not_finished


def count_runs(runs: tuple[TestRun, ...]) -> RunCounts:
    tally = Counter(run.outcome for run in runs)
    return RunCounts(tally["pass"], tally["fail"], tally["error"], tally["not-finished"])


def in_report_order(runs: tuple[TestRun, ...]) -> list[TestRun]:
    """Failures, errors, unfinished, passes; by name within each (stable, so ties keep Retell's order)."""
    return sorted(runs, key=lambda run: (ORDER[run.outcome], run.name.casefold()))
