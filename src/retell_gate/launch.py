"""Start mode, step by step: which engine and version, which definitions, then the batches started.

    plan = Starter(...).plan(target)     # reads the agent and the definitions; starts nothing
    ids = starter.start(plan)            # one batch after the other, each sent at most once

Every batch started is kept in `started` as soon as Retell answers, so that a failure, a timeout or
a cancel half-way still reports the batches that keep running (and billing) in Retell.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import ApiError, InputError
from .inputs.target import StartFor
from .plan.selection import select, split_batches

if TYPE_CHECKING:
    from .retell.client import RetellClient
    from .retell.engines import Engine
    from .retell.listing import RunListing
    from .retell.models import BatchTest
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

    def unchecked(self) -> str:
        """What a dry run cannot check, said after its plan: an engine's version is read only through an agent."""
        if self.agent or self.engine.version is None:
            return ""
        engine = self.engine
        return f" Retell checks that version {engine.version} of {engine.engine_id} exists only when a batch starts."


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
    """A create was sent and whether it started a batch is not known (a cancel came before its answer, or no
    batch was found after an ambiguous failure): a batch may be running unnamed."""

    def plan(
        self,
        target: StartFor,
        repeats: int = 1,
        required: Sequence[str] = (),
        quarantine: Sequence[str] = (),
        allow_empty: bool = True,
    ) -> StartPlan:
        """Resolve the engine and the selection; raises ApiError or SelectionError, having started nothing.

        `required`, `quarantine`: the `required-tests` and `quarantine` patterns; a selected test both match is an
        InputError now, before anything is started (and billed), not once the batches are done. So is a selection
        that `quarantine` leaves empty, unless `allow_empty`: its verdict would fail whatever the tests did.
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
        if not allow_empty:
            _check_something_counts(selection.definitions, quarantine)
        ids = [definition.test_case_definition_id for definition in selection.definitions]
        batches = tuple(split_batches(ids))
        return StartPlan(engine, agent, selection.definitions, batches, selection.unmatched_patterns, repeats)

    def start(self, plan: StartPlan) -> tuple[str, ...]:
        """Start every batch of the plan (`repeats` times), one after the other; the first failure stops the rest.

        Each repeat is a batch of its own: `already_started` tells a repeat from a batch that was
        created twice after an ambiguous failure (recovery.py).
        """
        from .retell.recovery import StartUncertain
        from .retell.starting import Started, create_batch_test

        engine = plan.engine
        for definition_ids in [ids for _ in range(plan.repeats) for ids in plan.batches]:
            self.sending = True  # stays set while the create's fate is unknown: a cancel, or no batch found for it
            try:
                started = create_batch_test(
                    self.client,
                    definition_ids,
                    engine,
                    self.deadline,
                    already_started=self.started_ids,
                    clock=self.clock,
                    sleep=self.sleep,
                )
            except StartUncertain as uncertain:
                if uncertain.started is not None:  # a batch Retell did start, though not as asked: reported too
                    self.sending = False
                    if uncertain.started.test_case_batch_job_id not in self.started_ids:
                        self.started.append(Started(uncertain.started, tuple(definition_ids)))
                raise
            except ApiError:  # Retell refused it, or it never arrived: nothing was started for it
                self.sending = False
                raise
            self.started.append(started)
            self.sending = False
            engine = _pinned(engine, started)
            if started.recovered:
                self.warn(started.recovered)
        return self.started_ids

    @property
    def started_ids(self) -> tuple[str, ...]:
        return tuple(started.batch_id for started in self.started)

    def not_as_asked(self, readings: Mapping[str, BatchTest], listings: Mapping[str, RunListing]) -> str:
        """Why a batch started (or found again) did not run the test cases asked for, as far as its last reading
        and its listed runs show; empty when nothing says so. A verdict on such a batch would be about other tests.
        """
        for started in self.started:
            problem = _not_as_asked(started, readings.get(started.batch_id), listings.get(started.batch_id))
            if problem:
                return f"Batch {started.batch_id} {problem}; the gate will not judge it."
        return ""


def _not_as_asked(started: Started, batch: BatchTest | None, listing: RunListing | None) -> str:
    from .retell.recovery import sized_as_asked

    asked = started.definition_ids
    if batch is not None:  # 0 is "not counted yet" only while the batch runs
        complete = batch.state == "complete"
        if not (batch.total_count == len(asked) if complete else sized_as_asked(batch.total_count, len(asked))):
            return f"holds {batch.total_count} test cases, not the {len(asked)} this run asked for"
    if listing is None:
        return ""
    other, lacking = listing.against(asked, batch.total_count if batch is not None else 0)
    if other:
        return f"ran {len(other)} test case definition(s) this run did not ask for"
    if lacking:
        return f"did not run {len(lacking)} of the test case definitions this run asked for"
    return ""


def _check_overlap(definitions: Sequence[Definition], required: Sequence[str], quarantine: Sequence[str]) -> None:
    from .judge.selection import check_overlap_of

    try:
        check_overlap_of(((d.test_case_definition_id, d.name) for d in definitions), required, quarantine)
    except InputError as error:
        raise InputError(error.message, "The gate read the selection from Retell and started nothing.") from None


def _check_something_counts(definitions: Sequence[Definition], quarantine: Sequence[str]) -> None:
    from .judge.selection import matching

    if quarantine and all(matching(quarantine, d.test_case_definition_id, d.name) for d in definitions):
        raise InputError(
            f"Input `quarantine` matches every one of the {len(definitions)} test(s) selected, so none would count "
            "and the verdict would fail: narrow `quarantine`, or set `allow-empty: true` to accept that.",
            "The gate read the selection from Retell and started nothing.",
        )


def _pinned(engine: Engine, started: Started) -> Engine:
    """Unpinned (the latest), the engine is pinned to the version the first batch ran, so that every batch of
    the run tests the same version even if a new one appears between creates."""
    from .retell.engines import whole_version

    version = whole_version(started.batch.response_engine.version)
    return engine if engine.version is not None or version is None else dataclasses.replace(engine, version=version)
