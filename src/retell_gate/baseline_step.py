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
    """The baseline's own warnings (the first says plainly when there is none), for the verdict."""
    _older: tuple[tuple[BatchTest, ...], ...] = ()
    _taken_warnings: list[str] = field(default_factory=list)

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
            self.warnings.append(f"{problem} The comparison is partial.")
            return
        if len(filled.batches) > len(self.runs.batches):
            self.warnings = [w for w in self.warnings if w not in self._taken_warnings]
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
        others = [b.response_engine for b in self.runs.batches] if self.runs and engine is not None else []
        if engine is not None and (baseline := next((e for e in others if not _same_engine(engine, e)), None)):
            self.warnings.append(
                f"The baseline ran against {baseline.type} {baseline.engine_id or '(no ID)'}, not {engine.type} "
                f"{engine.engine_id}, the engine tested: its tests are likely other definitions, shown as new and "
                "dropped, and none can regress. Name a baseline batch of the same engine."
            )
        self._warn_of_version(engine, version)
        unlisted = self.runs.unlisted_passes if self.runs else 0
        return decide_per_definition(
            batches, self.config, self.runs.runs if self.runs else None, self.warnings, unlisted
        )

    def _warn_of_version(self, engine: Engine | None, tested: int | None) -> None:
        """A baseline of the same engine at the version tested, or a newer one, is likely a mistake: say so."""
        if self.runs is None or engine is None or tested is None:
            return
        first = self.runs.batches[0].response_engine
        before = whole_version(first.version)
        if _same_engine(engine, first) and before is not None and before >= tested:
            which = "the version tested" if before == tested else f"newer than version {tested}, the one tested"
            self.warnings.append(
                f"The baseline ran version {before}, {which}: a baseline is usually an earlier version. Check "
                "`baseline` (or `baseline-version`)."
            )

    def _take(self, runs: BaselineRuns, found: bool) -> None:
        self.runs = runs
        first = runs.batches[0].response_engine
        version = "latest version" if first.version is None else f"version {first.version:g}"
        self.used = BaselineUsed(runs.batch_ids, f"{first.type} {first.engine_id or '(no ID)'} {version}", found)
        self._taken_warnings = [*runs.warnings, *(f"{problem} The comparison is partial." for problem in runs.problems)]
        self.warnings += self._taken_warnings

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
