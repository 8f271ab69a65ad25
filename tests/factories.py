"""Building API bodies and configs for tests."""

from __future__ import annotations

import dataclasses
from typing import Any

from retell_gate.inputs.config import Config, load_config
from retell_gate.judge.batches import GatedBatch
from retell_gate.judge.outcome import Outcome
from retell_gate.retell.listing import RunListing
from retell_gate.retell.models import BatchTest, TestRun

KEY = "key_test_0123456789"


def batch_body(
    status: str = "complete",
    passed: int = 10,
    failed: int = 0,
    errored: int = 0,
    total: int | None = None,
    batch_id: str = "batch_1",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "test_case_batch_job_id": batch_id,
        "status": status,
        "response_engine": {"type": "retell-llm", "llm_id": "llm_abc", "version": 2},
        "pass_count": passed,
        "fail_count": failed,
        "error_count": errored,
        "total_count": passed + failed + errored if total is None else total,
        "creation_timestamp": 1_764_000_000_000,
        "user_modified_timestamp": 1_764_000_060_000,
    } | extra


def batch(**fields: Any) -> BatchTest:
    return BatchTest.model_validate(batch_body(**fields))


def config(**inputs: str) -> Config:
    env = {"INPUT_API-KEY": KEY, "INPUT_BATCH-JOB-ID": "batch_1"}
    env |= {"INPUT_" + name.replace("_", "-").upper(): value for name, value in inputs.items()}
    return load_config(env, [])


def run_body(
    index: int, status: str = "pass", name: str | None = "Test", explanation: str | None = "ok", **extra: Any
) -> dict[str, Any]:
    snapshot = {"name": name, "type": "simulation"} if name is not None else {"type": "simulation"}
    return {
        "test_case_job_id": f"tcj_{index}",
        "status": status,
        "test_case_definition_id": f"tcd_{index}",
        "test_case_definition_snapshot": snapshot,
        "result_explanation": explanation,
        "creation_timestamp": 1,
        "user_modified_timestamp": 2,
    } | extra


def make_run(index: int, status: str = "pass", name: str | None = "Test", explanation: str | None = "ok") -> TestRun:
    return TestRun.model_validate(run_body(index, status, name, explanation))


def one(
    batch_id: str = "batch_1", read: BatchTest | None = None, listing: RunListing | None = None
) -> tuple[GatedBatch]:
    """The `batches` of an Outcome that gated one batch."""
    return (GatedBatch(batch_id, read, listing),)


def with_listing(outcome: Outcome, listing: RunListing | None) -> Outcome:
    """The outcome of one batch, with its test runs replaced."""
    (only,) = outcome.batches
    return dataclasses.replace(outcome, batches=(dataclasses.replace(only, listing=listing),))
