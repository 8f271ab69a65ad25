"""Start mode's world in the simulator: agents, their engines, and each engine's test case definitions.

An engine ID picks its script: `llm_<script>` (a Retell LLM) or `conversation_flow_<script>` (a
Conversation Flow), optionally followed by `-<anything>` for another engine with the same script.
An agent ID names its engine: `agent_<script>` runs on `llm_<script>`, `agent_flow_<script>` on
`conversation_flow_<script>`, and `agent_custom` on a custom LLM (which Retell cannot batch-test).
Every agent and engine has versions 0 to CURRENT_VERSION; get-agent without `?version=` answers the
current one. The scripts (ENGINES):

| script | definitions | a created batch | create-batch-test |
|---|---|---|---|
| `demo` | 10 | passes | answers 201 |
| `failing` | 10 | ends with 7 passed, 2 failed, 1 errored | answers 201 |
| `many` | 450 (`Case 001`…) | passes | answers 201 |
| `named` | 8 with names for globs | passes | answers 201 |
| `empty` | none | | |
| `endless` | 10, listed with a pagination key that repeats | | |
| `payment` | 10 | | answers 402 |
| `broke` | 10 | passes | answers the first create 201, every later one 402 |
| `busy` | 10 | passes | answers the first create 429 (`Retry-After: 0`, nothing created), then 201 |
| `reset` | 10 | passes | creates it, then resets the connection |
| `error500` | 10 | passes | creates it, then answers 500 |
| `hang` | 10 | passes | creates it, then never answers |
| `garbled` | 10 | passes | creates it, then answers 201 with HTML |
| `late` | 10 | passes | creates it, resets, and lists it only from the second listing on |
| `uncounted` | 10 | passes | creates it, resets, and lists it with a `total_count` of 0 (not counted yet) |
| `lost` | 10 | | creates nothing, resets the connection |
| `twice` | 10 | passes | creates it twice (two candidates), then resets |
| `crowded` | 10 | passes | another job's batch of as many other tests is created first; then as `reset` |
| `history` | 7 (HISTORY_NAMES) | per definition (NOW), see history.py | answers 201 |
| `sparse` | 7 (HISTORY_NAMES) | as `history` | answers 201 |
| `smoke` | 7 (HISTORY_NAMES) | as `history` | answers 201 |
| `unlisted` | 10 | passes | answers 201; `list-batch-tests` answers 500 |
| `hostile` | 8 (HOSTILE_NAMES) | passes | answers 201; its agent's name holds workflow commands |
| `badid` | 10 | passes | creates it, then answers 201 with a batch ID holding a line break and a command |
| `swapped` | 10 | passes | answers 201 with a batch that runs as many other definitions (as if another job's) |
| `shrunk` | 10 | passes | answers 201 with a `total_count` of 0; the batch then runs one definition fewer |

`history`, `sparse` and `smoke` also have batches run before (history.py), listed by `list-batch-tests`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

from .frames import HOSTILE_NAMES, NAMES

CURRENT_VERSION = 3
ENGINE_PREFIXES = {"llm_": "retell-llm", "conversation_flow_": "conversation-flow"}
ID_FIELDS = {"retell-llm": "llm_id", "conversation-flow": "conversation_flow_id"}
CUSTOM_AGENT = "agent_custom"
CREATED_MS = 1_763_000_000_000

GLOB_NAMES = (
    "smoke: greets the caller",
    "smoke: answers opening hours",
    "booking: table for two",
    "booking: moves to Friday",
    "booking: cancels politely",
    "billing: refund [priority]",
    "Billing: invoice copy",
    "escalation: angry caller",
)
HISTORY_NAMES = (
    "Greets the caller",
    "Books a table for two",
    "Moves a booking to Friday",
    "Cancels a booking politely",
    "Spells out the confirmation code",
    "Refuses to share another guest's booking",
    "Ends the call when asked",
)
# How each HISTORY_NAMES definition does in a batch created now: P pass, F fail, K flaky (passes on
# the 1st, 3rd, ... batch created for the engine with it, fails on the 2nd, 4th, ...). history.py
# has what they did before.
NOW = "PFPFKPP"
CreateFault = Literal[
    "", "payment", "broke", "busy", "reset", "error500", "hang", "garbled", "late", "lost", "twice", "crowded", "badid",
    "uncounted", "swapped", "shrunk",
]  # fmt: skip
CREATE_FAULTS: tuple[CreateFault, ...] = tuple(fault for fault in get_args(CreateFault) if fault)


@dataclass(frozen=True)
class EngineScript:
    names: tuple[str, ...] = NAMES
    outcome: Literal["pass", "fail"] = "pass"
    create: CreateFault = ""
    endless_listing: bool = False
    now: str = ""
    """Each definition's outcome in a created batch (letters as NOW); empty: as `outcome` says."""
    unlisted: bool = False
    """`list-batch-tests` answers 500."""


ENGINES: dict[str, EngineScript] = {
    "demo": EngineScript(),
    "failing": EngineScript(outcome="fail"),
    "many": EngineScript(tuple(f"Case {number:03d}" for number in range(1, 451))),
    "named": EngineScript(GLOB_NAMES),
    "empty": EngineScript(()),
    "endless": EngineScript(endless_listing=True),
    **{fault: EngineScript(create=fault) for fault in CREATE_FAULTS},
    "history": EngineScript(HISTORY_NAMES, now=NOW),
    "sparse": EngineScript(HISTORY_NAMES, now=NOW),
    "smoke": EngineScript(HISTORY_NAMES, now=NOW),
    "unlisted": EngineScript(unlisted=True),
    "hostile": EngineScript(HOSTILE_NAMES),
}
HOSTILE_AGENT_NAME = "Evil agent\n::error title=forged::agent ##[set-output name=result;]passed"
BAD_BATCH_ID = "tcb x\n::error title=forged::batch ##[set-output name=result;]passed"


@dataclass(frozen=True)
class SimEngine:
    """An engine the simulator knows: its type, ID and script."""

    type: str
    engine_id: str
    script_name: str

    @property
    def script(self) -> EngineScript:
        return ENGINES[self.script_name]

    def body(self, version: int) -> dict[str, Any]:
        return {"type": self.type, ID_FIELDS[self.type]: self.engine_id, "version": version}

    def definitions(self) -> list[dict[str, Any]]:
        return [definition_body(self, index, name) for index, name in enumerate(self.script.names)]


def engine_named(engine_type: str, engine_id: str) -> SimEngine | None:
    """The engine of this type and ID, or None when no script fits."""
    for prefix, kind in ENGINE_PREFIXES.items():
        if kind == engine_type and engine_id.startswith(prefix):
            script = engine_id.removeprefix(prefix).split("-", 1)[0]
            return SimEngine(kind, engine_id, script) if script in ENGINES else None
    return None


def agent_body(agent_id: str, version: int) -> dict[str, Any] | None:
    """`GET /get-agent/{agent_id}` at `version`, or None for an unknown agent."""
    if agent_id == CUSTOM_AGENT:
        engine: dict[str, Any] = {"type": "custom-llm", "llm_websocket_url": "wss://llm.example.invalid/socket"}
    else:
        flow = agent_id.startswith("agent_flow_")
        script = agent_id.removeprefix("agent_flow_" if flow else "agent_")
        prefix = "conversation_flow_" if flow else "llm_"
        found = engine_named(ENGINE_PREFIXES[prefix], prefix + script) if agent_id.startswith("agent_") else None
        if found is None:
            return None
        engine = found.body(version)
    return {
        "agent_id": agent_id,
        "agent_name": HOSTILE_AGENT_NAME if agent_id == "agent_hostile" else f"Simulated agent {agent_id}",
        "version": version,
        "is_published": version < CURRENT_VERSION,
        "response_engine": engine,
        "voice_id": "11labs-Adrian",
        "last_modification_timestamp": CREATED_MS,
    }


def definition_body(engine: SimEngine, index: int, name: str) -> dict[str, Any]:
    return {
        "test_case_definition_id": f"tcd_{engine.script_name}_{index:03d}",
        "name": name,
        "type": "simulation",
        "response_engine": engine.body(CURRENT_VERSION),
        "user_prompt": f"You are a caller. {name}.",
        "metrics": ["The agent stays polite."],
        "dynamic_variables": {},
        "tool_mocks": [],
        "llm_model": "gpt-4.1",
        "creation_timestamp": CREATED_MS,
        "user_modified_timestamp": CREATED_MS,
    }
