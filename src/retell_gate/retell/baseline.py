"""Finding the baseline for `baseline: latest`: the newest complete batch(es) of the engine before this change.

    found = find_baseline(client, engine, tested_version=3, baseline_version=None, exclude=started, deadline=d)
    if isinstance(found, NoBaseline):
        warn(found.reason)        # none exists; BaselineUnavailable is raised when Retell could not say

Retell lists one version's batches at a time (`list-batch-tests` without `version` lists the latest
version's only: its specification says it "defaults to latest"), so the search asks version by version:
- `baseline_version` set: that version only.
- Otherwise: the versions below `tested_version`, downward from the one just below, one listing
  each, until one has a complete batch; at most MAX_VERSIONS_BACK (20) listings, never below 0.
- `tested_version` None (the batch tested ran at whatever Retell took as the latest): the latest
  version's listing first, where a complete batch this run did not start is the baseline. Failing
  that, the latest version's number is read from the batches listed there (this run's own report
  it) and the search walks down from below it; when no batch says it, there is no baseline and the
  reason says to set `baseline-version`.

A batch counts when it is complete, reports this engine at the version listed, has test cases, and
is not in `exclude` (the batches this run started: never their own baseline). An in-progress batch,
or one with a status the gate does not know, is passed over even when it is the newest.

Repeats and split runs: one run of start mode may start several batches (more than 200 definitions,
or `repeats`), one after the other within seconds. So the baseline is the newest batch (by
`creation_timestamp`) together with the batches created with it: going back in time, each batch
created at most GROUP_GAP_SECONDS (120 s) before the previous one joins, up to MAX_GROUP batches.
Limits: a batch of that run that was not complete, or was started more than 2 minutes after the
previous one, is left out of the group; two runs started within 2 minutes of each other at the same
version make one baseline, judged by their repeats.

A test the group did not run (a smaller selection, such as a smoke run, was the newest) is taken from
the newest older complete batch at that version that ran it (`older`, up to MAX_OLDER batches; the
caller lists their runs only for such tests: baseline_runs.fill_missing). A version below the one
tested is usually published, so immutable: an older batch of it tested the same agent.

A listing that fails raises BaselineUnavailable, never "none found": going on to an older version
past one that could not be listed could take the wrong baseline.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import ApiError
from .catalog import list_batch_tests
from .engines import Engine, whole_version

if TYPE_CHECKING:
    from .client import RetellClient
    from .models import BatchTest

MAX_VERSIONS_BACK = 20
GROUP_GAP_SECONDS = 120
MAX_GROUP = 100
MAX_OLDER = 10
GAP_MS = GROUP_GAP_SECONDS * 1000


class BaselineUnavailable(ApiError):
    """Retell could not say what the baseline is (a listing or a read failed): not the same as none existing."""


class UnknownBaseline(ApiError):
    """An explicit baseline batch ID that Retell does not know: a typo, not a missing history."""


@dataclass(frozen=True)
class BaselineFound:
    """The baseline batches `latest` took: the newest first, all of one engine at one version."""

    engine: Engine
    """The engine at the baseline's version (None only when Retell's batch reports none)."""
    batches: tuple[BatchTest, ...]
    older: tuple[tuple[BatchTest, ...], ...] = ()
    """The other complete batches listed at that version, newest first, grouped as the newest are (one run's
    repeats together; at most MAX_OLDER batches): where a test the newest batches did not run is looked for
    (a smoke run after the full one must not hide the rest)."""

    @property
    def batch_ids(self) -> tuple[str, ...]:
        return tuple(batch.test_case_batch_job_id for batch in self.batches)

    @property
    def version(self) -> int | None:
        return self.engine.version

    def describe(self) -> str:
        """`batch tcb_1 of retell-llm llm_1 version 2` (escape it before markdown: the IDs are Retell's)."""
        ids = self.batch_ids
        which = f"batch {ids[0]}" if len(ids) == 1 else f"{len(ids)} batches created together ({', '.join(ids)})"
        return f"{which} of {self.engine.label()}"


@dataclass(frozen=True)
class NoBaseline:
    """Retell listed every version searched, and none has a batch to take: `reason` says where it looked."""

    reason: str


def find_baseline(
    client: RetellClient,
    engine: Engine,
    *,
    tested_version: int | None,
    baseline_version: int | None,
    exclude: Collection[str],
    deadline: float,
) -> BaselineFound | NoBaseline:
    """The baseline `latest` names for `engine` (its own `version` is not used: `tested_version` is).

    Raises BaselineUnavailable when a listing fails (see the module docstring for the search).
    """
    search = _Search(client, Engine(engine.type, engine.engine_id), frozenset(exclude), deadline)
    if baseline_version is not None:
        return search.at(baseline_version) or NoBaseline(search.none_at(f"version {baseline_version}"))
    if tested_version is None:
        return _from_latest(search)
    return _below(search, tested_version)


def _below(search: _Search, top: int, *, top_searched: bool = False) -> BaselineFound | NoBaseline:
    """The versions below `top`, downward; `top_searched`: `top` itself was listed already (the latest)."""
    lowest = max(0, top - MAX_VERSIONS_BACK)
    for version in range(top - 1, lowest - 1, -1):
        found = search.at(version)
        if found is not None:
            return found
    first = top if top_searched else top - 1
    if first < 0:
        return NoBaseline(f"Version {top} of {search.name} is its first: no version is below it.")
    reason = search.none_at(f"version {first}" if first == lowest else f"versions {first} down to {lowest}")
    if lowest > 0:
        reason += (
            f" The search stops {MAX_VERSIONS_BACK} versions below version {top}; "
            "set `baseline-version` to compare with an older one."
        )
    return NoBaseline(reason)


def _from_latest(search: _Search) -> BaselineFound | NoBaseline:
    listed = search.listed(None)
    found = search.choose(listed, None)
    if found is not None:
        return found
    reported = [_version(batch) for batch in listed if search.engine.runs_as(batch.response_engine)]
    versions = [version for version in reported if version is not None]
    if not versions:
        return NoBaseline(
            f"{search.none_at('its latest version')} The version tested is unknown, so the search cannot go "
            "below it: set `baseline-version` to name the version to compare with."
        )
    return _below(search, max(versions), top_searched=True)


class _Search:
    """The listings of one search, and what they held that did not count (for the reason)."""

    def __init__(self, client: RetellClient, engine: Engine, exclude: frozenset[str], deadline: float) -> None:
        self.client, self.engine, self.exclude, self.deadline = client, engine, exclude, deadline
        self.name = f"{engine.type} {engine.engine_id}"
        self.not_complete = 0
        self.own = 0

    def listed(self, version: int | None) -> tuple[BatchTest, ...]:
        at = Engine(self.engine.type, self.engine.engine_id, version)
        try:
            return list_batch_tests(self.client, at, self.deadline)
        except ApiError as error:
            where = f"version {version}" if version is not None else "its latest version"
            problem = f"Listing the batches of {self.name} at {where} failed, so the baseline is unknown"
            raise BaselineUnavailable(f"{problem}: {error.message}", error.hint) from None

    def at(self, version: int) -> BaselineFound | None:
        return self.choose(self.listed(version), version)

    def choose(self, listed: Sequence[BatchTest], version: int | None) -> BaselineFound | None:
        """The newest usable batch listed at `version` (None: the latest), with the batches created with it."""
        at = Engine(self.engine.type, self.engine.engine_id, version)
        mine = [batch for batch in listed if at.runs_as(batch.response_engine)]
        others = [batch for batch in mine if batch.test_case_batch_job_id not in self.exclude]
        self.own += len(mine) - len(others)
        usable = [batch for batch in others if batch.state == "complete" and batch.total_count > 0]
        self.not_complete += sum(batch.state != "complete" for batch in others)
        if not usable:
            return None
        usable.sort(key=lambda batch: (batch.creation_timestamp, batch.test_case_batch_job_id), reverse=True)
        newest = usable[0]
        same = [b for b in usable if b.response_engine.version == newest.response_engine.version]
        groups = _groups(same)
        older = _groups(same[len(groups[0]) :][:MAX_OLDER])
        return BaselineFound(Engine(at.type, at.engine_id, _version(newest)), groups[0], tuple(older))

    def none_at(self, where: str) -> str:
        """`Retell lists no complete batch of … at …`, with what it did list that did not count."""
        notes = []
        if self.not_complete:
            notes.append(f"{self.not_complete} listed {'is' if self.not_complete == 1 else 'are'} not complete")
        if self.own:
            notes.append("this run's own batches are never its baseline")
        aside = f" ({'; '.join(notes)})" if notes else ""
        return f"Retell lists no complete batch of {self.name} at {where}{aside}."


def _groups(batches: Sequence[BatchTest]) -> list[tuple[BatchTest, ...]]:
    """Batches newest first, in runs: each joins the one before when created at most GROUP_GAP_SECONDS before
    it (up to MAX_GROUP a run)."""
    groups: list[list[BatchTest]] = []
    for batch in batches:
        last = groups[-1] if groups else []
        if last and len(last) < MAX_GROUP and last[-1].creation_timestamp - batch.creation_timestamp <= GAP_MS:
            last.append(batch)
        else:
            groups.append([batch])
    return [tuple(group) for group in groups]


def _version(batch: BatchTest) -> int | None:
    """The version the batch reports, when it is a whole number (Retell's model allows any number)."""
    return whole_version(batch.response_engine.version)
