"""The step outputs of an outcome, as text (the runner's side writes them: runner/publish.py).

Every output is written on every path; counts are empty when no batch was ever read, and an output
that cannot be known (regressions an incomplete list hides) is empty, never a reassuring 0. Pure.
"""

from __future__ import annotations

import json

from ..judge.batches import status_of
from ..judge.outcome import Outcome
from ..judge.verdict import pass_rate
from ..retell.ids import RETELL_ID


def outputs(outcome: Outcome) -> dict[str, str]:
    """Every step output, as text; counts are empty when no batch was ever read."""
    counts = outcome.counts
    rate = pass_rate(counts) if counts is not None else None
    return {
        "result": outcome.result,
        "reason": outcome.reason,
        "status": status_of(outcome.batches),
        "pass-count": str(counts.passed) if counts else "",
        "fail-count": str(counts.failed) if counts else "",
        "error-count": str(counts.errored) if counts else "",
        "total-count": str(counts.total) if counts else "",
        "pass-rate": str(rate) if rate is not None else "",
        "batch-job-id": outcome.batch_job_id,
        "batch-job-ids": json.dumps([gated.batch_job_id for gated in outcome.batches], separators=(",", ":")),
        **_engine_outputs(outcome),
        **_judged_outputs(outcome),
        "elapsed-seconds": str(round(outcome.elapsed)),
        "report-path": dict(outcome.reports).get("report-path", ""),
        "junit-path": dict(outcome.reports).get("junit-path", ""),
    }


def _engine_outputs(outcome: Outcome) -> dict[str, str]:
    """Each engine tested and its version, in the batches' order, as Retell reports them on the batches;
    before any batch was read, the engine start mode planned."""
    engines = dict.fromkeys(gated.batch.response_engine for gated in outcome.batches if gated.batch is not None)
    tested = [(_id_or_blank(engine.engine_id), engine.version) for engine in engines]
    if not tested and outcome.planned_engine is not None:
        tested = [outcome.planned_engine]
    return {
        "engine-id": ",".join(engine_id for engine_id, _ in tested),
        "engine-version": ",".join(_version_text(version) for _, version in tested),
    }


def _id_or_blank(engine_id: str | None) -> str:
    """An engine's ID as an output may hold it: a Retell ID, never other text from the API (a custom LLM's URL)."""
    return engine_id if engine_id and RETELL_ID.fullmatch(engine_id) else ""


def _version_text(version: float | None) -> str:
    if version is None:
        return "latest"
    return str(int(version)) if float(version).is_integer() else str(version)


def _judged_outputs(outcome: Outcome) -> dict[str, str]:
    """The outputs of the tests judged one by one; empty (`[]`) when they were not, or had no baseline."""
    assessment = outcome.assessment
    comparison = assessment.comparison if assessment is not None else None
    early = outcome.verdict is not None and bool(outcome.verdict.regressed_early)  # regressions found while running
    compared = (comparison is not None or early) and outcome.baseline is not None
    baseline_ids = list(outcome.baseline.batch_ids) if compared and outcome.baseline else []
    known = assessment is None or not assessment.unseen_failures  # unknown: empty, never a reassuring 0
    return {
        "regression-count": str(len(comparison.regressed)) if comparison is not None and known else "",
        "fixed-count": str(len(comparison.fixed)) if comparison is not None else "",
        "flaky-count": str(len(assessment.flaky)) if assessment is not None else "",
        "baseline-batch-job-ids": json.dumps(baseline_ids, separators=(",", ":")),
    }
