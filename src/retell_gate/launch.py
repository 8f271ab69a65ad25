"""Start mode, step by step: which engine and version, which definitions, then the batches started.

    plan = Starter(...).plan(target)     # reads the agent and the definitions; starts nothing
    ids = starter.start(plan)            # one batch after the other, each sent at most once

Every batch started is kept in `started` as soon as Retell answers, so that a failure, a timeout or
a cancel half-way still reports the batches that keep running (and billing) in Retell.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import InputError
from .inputs.target import StartFor
from .plan.selection import select, split_batches

if TYPE_CHECKING:
    from .retell.client import RetellClient
    from .retell.engines import Engine
    from .retell.start_models import Definition
    from .retell.starting import Started


@dataclass(frozen=True)
class StartPlan:
    """What start mode will run: the engine at an exact version (when known), and the batches."""

    engine: Engine
    agent: str
    """`agent agent_123 (name) at version 7` when an agent named the engine; empty otherwise."""
    definitions: tuple[Definition, ...]
    batches: tuple[tuple[str, ...], ...]
    """The definition IDs of each batch to start, at most 200 each, in order."""
    unmatched_patterns: tuple[str, ...] = ()
    repeats: int = 1
    """`repeats`: the batches are started this many times, one set after the other."""

    def describe(self) -> str:
        """One sentence: what would run against what."""
        engine = self.engine.label() + (f", the engine of {self.agent}" if self.agent else "")
        count = len(self.definitions)
        started = len(self.batches) * self.repeats
        batches = "1 batch" if started == 1 else f"{started} batches"
        cases = "1 test case" if count == 1 else f"{count} test cases"
        each = f", each run {self.repeats} times," if self.repeats > 1 else ""
        return f"{cases}{each} in {batches} against {engine}"


@dataclass
class Starter:
    """Plans and starts the batches of one run; `started` grows as Retell answers."""

    client: RetellClient
    deadline: float
    clock: Callable[[], float]
    sleep: Callable[[float], None]
    warn: Callable[[str], None]
    started: list[Started] = field(default_factory=list)
    sending: bool = False
    """A create has been sent and not yet answered: a cancel now may leave a batch running unnamed."""

    def plan(
        self, target: StartFor, repeats: int = 1, required: Sequence[str] = (), quarantine: Sequence[str] = ()
    ) -> StartPlan:
        """Resolve the engine and the selection; raises ApiError or SelectionError, having started nothing.

        `required`, `quarantine`: the `required-tests` and `quarantine` patterns; a selected test both match is an
        InputError now, before anything is started (and billed), not once the batches are done.
        """
        from .retell.catalog import list_test_case_definitions
        from .retell.engines import Engine, get_agent

        agent = ""
        if target.kind == "agent":
            found = get_agent(self.client, target.id, target.version, self.deadline)
            engine = found.engine
            name = f" ({found.agent_name})" if found.agent_name else ""
            shown_version = found.agent_version if found.agent_version is not None else engine.version
            agent = f"agent {found.agent_id}{name} at version {shown_version}"
        else:
            engine = Engine(target.kind, target.id, target.version)
        definitions = list_test_case_definitions(self.client, engine, self.deadline)
        selection = select(definitions, target.definition_ids, target.name_patterns, engine.label())
        for pattern in selection.unmatched_patterns:
            self.warn(f"The `test-names` pattern {pattern!r} matched no test case definition of {engine.label()}.")
        _check_overlap(selection.definitions, required, quarantine)
        ids = [definition.test_case_definition_id for definition in selection.definitions]
        batches = tuple(split_batches(ids))
        return StartPlan(engine, agent, selection.definitions, batches, selection.unmatched_patterns, repeats)

    def start(self, plan: StartPlan) -> tuple[str, ...]:
        """Start every batch of the plan (`repeats` times), one after the other; the first failure stops the rest.

        Each repeat is a batch of its own: `already_started` tells a repeat from a batch that was
        created twice after an ambiguous failure (recovery.py).
        """
        from .retell.starting import create_batch_test

        engine = plan.engine
        for definition_ids in [ids for _ in range(plan.repeats) for ids in plan.batches]:
            self.sending = True  # stays set if a cancel interrupts the create; an ApiError ends the run anyway
            started = create_batch_test(
                self.client,
                definition_ids,
                engine,
                self.deadline,
                already_started=self.started_ids,
                clock=self.clock,
                sleep=self.sleep,
            )
            self.started.append(started)
            self.sending = False
            engine = _pinned(engine, started)
            if started.recovered:
                self.warn(started.recovered)
        return self.started_ids

    @property
    def started_ids(self) -> tuple[str, ...]:
        return tuple(started.batch_id for started in self.started)


def _check_overlap(definitions: Sequence[Definition], required: Sequence[str], quarantine: Sequence[str]) -> None:
    from .judge.selection import check_overlap_of

    try:
        check_overlap_of(((d.test_case_definition_id, d.name) for d in definitions), required, quarantine)
    except InputError as error:
        raise InputError(error.message, "The gate read the selection from Retell and started nothing.") from None


def _pinned(engine: Engine, started: Started) -> Engine:
    """Unpinned (the latest), the engine is pinned to the version the first batch ran, so that every batch of
    the run tests the same version even if a new one appears between creates."""
    from .retell.engines import whole_version

    version = whole_version(started.batch.response_engine.version)
    return engine if engine.version is not None or version is None else dataclasses.replace(engine, version=version)
