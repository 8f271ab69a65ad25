"""The baseline of one run, from Retell: named batches read before anything starts, `latest` found after.

    step = BaselineStep(client, config, deadline)
    step.read_named()                       # `baseline: <IDs>`: before starting or waiting, so a typo costs nothing
    step.find_latest(engine, version, own)  # `baseline: latest`: once this run's batches are complete

- An ID Retell does not know raises UnknownBaseline (exit 3): a typo, whatever `baseline-required` says.
- No baseline found (NoBaseline), or Retell could not say (BaselineUnavailable): a warning, and the
  verdict stands on the other thresholds; with `baseline-required: true`, an ApiError (exit 3).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import ApiError
from .judge.outcome import BaselineUsed
from .retell.baseline import BaselineUnavailable, NoBaseline, find_baseline
from .retell.baseline_runs import fill_missing, read_baseline, read_found_baseline
from .retell.engines import Engine, EngineType, whole_version

if TYPE_CHECKING:
    from .inputs.config import Config
    from .judge.assess import Assessment
    from .judge.batches import GatedBatch
    from .judge.verdict import Verdict
    from .retell.baseline_runs import BaselineRuns
    from .retell.client import RetellClient
    from .retell.models import BatchTest, ResponseEngine

REQUIRED_HINT = (
    "`baseline-required` is true: run the baseline's batches first (or name them in `baseline`), or set "
    "`baseline-required: false` to judge on the other thresholds when there is none."
)


@dataclass
class BaselineStep:
    client: RetellClient
    config: Config
    deadline: float
    named_read: bool = False
    runs: BaselineRuns | None = None
    used: BaselineUsed | None = None
    warnings: list[str] = field(default_factory=list)
    """Said plainly when there is no baseline, for the verdict (what the runs read say is `_runs_notes`)."""
    _older: tuple[tuple[BatchTest, ...], ...] = ()

    def read_named(self) -> None:
        """`baseline: <IDs>`: each batch read and its runs listed."""
        ids = self.config.baseline.batch_ids
        if not ids or self.named_read:
            return
        self.named_read = True
        try:
            self._take(read_baseline(self.client, ids, self.deadline), found=False)
        except BaselineUnavailable as error:
            self._none(error.message)

    def find_latest(self, engine: Engine | None, tested_version: int | None, own: Collection[str]) -> None:
        """`baseline: latest`: the newest complete batch(es) of `engine` before the version tested."""
        if not self.config.baseline.latest:
            return
        if engine is None:
            self._none("the batches tested report no Retell LLM or Conversation Flow to search the baseline of.")
            return
        try:
            found = find_baseline(
                self.client,
                engine,
                tested_version=tested_version,
                baseline_version=self.config.baseline_version,
                exclude=own,
                deadline=self.deadline,
            )
            if isinstance(found, NoBaseline):
                self._none(found.reason)
                return
            self._older = found.older
            self._take(read_found_baseline(self.client, found, self.deadline), found=True)
        except BaselineUnavailable as error:
            self._none(error.message)

    def _fill_missing(self, batches: Sequence[GatedBatch]) -> None:
        """`latest`: the tests run now that the newest baseline batches did not run, from older ones."""
        if self.runs is None or not self._older:
            return
        wanted = {run.test_case_definition_id: run.name for b in batches if b.listing for run in b.listing.runs}
        try:
            filled = fill_missing(self.client, self.runs, self._older, wanted, self.deadline)
        except BaselineUnavailable as error:  # the tests only older batches ran are unknown: a partial baseline
            problem = f"{error.message.rstrip('.')}: tests only older baseline batches ran are missing from it."
            self.runs = dataclasses.replace(self.runs, problems=(*self.runs.problems, problem))
            return
        if len(filled.batches) > len(self.runs.batches):
            self._take(filled, found=True)

    def judge(
        self, batches: Sequence[GatedBatch], planned: Engine | None, own: Collection[str]
    ) -> tuple[Verdict, Assessment]:
        """The complete batches judged test by test, against the baseline (`latest` found now).

        The engine searched is the one planned (start mode) or the one the first batch reports (wait
        mode); the version tested, the planned one (an agent's is exact), else the one the batch reports.
        """
        from .judge.combined import decide_per_definition

        reported, version = engine_tested(batches[0].batch if batches else None)
        engine = planned or reported
        if planned is not None and planned.version is not None:
            version = planned.version
        self.find_latest(engine, version, own)
        self._fill_missing(batches)
        notes = [*self.warnings, *self._runs_notes(), *self._engine_notes(engine, version)]
        unlisted = self.runs.unlisted_passes if self.runs else 0
        return decide_per_definition(batches, self.config, self.runs.runs if self.runs else None, notes, unlisted)

    def _runs_notes(self) -> list[str]:
        """What the baseline's runs, as read, warn of: batches left out, and lists read in part."""
        if self.runs is None:
            return []
        return [*self.runs.warnings, *(f"{problem} The comparison is partial." for problem in self.runs.problems)]

    def _engine_notes(self, engine: Engine | None, tested: int | None) -> list[str]:
        """A baseline of another engine, or of the same one at the version tested or a newer one: likely mistakes."""
        if self.runs is None or engine is None:
            return []
        notes = []
        other = next(
            (b.response_engine for b in self.runs.batches if not _same_engine(engine, b.response_engine)), None
        )
        if other is not None:
            notes.append(
                f"The baseline ran against {other.type} {other.engine_id or '(no ID)'}, not {engine.type} "
                f"{engine.engine_id}, the engine tested: its tests are likely other definitions, shown as new and "
                "dropped, and none can regress. Name a baseline batch of the same engine."
            )
        first = self.runs.batches[0].response_engine
        before = whole_version(first.version)
        if tested is not None and _same_engine(engine, first) and before is not None and before >= tested:
            which = "the version tested" if before == tested else f"newer than version {tested}, the one tested"
            notes.append(
                f"The baseline ran version {before}, {which}: a baseline is usually an earlier version. Check "
                "`baseline` (or `baseline-version`)."
            )
        return notes

    def _take(self, runs: BaselineRuns, found: bool) -> None:
        self.runs = runs
        first = runs.batches[0].response_engine
        version = "latest version" if first.version is None else f"version {first.version:g}"
        self.used = BaselineUsed(runs.batch_ids, f"{first.type} {first.engine_id or '(no ID)'} {version}", found)

    def _none(self, why: str) -> None:
        """No baseline: an error with `baseline-required`, else a warning said first."""
        if self.config.baseline_required:
            raise ApiError(f"No baseline to compare with: {why.rstrip('.')}.", REQUIRED_HINT)
        self.warnings.insert(
            0, f"No baseline to compare with: {why.rstrip('.')}. The verdict stands on the other thresholds."
        )


def engine_tested(batch: BatchTest | None) -> tuple[Engine | None, int | None]:
    """The engine a batch reports and its whole version, for `baseline: latest` (None: none to search)."""
    if batch is None:
        return None, None
    reported = batch.response_engine
    if reported.type not in ("retell-llm", "conversation-flow") or not reported.engine_id:
        return None, None
    whole = whole_version(reported.version)
    kind: EngineType = "retell-llm" if reported.type == "retell-llm" else "conversation-flow"
    return Engine(kind, reported.engine_id), whole


def _same_engine(engine: Engine, reported: ResponseEngine) -> bool:
    """The same Retell LLM or Conversation Flow, whatever its version (a baseline is usually an earlier one)."""
    return engine.type == reported.type and engine.engine_id == reported.engine_id
