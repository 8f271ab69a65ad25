"""Retell's batch-test and test-run objects, as the OpenAPI text describes them, checked strictly.

Imported only once an answer has arrived (pydantic takes a while to load), see client.py.

Counts must be non-negative integers (a float, a string or a boolean is a malformed answer), and
every field the specification requires must be there. Fields we do not know are ignored, so Retell
can add to the object without breaking the gate.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr, model_validator

from .statuses import FINISHED, KNOWN_STATES, BatchState, RunOutcome

Count = Annotated[StrictInt, Field(ge=0)]


class ResponseEngine(BaseModel):
    """The agent engine under test: a Retell LLM or a Conversation Flow, at a version."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    type: StrictStr
    """`retell-llm`, `conversation-flow` or `custom-llm`; other values are shown as they are."""
    llm_id: StrictStr | None = None
    conversation_flow_id: StrictStr | None = None
    llm_websocket_url: StrictStr | None = None
    version: StrictInt | StrictFloat | None = None
    """The engine's version; null when the batch runs against the latest draft."""

    @property
    def engine_id(self) -> str | None:
        return self.llm_id or self.conversation_flow_id or self.llm_websocket_url


class BatchTest(BaseModel):
    """A batch test job: one run of many test case definitions against one response engine."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    test_case_batch_job_id: StrictStr
    status: StrictStr
    """`in_progress` or `complete`; anything else is kept as it is and never taken as complete."""
    response_engine: ResponseEngine
    pass_count: Count
    fail_count: Count
    error_count: Count
    total_count: Count
    creation_timestamp: StrictInt
    """Milliseconds since the epoch."""
    user_modified_timestamp: StrictInt
    """Milliseconds since the epoch."""

    @property
    def state(self) -> BatchState:
        return KNOWN_STATES.get(self.status, "unknown")

    @property
    def finished_count(self) -> int:
        return self.pass_count + self.fail_count + self.error_count

    @model_validator(mode="after")
    def _counts_fit_in_total(self) -> BatchTest:
        # More finished test cases than the batch holds: the counts cannot be trusted at all.
        if self.finished_count > self.total_count:
            counted = f"pass_count + fail_count + error_count ({self.finished_count})"
            raise ValueError(f"{counted} exceeds total_count ({self.total_count})")
        return self


class DefinitionSnapshot(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    name: StrictStr | None = None


class TestRun(BaseModel):
    """One test case job. The transcript snapshot is untyped in Retell's specification: not parsed at all."""

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
