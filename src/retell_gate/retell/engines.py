"""The response engine a batch tests, and how an agent's engine is read (`GET /get-agent/{agent_id}`).

Start mode names its engine one of three ways; each becomes an `Engine`:

    engine = Engine("retell-llm", llm_id, version)                # `llm-id` (+ `version`)
    engine = Engine("conversation-flow", flow_id, version)        # `conversation-flow-id` (+ `version`)
    agent = get_agent(client, agent_id, version, deadline)        # `agent-id` (+ `version`)
    engine = agent.engine                                         # its version is always known

`get_agent` refuses an agent whose engine Retell cannot batch-test (a custom LLM) with
UnsupportedEngine, before anything is created. The version it returns is the exact version the
batch will test: the one asked for, or the agent's current one when `version` is None.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal
from urllib.parse import quote, urlencode

from ..errors import ApiError
from .calls import read_json, validate
from .client import MAX_BODY_BYTES, SCHEMA_HINT
from .ids import RETELL_ID

if TYPE_CHECKING:
    from .client import RetellClient
    from .models import ResponseEngine
    from .start_models import Agent

EngineType = Literal["retell-llm", "conversation-flow"]
ID_FIELDS: dict[EngineType, str] = {"retell-llm": "llm_id", "conversation-flow": "conversation_flow_id"}

AGENT_HINTS = {
    400: "Check `agent-id` and `version` (a whole number).",
    404: "Check `agent-id` and `version` (it must exist), and that the `api-key` belongs to the agent's workspace.",
    422: "Check `agent-id` and `version` (a whole number).",
}
UNSUPPORTED_HINT = (
    "Retell's batch tests run against a Retell LLM or a Conversation Flow only. Test an agent built on one of "
    "them, or name the engine with `llm-id` or `conversation-flow-id`."
)


class UnsupportedEngine(ApiError):
    """The agent's response engine is one Retell cannot batch-test (a custom LLM); nothing was started."""


def whole_version(version: float | None) -> int | None:
    """A version Retell reports, when it is a whole number (its model allows any number); None otherwise."""
    if version is None or not math.isfinite(version):  # NaN or infinity: JSON allows neither, Python's parser both
        return None
    return int(version) if version == int(version) and version >= 0 else None


@dataclass(frozen=True)
class Engine:
    """A response engine a batch can test: a Retell LLM or a Conversation Flow, at a version.

    `version` None means "whatever Retell takes as the latest" when starting a batch; the version
    Retell then ran is in the created batch's `response_engine.version`.
    """

    type: EngineType
    engine_id: str
    version: int | None = None

    def query(self) -> dict[str, str]:
        """The engine as the list endpoints filter by it: `type` and `llm_id` or `conversation_flow_id`."""
        return {"type": self.type, ID_FIELDS[self.type]: self.engine_id}

    def response_engine(self) -> dict[str, str | int]:
        """The engine as `create-batch-test` takes it."""
        version: dict[str, str | int] = {"version": self.version} if self.version is not None else {}
        return {"type": self.type, ID_FIELDS[self.type]: self.engine_id} | version

    def label(self) -> str:
        """`retell-llm llm_123 version 4`, for messages (escape it before markdown: the ID is the user's)."""
        version = f"version {self.version}" if self.version is not None else "latest version"
        return f"{self.type} {self.engine_id} {version}"

    def runs_as(self, engine: ResponseEngine) -> bool:
        """Whether a batch that reports `engine` ran against this one (the same version, when pinned)."""
        same = engine.type == self.type and engine.engine_id == self.engine_id
        return same and (self.version is None or engine.version == self.version)


@dataclass(frozen=True)
class AgentEngine:
    """An agent at one version, and the engine a batch for it tests (its version always set)."""

    agent_id: str
    agent_name: str
    """Empty when the agent has no name."""
    agent_version: int | None
    engine: Engine


def get_agent(client: RetellClient, agent_id: str, version: int | None, deadline: float) -> AgentEngine:
    """The agent's response engine at `version` (None: the agent's current version), read from Retell.

    Raises UnsupportedEngine for a custom-LLM agent, ApiError when the agent cannot be read or the
    answer does not say which engine and version it is.
    """
    query = f"?{urlencode({'version': version})}" if version is not None else ""
    answer = client.send("GET", f"/get-agent/{quote(agent_id, safe='')}{query}", deadline, MAX_BODY_BYTES)
    what = f"the agent {agent_id}"
    body = read_json(answer, what, AGENT_HINTS)
    from .start_models import Agent

    agent = validate(Agent, body, what)
    if agent.agent_id != agent_id:
        raise ApiError(f"Retell answered with a different agent than {agent_id} was asked for.", SCHEMA_HINT)
    if version is not None and agent.version is not None and agent.version != version:
        raise ApiError(f"Retell answered with version {agent.version} of {what}, not version {version}.", SCHEMA_HINT)
    engine = _engine_of(agent_id, agent)
    if version is not None and engine.version != version:
        problem = f"Retell answered for version {version} of {what} with its engine at version {engine.version}"
        raise ApiError(f"{problem}; the gate tests only the version asked for, and started nothing.", SCHEMA_HINT)
    return AgentEngine(agent_id, agent.agent_name or "", agent.version, engine)


def _engine_of(agent_id: str, agent: Agent) -> Engine:
    response_engine = agent.response_engine
    kind = response_engine.type
    if kind not in ID_FIELDS:
        named = "a custom LLM" if kind == "custom-llm" else f"an engine of type {kind!r}"
        message = f"The agent {agent_id} answers with {named}, which Retell cannot batch-test; nothing was started."
        raise UnsupportedEngine(message, UNSUPPORTED_HINT)
    engine_type: EngineType = "retell-llm" if kind == "retell-llm" else "conversation-flow"
    engine_id = response_engine.llm_id if kind == "retell-llm" else response_engine.conversation_flow_id
    if not engine_id:
        problem = f"Retell's answer for the agent {agent_id} names no {ID_FIELDS[engine_type]} for its {kind} engine."
        raise ApiError(problem, SCHEMA_HINT)
    if not RETELL_ID.fullmatch(engine_id):  # it would go into requests and outputs: never quoted
        problem = f"Retell's answer for the agent {agent_id} gives a {ID_FIELDS[engine_type]} that is not a Retell ID"
        raise ApiError(f"{problem} ({len(engine_id)} characters, not only letters, digits, _ and -).", SCHEMA_HINT)
    # The engine's own version is what a batch pins; an agent and its engine share the number.
    engine_version, agent_version = whole_version(response_engine.version), agent.version
    if response_engine.version is not None and engine_version is None:
        raise ApiError(f"Retell's answer for the agent {agent_id} gives no whole version number.", SCHEMA_HINT)
    if engine_version is not None and agent_version is not None and engine_version != agent_version:
        problem = f"Retell's answer for the agent {agent_id} gives it version {agent_version} and its engine"
        raise ApiError(f"{problem} version {engine_version}, which should be one number.", SCHEMA_HINT)
    version = engine_version if engine_version is not None else agent_version
    if version is None:
        raise ApiError(f"Retell's answer for the agent {agent_id} gives no whole version number.", SCHEMA_HINT)
    return Engine(engine_type, engine_id, version)
