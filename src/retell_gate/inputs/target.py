"""What the gate is asked to judge: batches that already exist (wait mode), or an engine to start
batches for (start mode). Exactly one of the four mode inputs names it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from ..errors import InputError
from ..retell.ids import RETELL_ID
from .values import invalid, shown

WAIT_INPUT = "batch-job-id"
START_INPUTS = ("agent-id", "llm-id", "conversation-flow-id")
MODE_INPUTS = (WAIT_INPUT, *START_INPUTS)
START_ONLY_INPUTS = ("version", "test-case-definition-ids", "test-names")
TARGET_INPUTS = (*MODE_INPUTS, *START_ONLY_INPUTS)
MAX_BATCH_IDS = 100  # far more than one job should gate; a longer list is a mistake
MAX_DEFINITION_IDS = 10_000
MAX_PATTERNS = 200
MAX_VERSION = 10**9

StartKind = Literal["agent", "retell-llm", "conversation-flow"]
ENGINE_KINDS: dict[str, StartKind] = {
    "agent-id": "agent",
    "llm-id": "retell-llm",
    "conversation-flow-id": "conversation-flow",
}


@dataclass(frozen=True)
class WaitFor:
    """Wait mode: judge batches someone else started."""

    batch_job_ids: tuple[str, ...]


@dataclass(frozen=True)
class StartFor:
    """Start mode: start batches for an agent's engine, or an engine named directly, at a version."""

    kind: StartKind
    id: str
    input: str
    """The input that named it (`agent-id`, `llm-id` or `conversation-flow-id`), for messages."""
    version: int | None
    """None: the agent's current version (for an engine named directly: its latest)."""
    definition_ids: tuple[str, ...]
    """Empty: every test case definition of the engine."""
    name_patterns: tuple[str, ...]
    """Glob patterns on definition names that narrow the selection; empty: no narrowing."""


Target = WaitFor | StartFor


def split_ids(value: str) -> list[str]:
    """IDs separated by commas, spaces or newlines."""
    return [part for part in re.split(r"[\s,]+", value) if part]


def parse_id_list(name: str, value: str, what: str, most: int) -> tuple[str, ...]:
    ids = split_ids(value)
    allowed = f"expected {what}s (1 to 128 letters, digits, _ or -), separated by commas, spaces or newlines"
    for item in ids:
        if not RETELL_ID.fullmatch(item):
            raise InputError(f"Input `{name}` holds {shown(item)}, which is not a {what}: {allowed}.")
    if len(ids) > most:
        raise invalid(name, value, f"expected at most {most} IDs, not {len(ids)}")
    repeated = sorted({item for item in ids if ids.count(item) > 1})
    if repeated:
        raise InputError(f"Input `{name}` lists {', '.join(repeated)} more than once: each ID once, please.")
    return tuple(ids)


def parse_batch_job_ids(name: str, value: str) -> tuple[str, ...]:
    """`batch-job-id`: the batches to wait for, one or several; empty when none is given."""
    return parse_id_list(name, value, "batch test ID", MAX_BATCH_IDS)


def parse_version(name: str, value: str) -> int | None:
    if value == "":
        return None
    if not re.fullmatch(r"[0-9]{1,10}", value) or int(value) > MAX_VERSION:
        raise invalid(name, value, "expected a version number such as 4 (a whole number), or empty for the current one")
    return int(value)


def parse_patterns(name: str, value: str) -> tuple[str, ...]:
    """Glob patterns, one per line; blank lines are ignored."""
    patterns = [line.strip() for line in value.splitlines() if line.strip()]
    if len(patterns) > MAX_PATTERNS or any(len(p) > 500 or "\0" in p for p in patterns):
        raise invalid(name, value, f"expected at most {MAX_PATTERNS} glob patterns of test names, one per line")
    return tuple(patterns)


def start_key(values: Mapping[str, str]) -> str:
    """`agent-id=agent_1` when the inputs name one engine to start batches for, as given (checked or not): each
    engine keeps its own PR comment, and a run stopped by bad input still finds it. Empty otherwise."""
    given = _modes_given(values)
    return f"{given[0]}={values[given[0]]}" if len(given) == 1 and given[0] in START_INPUTS else ""


def _modes_given(values: Mapping[str, str]) -> list[str]:
    """The inputs that say what to test which are set (exactly one must be)."""
    return [name for name in MODE_INPUTS if values.get(name, "")]


def parse_target(values: Mapping[str, str]) -> Target:
    """The mode and what it names, from the trimmed input texts; InputError when they do not fit together."""
    given = _modes_given(values)
    choices = "`batch-job-id` (wait for batches already started), or `agent-id`, `llm-id` or `conversation-flow-id`"
    if not given:
        raise InputError(f"None of the inputs that say what to test is set: set exactly one of {choices}.")
    if len(given) > 1:
        both = " and ".join(f"`{name}`" for name in given)
        quantity = "both" if len(given) == 2 else "all"
        raise InputError(f"Inputs {both} are {quantity} set: set exactly one of {choices}.")
    mode = given[0]
    if mode == WAIT_INPUT:
        for name in START_ONLY_INPUTS:
            if values.get(name, ""):
                raise InputError(
                    f"Input `{name}` applies only when the gate starts the batches (with `agent-id`, `llm-id` or "
                    f"`conversation-flow-id`); with `batch-job-id` the batches are already started. Remove `{name}`."
                )
        return WaitFor(parse_batch_job_ids(WAIT_INPUT, values[WAIT_INPUT]))
    engine_id = values[mode]
    if not RETELL_ID.fullmatch(engine_id):
        raise invalid(mode, engine_id, "expected one Retell ID: 1 to 128 letters, digits, _ or -")
    return StartFor(
        kind=ENGINE_KINDS[mode],
        id=engine_id,
        input=mode,
        version=parse_version("version", values.get("version", "")),
        definition_ids=parse_id_list(
            "test-case-definition-ids",
            values.get("test-case-definition-ids", ""),
            "test case definition ID",
            MAX_DEFINITION_IDS,
        ),
        name_patterns=parse_patterns("test-names", values.get("test-names", "")),
    )
