"""Retell's answers for start mode (an agent, test case definitions, a list of batches), checked strictly.

Imported only once an answer has arrived (pydantic takes a while to load), like models.py. Only the
fields the gate uses are required; the rest of each object is ignored, so Retell can add to it.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from .models import BatchTest, ResponseEngine

Id = Annotated[StrictStr, Field(min_length=1)]


class Agent(BaseModel):
    """`GET /get-agent/{agent_id}`: the agent at one version, with its response engine."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    agent_id: Id
    agent_name: StrictStr | None = None
    version: Annotated[StrictInt, Field(ge=0)] | None = None
    """The agent's version; its engine shares the number (see the engine's own `version`)."""
    is_published: StrictBool | None = None
    response_engine: ResponseEngine


class Definition(BaseModel):
    """A test case definition: one simulated caller and its judged metrics (only its ID and name are used)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    test_case_definition_id: Id
    name: StrictStr


class DefinitionPage(BaseModel):
    """One page of `/v2/list-test-case-definitions`."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    items: list[Definition]
    has_more: StrictBool = False
    pagination_key: StrictStr | None = None


class BatchPage(BaseModel):
    """One page of `/v2/list-batch-tests`."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    items: list[BatchTest]
    has_more: StrictBool = False
    pagination_key: StrictStr | None = None
