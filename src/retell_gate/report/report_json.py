"""The JSON report (schema_version 1, described by docs/report.schema.json); pure, no I/O."""

from __future__ import annotations

import json
from typing import Any

from .. import __version__
from ..judge.outcome import Outcome
from ..judge.runs import in_report_order
from ..judge.verdict import pass_rate

SCHEMA_VERSION = 1


def to_json(outcome: Outcome) -> str:
    document = {
        "schema_version": SCHEMA_VERSION,
        "generator": f"retell-batch-gate {__version__}",
        "batch_job_id": outcome.batch_job_id,
        "batch": _batch(outcome),
        "verdict": _verdict(outcome),
        "test_runs": _runs(outcome),
        "test_runs_problem": outcome.listing_problem or None,
        "warnings": list(outcome.warnings),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _batch(outcome: Outcome) -> dict[str, Any] | None:
    batch = outcome.batch
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
        "counts": None
        if counts is None
        else {
            "passed": counts.passed,
            "failed": counts.failed,
            "errored": counts.errored,
            "total": counts.total,
        },
        "pass_rate": None if rate is None else float(rate),
        "thresholds": [
            {"name": c.name, "input": c.input, "limit": c.limit, "actual": c.actual, "ok": c.ok} for c in checks
        ],
    }


def _runs(outcome: Outcome) -> list[dict[str, Any]] | None:
    if outcome.listing is None:
        return None
    return [
        {
            "test_case_job_id": run.test_case_job_id,
            "test_case_definition_id": run.test_case_definition_id,
            "name": run.name,
            "status": run.status,
            "outcome": run.outcome,
            "explanation": run.result_explanation,
        }
        for run in in_report_order(outcome.listing.runs)
    ]
