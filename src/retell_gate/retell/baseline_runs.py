"""Reading a baseline: its batches and their test runs, for the comparison (judge/assess.py).

    baseline = read_baseline(client, ["tcb_1", "tcb_2"], deadline)   # `baseline: <IDs>`: each batch read
    baseline = read_found_baseline(client, found, deadline)          # after find_baseline: runs only
    assessment = assess(current_runs, baseline.runs, ...)

- An ID Retell does not know (HTTP 400, 403, 404 or 422 on `get-batch-test`) raises UnknownBaseline:
  a typo, not a missing history, so an error (exit 3) whatever `baseline-required` says. 403 is
  in: a batch of another workspace is one this API key cannot know.
- Any other failure to read a batch or to list its runs at all raises BaselineUnavailable, as a
  failed search does (a warning, or exit 3 with `baseline-required: true`).
- A batch named that is not complete (still running, or a status the gate does not know) is left
  out with a warning, and the others are used; when none is left, BaselineUnavailable. Decision:
  its unfinished runs would count as not passed, so a test that regressed since could show as still
  failing: an incomplete baseline hides regressions, never finds false ones, and the gate says so
  rather than compare with it quietly.
- A listing of runs that is not whole (a pagination that broke off, or fewer runs than the batch's
  `total_count`) is used, and said in `problems`: a definition missing there shows as new instead
  of compared, so the caller should say the comparison is partial.
- The baseline's engine is not checked against the one tested: comparing a new engine with the
  batches of the one it replaces is a use, not a mistake.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from ..errors import ApiError
from .baseline import BaselineUnavailable, UnknownBaseline
from .calls import read_json, validate
from .client import MAX_BODY_BYTES, SCHEMA_HINT

if TYPE_CHECKING:
    from .baseline import BaselineFound
    from .client import RetellClient
    from .models import BatchTest, TestRun

UNKNOWN_STATUSES = frozenset({400, 403, 404, 422})
UNKNOWN_HINT = (
    "Check `baseline`: each ID must be a test_case_batch_job_id of a batch in the workspace the `api-key` "
    "belongs to. To compare with the engine's newest complete batch instead, set `baseline: latest`."
)


@dataclass(frozen=True)
class BaselineRuns:
    """The baseline batches compared with, in the order named, and all their test runs."""

    batches: tuple[BatchTest, ...]
    runs: tuple[TestRun, ...]
    problems: tuple[str, ...] = ()
    """Why some runs may be missing, one sentence a batch: their definitions would show as new."""
    warnings: tuple[str, ...] = ()
    """The batches named but left out (not complete), one sentence each, with Retell's status (escape it)."""
    listed_passes: int = 0
    """The passes among every run listed of `batches` (runs of tests not wanted included)."""

    @property
    def unlisted_passes(self) -> int:
        """Passes the batches count that no listed run shows: tests that passed, though the gate cannot see
        which (0 when every run was listed)."""
        return max(0, sum(batch.pass_count for batch in self.batches) - self.listed_passes)

    @property
    def batch_ids(self) -> tuple[str, ...]:
        return tuple(batch.test_case_batch_job_id for batch in self.batches)

    @property
    def whole(self) -> bool:
        """Every run of every batch was listed: a definition not in `runs` did not run in the baseline."""
        return not self.problems


def read_baseline(client: RetellClient, batch_ids: Sequence[str], deadline: float) -> BaselineRuns:
    """The named batches (each read first; duplicates once) and their runs; see the module docstring."""
    if not batch_ids:
        raise ValueError("a baseline needs at least one batch ID")
    batches = [_read_batch(client, batch_id, deadline) for batch_id in dict.fromkeys(batch_ids)]
    complete = [batch for batch in batches if batch.state == "complete"]
    warnings = tuple(
        f"The baseline batch {batch.test_case_batch_job_id} is {batch.status}, not complete: it is left out "
        "of the baseline."
        for batch in batches
        if batch.state != "complete"
    ) + tuple(
        f"The baseline batch {batch.test_case_batch_job_id} has no test cases: no test can regress against it."
        for batch in batches
        if batch.state == "complete" and batch.total_count == 0
    )
    if not complete:
        named = ", ".join(f"{batch.test_case_batch_job_id} is {batch.status}" for batch in batches)
        raise BaselineUnavailable(
            f"No baseline batch named is complete ({named}), so there is no baseline to compare with.",
            "Name complete batches in `baseline`, or wait for the baseline batch to finish and run the gate again.",
        )
    return _with_runs(client, tuple(complete), deadline, warnings)


def read_found_baseline(client: RetellClient, found: BaselineFound, deadline: float) -> BaselineRuns:
    """The runs of the batches find_baseline took (listed complete already, so not read again)."""
    return _with_runs(client, found.batches, deadline, ())


def _with_runs(
    client: RetellClient, batches: Sequence[BatchTest], deadline: float, warnings: tuple[str, ...]
) -> BaselineRuns:
    runs: list[TestRun] = []
    problems: list[str] = []
    for batch in batches:
        batch_id = batch.test_case_batch_job_id
        try:
            listing = client.list_test_runs(batch_id, deadline)
        except ApiError as error:
            problem = f"Listing the test runs of the baseline batch {batch_id} failed: {error.message}"
            raise BaselineUnavailable(problem, error.hint) from None
        runs.extend(listing.runs)
        if listing.problem:
            problems.append(f"The baseline batch {batch_id}'s test runs were listed in part: {listing.problem}")
        elif len(listing.runs) < batch.total_count:
            problems.append(
                f"Retell listed {len(listing.runs)} of the baseline batch {batch_id}'s {batch.total_count} test runs."
            )
    passes = sum(1 for run in runs if run.outcome == "pass")
    return BaselineRuns(tuple(batches), tuple(runs), tuple(problems), warnings, passes)


def fill_missing(
    client: RetellClient,
    baseline: BaselineRuns,
    older: Sequence[Sequence[BatchTest]],
    wanted: Mapping[str, str],
    deadline: float,
) -> BaselineRuns:
    """`baseline: latest`: the runs of the tests in `wanted` (definition ID -> name) the baseline lacks, from the
    newest of `older` that ran each (matched by ID, or by name as compare.py pairs them); see baseline.py."""
    have_ids = {run.test_case_definition_id for run in baseline.runs}
    have_names = {run.name for run in baseline.runs}
    missing = {key: name for key, name in wanted.items() if key not in have_ids and name not in have_names}
    batches, runs, problems = list(baseline.batches), list(baseline.runs), list(baseline.problems)
    passes = baseline.listed_passes
    for group in older:  # one run at a time (its repeats together), newest first
        if not missing:
            break
        extra = _with_runs(client, group, deadline, ())
        taken = [r for r in extra.runs if r.test_case_definition_id in missing or r.name in missing.values()]
        if taken or extra.problems:  # a run listed in part may hold a missing test: it makes the baseline partial
            batches += group
            runs += taken
            problems += extra.problems
            passes += extra.listed_passes
            found = {r.test_case_definition_id for r in taken} | {r.name for r in taken}
            missing = {key: name for key, name in missing.items() if key not in found and name not in found}
    return BaselineRuns(tuple(batches), tuple(runs), tuple(problems), baseline.warnings, passes)


def _read_batch(client: RetellClient, batch_id: str, deadline: float) -> BatchTest:
    from .models import BatchTest

    what = f"the baseline batch {batch_id}"
    try:
        answer = client.send("GET", f"/get-batch-test/{quote(batch_id, safe='')}", deadline, MAX_BODY_BYTES)
    except ApiError as error:
        raise BaselineUnavailable(f"Reading {what} failed: {error.message}", error.hint) from None
    if answer.status in UNKNOWN_STATUSES:
        raise UnknownBaseline(
            f"Retell does not know {what} (HTTP {answer.status}{answer.error_message()}). A baseline ID must "
            "name a batch Retell has: this looks like a typo, not a missing history.",
            UNKNOWN_HINT,
        )
    try:
        batch = validate(BatchTest, read_json(answer, what, {}), what)
    except ApiError as error:
        raise BaselineUnavailable(f"Reading {what} failed: {error.message}", error.hint) from None
    if batch.test_case_batch_job_id != batch_id:
        raise BaselineUnavailable(f"Retell answered with a different batch than {what}.", SCHEMA_HINT)
    return batch
