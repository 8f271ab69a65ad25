"""The JSON report's `assessment` (schema_version 2): the tests judged one by one (pure, no I/O)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..judge.definitions import DefinitionResult
    from ..judge.outcome import Outcome


def assessment_json(outcome: Outcome) -> dict[str, Any]:
    assessment = outcome.assessment
    if assessment is None:
        raise ValueError("the tests were not judged one by one")
    comparison = assessment.comparison
    used = outcome.baseline
    return {
        "counts_per_test": bool(outcome.verdict and outcome.verdict.per_definition),
        "repeats": outcome.repeats,
        "baseline": None
        if used is None or comparison is None
        else {"batch_job_ids": list(used.batch_ids), "engine": used.engine, "found_by_latest": used.found},
        "definitions": [_definition(result) for result in assessment.definitions],
        "comparison": None
        if comparison is None
        else [
            {
                "test_case_definition_id": entry.definition_id,
                "name": entry.name,
                "change": entry.change,
                "baseline": entry.before,
                "now": entry.now,
            }
            for entry in comparison.entries
        ],
        "quarantined": [
            {
                "test_case_definition_id": entry.definition_id,
                "name": entry.name,
                "now": entry.now,
                "baseline": entry.before,
                "patterns": list(entry.patterns),
            }
            for entry in assessment.quarantined
        ],
    }


def _definition(result: DefinitionResult) -> dict[str, Any]:
    return {
        "test_case_definition_id": result.definition_id,
        "name": result.name,
        "status": result.status,
        "runs": result.runs,
        "passed": result.passed,
        "failed": result.failed,
        "errored": result.errored,
        "not_finished": result.not_finished,
        "min_passes": result.min_passes,
        "flaky": result.flaky,
    }
