"""The JSON report (schema_version 1 or 2, described by docs/report.schema.json); pure, no I/O.

Version 2 is written exactly when the tests were judged one by one (any of `baseline`,
`required-tests`, `quarantine`, `repeats` or `min-passes` set, and the batches complete): it adds
`assessment` (each test by its repeats, the comparison with the baseline, the quarantined tests), and
its `verdict.counts` may be per test rather than per test run (`assessment.counts_per_test`). Every
other report stays version 1, unchanged.

Several batches were added within version 1, as its compatibility rule allows: `batches` holds
every batch, each test run names its `batch_job_id`, and the fields of version 1's first form keep
their meaning for one batch; with several, `batch_job_id` and `batch` are the first batch's (as
the `batch-job-id` output is), `test_runs` holds the runs of them all, and `verdict.counts` the totals.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..judge.batches import GatedBatch, named
from ..judge.counts import Counts
from ..judge.outcome import Outcome
from ..judge.verdict import pass_rate
from .report_judged import assessment_json

if TYPE_CHECKING:
    from ..retell.models import BatchTest

SCHEMA_VERSION = 1
JUDGED_SCHEMA_VERSION = 2


def to_json(outcome: Outcome) -> str:
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION if outcome.assessment is None else JUDGED_SCHEMA_VERSION,
        "generator": f"retell-batch-gate {__version__}",
        "batch_job_id": outcome.batch_job_id,
        "batch": _batch(outcome.batches[0].batch if outcome.batches else None),
        "batches": [_gated(outcome, gated) for gated in outcome.batches],
        "verdict": _verdict(outcome),
        "test_runs": _runs(outcome),
        "test_runs_problem": _problems(outcome),
        "warnings": list(outcome.warnings),
    }
    if outcome.assessment is not None:
        document["assessment"] = assessment_json(outcome)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _gated(outcome: Outcome, gated: GatedBatch) -> dict[str, Any]:
    return {
        "batch_job_id": gated.batch_job_id,
        "batch": _batch(gated.batch),
        "counts": _counts(outcome.counts_of(gated)),
        "test_run_count": len(gated.listing.runs) if gated.listing is not None else None,
        "test_runs_problem": gated.listing_problem or None,
    }


def _problems(outcome: Outcome) -> str | None:
    said = [named(gated.batch_job_id, problem, outcome.several) for gated, problem in outcome.listing_problems]
    return "; ".join(said) or None


def _counts(counts: Counts | None) -> dict[str, int] | None:
    if counts is None:
        return None
    return {"passed": counts.passed, "failed": counts.failed, "errored": counts.errored, "total": counts.total}


def _batch(batch: BatchTest | None) -> dict[str, Any] | None:
    if batch is None:
        return None
    return {
        "status": batch.status,
        "response_engine": batch.response_engine.model_dump(exclude_none=True),
        "pass_count": batch.pass_count,
        "fail_count": batch.fail_count,
        "error_count": batch.error_count,
        "total_count": batch.total_count,
        "creation_timestamp": batch.creation_timestamp,
        "user_modified_timestamp": batch.user_modified_timestamp,
    }


def _verdict(outcome: Outcome) -> dict[str, Any]:
    counts = outcome.counts
    rate = pass_rate(counts) if counts else None
    checks = outcome.verdict.checks if outcome.verdict else ()
    return {
        "result": outcome.result,
        "reason": outcome.reason,
        "exit_code": outcome.exit_code,
        "elapsed_seconds": round(outcome.elapsed, 1),
        "counts": _counts(counts),
        "pass_rate": None if rate is None else float(rate),
        "thresholds": [
            {"name": c.name, "input": c.input, "limit": c.limit, "actual": c.actual, "ok": c.ok} for c in checks
        ],
    }


def _runs(outcome: Outcome) -> list[dict[str, Any]] | None:
    if not outcome.listed:
        return None
    return [
        {
            "batch_job_id": gated.batch_job_id,
            "test_case_job_id": run.test_case_job_id,
            "test_case_definition_id": run.test_case_definition_id,
            "name": run.name,
            "status": run.status,
            "outcome": run.outcome,
            "explanation": run.result_explanation,
        }
        for gated, run in outcome.runs
    ]
